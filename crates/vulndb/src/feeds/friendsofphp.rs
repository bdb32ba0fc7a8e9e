//! The FriendsOfPHP security advisories (`VENDOR/PACKAGE/ID.yaml`): per branch, the affected
//! versions as Composer constraints (`['>=6.4.0', '<6.4.40']`, all of which must hold).

use std::collections::BTreeMap;

use customs_version::{Scheme, VersionSet};
use serde::Deserialize;

use super::{FeedRead, ranges_from_set, tarball};
use crate::model::{Advisory, Affected, FixState};

#[derive(Deserialize)]
struct Record {
    title: Option<String>,
    cve: Option<String>,
    reference: Option<String>,
    #[serde(default)]
    branches: BTreeMap<String, Branch>,
}

#[derive(Deserialize)]
struct Branch {
    time: Option<serde_yaml_ng::Value>,
    versions: Versions,
}

/// A list of constraints, or (rarely) one string of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Versions {
    List(Vec<String>),
    One(String),
}

pub(crate) fn read(bytes: &[u8]) -> Result<FeedRead, String> {
    let mut out = FeedRead::default();
    let wanted =
        |p: &str| p.ends_with(".yaml") && p.matches('/').count() == 2 && !p.starts_with('.');
    for file in tarball::files(bytes, wanted, &mut out.skipped)? {
        match serde_yaml_ng::from_slice::<Record>(&file.bytes)
            .map_err(|e| format!("not valid YAML: {e}"))
            .and_then(|r| advisory(&file.path, r))
        {
            Ok(a) => {
                out.note_date(a.published.as_deref());
                out.advisories.push(a);
            }
            Err(reason) => out.skipped.push(format!("{}: {reason}", file.path)),
        }
    }
    if out.advisories.is_empty() && out.skipped.is_empty() {
        return Err("no VENDOR/PACKAGE/ID.yaml advisory in the archive".into());
    }
    Ok(out)
}

fn advisory(path: &str, r: Record) -> Result<Advisory, String> {
    let from_path = path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or(path);
    let package = r
        .reference
        .as_deref()
        .and_then(|s| s.strip_prefix("composer://"))
        .unwrap_or(from_path)
        .to_ascii_lowercase();
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".yaml");
    let id = match r.cve.as_deref().map(str::trim) {
        Some(cve) if cve.starts_with("CVE-") => cve.to_string(),
        _ => format!("FriendsOfPHP-{package}-{stem}"),
    };
    if r.branches.is_empty() {
        return Err("no branches".into());
    }
    let mut affected = VersionSet::none(Scheme::Composer);
    let mut published: Option<String> = None;
    for (name, branch) in &r.branches {
        let constraint = match &branch.versions {
            Versions::List(parts) => parts.join(","),
            Versions::One(s) => s.clone(),
        };
        let set = VersionSet::parse(Scheme::Composer, &constraint)
            .map_err(|e| format!("branch {name}: {e}"))?;
        affected = affected.union(&set);
        let time = match &branch.time {
            Some(serde_yaml_ng::Value::String(t)) => Some(t.clone()),
            Some(serde_yaml_ng::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let Some(t) = time {
            let date: String = t.chars().take(10).collect();
            if published.as_ref().is_none_or(|p| date < *p) {
                published = Some(date);
            }
        }
    }
    let ranges = ranges_from_set(&affected);
    let fixed = ranges
        .iter()
        .flat_map(|r| &r.events)
        .any(|e| matches!(e, crate::model::Event::Fixed(_)));
    Ok(Advisory {
        id,
        feed: "friendsofphp".into(),
        aliases: Vec::new(),
        summary: r.title,
        published,
        modified: None,
        withdrawn: None,
        severity: None,
        cvss: Vec::new(),
        affected: vec![Affected {
            ecosystem: "Packagist".into(),
            package,
            state: if fixed {
                FixState::Fixed
            } else {
                FixState::NotFixed
            },
            ranges,
            versions: Vec::new(),
            severity: None,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;

    #[test]
    fn branches_become_ranges() {
        let yaml = br#"
title:     "HtmlSanitizer URL attributes"
link:      https://symfony.com/cve-2026-45064
cve:       CVE-2026-45064
branches:
    6.4.x:
        time:     2026-05-20 08:00:00
        versions: ['>=6.4.0', '<6.4.40']
    7.3.x:
        time:     ~
        versions: ['>=7.3.0', '<7.4.0']
    7.4.x:
        time:     2026-05-20 08:00:00
        versions: ['>=7.4.0', '<7.4.12']
    old:
        time:     ~
        versions: ['>2.0', '<=2.1.5']
reference: composer://symfony/symfony
"#;
        let record: Record = serde_yaml_ng::from_slice(yaml).unwrap();
        let a = advisory("symfony/symfony/CVE-2026-45064.yaml", record).unwrap();
        assert_eq!(a.id, "CVE-2026-45064");
        assert_eq!(a.affected[0].package, "symfony/symfony");
        assert_eq!(a.published.as_deref(), Some("2026-05-20"));
        assert_eq!(
            a.affected[0].ranges[0].events,
            [
                Event::IntroducedAfter("2.0".into()),
                Event::LastAffected("2.1.5".into()),
                Event::Introduced("6.4.0".into()),
                Event::Fixed("6.4.40".into()),
                Event::Introduced("7.3.0".into()),
                Event::Fixed("7.4.12".into()),
            ]
        );
    }

    #[test]
    fn a_bad_constraint_is_a_reason() {
        let record: Record = serde_yaml_ng::from_slice(
            b"title: t\nbranches:\n  x:\n    time: ~\n    versions: ['>=what?']\n",
        )
        .unwrap();
        assert!(advisory("v/p/x.yaml", record).is_err());
    }
}
