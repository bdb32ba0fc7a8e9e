//! Helpers shared by the catalogers of lockfiles and manifests (directory scans).

use std::collections::BTreeMap;

use customs_types::{DeclaredMetadata, Package, PackageMetadata, PackageType, Purl};

use crate::{Primary, language_package};

/// The `[[package]]` tables of a TOML lockfile (Cargo.lock, poetry.lock, uv.lock), with their
/// top-level string and boolean values. Enough TOML for lockfiles, which write one key per line.
pub(crate) fn toml_packages(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            if let Some(done) = current.take() {
                out.push(done);
            }
            if line == "[[package]]" {
                current = Some(BTreeMap::new());
            }
            continue;
        }
        let Some(table) = current.as_mut() else {
            continue;
        };
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(v) = value.strip_prefix('"') {
            v.split('"').next().unwrap_or_default()
        } else if value == "true" || value == "false" {
            value
        } else {
            continue;
        };
        table.insert(key.trim().to_string(), value.to_string());
    }
    if let Some(done) = current {
        out.push(done);
    }
    out
}

/// A package a lockfile declares.
pub(crate) fn declared(
    package_type: PackageType,
    name: &str,
    version: &str,
    purl: Purl,
    primary: &Primary<'_>,
    metadata: DeclaredMetadata,
) -> Package {
    language_package(
        package_type,
        name,
        version,
        purl,
        primary,
        PackageMetadata::Declared(metadata),
    )
}

/// The file name of a path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn toml_package_tables() {
        let text = "version = 3\n\n[[package]]\nname = \"regex\"\nversion = \"1.5.4\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\n \"memchr\",\n]\n\n[metadata]\nx = \"y\"\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\n";
        let p = super::toml_packages(text);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0]["name"], "regex");
        assert_eq!(
            p[0]["source"],
            "registry+https://github.com/rust-lang/crates.io-index"
        );
        assert_eq!(p[1]["version"], "0.1.0");
        assert!(!p[1].contains_key("x"));
    }
}
