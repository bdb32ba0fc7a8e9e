//! Python requirements and lockfiles (directory scans): pinned `requirements*.txt` lines,
//! `poetry.lock`, `Pipfile.lock` and `uv.lock`.

use customs_types::{DeclaredMetadata, PackageType, Purl};

use crate::lockfile::{declared, file_name, toml_packages};
use crate::{Catalog, Cataloger, Env, Primary};

pub(crate) struct PythonDeclared;

impl Cataloger for PythonDeclared {
    fn name(&self) -> &'static str {
        "python-declared"
    }

    fn reads(&self) -> &'static str {
        "`**/*requirements*.txt` (pinned `==` lines), `**/poetry.lock`, `**/Pipfile.lock`, `**/uv.lock` (directory scans)"
    }

    fn is_primary(&self, path: &str) -> bool {
        let name = file_name(path);
        (name.contains("requirements") && name.ends_with(".txt"))
            || matches!(name, "poetry.lock" | "Pipfile.lock" | "uv.lock")
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        if !env.declared {
            return;
        }
        let text = String::from_utf8_lossy(primary.content);
        let entries: Vec<(String, String, bool)> = match file_name(primary.path) {
            "Pipfile.lock" => match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(json) => ["default", "develop"]
                    .iter()
                    .flat_map(|section| {
                        let dev = *section == "develop";
                        json[section].as_object().into_iter().flatten().filter_map(
                            move |(name, v)| {
                                let version = v["version"].as_str()?.trim_start_matches("==");
                                Some((name.clone(), version.to_string(), dev))
                            },
                        )
                    })
                    .collect(),
                Err(e) => {
                    out.unknowns.push(customs_types::Unknown {
                        cataloger: self.name().into(),
                        path: primary.path.into(),
                        reason: format!("not valid JSON: {e}"),
                    });
                    return;
                }
            },
            "poetry.lock" | "uv.lock" => toml_packages(&text)
                .into_iter()
                .filter_map(|p| {
                    let dev = p.get("category").is_some_and(|c| c == "dev");
                    Some((p.get("name")?.clone(), p.get("version")?.clone(), dev))
                })
                .collect(),
            _ => requirements(&text),
        };
        for (name, version, dev) in entries {
            let normalized = super::normalize(&name);
            out.packages.push(declared(
                PackageType::Python,
                &name,
                &version,
                Purl::new("pypi", None, &normalized, Some(&version), &[]),
                primary,
                DeclaredMetadata {
                    resolved: None,
                    integrity: None,
                    dev,
                },
            ));
        }
    }
}

/// `name==1.2.3` (with extras, markers, hashes and comments around); unpinned lines say
/// nothing certain about the version and are left out.
fn requirements(text: &str) -> Vec<(String, String, bool)> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next()?.split(';').next()?.trim();
            if line.starts_with('-') {
                return None;
            }
            let (name, version) = line.split_once("==")?;
            let name = name.split('[').next()?.trim();
            let version = version.split_whitespace().next()?.trim_end_matches('\\');
            (!name.is_empty() && !version.contains('*'))
                .then(|| (name.to_string(), version.to_string(), false))
        })
        .collect()
}
