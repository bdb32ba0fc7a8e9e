//! The rubysec advisory database (`gems/NAME/ID.yml`, `rubies/ENGINE/ID.yml`): per advisory,
//! `patched_versions` and `unaffected_versions` as RubyGems requirements. What is affected is
//! every version neither patched nor unaffected.

use customs_version::{Scheme, VersionSet};
use serde::Deserialize;

use super::{FeedRead, ranges_from_set, tarball};
use crate::model::{Advisory, Affected, Cvss, FixState};

#[derive(Deserialize)]
struct Record {
    gem: Option<String>,
    engine: Option<String>,
    cve: Option<serde_yaml_ng::Value>,
    ghsa: Option<String>,
    osvdb: Option<serde_yaml_ng::Value>,
    title: Option<String>,
    date: Option<serde_yaml_ng::Value>,
    cvss_v2: Option<f64>,
    cvss_v3: Option<f64>,
    cvss_v4: Option<f64>,
    criticality: Option<String>,
    #[serde(default)]
    patched_versions: Vec<String>,
    #[serde(default)]
    unaffected_versions: Vec<String>,
}

fn text(v: &Option<serde_yaml_ng::Value>) -> Option<String> {
    match v.as_ref()? {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn read(bytes: &[u8]) -> Result<FeedRead, String> {
    let mut out = FeedRead::default();
    let wanted = |p: &str| {
        (p.starts_with("gems/") || p.starts_with("rubies/"))
            && p.ends_with(".yml")
            && p.matches('/').count() == 2
    };
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
        return Err("no gems/NAME/ID.yml advisory in the archive".into());
    }
    Ok(out)
}

fn union(requirements: &[String]) -> Result<VersionSet, String> {
    let mut set = VersionSet::none(Scheme::Gem);
    for r in requirements {
        set = set.union(&VersionSet::parse(Scheme::Gem, r).map_err(|e| e.to_string())?);
    }
    Ok(set)
}

fn advisory(path: &str, r: Record) -> Result<Advisory, String> {
    let (ecosystem, package) = match (&r.gem, &r.engine) {
        (Some(gem), _) => ("RubyGems", gem.clone()),
        (None, Some(engine)) => ("rubies", engine.clone()),
        (None, None) => return Err("neither gem nor engine".into()),
    };
    let cve = text(&r.cve).map(|c| format!("CVE-{}", c.trim_start_matches("CVE-")));
    let ghsa = r
        .ghsa
        .as_ref()
        .map(|g| format!("GHSA-{}", g.trim_start_matches("GHSA-")));
    let osvdb = text(&r.osvdb).map(|o| format!("OSVDB-{o}"));
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".yml");
    let ids: Vec<String> = [cve, ghsa, osvdb].into_iter().flatten().collect();
    let id = ids.first().cloned().unwrap_or_else(|| stem.to_string());
    let aliases = ids.into_iter().filter(|a| *a != id).collect();

    let not_affected = union(&r.patched_versions)?.union(&union(&r.unaffected_versions)?);
    let affected_set = not_affected.complement();
    let ranges = ranges_from_set(&affected_set);
    let state = if r.patched_versions.is_empty() {
        FixState::NotFixed
    } else {
        FixState::Fixed
    };
    let cvss = [
        ("CVSS_V2", r.cvss_v2),
        ("CVSS_V3", r.cvss_v3),
        ("CVSS_V4", r.cvss_v4),
    ]
    .into_iter()
    .filter_map(|(kind, score)| {
        score.map(|s| Cvss {
            kind: kind.into(),
            vector: String::new(),
            score: Some(s),
        })
    })
    .collect();
    Ok(Advisory {
        id,
        feed: "rubysec".into(),
        aliases,
        summary: r.title,
        published: text(&r.date),
        modified: None,
        withdrawn: None,
        severity: r.criticality,
        cvss,
        affected: vec![Affected {
            ecosystem: ecosystem.into(),
            package,
            state,
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
    fn patched_and_unaffected_become_ranges() {
        let yaml = br#"
gem: rack
cve: 2024-26141
ghsa: xj5v-6v4g-jfw6
title: Possible DoS Vulnerability with Range Header in Rack
date: 2024-02-21
cvss_v3: 5.8
unaffected_versions:
  - "< 1.3.0"
patched_versions:
  - "~> 2.2.8, >= 2.2.8.1"
  - ">= 3.0.9.1"
"#;
        let record: Record = serde_yaml_ng::from_slice(yaml).unwrap();
        let a = advisory("gems/rack/CVE-2024-26141.yml", record).unwrap();
        assert_eq!(a.id, "CVE-2024-26141");
        assert_eq!(a.aliases, ["GHSA-xj5v-6v4g-jfw6"]);
        assert_eq!(a.published.as_deref(), Some("2024-02-21"));
        let events: Vec<&Event> = a.affected[0]
            .ranges
            .iter()
            .flat_map(|r| &r.events)
            .collect();
        assert_eq!(
            events,
            [
                &Event::Introduced("1.3.0".into()),
                &Event::Fixed("2.2.8.1".into()),
                &Event::Introduced("2.3".into()),
                &Event::Fixed("3.0.9.1".into()),
            ]
        );
        assert_eq!(a.affected[0].fixed_versions(), ["2.2.8.1", "3.0.9.1"]);
        assert_eq!(a.cvss[0].score, Some(5.8));
    }

    #[test]
    fn no_patch_means_not_fixed() {
        let record: Record = serde_yaml_ng::from_slice(
            b"gem: old\nghsa: aaaa-bbbb-cccc\ntitle: t\ndate: 2020-01-01\n",
        )
        .unwrap();
        let a = advisory("gems/old/GHSA-aaaa-bbbb-cccc.yml", record).unwrap();
        assert_eq!(a.id, "GHSA-aaaa-bbbb-cccc");
        assert_eq!(a.affected[0].state, FixState::NotFixed);
        assert_eq!(
            a.affected[0].ranges[0].events,
            [Event::Introduced("0".into())]
        );
    }

    #[test]
    fn a_bad_requirement_is_a_reason() {
        let record: Record =
            serde_yaml_ng::from_slice(b"gem: x\ncve: 2020-1\npatched_versions: ['>= ???']\n")
                .unwrap();
        assert!(advisory("gems/x/CVE-2020-1.yml", record).is_err());
    }
}
