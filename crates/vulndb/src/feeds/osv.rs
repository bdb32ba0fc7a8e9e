//! OSV (<https://ossf.github.io/osv-schema/>): one JSON document per advisory, published per
//! ecosystem as `all.zip`.

use std::io::{Cursor, Read};

use serde_json::Value;

use super::FeedRead;
use crate::model::{Advisory, Affected, Cvss, Event, FixState, Range};

/// The largest advisory document read out of an archive.
const MAX_DOCUMENT: u64 = 16 * 1024 * 1024;

/// Reads an `all.zip`. A broken archive is an error; a broken advisory is skipped and counted.
pub(crate) fn read_zip(feed: &str, bytes: &[u8]) -> Result<FeedRead, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    let mut out = FeedRead::default();
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| format!("entry {i}: {e} (truncated archive?)"))?;
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                out.skipped
                    .push(format!("entry {i}: unreadable name ({e})"));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        // Entries are flat file names; anything with a path is not what the feed publishes.
        if name.contains("..") || name.contains('/') || name.contains('\\') {
            out.skipped.push(format!("{name}: entry name with a path"));
            continue;
        }
        if !name.ends_with(".json") {
            continue;
        }
        let mut text = Vec::new();
        if let Err(e) = (&mut entry).take(MAX_DOCUMENT + 1).read_to_end(&mut text) {
            return Err(format!("{name}: cannot inflate: {e} (truncated archive?)"));
        }
        if text.len() as u64 > MAX_DOCUMENT {
            out.skipped.push(format!("{name}: larger than 16 MiB"));
            continue;
        }
        match serde_json::from_slice::<Value>(&text)
            .map_err(|e| format!("not valid JSON: {e}"))
            .and_then(|doc| advisory(feed, &doc))
        {
            Ok(a) => {
                out.note_date(a.modified.as_deref());
                out.advisories.push(a);
            }
            Err(reason) => out.skipped.push(format!("{name}: {reason}")),
        }
    }
    Ok(out)
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string).filter(|s| !s.is_empty())
}

/// One OSV document.
pub(crate) fn advisory(feed: &str, doc: &Value) -> Result<Advisory, String> {
    let id = text(&doc["id"]).ok_or("no id")?;
    let mut affected = Vec::new();
    for a in doc["affected"].as_array().into_iter().flatten() {
        let ecosystem =
            text(&a["package"]["ecosystem"]).ok_or("affected package without an ecosystem")?;
        let name = text(&a["package"]["name"]).ok_or("affected package without a name")?;
        let mut ranges = Vec::new();
        for r in a["ranges"].as_array().into_iter().flatten() {
            let kind = text(&r["type"]).unwrap_or_default();
            if !matches!(kind.as_str(), "ECOSYSTEM" | "SEMVER" | "GIT") {
                return Err(format!("unknown range type {kind:?}"));
            }
            let mut events = Vec::new();
            for e in r["events"].as_array().into_iter().flatten() {
                let event = if let Some(v) = text(&e["introduced"]) {
                    Event::Introduced(v)
                } else if let Some(v) = text(&e["fixed"]) {
                    Event::Fixed(v)
                } else if let Some(v) = text(&e["last_affected"]) {
                    Event::LastAffected(v)
                } else if let Some(v) = text(&e["limit"]) {
                    Event::Limit(v)
                } else {
                    return Err(format!("range event {e} names no version"));
                };
                events.push(event);
            }
            ranges.push(Range { kind, events });
        }
        let versions: Vec<String> = a["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect();
        let state = if ranges
            .iter()
            .flat_map(|r| &r.events)
            .any(|e| matches!(e, Event::Fixed(_)))
        {
            FixState::Fixed
        } else {
            FixState::NotFixed
        };
        let severity = text(&a["ecosystem_specific"]["severity"])
            .or_else(|| text(&a["database_specific"]["severity"]));
        affected.push(Affected {
            package: normalize_name(&ecosystem, &name),
            ecosystem,
            state,
            ranges,
            versions,
            severity,
        });
    }
    let cvss = doc["severity"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let vector = text(&s["score"])?;
            Some(Cvss {
                kind: text(&s["type"])?,
                score: crate::cvss::base_score(&vector),
                vector,
            })
        })
        .collect();
    Ok(Advisory {
        id,
        feed: feed.to_string(),
        aliases: doc["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect(),
        summary: text(&doc["summary"]),
        published: text(&doc["published"]),
        modified: text(&doc["modified"]),
        withdrawn: text(&doc["withdrawn"]),
        severity: text(&doc["database_specific"]["severity"]).map(|s| s.to_ascii_uppercase()),
        cvss,
        affected,
    })
}

/// Names as lookups will spell them: PyPI names normalised as PEP 503 says.
pub(crate) fn normalize_name(ecosystem: &str, name: &str) -> String {
    if ecosystem == "PyPI" {
        let mut out = String::new();
        let mut separator = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                if !separator {
                    out.push('-');
                }
                separator = true;
            } else {
                out.extend(c.to_lowercase());
                separator = false;
            }
        }
        out
    } else {
        name.to_string()
    }
}
