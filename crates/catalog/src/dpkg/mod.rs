//! dpkg: `var/lib/dpkg/status` (and distroless `status.d/*`), with file lists from `info/*.list`
//! and `*.md5sums`, and licences from `usr/share/doc/PACKAGE/copyright`.

mod copyright;

use std::collections::BTreeMap;

use customs_image::NodeKind;
use customs_types::{
    DpkgMetadata, OwnedFile, Package, PackageMetadata, PackageType, Purl, Unknown,
};

use crate::paragraph::{self, Paragraph};
use crate::{Catalog, Cataloger, Env, Primary, dependency_edges, package_id, parent};

pub(crate) struct Dpkg;

const STATUS: &str = "/var/lib/dpkg/status";
const STATUS_D: &str = "/var/lib/dpkg/status.d/";
const INFO: &str = "/var/lib/dpkg/info/";

impl Cataloger for Dpkg {
    fn name(&self) -> &'static str {
        "dpkg-db"
    }

    fn reads(&self) -> &'static str {
        "`**/var/lib/dpkg/status`, `**/var/lib/dpkg/status.d/*` (distroless); file lists from `info/*.list`, digests from `*.md5sums`, licences from `/usr/share/doc/*/copyright`"
    }

    fn is_primary(&self, path: &str) -> bool {
        path.ends_with(STATUS)
            || (parent(path).ends_with("/var/lib/dpkg/status.d")
                && !path.ends_with(".md5sums")
                && !path.ends_with(".list"))
    }

    fn wants(&self, path: &str) -> bool {
        self.is_primary(path)
            || (path.contains(STATUS_D) && path.ends_with(".md5sums"))
            || (path.contains(INFO)
                && (path.ends_with(".list")
                    || path.ends_with(".md5sums")
                    || path.ends_with(".conffiles")))
            || (path.starts_with("/usr/share/doc/") && path.ends_with("/copyright"))
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        let text = match std::str::from_utf8(primary.content) {
            Ok(t) => t,
            Err(_) => {
                out.unknowns.push(Unknown {
                    cataloger: self.name().into(),
                    path: primary.path.into(),
                    reason: "not UTF-8 text".into(),
                });
                return;
            }
        };
        // `/x/var/lib/dpkg/status` → `/x`: the root the database describes.
        let db_dir = parent(primary.path);
        let root = db_dir
            .strip_suffix("/var/lib/dpkg")
            .or_else(|| db_dir.strip_suffix("/var/lib/dpkg/status.d"))
            .unwrap_or("");
        let distroless = db_dir.ends_with("/status.d");
        let mut found = Vec::new();
        for p in paragraph::parse(text) {
            if let Some(pkg) = package_from(&p, primary, env, root, distroless) {
                found.push(pkg);
            }
        }
        let deps = |p: &Package| match &p.metadata {
            PackageMetadata::Dpkg(m) => m
                .depends
                .iter()
                .chain(&m.pre_depends)
                .flat_map(|d| dependency_names(d))
                .collect(),
            _ => Vec::new(),
        };
        let provides = |p: &Package| match &p.metadata {
            PackageMetadata::Dpkg(m) => m
                .provides
                .iter()
                .flat_map(|d| dependency_names(d))
                .collect(),
            _ => Vec::new(),
        };
        out.relationships
            .extend(dependency_edges(&found, &deps, &provides));
        out.packages.extend(found);
    }
}

