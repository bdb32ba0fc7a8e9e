//! `Cargo.lock` (directory scans).

use customs_types::{DeclaredMetadata, PackageType, Purl};

use crate::lockfile::{declared, file_name, toml_packages};
use crate::{Catalog, Cataloger, Env, Primary};

pub(crate) struct CargoLock;

impl Cataloger for CargoLock {
    fn name(&self) -> &'static str {
        "rust-cargo-lock"
    }

    fn reads(&self) -> &'static str {
        "`**/Cargo.lock` (directory scans): crates with their source and checksum"
    }

    fn is_primary(&self, path: &str) -> bool {
        file_name(path) == "Cargo.lock"
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        if !env.declared {
            return;
        }
        let text = String::from_utf8_lossy(primary.content);
        for p in toml_packages(&text) {
            let (Some(name), Some(version)) = (p.get("name"), p.get("version")) else {
                continue;
            };
            out.packages.push(declared(
                PackageType::RustCrate,
                name,
                version,
                Purl::new("cargo", None, name, Some(version), &[]),
                primary,
                DeclaredMetadata {
                    resolved: p.get("source").cloned(),
                    integrity: p.get("checksum").cloned(),
                    dev: false,
                },
            ));
        }
    }
}
