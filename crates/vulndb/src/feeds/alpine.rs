//! Alpine secdb (`vX.Y/main.json`, `community.json`): per package, fixed version → CVE ids.
//! The version `0` lists vulnerabilities that never affected Alpine's package.

use serde_json::Value;

use super::FeedRead;
use crate::model::{Advisory, Affected, Event, FixState, Range};

pub(crate) fn read(bytes: &[u8]) -> Result<FeedRead, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let release = doc["distroversion"]
        .as_str()
        .ok_or("no distroversion")?
        .trim_start_matches('v')
        .to_string();
    let ecosystem = format!("alpine:{release}");
    let mut out = FeedRead::default();
    for p in doc["packages"].as_array().ok_or("no packages list")? {
        let Some(name) = p["pkg"]["name"].as_str() else {
            out.skipped.push(format!("{p}: package without a name"));
            continue;
        };
        for (version, ids) in p["pkg"]["secfixes"].as_object().into_iter().flatten() {
            for entry in ids
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                // Entries are ids, sometimes several separated by spaces, sometimes with notes.
                for id in entry.split_whitespace().filter(|w| w.contains('-')) {
                    let (state, ranges) = if version == "0" {
                        (FixState::NotAffected, Vec::new())
                    } else {
                        (
                            FixState::Fixed,
                            vec![Range {
                                kind: "ECOSYSTEM".into(),
                                events: vec![
                                    Event::Introduced("0".into()),
                                    Event::Fixed(version.clone()),
                                ],
                            }],
                        )
                    };
                    out.advisories.push(Advisory {
                        id: id.to_string(),
                        feed: "alpine".into(),
                        aliases: Vec::new(),
                        summary: None,
                        published: None,
                        modified: None,
                        withdrawn: None,
                        severity: None,
                        cvss: Vec::new(),
                        affected: vec![Affected {
                            ecosystem: ecosystem.clone(),
                            package: name.to_string(),
                            state,
                            ranges,
                            versions: Vec::new(),
                            severity: None,
                        }],
                    });
                }
            }
        }
    }
    Ok(out)
}
