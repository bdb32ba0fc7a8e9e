//! apk: `lib/apk/db/installed`, one record per package, one `K:value` line per field.

use customs_types::{ApkMetadata, OwnedFile, Package, PackageMetadata, PackageType, Purl, Unknown};

use crate::{Catalog, Cataloger, Env, Primary, dependency_edges, package_id};

pub(crate) struct Apk;

const INSTALLED: &str = "/lib/apk/db/installed";

impl Cataloger for Apk {
    fn name(&self) -> &'static str {
        "apk-db"
    }

    fn reads(&self) -> &'static str {
        "`**/lib/apk/db/installed`: packages, origin, licence, dependencies, files with SHA-1 digests"
    }

    fn is_primary(&self, path: &str) -> bool {
        path.ends_with(INSTALLED)
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        let Ok(text) = std::str::from_utf8(primary.content) else {
            out.unknowns.push(Unknown {
                cataloger: self.name().into(),
                path: primary.path.into(),
                reason: "not UTF-8 text".into(),
            });
            return;
        };
        let root = primary.path.strip_suffix(INSTALLED).unwrap_or("");
        let found: Vec<Package> = records(text)
            .iter()
            .filter_map(|r| package_from(r, primary, env, root))
            .collect();
        let meta = |p: &Package| match &p.metadata {
            PackageMetadata::Apk(m) => Some(m.clone()),
            _ => None,
        };
        let deps = |p: &Package| {
            meta(p)
                .map(|m| m.depends.iter().map(|d| dependency_name(d)).collect())
                .unwrap_or_default()
        };
        let provides = |p: &Package| {
            meta(p)
                .map(|m| m.provides.iter().map(|d| dependency_name(d)).collect())
                .unwrap_or_default()
        };
        out.relationships
            .extend(dependency_edges(&found, &deps, &provides));
        out.packages.extend(found);
    }
}

/// `so:libc.musl-x86_64.so.1=1` → `so:libc.musl-x86_64.so.1`; `busybox>=1.31` → `busybox`.
fn dependency_name(dep: &str) -> String {
    dep.trim_start_matches('!')
        .split(['=', '<', '>', '~'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The lines of one package record, in order.
type Record<'a> = Vec<(char, &'a str)>;

fn records(text: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut current: Record<'_> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let mut chars = line.chars();
        if let (Some(key), Some(':')) = (chars.next(), chars.next()) {
            current.push((key, &line[2..]));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn package_from(
    record: &Record<'_>,
    primary: &Primary<'_>,
    env: &Env<'_>,
    root: &str,
) -> Option<Package> {
    let field = |k: char| record.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let name = field('P')?.to_string();
    let version = field('V')?.to_string();
    let arch = field('A').map(str::to_string);
    let origin = field('o').map(str::to_string);
    let mut files = Vec::new();
    let mut dir = String::new();
    for (key, value) in record {
        match key {
            'F' => dir = value.to_string(),
            'R' => {
                let path = if dir.is_empty() {
                    format!("{root}/{value}")
                } else {
                    format!("{root}/{dir}/{value}")
                };
                files.push(OwnedFile {
                    path,
                    digest: None,
                    is_config: false,
                });
            }
            'Z' => {
                if let Some(last) = files.last_mut() {
                    last.digest = Some(apk_checksum(value));
                }
            }
            _ => {}
        }
    }
    let words = |k: char| -> Vec<String> {
        field(k)
            .map(|v| v.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    };
    let distro = env.distro;
    let namespace = distro.map(|d| d.id.as_str()).unwrap_or("alpine");
    let distro_qualifier = distro.map(|d| d.purl_qualifier());
    let purl = Purl::new(
        "apk",
        Some(namespace),
        &name,
        Some(&version),
        &[
            ("arch", arch.as_deref()),
            ("upstream", origin.as_deref()),
            ("distro", distro_qualifier.as_deref()),
        ],
    );
    let metadata = ApkMetadata {
        maintainer: field('m').map(str::to_string),
        installed_size: field('I').and_then(|s| s.parse().ok()),
        pull_checksum: field('C').map(str::to_string),
        git_commit: field('c').map(str::to_string),
        depends: words('D'),
        provides: words('p'),
    };
    Some(Package {
        id: package_id(&[
            "apk",
            &name,
            &version,
            arch.as_deref().unwrap_or(""),
            primary.path,
        ]),
        source_name: Some(origin.clone().unwrap_or_else(|| name.clone())),
        source_version: Some(version.clone()),
        licenses: field('L')
            .map(|l| vec![l.trim().to_string()])
            .unwrap_or_default(),
        name,
        version,
        package_type: PackageType::Apk,
        arch,
        purl,
        locations: vec![primary.location.clone()],
        files,
        metadata: PackageMetadata::Apk(metadata),
    })
}

/// `Q1<base64 sha1>` is apk's SHA-1 encoding; anything else is kept as it is.
fn apk_checksum(value: &str) -> String {
    match value.strip_prefix("Q1") {
        Some(b64) => format!(
            "sha1:{}",
            crate::base64_to_hex(b64).unwrap_or_else(|| b64.to_string())
        ),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests;
