use serde::{Deserialize, Serialize};

/// One advisory as a feed publishes it, in one shape for every feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// `CVE-…`, `GHSA-…`, `GO-…`, `RUSTSEC-…`, `ALSA-…`.
    pub id: String,
    /// The feed it came from (`osv:PyPI`, `debian`, `alpine`).
    pub feed: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Set when the feed withdrew the advisory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// The feed's own severity word (`HIGH`, `moderate`, a Debian urgency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    pub affected: Vec<Affected>,
}

/// A CVSS vector as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`.
    pub kind: String,
    pub vector: String,
    /// The base score the vector gives (none for CVSS v4, not computed yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// What a distribution says about a package and a vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixState {
    /// Fixed in the version the ranges name.
    Fixed,
    /// Vulnerable, with no fix yet.
    NotFixed,
    /// Vulnerable, and the distribution decided not to fix it (Debian `nodsa`, ignored).
    WontFix,
    /// The distribution's package was never affected.
    NotAffected,
    /// Not yet triaged (Debian `undetermined`).
    Unknown,
}

/// One package an advisory affects, in one ecosystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// `PyPI`, `npm`, `Go`, `crates.io`, `Maven`, `debian:12`, `alpine:3.12`, `AlmaLinux:9`.
    pub ecosystem: String,
    /// The package name as the ecosystem spells it (Debian: the source package).
    pub package: String,
    pub state: FixState,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Versions listed one by one (OSV `versions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// A severity the ecosystem gives this package (distro urgency, OSV `ecosystem_specific`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`.
    pub kind: String,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    /// Affected from just after this version (a `> X` constraint; OSV has no such event).
    IntroducedAfter(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Affected {
    /// The versions that fix it, from every range.
    pub fn fixed_versions(&self) -> Vec<&str> {
        self.ranges
            .iter()
            .flat_map(|r| &r.events)
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
            .collect()
    }
}
