//! Rust: the dependency list `cargo auditable` embeds in binaries (the zlib-compressed JSON of the
//! `.dep-v0` ELF section).

use std::io::Read;

use customs_image::Candidate;
use customs_types::{Package, PackageMetadata, PackageType, Purl, RustMetadata};

use crate::{Catalog, Cataloger, Env, Primary, elf, inspected, package_id};

pub(crate) struct Rust;

/// The most a dependency list may inflate to.
const MAX_JSON: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Crate {
    name: String,
    version: String,
    source: Option<String>,
    kind: Option<String>,
}

impl Cataloger for Rust {
    fn name(&self) -> &'static str {
        "rust-cargo-auditable"
    }

    fn reads(&self) -> &'static str {
        "executables built with `cargo auditable`: the crates of the `.dep-v0` section"
    }

    fn is_primary(&self, _path: &str) -> bool {
        false
    }

    fn inspects(&self, candidate: &Candidate<'_>) -> bool {
        candidate.is_executable()
    }

    fn inspect(&self, _path: &str, content: &[u8]) -> Option<Box<dyn std::any::Any + Send + Sync>> {
        if !elf::is_elf(content) {
            return None;
        }
        let result = match elf::section(content, ".dep-v0") {
            Ok(None) => return None,
            Ok(Some(section)) => decode(section),
            // A Go or Rust program cut short: say so once, from here.
            Err(e) => Err(e),
        };
        Some(Box::new(result))
    }

    fn catalog(&self, primary: &Primary<'_>, _env: &Env<'_>, out: &mut Catalog) {
        let Some(crates) = inspected::<Vec<Crate>>(self.name(), primary, out) else {
            return;
        };
        for c in crates {
            out.packages.push(Package {
                id: package_id(&["rust", &c.name, &c.version, primary.path]),
                name: c.name.clone(),
                version: c.version.clone(),
                package_type: PackageType::RustCrate,
                arch: None,
                source_name: None,
                source_version: None,
                licenses: Vec::new(),
                purl: Purl::new("cargo", None, &c.name, Some(&c.version), &[]),
                locations: vec![primary.location.clone()],
                files: Vec::new(),
                metadata: PackageMetadata::Rust(RustMetadata {
                    source: c.source.clone(),
                    kind: c.kind.clone(),
                }),
            });
        }
    }
}

fn decode(section: &[u8]) -> Result<Vec<Crate>, String> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("cargo auditable data does not inflate: {e}"))?;
    if json.len() as u64 > MAX_JSON {
        return Err("cargo auditable data inflates past 16 MiB".into());
    }
    let value: serde_json::Value = serde_json::from_slice(&json)
        .map_err(|e| format!("cargo auditable data is not valid JSON: {e}"))?;
    let packages = value["packages"]
        .as_array()
        .ok_or("cargo auditable data without a package list")?;
    Ok(packages
        .iter()
        // Build dependencies (build scripts, proc macros) run at build time; none of their code
        // is in the binary.
        .filter(|p| p["kind"].as_str() != Some("build"))
        .filter_map(|p| {
            Some(Crate {
                name: p["name"].as_str()?.to_string(),
                version: p["version"].as_str()?.to_string(),
                source: p["source"].as_str().map(str::to_string),
                kind: p["kind"].as_str().map(str::to_string),
            })
        })
        .collect())
}

pub(crate) mod cargo_lock;

#[cfg(test)]
mod tests;
