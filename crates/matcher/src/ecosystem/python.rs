//! PyPI: names compared as PEP 503 normalises them.

use super::{Query, Skip, direct};
use crate::MatchPackage;

/// PEP 503: lowercase, and every run of `-`, `_` and `.` becomes one `-`.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    Ok(vec![direct("PyPI", normalize(&p.name), &p.version)])
}

#[cfg(test)]
#[test]
fn pep503() {
    assert_eq!(normalize("Django"), "django");
    assert_eq!(normalize("zope.interface"), "zope-interface");
    assert_eq!(normalize("Foo__Bar-.baz"), "foo-bar-baz");
}
