//! JavaScript: installed packages, from every `package.json` that names a package and a version
//! (those of `node_modules` and the application's own).

use customs_types::{NpmMetadata, Package, PackageMetadata, PackageType, Purl, Unknown};
use serde_json::Value;

use crate::{Catalog, Cataloger, Env, Primary, package_id};

pub(crate) struct Npm;

impl Cataloger for Npm {
    fn name(&self) -> &'static str {
        "npm-installed"
    }

    fn reads(&self) -> &'static str {
        "`**/package.json` with a name and a version (`node_modules` and applications)"
    }

    fn is_primary(&self, path: &str) -> bool {
        path.ends_with("/package.json")
    }

    fn catalog(&self, primary: &Primary<'_>, _env: &Env<'_>, out: &mut Catalog) {
        let json: Value = match serde_json::from_slice(primary.content) {
            Ok(v) => v,
            Err(e) => {
                out.unknowns.push(Unknown {
                    cataloger: self.name().into(),
                    path: primary.path.into(),
                    reason: format!("not valid JSON: {e}"),
                });
                return;
            }
        };
        // A package.json without both is a project or a sub-folder marker, not a package.
        let (Some(name), Some(version)) = (text(&json["name"]), text(&json["version"])) else {
            return;
        };
        let (namespace, short_name) = match name.split_once('/') {
            Some((scope, n)) if scope.starts_with('@') => (Some(scope), n),
            _ => (None, name),
        };
        let purl = Purl::new("npm", namespace, short_name, Some(version), &[]);
        let person = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(|n| n.as_str()).map(str::to_string),
            _ => None,
        };
        let licenses: Vec<String> = match &json["license"] {
            Value::String(s) if !s.trim().is_empty() => vec![s.trim().to_string()],
            Value::Object(o) => o
                .get("type")
                .and_then(|t| t.as_str())
                .map(|t| vec![t.to_string()])
                .unwrap_or_default(),
            _ => json["licenses"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l["type"].as_str().or(l.as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let metadata = NpmMetadata {
            author: person(&json["author"]),
            homepage: text(&json["homepage"]).map(str::to_string),
            private: json["private"].as_bool().unwrap_or(false),
        };
        out.packages.push(Package {
            id: package_id(&["npm", name, version, primary.path]),
            name: name.to_string(),
            version: version.to_string(),
            package_type: PackageType::Npm,
            arch: None,
            source_name: None,
            source_version: None,
            licenses,
            purl,
            locations: vec![primary.location.clone()],
            files: Vec::new(),
            metadata: PackageMetadata::Npm(metadata),
        });
    }
}

/// A non-empty trimmed string value.
fn text(v: &Value) -> Option<&str> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) mod lock;

#[cfg(test)]
mod tests;
