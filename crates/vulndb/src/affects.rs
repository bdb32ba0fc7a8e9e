//! Whether an installed version is one an advisory's affected entry covers, and why.

use std::cmp::Ordering;

use customs_version::{Bound, Interval, Parsed, Scheme, VersionError, compare, parse};

use crate::model::{Affected, Event, FixState, Range};

/// How an ecosystem (or distro release) of the database orders its versions.
pub fn scheme_for(ecosystem: &str) -> Option<Scheme> {
    let family = ecosystem.split(':').next().unwrap_or(ecosystem);
    Some(match family {
        "debian" | "ubuntu" => Scheme::Dpkg,
        "alpine" => Scheme::Apk,
        "AlmaLinux" | "Rocky Linux" | "Red Hat" | "rhel" | "centos" | "fedora" | "amazon"
        | "openSUSE" | "SUSE" | "Mageia" | "Photon OS" | "Azure Linux" => Scheme::Rpm,
        "PyPI" => Scheme::Pep440,
        // Go module versions are published without their `v` in OSV; the order is semver's.
        "npm" | "crates.io" | "Go" | "Hex" | "Pub" => Scheme::Semver,
        "Maven" => Scheme::Maven,
        "RubyGems" | "rubies" => Scheme::Gem,
        "Packagist" => Scheme::Composer,
        "NuGet" => Scheme::NuGet,
        _ => return None,
    })
}

/// Why a version is affected: the constraint that holds it, and the fix that ends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hit {
    /// The matched span, written as comparators (`>=1.3.0, <2.2.8.1`), or `listed` for a
    /// version the advisory names one by one, or `all versions`.
    pub constraint: String,
    /// The first fixed version after the installed one, when the span has one.
    pub fixed_in: Option<String>,
}

fn describe(interval: &Interval) -> String {
    let mut parts = Vec::new();
    if let Some(b) = &interval.lower {
        parts.push(format!(
            "{}{}",
            if b.inclusive { ">=" } else { ">" },
            b.version
        ));
    }
    if let Some(b) = &interval.upper {
        parts.push(format!(
            "{}{}",
            if b.inclusive { "<=" } else { "<" },
            b.version
        ));
    }
    if parts.is_empty() {
        "all versions".into()
    } else {
        parts.join(", ")
    }
}

fn event_version(e: &Event) -> Option<&str> {
    match e {
        Event::Introduced(v) if v == "0" => None,
        Event::Introduced(v)
        | Event::IntroducedAfter(v)
        | Event::Fixed(v)
        | Event::LastAffected(v)
        | Event::Limit(v) => Some(v),
    }
}

