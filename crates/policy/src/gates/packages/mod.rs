//! `packages`: which packages the image has, their versions, and whether their files are as
//! the package databases say.

use std::cmp::Ordering;

use customs_types::{Package, PackageType};
use customs_version::Scheme;

use super::common::{COMPARISONS, fire, holds, text_check};
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "packages",
    description: "Checks the image's packages: required ones, denied ones, their attributes, and their files against the package databases.",
    triggers: &[
        Trigger {
            name: "required_package",
            description: "Fires when the named package is not installed, or not at the version required.",
            params: &[
                param("name", Kind::Text, true, "libssl", "The package's name."),
                param(
                    "version",
                    Kind::Text,
                    false,
                    "1.10.3-rc3",
                    "The version required.",
                ),
                param(
                    "version_match_type",
                    Kind::OneOf(&["exact", "minimum"]),
                    false,
                    "exact",
                    "exact (default): that version; minimum: that version or newer, by the package type's own version order.",
                ),
            ],
            evaluate: required,
        },
        Trigger {
            name: "verify",
            description: "Fires for each file a distribution package owns that is missing, or whose SHA-256 differs from the package database's (configuration files are skipped; databases that record MD5 or SHA-1 digests are checked for missing files only).",
            params: &[
                param(
                    "only_packages",
                    Kind::List,
                    false,
                    "libssl,openssl",
                    "Only these packages.",
                ),
                param(
                    "only_directories",
                    Kind::List,
                    false,
                    "/usr,/var/lib",
                    "Only files under these directories.",
                ),
                param(
                    "check",
                    Kind::OneOf(&["changed", "missing"]),
                    false,
                    "changed",
                    "Only this kind of difference.",
                ),
            ],
            evaluate: verify,
        },
        Trigger {
            name: "denylist",
            description: "Fires for each installed package with the name (and version, when given).",
            params: &[
                param(
                    "name",
                    Kind::Text,
                    true,
                    "openssh-server",
                    "The package's name.",
                ),
                param(
                    "version",
                    Kind::Text,
                    false,
                    "1.0.1",
                    "Only this exact version.",
                ),
            ],
            evaluate: denylist,
        },
        Trigger {
            name: "metadata",
            description: "Fires for each package whose attributes pass every comparison given.",
            params: &[
                param("name", Kind::Text, false, "bash", "A name to compare with."),
                param(
                    "name_comparison",
                    Kind::OneOf(&["=", "!=", "like", "not_like"]),
                    false,
                    "=",
                    "How the package's name compares (default =; like: a regular expression).",
                ),
                param(
                    "version",
                    Kind::Text,
                    false,
                    "5.2",
                    "A version to compare with.",
                ),
                param(
                    "version_comparison",
                    Kind::OneOf(COMPARISONS),
                    false,
                    ">=",
                    "How the package's version compares, by its type's version order (default =).",
                ),
                param(
                    "type",
                    Kind::OneOf(super::common::PACKAGE_TYPES),
                    false,
                    "deb",
                    "Only packages of this type (os, non-os or a package type).",
                ),
            ],
            evaluate: metadata,
        },
    ],
};

fn scheme(p: &Package) -> Option<Scheme> {
    Some(match p.package_type {
        PackageType::Deb => Scheme::Dpkg,
        PackageType::Apk => Scheme::Apk,
        PackageType::Rpm => Scheme::Rpm,
        PackageType::Python => Scheme::Pep440,
        PackageType::Npm | PackageType::RustCrate => Scheme::Semver,
        PackageType::GoModule => Scheme::Go,
        PackageType::Gem => Scheme::Gem,
        PackageType::Java => Scheme::Maven,
        PackageType::Composer => Scheme::Composer,
        PackageType::Nuget => Scheme::NuGet,
        PackageType::Binary => return None,
    })
}

