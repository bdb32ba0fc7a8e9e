//! What a user says not to count: ignore rules from a configuration file, `--only-fixed`, and
//! OpenVEX statements. A filtered finding stays in the report, marked suppressed with the reason.

use serde::Deserialize;

use crate::{Finding, Suppression};
use customs_vulndb::FixState;

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// One ignore rule; every field given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreRule {
    /// A vulnerability id or alias.
    pub vulnerability: Option<String>,
    pub package: Option<PackageRule>,
    /// `fixed`, `not-fixed`, `wont-fix`, `unknown`.
    #[serde(rename = "fix-state")]
    pub fix_state: Option<String>,
    /// Why (shown with the suppressed finding).
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: the rule stops applying after this day.
    pub expires: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageRule {
    pub name: Option<String>,
    pub version: Option<String>,
    #[serde(rename = "type")]
    pub package_type: Option<String>,
    /// A glob (`*`, `**`, `?`) over the package's locations.
    pub location: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    ignore: Vec<IgnoreRule>,
}

/// Everything that can suppress a finding.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub ignore: Vec<IgnoreRule>,
    pub only_fixed: bool,
    /// `(vulnerability, product purl or None, status, justification)` from VEX documents.
    pub vex: Vec<VexStatement>,
    /// Today (`YYYY-MM-DD`), for rule expiry.
    pub today: String,
}

#[derive(Debug, Clone)]
pub struct VexStatement {
    pub vulnerability: String,
    pub products: Vec<String>,
    pub status: String,
    pub justification: Option<String>,
    pub document: String,
}

impl Filters {
    /// Reads the `ignore:` rules of a YAML or JSON configuration file.
    pub fn read_config(&mut self, path: &str, text: &str) -> Result<(), FilterError> {
        let config: ConfigFile =
            serde_yaml_ng::from_str(text).map_err(|e| FilterError::Invalid {
                path: path.into(),
                message: e.to_string(),
            })?;
        for (i, rule) in config.ignore.iter().enumerate() {
            if let Some(e) = &rule.expires
                && !is_date(e)
            {
                return Err(FilterError::Invalid {
                    path: path.into(),
                    message: format!("ignore rule {}: expires {e:?} is not YYYY-MM-DD", i + 1),
                });
            }
            if let Some(s) = &rule.fix_state
                && parse_state(s).is_none()
            {
                return Err(FilterError::Invalid {
                    path: path.into(),
                    message: format!(
                        "ignore rule {}: fix-state {s:?} is not fixed, not-fixed, wont-fix or unknown",
                        i + 1
                    ),
                });
            }
        }
        self.ignore.extend(config.ignore);
        Ok(())
    }