/// `libc6 (>= 2.34) | libc6.1, foo:any` → the names of every alternative.
fn dependency_names(field: &str) -> Vec<String> {
    field
        .split(',')
        .flat_map(|d| d.split('|'))
        .filter_map(|alt| {
            let name = alt.trim().split([' ', '(']).next()?.trim();
            let name = name.split(':').next()?;
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

fn split_list(field: Option<&str>) -> Vec<String> {
    field
        .map(|f| {
            f.split(',')
                .map(|s| s.trim().replace('\n', " "))
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn package_from(
    p: &Paragraph,
    primary: &Primary<'_>,
    env: &Env<'_>,
    root: &str,
    distroless: bool,
) -> Option<Package> {
    let name = p.get("Package")?.to_string();
    let version = p.get("Version")?.to_string();
    // Only installed packages: `deinstall ok config-files` and half-installed ones are not.
    if p.get("Status")
        .is_some_and(|status| status.split_whitespace().last() != Some("installed"))
    {
        return None;
    }
    let arch = p.get("Architecture").map(str::to_string);
    let (source_name, source_version, upstream) = match p.get("Source") {
        Some(source) => {
            let mut parts = source.splitn(2, ' ');
            let src = parts.next().unwrap_or_default().to_string();
            let src_version = parts
                .next()
                .map(|v| {
                    v.trim()
                        .trim_start_matches('(')
                        .trim_end_matches(')')
                        .to_string()
                })
                .filter(|v| !v.is_empty());
            let upstream = match &src_version {
                Some(v) => format!("{src}@{v}"),
                None => src.clone(),
            };
            let version_for_source = src_version.unwrap_or_else(|| version.clone());
            (Some(src), Some(version_for_source), Some(upstream))
        }
        None => (Some(name.clone()), Some(version.clone()), None),
    };
    let distro = env.distro;
    let namespace = distro.map(|d| d.id.as_str()).unwrap_or("debian");
    let distro_qualifier = distro.map(|d| d.purl_qualifier());
    let purl = Purl::new(
        "deb",
        Some(namespace),
        &name,
        Some(&version),
        &[
            ("arch", arch.as_deref()),
            ("upstream", upstream.as_deref()),
            ("distro", distro_qualifier.as_deref()),
        ],
    );
    let files = owned_files(
        p,
        env,
        root,
        &name,
        arch.as_deref(),
        primary.path,
        distroless,
    );
    let licenses = env
        .tree
        .read(&format!("{root}/usr/share/doc/{name}/copyright"))
        .map(|c| copyright::licenses(&String::from_utf8_lossy(c)))
        .unwrap_or_default();
    let metadata = DpkgMetadata {
        maintainer: p.get("Maintainer").map(str::to_string),
        installed_size_kib: p.get("Installed-Size").and_then(|s| s.trim().parse().ok()),
        depends: split_list(p.get("Depends")),
        pre_depends: split_list(p.get("Pre-Depends")),
        provides: split_list(p.get("Provides")),
    };
    Some(Package {
        id: package_id(&[
            "deb",
            &name,
            &version,
            arch.as_deref().unwrap_or(""),
            primary.path,
        ]),
        name,
        version,
        package_type: PackageType::Deb,
        arch,
        source_name,
        source_version,
        licenses,
        purl,
        locations: vec![primary.location.clone()],
        files,
        metadata: PackageMetadata::Dpkg(metadata),
    })
}

/// The files a package installed: its `.list` (directories left out), with md5 digests from
/// `.md5sums` and the conffile flag from the status `Conffiles` field.
fn owned_files(
    p: &Paragraph,
    env: &Env<'_>,
    root: &str,
    name: &str,
    arch: Option<&str>,
    status_path: &str,
    distroless: bool,
) -> Vec<OwnedFile> {
    let mut files: BTreeMap<String, OwnedFile> = BTreeMap::new();
    let read_info = |ext: &str| -> Option<&[u8]> {
        if distroless {
            return env
                .tree
                .read(&format!("{}/{name}.{ext}", parent(status_path)));
        }
        let base = format!("{root}{INFO}{name}");
        env.tree
            .read(&format!("{base}.{ext}"))
            .or_else(|| arch.and_then(|a| env.tree.read(&format!("{base}:{a}.{ext}"))))
    };
    let in_root = |path: &str| -> String {
        let abs = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        format!("{root}{abs}")
    };
    if let Some(list) = read_info("list") {
        let text = String::from_utf8_lossy(list);
        let listed: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "/.")
            .collect();
        // dpkg lists directories too. A listed path is one when another listed path is below it
        // (the tree may lack it), or when the tree says so.
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        let has_children = |p: &str| {
            let prefix = format!("{p}/");
            let at = sorted.partition_point(|q| *q <= p);
            sorted.get(at).is_some_and(|q| q.starts_with(&prefix))
        };
        for path in listed {
            let full = in_root(path);
            if has_children(path) || env.tree.get(&full).is_some_and(|n| n.kind == NodeKind::Dir) {
                continue;
            }
            files.insert(
                full.clone(),
                OwnedFile {
                    path: full,
                    digest: None,
                    is_config: false,
                },
            );
        }
    }
    if let Some(sums) = read_info("md5sums") {
        for line in String::from_utf8_lossy(sums).lines() {
            let Some((md5, path)) = line.split_once(char::is_whitespace) else {
                continue;
            };
            let full = in_root(path.trim());
            let entry = files.entry(full.clone()).or_insert(OwnedFile {
                path: full,
                digest: None,
                is_config: false,
            });
            entry.digest = Some(format!("md5:{}", md5.trim()));
        }
    }
    if let Some(conffiles) = p.get("Conffiles") {
        for line in conffiles.lines() {
            let mut parts = line.split_whitespace();
            let (Some(path), Some(md5)) = (parts.next(), parts.next()) else {
                continue;
            };
            let full = in_root(path);
            let entry = files.entry(full.clone()).or_insert(OwnedFile {
                path: full,
                digest: None,
                is_config: true,
            });
            entry.is_config = true;
            if entry.digest.is_none() && md5 != "newconffile" {
                entry.digest = Some(format!("md5:{md5}"));
            }
        }
    }
    files.into_values().collect()
}

#[cfg(test)]
mod tests;
