//! The Debian security tracker's JSON: source package → CVE → release → status, fixed version,
//! urgency, and `nodsa` for issues Debian decided not to fix in a point release.

use serde_json::Value;

use super::FeedRead;
use crate::model::{Advisory, Affected, Event, FixState, Range};

/// Debian's release code names and numbers.
const RELEASES: &[(&str, &str)] = &[
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("sid", "unstable"),
];

pub(crate) fn read(bytes: &[u8]) -> Result<FeedRead, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut out = FeedRead::default();
    for (source, cves) in doc.as_object().ok_or("not a map of source packages")? {
        for (cve, info) in cves.as_object().into_iter().flatten() {
            let mut affected = Vec::new();
            for (codename, release) in info["releases"].as_object().into_iter().flatten() {
                let Some((_, number)) = RELEASES.iter().find(|(c, _)| c == codename) else {
                    continue;
                };
                let status = release["status"].as_str().unwrap_or_default();
                let fixed = release["fixed_version"].as_str();
                let nodsa = release.get("nodsa").is_some();
                let state = match (status, fixed) {
                    ("resolved", Some("0")) => FixState::NotAffected,
                    ("resolved", Some(_)) => FixState::Fixed,
                    ("open", _) if nodsa => FixState::WontFix,
                    ("open", _) => FixState::NotFixed,
                    ("undetermined", _) => FixState::Unknown,
                    _ => {
                        out.skipped
                            .push(format!("{source}/{cve}/{codename}: status {status:?}"));
                        continue;
                    }
                };
                let ranges = match (state, fixed) {
                    (FixState::Fixed, Some(v)) => vec![Range {
                        kind: "ECOSYSTEM".into(),
                        events: vec![Event::Introduced("0".into()), Event::Fixed(v.into())],
                    }],
                    _ => Vec::new(),
                };
                affected.push(Affected {
                    ecosystem: format!("debian:{number}"),
                    package: source.clone(),
                    state,
                    ranges,
                    versions: Vec::new(),
                    severity: release["urgency"]
                        .as_str()
                        .filter(|u| *u != "not yet assigned")
                        .map(str::to_string),
                });
            }
            if affected.is_empty() {
                continue;
            }
            out.advisories.push(Advisory {
                id: cve.clone(),
                feed: "debian".into(),
                aliases: Vec::new(),
                summary: info["description"]
                    .as_str()
                    .filter(|d| !d.is_empty())
                    .map(str::to_string),
                published: None,
                modified: None,
                withdrawn: None,
                severity: None,
                cvss: Vec::new(),
                affected,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::model::FixState;

    /// Every status of the tracker's documented shape, not just the `resolved` ones the shared
    /// mirror holds.
    #[test]
    fn statuses() {
        let json = br#"{
          "openssl": {
            "CVE-2024-0001": {"description": "x", "releases": {
              "bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "medium", "repositories": {}},
              "bullseye": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "repositories": {}},
              "trixie": {"status": "resolved", "fixed_version": "0", "urgency": "not yet assigned", "repositories": {}},
              "sid": {"status": "undetermined", "repositories": {}},
              "hamm": {"status": "open", "repositories": {}}
            }},
            "CVE-2024-0002": {"releases": {"bookworm": {"status": "open", "urgency": "high"}}}
          }
        }"#;
        let read = super::read(json).unwrap();
        assert_eq!(read.advisories.len(), 2);
        let first = &read.advisories[0];
        let state = |eco: &str| {
            first
                .affected
                .iter()
                .find(|a| a.ecosystem == eco)
                .unwrap()
                .state
        };
        assert_eq!(state("debian:12"), FixState::Fixed);
        assert_eq!(state("debian:11"), FixState::WontFix);
        assert_eq!(state("debian:13"), FixState::NotAffected);
        assert_eq!(state("debian:unstable"), FixState::Unknown);
        let bookworm = first
            .affected
            .iter()
            .find(|a| a.ecosystem == "debian:12")
            .unwrap();
        assert_eq!(bookworm.fixed_versions(), vec!["3.0.13-1~deb12u1"]);
        assert_eq!(bookworm.severity.as_deref(), Some("medium"));
        assert_eq!(read.advisories[1].affected[0].state, FixState::NotFixed);
        assert!(super::read(b"[1, 2").is_err());
    }
}