    /// Reads an OpenVEX document's statements.
    pub fn read_openvex(&mut self, path: &str, text: &str) -> Result<(), FilterError> {
        let invalid = |message: String| FilterError::Invalid {
            path: path.into(),
            message,
        };
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not valid JSON: {e}")))?;
        if !doc["@context"]
            .as_str()
            .is_some_and(|c| c.starts_with("https://openvex.dev/ns"))
        {
            return Err(invalid(
                "not an OpenVEX document (no openvex.dev @context)".into(),
            ));
        }
        for (i, s) in doc["statements"]
            .as_array()
            .ok_or_else(|| invalid("no statements".into()))?
            .iter()
            .enumerate()
        {
            let vulnerability = s["vulnerability"]["name"]
                .as_str()
                .or_else(|| s["vulnerability"].as_str())
                .ok_or_else(|| invalid(format!("statement {}: no vulnerability name", i + 1)))?;
            let status = s["status"]
                .as_str()
                .ok_or_else(|| invalid(format!("statement {}: no status", i + 1)))?;
            let products = s["products"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["@id"].as_str().or_else(|| p.as_str()))
                .map(str::to_string)
                .collect();
            let mut ids = vec![vulnerability.to_string()];
            ids.extend(
                s["vulnerability"]["aliases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_string)),
            );
            for id in ids {
                self.vex.push(VexStatement {
                    vulnerability: id,
                    products: Vec::clone(&products),
                    status: status.to_string(),
                    justification: s["justification"]
                        .as_str()
                        .or_else(|| s["impact_statement"].as_str())
                        .map(str::to_string),
                    document: path.to_string(),
                });
            }
        }
        Ok(())
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn parse_state(s: &str) -> Option<FixState> {
    Some(match s {
        "fixed" => FixState::Fixed,
        "not-fixed" => FixState::NotFixed,
        "wont-fix" => FixState::WontFix,
        "unknown" => FixState::Unknown,
        _ => return None,
    })
}

/// `*` matches within a path segment, `**` across segments, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) if rest.first() == Some(&b'*') => {
                let rest = &rest[1..];
                (0..=t.len()).any(|i| go(rest, &t[i..]))
            }
            Some((b'*', rest)) => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != b'/')
                .any(|i| go(rest, &t[i..])),
            Some((b'?', rest)) => t.first().is_some_and(|c| *c != b'/') && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

impl IgnoreRule {
    fn matches(&self, f: &Finding, today: &str) -> bool {
        if self.expires.as_deref().is_some_and(|e| e < today) {
            return false;
        }
        if let Some(v) = &self.vulnerability
            && !f.ids().any(|i| i == v)
        {
            return false;
        }
        if let Some(s) = &self.fix_state
            && parse_state(s) != Some(f.fix_state)
        {
            return false;
        }
        if let Some(p) = &self.package {
            if p.name.as_ref().is_some_and(|n| *n != f.package.name)
                || p.version.as_ref().is_some_and(|v| *v != f.package.version)
                || p.package_type
                    .as_ref()
                    .is_some_and(|t| *t != f.package.package_type)
            {
                return false;
            }
            if let Some(g) = &p.location
                && !f.package.locations.iter().any(|l| glob(g, l))
            {
                return false;
            }
        }
        true
    }
}

/// Marks each finding a filter applies to (the first reason wins; distribution suppression,
/// made during matching, stays).
pub fn apply(findings: &mut [Finding], filters: &Filters) {
    for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
        if let Some(rule) = filters.ignore.iter().find(|r| r.matches(f, &filters.today)) {
            f.suppressed = Some(Suppression {
                by: "ignore-rule".into(),
                reason: rule
                    .reason
                    .clone()
                    .unwrap_or_else(|| "an ignore rule of the configuration".into()),
            });
            continue;
        }
        if let Some(s) = filters.vex.iter().find(|s| {
            matches!(s.status.as_str(), "not_affected" | "fixed")
                && f.ids().any(|i| i == s.vulnerability)
                && (s.products.is_empty()
                    || s.products
                        .iter()
                        .any(|p| product_matches(p, &f.package.purl)))
        }) {
            f.suppressed = Some(Suppression {
                by: "vex".into(),
                reason: format!(
                    "{} ({}): {}",
                    s.status,
                    s.document,
                    s.justification
                        .as_deref()
                        .unwrap_or("no justification given")
                ),
            });
            continue;
        }
        if filters.only_fixed && f.fix_state != FixState::Fixed {
            f.suppressed = Some(Suppression {
                by: "only-fixed".into(),
                reason: "no fixed version is published (--only-fixed)".into(),
            });
        }
    }
}

/// A VEX product names the package by purl; one without a version or qualifiers covers every
/// version of it.
fn product_matches(product: &str, purl: &str) -> bool {
    if product == purl {
        return true;
    }
    let strip = |p: &str| p.split(['?', '#']).next().unwrap_or(p).to_string();
    let (product, purl) = (strip(product), strip(purl));
    product == purl || (!product.contains('@') && purl.split('@').next() == Some(product.as_str()))
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("/opt/venv/**", "/opt/venv/lib/python3.11/x"));
        assert!(glob("/usr/lib/*.so", "/usr/lib/a.so"));
        assert!(!glob("/usr/lib/*.so", "/usr/lib/x/a.so"));
        assert!(glob(
            "**/node_modules/**",
            "/app/node_modules/lodash/package.json"
        ));
    }
}
