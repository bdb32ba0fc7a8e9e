//! .NET: the `*.deps.json` an application ships beside its assemblies (NuGet packages it was
//! built with) and, in directory scans, `packages.lock.json`.

use customs_types::{
    DeclaredMetadata, InstalledMetadata, PackageMetadata, PackageType, Purl, Unknown,
};
use serde_json::Value;

use crate::lockfile::{declared, file_name};
use crate::{Catalog, Cataloger, Env, Primary, language_package, parent};

pub(crate) struct DepsJson;
pub(crate) struct PackagesLock;

fn json_or_unknown(cataloger: &str, primary: &Primary<'_>, out: &mut Catalog) -> Option<Value> {
    match serde_json::from_slice(primary.content) {
        Ok(v) => Some(v),
        Err(e) => {
            out.unknowns.push(Unknown {
                cataloger: cataloger.into(),
                path: primary.path.into(),
                reason: format!("not valid JSON: {e}"),
            });
            None
        }
    }
}

impl Cataloger for DepsJson {
    fn name(&self) -> &'static str {
        "dotnet-deps"
    }

    fn reads(&self) -> &'static str {
        "`**/*.deps.json`: the NuGet packages of `libraries` (projects left out), with their SHA-512; the assembly named in `targets` noted when it is beside the file"
    }

    fn is_primary(&self, path: &str) -> bool {
        path.ends_with(".deps.json")
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        let Some(json) = json_or_unknown(self.name(), primary, out) else {
            return;
        };
        let dir = parent(primary.path);
        for (key, library) in json["libraries"].as_object().into_iter().flatten() {
            if library["type"].as_str() != Some("package") {
                continue;
            }
            let Some((name, version)) = key.split_once('/') else {
                continue;
            };
            let mut package = language_package(
                PackageType::Nuget,
                name,
                version,
                Purl::new("nuget", None, name, Some(version), &[]),
                primary,
                PackageMetadata::Installed(InstalledMetadata {
                    integrity: library["sha512"].as_str().map(str::to_string),
                    homepage: None,
                }),
            );
            // The assemblies the package contributes, as `targets` lists them, when present.
            for target in json["targets"]
                .as_object()
                .into_iter()
                .flat_map(|t| t.values())
            {
                for assembly in target[key.as_str()]["runtime"]
                    .as_object()
                    .into_iter()
                    .flat_map(|r| r.keys())
                {
                    let beside = format!("{dir}/{}", file_name(assembly));
                    if env.tree.get(&beside).is_some()
                        && !package.files.iter().any(|f| f.path == beside)
                    {
                        package.files.push(customs_types::OwnedFile {
                            path: beside,
                            digest: None,
                            is_config: false,
                        });
                    }
                }
            }
            out.packages.push(package);
        }
    }
}

impl Cataloger for PackagesLock {
    fn name(&self) -> &'static str {
        "dotnet-packages-lock"
    }

    fn reads(&self) -> &'static str {
        "`**/packages.lock.json` (directory scans): resolved versions per target framework"
    }

    fn is_primary(&self, path: &str) -> bool {
        file_name(path) == "packages.lock.json"
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        if !env.declared {
            return;
        }
        let Some(json) = json_or_unknown(self.name(), primary, out) else {
            return;
        };
        let mut seen = std::collections::BTreeSet::new();
        for framework in json["dependencies"]
            .as_object()
            .into_iter()
            .flat_map(|d| d.values())
        {
            for (name, dep) in framework.as_object().into_iter().flatten() {
                if dep["type"].as_str() == Some("Project") {
                    continue;
                }
                let Some(version) = dep["resolved"].as_str() else {
                    continue;
                };
                if !seen.insert((name.clone(), version.to_string())) {
                    continue;
                }
                out.packages.push(declared(
                    PackageType::Nuget,
                    name,
                    version,
                    Purl::new("nuget", None, name, Some(version), &[]),
                    primary,
                    DeclaredMetadata {
                        resolved: None,
                        integrity: dep["contentHash"].as_str().map(str::to_string),
                        dev: false,
                    },
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests;
