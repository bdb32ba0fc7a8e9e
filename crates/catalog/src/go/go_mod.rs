//! `go.mod` with the checksums of `go.sum` beside it (directory scans).

use customs_types::{DeclaredMetadata, PackageType};

use crate::lockfile::{declared, file_name};
use crate::{Catalog, Cataloger, Env, Primary, parent};

pub(crate) struct GoMod;

impl Cataloger for GoMod {
    fn name(&self) -> &'static str {
        "go-module-file"
    }

    fn reads(&self) -> &'static str {
        "`**/go.mod` (directory scans): required modules, `replace` directives applied, sums from `go.sum`"
    }

    fn is_primary(&self, path: &str) -> bool {
        file_name(path) == "go.mod"
    }

    fn wants(&self, path: &str) -> bool {
        self.is_primary(path) || file_name(path) == "go.sum"
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        if !env.declared {
            return;
        }
        let text = String::from_utf8_lossy(primary.content);
        let (requires, replaces) = parse(&text);
        let sums = env
            .tree
            .read(&format!("{}/go.sum", parent(primary.path)))
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default();
        for (path, version) in requires {
            let (path, version) = replaces
                .iter()
                .find(|(from, from_version, _, _)| {
                    *from == path && from_version.as_ref().is_none_or(|v| *v == version)
                })
                .map(|(_, _, to, to_version)| (to.clone(), to_version.clone()))
                .unwrap_or((path, version));
            // A replacement by a local directory has no version to report.
            if version.is_empty() {
                continue;
            }
            let sum = sums.lines().find_map(|l| {
                let mut f = l.split_whitespace();
                (f.next() == Some(path.as_str()) && f.next() == Some(version.as_str()))
                    .then(|| f.next().map(str::to_string))
                    .flatten()
            });
            out.packages.push(declared(
                PackageType::GoModule,
                &path,
                &version,
                super::golang_purl(&path, Some(&version)),
                primary,
                DeclaredMetadata {
                    resolved: None,
                    integrity: sum,
                    dev: false,
                },
            ));
        }
    }
}

type Replace = (String, Option<String>, String, String);

/// `require` lines and blocks, and `replace` directives.
fn parse(text: &str) -> (Vec<(String, String)>, Vec<Replace>) {
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut block: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if line == ")" {
            block = None;
            continue;
        }
        let (directive, rest) = match block {
            Some(b) => (b, line),
            None => {
                let (d, r) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                if r.trim() == "(" {
                    block = Some(if d == "require" {
                        "require"
                    } else if d == "replace" {
                        "replace"
                    } else {
                        "other"
                    });
                    continue;
                }
                (d, r.trim())
            }
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        match directive {
            "require" if fields.len() >= 2 => {
                requires.push((fields[0].to_string(), fields[1].to_string()))
            }
            "replace" => {
                let Some(arrow) = fields.iter().position(|f| *f == "=>") else {
                    continue;
                };
                let from = fields.first().map(|s| s.to_string()).unwrap_or_default();
                let from_version = (arrow == 2).then(|| fields[1].to_string());
                let to = fields
                    .get(arrow + 1)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                let to_version = fields
                    .get(arrow + 2)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                replaces.push((from, from_version, to, to_version));
            }
            _ => {}
        }
    }
    (requires, replaces)
}