/// The package's version against another, by its own order (dotted numbers when it has none).
fn compare(p: &Package, other: &str) -> Ordering {
    scheme(p)
        .and_then(|s| customs_version::compare(s, &p.version, other).ok())
        .unwrap_or_else(|| super::common::compare_dotted(&p.version, other))
}

fn required(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let name = args.text("name").unwrap_or_default();
    let found: Vec<&Package> = subject
        .sbom
        .packages
        .iter()
        .filter(|p| p.name == name)
        .collect();
    if found.is_empty() {
        fire(fires, format!("Required package {name} not present"));
        return;
    }
    let Some(version) = args.text("version") else {
        return;
    };
    let minimum = args.text("version_match_type") == Some("minimum");
    let satisfied = found.iter().any(|p| {
        let o = compare(p, version);
        if minimum {
            o != Ordering::Less
        } else {
            o == Ordering::Equal
        }
    });
    if !satisfied {
        let have: Vec<&str> = found.iter().map(|p| p.version.as_str()).collect();
        fire(
            fires,
            format!(
                "Required package {name} is at {} and not {}{version}",
                have.join(", "),
                if minimum { "at least " } else { "" }
            ),
        );
    }
}

fn verify(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let only_packages = args.list("only_packages");
    let only_dirs = args.list("only_directories");
    let check = args.text("check");
    let files = super::common::FileIndex::new(&subject.sbom.files);
    for p in subject
        .sbom
        .packages
        .iter()
        .filter(|p| p.package_type.is_os())
    {
        if !only_packages.is_empty() && !only_packages.contains(&p.name) {
            continue;
        }
        for owned in p.files.iter().filter(|f| !f.is_config) {
            if !only_dirs.is_empty()
                && !only_dirs.iter().any(|d| {
                    owned.path == *d
                        || owned
                            .path
                            .starts_with(&format!("{}/", d.trim_end_matches('/')))
                })
            {
                continue;
            }
            match files.resolve(&owned.path) {
                None => {
                    if check != Some("changed") {
                        fire(
                            fires,
                            format!("Package {} file {} is missing", p.name, owned.path),
                        );
                    }
                }
                Some(record) => {
                    if check == Some("missing") || record.kind != "file" {
                        continue;
                    }
                    // Only SHA-256 digests can be checked against what the layers gave.
                    let recorded = owned
                        .digest
                        .as_deref()
                        .and_then(|d| d.strip_prefix("sha256:").or((d.len() == 64).then_some(d)));
                    let actual = record.sha256.as_ref().map(|d| d.to_string());
                    if let (Some(want), Some(have)) = (recorded, actual.as_deref())
                        && !have
                            .trim_start_matches("sha256:")
                            .eq_ignore_ascii_case(want)
                    {
                        fire(
                            fires,
                            format!(
                                "Package {} file {} has changed (its SHA-256 differs from the package database's)",
                                p.name, owned.path
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn denylist(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let name = args.text("name").unwrap_or_default();
    let version = args.text("version");
    for p in &subject.sbom.packages {
        if p.name == name && version.is_none_or(|v| v == p.version) {
            fire(
                fires,
                format!(
                    "Package is denylisted: {} {} ({})",
                    p.name,
                    p.version,
                    p.package_type.as_str()
                ),
            );
        }
    }
}

fn metadata(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    for p in &subject.sbom.packages {
        if !super::common::package_type_matches(args.text("type"), p) {
            continue;
        }
        if let Some(name) = args.text("name")
            && !text_check(
                args.text("name_comparison").unwrap_or("="),
                Some(&p.name),
                Some(name),
            )
        {
            continue;
        }
        if let Some(version) = args.text("version")
            && !holds(
                args.text("version_comparison").unwrap_or("="),
                compare(p, version),
            )
        {
            continue;
        }
        fire(
            fires,
            format!(
                "Package {} {} ({}) matches the metadata checks",
                p.name,
                p.version,
                p.package_type.as_str()
            ),
        );
    }
}