/// The span of an OSV-style range that holds `version`, if any. The events are taken in version
/// order (the order they are nearly always published in, checked and restored if not): an
/// `introduced` opens a span that the next `fixed` (exclusive) or `last_affected` (inclusive)
/// closes. Each bound is read once; the walk stops at the first event past `version`.
fn span_of(
    scheme: Scheme,
    range: &Range,
    version: &Parsed<'_>,
) -> Result<Option<Interval>, VersionError> {
    // (event, its version read under the scheme; None for `introduced: 0`)
    let mut events: Vec<(&Event, Option<Parsed<'_>>)> = Vec::with_capacity(range.events.len());
    for e in range
        .events
        .iter()
        .filter(|e| !matches!(e, Event::Limit(_)))
    {
        let parsed = match event_version(e) {
            Some(v) => Some(parse(scheme, v)?),
            None => None,
        };
        events.push((e, parsed));
    }
    let order = |a: &Option<Parsed<'_>>, b: &Option<Parsed<'_>>| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => x.order(y),
    };
    if events
        .windows(2)
        .any(|w| order(&w[0].1, &w[1].1) == Ordering::Greater)
    {
        events.sort_by(|a, b| order(&a.1, &b.1));
    }
    let bound = |v: &str, inclusive| {
        Some(Bound {
            version: v.to_string(),
            inclusive,
        })
    };
    let mut open: Option<Option<Bound>> = None;
    for (e, parsed) in &events {
        let against =
            |p: &Option<Parsed<'_>>| p.as_ref().map_or(Ordering::Greater, |p| version.order(p));
        match e {
            Event::Introduced(v) if open.is_none() => {
                if v == "0" {
                    open = Some(None);
                } else if against(parsed) != Ordering::Less {
                    open = Some(bound(v, true));
                } else {
                    return Ok(None);
                }
            }
            Event::IntroducedAfter(v) if open.is_none() => {
                if against(parsed) == Ordering::Greater {
                    open = Some(bound(v, false));
                } else {
                    return Ok(None);
                }
            }
            Event::Fixed(v) | Event::LastAffected(v) => {
                if let Some(lower) = open.take() {
                    let last = matches!(e, Event::LastAffected(_));
                    let inside = match against(parsed) {
                        Ordering::Less => true,
                        Ordering::Equal => last,
                        Ordering::Greater => false,
                    };
                    if inside {
                        return Ok(Some(Interval {
                            lower,
                            upper: bound(v, last),
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(open.map(|lower| Interval { lower, upper: None }))
}

impl Affected {
    /// Whether `version` (installed, in `scheme`'s syntax) is affected, and why. A range
    /// whose versions cannot be read in `scheme` is an error; the caller says so and goes on.
    pub fn affects(&self, scheme: Scheme, version: &str) -> Result<Option<Hit>, VersionError> {
        match self.state {
            FixState::NotAffected => return Ok(None),
            FixState::NotFixed | FixState::WontFix | FixState::Unknown
                if self.ranges.is_empty() && self.versions.is_empty() =>
            {
                compare(scheme, version, version)?;
                return Ok(Some(Hit {
                    constraint: "all versions".into(),
                    fixed_in: None,
                }));
            }
            _ => {}
        }
        let installed = parse(scheme, version)?;
        for range in self.ranges.iter().filter(|r| r.kind != "GIT") {
            if let Some(interval) = span_of(scheme, range, &installed)? {
                return Ok(Some(Hit {
                    constraint: describe(&interval),
                    fixed_in: interval
                        .upper
                        .as_ref()
                        .filter(|b| !b.inclusive)
                        .map(|b| b.version.clone()),
                }));
            }
        }
        let listed = self
            .versions
            .iter()
            .any(|v| compare(scheme, v, version).is_ok_and(|o| o == Ordering::Equal));
        Ok(listed.then(|| Hit {
            constraint: "listed".into(),
            fixed_in: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affected(state: FixState, events: Vec<Event>) -> Affected {
        Affected {
            ecosystem: "PyPI".into(),
            package: "django".into(),
            state,
            ranges: vec![Range {
                kind: "ECOSYSTEM".into(),
                events,
            }],
            versions: Vec::new(),
            severity: None,
        }
    }

    #[test]
    fn events_in_any_order() {
        let a = affected(
            FixState::Fixed,
            vec![
                Event::Fixed("2.2.28".into()),
                Event::Introduced("3.0".into()),
                Event::Introduced("0".into()),
                Event::Fixed("3.2.13".into()),
            ],
        );
        let hit = a.affects(Scheme::Pep440, "2.2").unwrap().unwrap();
        assert_eq!(hit.constraint, "<2.2.28");
        assert_eq!(hit.fixed_in.as_deref(), Some("2.2.28"));
        assert!(a.affects(Scheme::Pep440, "2.2.28").unwrap().is_none());
        assert!(a.affects(Scheme::Pep440, "2.9").unwrap().is_none());
        let hit = a.affects(Scheme::Pep440, "3.1").unwrap().unwrap();
        assert_eq!(hit.constraint, ">=3.0, <3.2.13");
        assert!(a.affects(Scheme::Pep440, "not a version!").is_err());
    }

    #[test]
    fn last_affected_and_open_ends() {
        let a = affected(
            FixState::Fixed,
            vec![
                Event::Introduced("1.0".into()),
                Event::LastAffected("1.4".into()),
            ],
        );
        assert!(a.affects(Scheme::Pep440, "1.4").unwrap().is_some());
        assert!(a.affects(Scheme::Pep440, "1.4.1").unwrap().is_none());
        assert_eq!(
            a.affects(Scheme::Pep440, "1.4").unwrap().unwrap().fixed_in,
            None
        );
        let open = affected(FixState::NotFixed, vec![Event::Introduced("0".into())]);
        assert_eq!(
            open.affects(Scheme::Pep440, "9.9")
                .unwrap()
                .unwrap()
                .constraint,
            "all versions"
        );
    }

    #[test]
    fn distro_states() {
        let mut a = affected(FixState::NotAffected, Vec::new());
        a.ranges.clear();
        assert!(a.affects(Scheme::Dpkg, "1.0-1").unwrap().is_none());
        a.state = FixState::WontFix;
        assert!(a.affects(Scheme::Dpkg, "1.0-1").unwrap().is_some());
    }

    #[test]
    fn listed_versions() {
        let mut a = affected(FixState::Fixed, Vec::new());
        a.ranges.clear();
        a.versions = vec!["1.0.0".into(), "1.0.1".into()];
        assert!(a.affects(Scheme::Semver, "1.0.1").unwrap().is_some());
        assert!(a.affects(Scheme::Semver, "1.0.2").unwrap().is_none());
        assert_eq!(scheme_for("debian:12"), Some(Scheme::Dpkg));
        assert_eq!(scheme_for("AlmaLinux:9"), Some(Scheme::Rpm));
        assert_eq!(scheme_for("nonsense"), None);
    }
}
