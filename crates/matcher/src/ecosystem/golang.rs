//! Go: modules by module path; the standard library as `stdlib` against the Go toolchain's
//! advisories. A main module built without a version (`(devel)`) or with a `v0.0.0-`
//! pseudo-version says nothing about which release it is, so it is not matched.

use super::{Query, Skip, direct};
use crate::MatchPackage;

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    let path = match &p.namespace {
        Some(ns) => format!("{ns}/{}", p.name),
        None => p.name.clone(),
    };
    if path == "stdlib" || p.name == "stdlib" {
        let version = p.version.trim_start_matches("go");
        return Ok(vec![Query {
            via: "the Go standard library".into(),
            ..direct("Go", "stdlib".into(), version)
        }]);
    }
    if p.version == "(devel)" || p.version.is_empty() {
        return Err("a Go main module built without a version ((devel))".into());
    }
    if p.version.starts_with("v0.0.0-") {
        return Err("a Go module at a v0.0.0 pseudo-version".into());
    }
    Ok(vec![direct("Go", path, &p.version)])
}
