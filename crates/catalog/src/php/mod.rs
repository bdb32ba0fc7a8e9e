//! PHP: Composer's record of installed packages (`vendor/composer/installed.json`, v1 and v2)
//! and, in directory scans, `composer.lock`.

use customs_types::{
    DeclaredMetadata, InstalledMetadata, PackageMetadata, PackageType, Purl, Unknown,
};
use serde_json::Value;

use crate::lockfile::file_name;
use crate::{Catalog, Cataloger, Env, Primary, language_package};

pub(crate) struct ComposerInstalled;
pub(crate) struct ComposerLock;

fn composer_purl(name: &str, version: &str) -> Purl {
    match name.split_once('/') {
        Some((vendor, n)) => Purl::new("composer", Some(vendor), n, Some(version), &[]),
        None => Purl::new("composer", None, name, Some(version), &[]),
    }
}

fn read(
    cataloger: &'static str,
    primary: &Primary<'_>,
    out: &mut Catalog,
    sections: &[&str],
    declared: bool,
) {
    let json: Value = match serde_json::from_slice(primary.content) {
        Ok(v) => v,
        Err(e) => {
            out.unknowns.push(Unknown {
                cataloger: cataloger.into(),
                path: primary.path.into(),
                reason: format!("not valid JSON: {e}"),
            });
            return;
        }
    };
    let lists: Vec<(&Value, bool)> = if json.is_array() {
        vec![(&json, false)]
    } else {
        sections
            .iter()
            .map(|s| (&json[*s], s.ends_with("-dev")))
            .collect()
    };
    for (list, dev) in lists {
        for p in list.as_array().into_iter().flatten() {
            let (Some(name), Some(version)) = (p["name"].as_str(), p["version"].as_str()) else {
                continue;
            };
            let integrity = p["dist"]["shasum"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let metadata = if declared {
                PackageMetadata::Declared(DeclaredMetadata {
                    resolved: p["dist"]["url"].as_str().map(str::to_string),
                    integrity,
                    dev,
                })
            } else {
                PackageMetadata::Installed(InstalledMetadata {
                    integrity,
                    homepage: p["homepage"].as_str().map(str::to_string),
                })
            };
            let mut package = language_package(
                PackageType::Composer,
                name,
                version,
                composer_purl(name, version),
                primary,
                metadata,
            );
            package.licenses = p["license"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect();
            out.packages.push(package);
        }
    }
}

impl Cataloger for ComposerInstalled {
    fn name(&self) -> &'static str {
        "php-composer-installed"
    }

    fn reads(&self) -> &'static str {
        "`**/vendor/composer/installed.json` (Composer 1 and 2)"
    }

    fn is_primary(&self, path: &str) -> bool {
        path.ends_with("/vendor/composer/installed.json")
    }

    fn catalog(&self, primary: &Primary<'_>, _env: &Env<'_>, out: &mut Catalog) {
        read(self.name(), primary, out, &["packages"], false);
    }
}

impl Cataloger for ComposerLock {
    fn name(&self) -> &'static str {
        "php-composer-lock"
    }

    fn reads(&self) -> &'static str {
        "`**/composer.lock` (directory scans): `packages` and `packages-dev`"
    }

    fn is_primary(&self, path: &str) -> bool {
        file_name(path) == "composer.lock"
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        if env.declared {
            read(
                self.name(),
                primary,
                out,
                &["packages", "packages-dev"],
                true,
            );
        }
    }
}

#[cfg(test)]
mod tests;
