//! Semantic Versioning 2.0.0 ordering (npm, Cargo, Go modules): numeric major, minor and patch,
//! then pre-releases before the release, identifiers compared numerically or as text; build
//! metadata ignored.

use std::cmp::Ordering;

use crate::dpkg::compare_digits;
use crate::{Scheme, VersionError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    core: [String; 3],
    pre: Vec<String>,
}

impl Version {
    /// Strict SemVer, with the leading `v` or `=` that npm tolerates.
    pub(crate) fn parse(input: &str, scheme: Scheme) -> Result<Self, VersionError> {
        let invalid = |why: &str| VersionError::invalid(scheme, input, why);
        let s = input.trim();
        let s = s.strip_prefix('=').unwrap_or(s);
        let s = s.strip_prefix('v').unwrap_or(s);
        let s = s.split('+').next().unwrap_or_default();
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (s, None),
        };
        let numbers: Vec<&str> = core.split('.').collect();
        if numbers.len() != 3 {
            return Err(invalid("expected MAJOR.MINOR.PATCH"));
        }
        for n in &numbers {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("MAJOR, MINOR and PATCH must be numbers"));
            }
        }
        let pre: Vec<String> = match pre {
            Some(p) => p.split('.').map(str::to_string).collect(),
            None => Vec::new(),
        };
        if pre
            .iter()
            .any(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(invalid("bad pre-release identifier"));
        }
        Ok(Version {
            core: [numbers[0].into(), numbers[1].into(), numbers[2].into()],
            pre,
        })
    }

    /// Go module versions: a `v` is required; `+incompatible` is build metadata.
    pub(crate) fn parse_go(input: &str) -> Result<Self, VersionError> {
        if !input.trim().starts_with('v') {
            return Err(VersionError::invalid(
                Scheme::Go,
                input,
                "Go module versions start with v",
            ));
        }
        Self::parse(input, Scheme::Go)
    }
}

fn compare_identifier(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => compare_digits(a.as_bytes(), b.as_bytes()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.core.iter().zip(&other.core) {
            let ord = compare_digits(a.as_bytes(), b.as_bytes());
            if ord != Ordering::Equal {
                return ord;
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let ord = compare_identifier(a, b);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::Version;
    use crate::Scheme;

    #[test]
    fn specification_order() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ];
        for w in ordered.windows(2) {
            let a = Version::parse(w[0], Scheme::Semver).unwrap();
            let b = Version::parse(w[1], Scheme::Semver).unwrap();
            assert!(a < b, "{} < {}", w[0], w[1]);
        }
        let go = |s| Version::parse_go(s).unwrap();
        assert!(go("v0.0.0-20190101000000-abcdefabcdef") < go("v0.0.1"));
        assert_eq!(go("v2.0.0+incompatible"), go("v2.0.0"));
        assert!(Version::parse_go("1.2.3").is_err());
        assert!(Version::parse("1.2", Scheme::Semver).is_err());
    }
}
