//! npm, yarn and pnpm lockfiles (directory scans). A package a lockfile declares and that is
//! also installed under `node_modules` is reported once, as installed.

use customs_types::{DeclaredMetadata, PackageType, Purl};
use serde_json::Value;

use crate::lockfile::{declared, file_name};
use crate::{Catalog, Cataloger, Env, Primary};

pub(crate) struct NpmLock;

const LOCKFILES: &[&str] = &["package-lock.json", "yarn.lock", "pnpm-lock.yaml"];

pub(crate) fn npm_purl(name: &str, version: &str) -> Purl {
    match name.split_once('/') {
        Some((scope, n)) if scope.starts_with('@') => {
            Purl::new("npm", Some(scope), n, Some(version), &[])
        }
        _ => Purl::new("npm", None, name, Some(version), &[]),
    }
}

struct Entry {
    name: String,
    version: String,
    resolved: Option<String>,
    integrity: Option<String>,
    dev: bool,
}

impl Cataloger for NpmLock {
    fn name(&self) -> &'static str {
        "npm-lockfile"
    }

    fn reads(&self) -> &'static str {
        "`**/package-lock.json` (v1-v3), `**/yarn.lock` (v1 and berry), `**/pnpm-lock.yaml` (directory scans)"
    }

    fn is_primary(&self, path: &str) -> bool {
        LOCKFILES.contains(&file_name(path)) && !path.contains("/node_modules/")
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        if !env.declared {
            return;
        }
        let text = String::from_utf8_lossy(primary.content);
        let entries = match file_name(primary.path) {
            "package-lock.json" => match package_lock(&text) {
                Ok(e) => e,
                Err(reason) => {
                    out.unknowns.push(customs_types::Unknown {
                        cataloger: self.name().into(),
                        path: primary.path.into(),
                        reason,
                    });
                    return;
                }
            },
            "yarn.lock" => yarn_lock(&text),
            _ => pnpm_lock(&text),
        };
        let mut seen = std::collections::BTreeSet::new();
        for e in entries {
            if !seen.insert((e.name.clone(), e.version.clone())) {
                continue;
            }
            out.packages.push(declared(
                PackageType::Npm,
                &e.name,
                &e.version,
                npm_purl(&e.name, &e.version),
                primary,
                DeclaredMetadata {
                    resolved: e.resolved,
                    integrity: e.integrity,
                    dev: e.dev,
                },
            ));
        }
    }
}

fn package_lock(text: &str) -> Result<Vec<Entry>, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let entry = |name: String, v: &Value| -> Option<Entry> {
        Some(Entry {
            version: v["version"].as_str()?.to_string(),
            resolved: v["resolved"].as_str().map(str::to_string),
            integrity: v["integrity"].as_str().map(str::to_string),
            dev: v["dev"].as_bool().unwrap_or(false),
            name,
        })
    };
    let mut out = Vec::new();
    if let Some(packages) = json["packages"].as_object() {
        // v2 and v3: keys are install paths; the last `node_modules/` segment names the package.
        for (path, v) in packages {
            if path.is_empty() || v["link"].as_bool() == Some(true) {
                continue;
            }
            let name = v["name"].as_str().map(str::to_string).unwrap_or_else(|| {
                path.rsplit_once("node_modules/")
                    .map(|(_, n)| n.to_string())
                    .unwrap_or_else(|| path.clone())
            });
            out.extend(entry(name, v));
        }
    } else if let Some(deps) = json["dependencies"].as_object() {
        // v1: nested `dependencies`.
        let mut stack: Vec<(&String, &Value)> = deps.iter().collect();
        while let Some((name, v)) = stack.pop() {
            out.extend(entry(name.clone(), v));
            if let Some(nested) = v["dependencies"].as_object() {
                stack.extend(nested.iter());
            }
        }
        out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    }
    Ok(out)
}

/// `"a@^1", a@~1.2:` then `  version "1.2.3"` (v1) or `  version: 1.2.3` (berry).
fn yarn_lock(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut name: Option<String> = None;
    let mut current: Option<Entry> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            out.extend(current.take());
            name = None;
            if line.starts_with("__metadata") {
                continue;
            }
            let first = line
                .trim_end_matches(':')
                .split(", ")
                .next()
                .unwrap_or_default();
            let first = first.trim_matches('"');
            // `@scope/name@range`: the name ends at the last `@` that is not the first char.
            if let Some(at) = first[1..].find('@').map(|i| i + 1) {
                name = Some(first[..at].to_string());
            }
            continue;
        }
        let trimmed = line.trim();
        let Some(n) = &name else {
            continue;
        };
        if let Some(v) = trimmed
            .strip_prefix("version ")
            .or_else(|| trimmed.strip_prefix("version: "))
        {
            current = Some(Entry {
                name: n.clone(),
                version: v.trim_matches('"').to_string(),
                resolved: None,
                integrity: None,
                dev: false,
            });
        } else if let Some(e) = current.as_mut() {
            if let Some(r) = trimmed
                .strip_prefix("resolved ")
                .or_else(|| trimmed.strip_prefix("resolution: "))
            {
                e.resolved = Some(r.trim_matches('"').to_string());
            } else if let Some(i) = trimmed
                .strip_prefix("integrity ")
                .or_else(|| trimmed.strip_prefix("checksum: "))
            {
                e.integrity = Some(i.trim_matches('"').to_string());
            }
        }
    }
    out.extend(current);
    out
}

/// The keys of the `packages:` map: `/name/1.2.3:` (v5), `/name@1.2.3:` (v6), `name@1.2.3:` (v9),
/// with peer-dependency suffixes in parentheses dropped.
fn pnpm_lock(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut in_packages = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        if !in_packages || !line.starts_with("  ") || line.starts_with("   ") {
            continue;
        }
        let key = line
            .trim()
            .trim_end_matches(':')
            .trim_matches(|c| c == '\'' || c == '"');
        let key = key.split('(').next().unwrap_or(key).trim_start_matches('/');
        let (name, version) = match key[1..].rfind('@').map(|i| i + 1) {
            Some(at) => (&key[..at], &key[at + 1..]),
            None => match key.rsplit_once('/') {
                Some((n, v)) => (n, v),
                None => continue,
            },
        };
        if name.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        out.push(Entry {
            name: name.to_string(),
            version: version.to_string(),
            resolved: None,
            integrity: None,
            dev: false,
        });
    }
    out
}
