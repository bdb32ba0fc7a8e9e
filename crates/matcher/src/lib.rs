//! Matching: each package of an SBOM is looked up in the vulnerability database under the keys
//! its ecosystem files advisories by ([`ecosystem`]), its version checked against each
//! candidate's ranges, and every hit becomes a [`Finding`] that records how it was found.
//!
//! The same vulnerability reached through several advisories (a GHSA and its CVE, an OSV
//! record and the distribution's) is one finding per package. A language package that an OS
//! package owns (a jar installed by a `.deb`) is matched in its ecosystem too, but a finding the
//! distribution has fixed in the owning package (a backport) is suppressed with that reason, and
//! one the distribution also reports is reported once, on the OS package.

mod ecosystem;
mod filter;
mod input;
mod severity;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use customs_types::Distro;
use customs_vulndb::{Advisory, Candidate, Cvss, Database, DbError, FixState, scheme_for};
use serde::{Deserialize, Serialize};

pub use filter::{FilterError, Filters, IgnoreRule, apply as apply_filters};
pub use input::{InputError, packages_from_sbom, read_sbom_document};
pub use severity::Severity;

/// A package as matching needs it, from a customs SBOM or from another tool's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchPackage {
    /// Unique within the input (the SBOM's id, or bom-ref / SPDXID).
    pub id: String,
    pub name: String,
    pub version: String,
    /// The customs package type (`deb`, `python`), or the purl type when that is all there is.
    pub package_type: String,
    pub purl: String,
    /// The purl's type and namespace (`pypi`, `org.yaml`).
    pub purl_type: String,
    pub namespace: Option<String>,
    /// The source package (deb `Source:`, apk origin, source rpm) and its version.
    pub source: Option<(String, Option<String>)>,
    /// Where it was found, and in which layer.
    pub locations: Vec<String>,
    pub layer: Option<String>,
    /// The OS packages that own its files.
    pub owned_by: Vec<String>,
}

/// How a finding was reached: the key searched, the advisory hit and the range that held the
/// version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchDetail {
    /// `debian:12 / apache-log4j1.2 @ 1.2.17-11 (source package apache-log4j1.2)`.
    pub searched: String,
    pub advisory: String,
    pub feed: String,
    /// The span of affected versions that holds the installed one.
    pub constraint: String,
}

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `distribution`, `ignore-rule`, `vex`, `only-fixed`.
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    pub score: f64,
    pub percentile: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingPackage {
    pub id: String,
    pub name: String,
    pub version: String,
    #[serde(rename = "type")]
    pub package_type: String,
    pub purl: String,
    pub locations: Vec<String>,
    pub layer: Option<String>,
}

/// One vulnerability in one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The CVE id when there is one, else the advisory's own id.
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    /// The earliest date a matched advisory gives as its publication (RFC 3339 or a date); the
    /// distributions' trackers give none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    pub severity: Severity,
    /// Where the severity comes from (`debian urgency`, `CVSS_V3 9.8`, `osv:PyPI`).
    pub severity_source: String,
    pub cvss: Vec<Cvss>,
    pub fix_state: FixState,
    pub fixed_in: Vec<String>,
    pub kev: bool,
    pub kev_date_added: Option<String>,
    pub epss: Option<Epss>,
    pub package: FindingPackage,
    pub matches: Vec<MatchDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

impl Finding {
    /// Every id the finding is known by.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Grype's risk order: exploited first, then likelihood times impact.
    pub fn risk(&self) -> f64 {
        let epss = self.epss.as_ref().map_or(0.0, |e| e.score);
        (if self.kev { 100.0 } else { 0.0 }) + (epss + 0.01) * self.severity.weight()
    }
}

/// What matching did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Packages that could not be matched, with why (`(devel)` Go modules, unknown distros).
    pub unmatched: Vec<(String, String)>,
    /// Ranges whose versions the ecosystem's rules could not read.
    pub unreadable: Vec<String>,
    pub packages: usize,
    /// The distribution releases the OS packages were looked up in, each with whether the
    /// database has any advisory for it (empty when there are no OS packages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distro_coverage: Vec<(String, bool)>,
}

impl Report {
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Sorts by risk (highest first), then id and package, so the output is stable.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            b.risk()
                .total_cmp(&a.risk())
                .then_with(|| b.severity.cmp(&a.severity))
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a.package.name.cmp(&b.package.name))
                .then_with(|| a.package.version.cmp(&b.package.version))
        });
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Database(#[from] DbError),
}

/// A hit before merging: one advisory, one package.
struct Hit {
    package: usize,
    candidate: Candidate,
    detail: MatchDetail,
    fixed_in: Option<String>,
}

fn canonical(advisory: &Advisory) -> String {
    if advisory.id.starts_with("CVE-") {
        return advisory.id.clone();
    }
    advisory
        .aliases
        .iter()
        .find(|a| a.starts_with("CVE-"))
        .cloned()
        .unwrap_or_else(|| advisory.id.clone())
}

/// Matches `packages` (of an image whose distribution is `distro`) against `db`.
pub fn match_packages(
    packages: &[MatchPackage],
    distro: Option<&Distro>,
    db: &Database,
) -> Result<Report, MatchError> {
    let mut report = Report {
        packages: packages.len(),
        ..Report::default()
    };
    let mut hits: Vec<Hit> = Vec::new();
    // Per OS package: the ids its distribution has fixed in the installed version or says never
    // affected it.
    let mut resolved: HashMap<usize, BTreeMap<String, String>> = HashMap::new();
    for (index, package) in packages.iter().enumerate() {
        let queries = match ecosystem::queries(package, distro) {
            Ok(q) => q,
            Err(why) => {
                report.unmatched.push((package.purl.clone(), why));
                continue;
            }
        };
        let is_os = matches!(package.purl_type.as_str(), "deb" | "apk" | "rpm");
        for query in queries {
            if is_os
                && !report
                    .distro_coverage
                    .iter()
                    .any(|(e, _)| *e == query.ecosystem)
            {
                let covered = db.covers(&query.ecosystem)?;
                report
                    .distro_coverage
                    .push((query.ecosystem.clone(), covered));
            }
            let Some(scheme) = scheme_for(&query.ecosystem) else {
                continue;
            };
            let searched = format!(
                "{} / {} @ {} ({})",
                query.ecosystem, query.name, query.version, query.via
            );
            for candidate in db.candidates(&query.ecosystem, &query.name)? {
                match candidate.affected.affects(scheme, &query.version) {
                    Ok(Some(hit)) => hits.push(Hit {
                        package: index,
                        detail: MatchDetail {
                            searched: searched.clone(),
                            advisory: candidate.id.clone(),
                            feed: String::new(),
                            constraint: hit.constraint,
                        },
                        fixed_in: hit.fixed_in,
                        candidate,
                    }),
                    Ok(None) if is_os => {
                        let why = match candidate.affected.state {
                            FixState::NotAffected => format!(
                                "{} says {} never affected {}",
                                query.ecosystem, candidate.id, query.name
                            ),
                            _ => format!(
                                "{} fixed {} in {} {} (installed {})",
                                query.ecosystem,
                                candidate.id,
                                query.name,
                                candidate.affected.fixed_versions().join(", "),
                                query.version
                            ),
                        };
                        resolved
                            .entry(index)
                            .or_default()
                            .insert(candidate.id.clone(), why);
                    }
                    Ok(None) => {}
                    Err(e) => report.unreadable.push(format!(
                        "{} ({} {}): {e}",
                        candidate.id, query.ecosystem, query.name
                    )),
                }
            }
        }
    }

    // Merge hits into findings, one per (package, vulnerability).
    let mut advisories: HashMap<(String, String), Advisory> = HashMap::new();
    let mut merged: BTreeMap<(usize, String), Finding> = BTreeMap::new();
    for hit in hits {
        let advisory = db.advisory(&hit.candidate)?;
        let id = canonical(&advisory);
        let package = &packages[hit.package];
        let mut detail = hit.detail;
        detail.feed = advisory.feed.clone();
        let entry = merged
            .entry((hit.package, id.clone()))
            .or_insert_with(|| Finding {
                id: id.clone(),
                aliases: Vec::new(),
                summary: None,
                published: None,
                severity: Severity::Unknown,
                severity_source: String::new(),
                cvss: Vec::new(),
                fix_state: hit.candidate.affected.state,
                fixed_in: Vec::new(),
                kev: false,
                kev_date_added: None,
                epss: None,
                package: FindingPackage {
                    id: package.id.clone(),
                    name: package.name.clone(),
                    version: package.version.clone(),
                    package_type: package.package_type.clone(),
                    purl: package.purl.clone(),
                    locations: package.locations.clone(),
                    layer: package.layer.clone(),
                },
                matches: Vec::new(),
                suppressed: None,
            });
        for alias in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            if *alias != entry.id && !entry.aliases.contains(alias) {
                entry.aliases.push(alias.clone());
            }
        }
        if entry.summary.is_none() {
            entry.summary = advisory.summary.clone();
        }
        if let Some(p) = &advisory.published
            && entry.published.as_ref().is_none_or(|e| p < e)
        {
            entry.published = Some(p.clone());
        }
        // A fix anywhere beats "not fixed".
        if let Some(fix) = hit.fixed_in {
            entry.fix_state = FixState::Fixed;
            if !entry.fixed_in.contains(&fix) {
                entry.fixed_in.push(fix);
            }
        } else if entry.fixed_in.is_empty() {
            entry.fix_state = hit.candidate.affected.state;
        }
        for c in &advisory.cvss {
            if !entry.cvss.contains(c) {
                entry.cvss.push(c.clone());
            }
        }
        pick_severity(entry, &advisory, &hit.candidate);
        entry.matches.push(detail);
        advisories.insert((advisory.id.clone(), advisory.feed.clone()), advisory);
    }

    // OS-owned language packages: the distribution decides.
    let index_of: HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let reported: BTreeSet<(usize, String)> = merged.keys().cloned().collect();
    let mut findings = Vec::new();
    for ((index, id), mut finding) in merged {
        let package = &packages[index];
        let owners: Vec<usize> = package
            .owned_by
            .iter()
            .filter_map(|o| index_of.get(o.as_str()).copied())
            .collect();
        let mut duplicate = false;
        for owner in owners {
            if finding
                .ids()
                .any(|i| reported.contains(&(owner, i.to_string())))
            {
                duplicate = true;
            }
            if let Some(why) = resolved
                .get(&owner)
                .and_then(|r| finding.ids().find_map(|i| r.get(i)))
            {
                finding.suppressed = Some(Suppression {
                    by: "distribution".into(),
                    reason: format!(
                        "{} is owned by {} {}, and {why}",
                        package.name, packages[owner].name, packages[owner].version
                    ),
                });
            }
        }
        if duplicate {
            continue;
        }
        let _ = id;
        findings.push(finding);
    }

    enrich(db, &mut findings)?;
    report.findings = findings;
    report.sort();
    Ok(report)
}

fn pick_severity(finding: &mut Finding, advisory: &Advisory, candidate: &Candidate) {
    // The distribution's own word first: it knows its build.
    let is_distro = !matches!(
        candidate.affected.ecosystem.split(':').next(),
        Some("PyPI" | "npm" | "Go" | "crates.io" | "Maven" | "RubyGems" | "Packagist" | "NuGet")
    );
    if is_distro
        && let Some(s) = candidate
            .affected
            .severity
            .as_deref()
            .and_then(Severity::from_word)
    {
        finding.severity = s;
        finding.severity_source = format!("{} urgency", advisory.feed);
        return;
    }
    if finding.severity_source.ends_with("urgency") {
        return;
    }
    if let Some((s, source)) = from_cvss(&advisory.cvss) {
        if finding.severity_source.starts_with("CVSS") && s <= finding.severity {
            return;
        }
        finding.severity = s;
        finding.severity_source = source;
        return;
    }
    if finding.severity == Severity::Unknown
        && let Some(s) = advisory
            .severity
            .as_deref()
            .or(candidate.affected.severity.as_deref())
            .and_then(Severity::from_word)
    {
        finding.severity = s;
        finding.severity_source = advisory.feed.clone();
    }
}

/// The rating of the newest CVSS version with a score (v3 before v4, whose scores come only
/// from the feed, before v2).
fn from_cvss(cvss: &[Cvss]) -> Option<(Severity, String)> {
    for kind in ["CVSS_V3", "CVSS_V4", "CVSS_V2"] {
        if let Some((score, c)) = cvss
            .iter()
            .filter(|c| c.kind == kind)
            .filter_map(|c| c.score.map(|s| (s, c)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
        {
            return Some((
                Severity::from_score(score),
                format!("{} {score:.1}", c.kind),
            ));
        }
    }
    None
}

/// KEV and EPSS for each finding's CVE, and a severity from another feed's record of the same
/// CVE when the matched advisories had none (Debian's tracker carries no CVSS).
fn enrich(db: &Database, findings: &mut [Finding]) -> Result<(), MatchError> {
    let mut borrowed: HashMap<String, Option<(Severity, String, Vec<Cvss>)>> = HashMap::new();
    for f in findings.iter_mut() {
        let cves: Vec<String> = f
            .ids()
            .filter(|i| i.starts_with("CVE-"))
            .map(str::to_string)
            .collect();
        for cve in &cves {
            if let Some(kev) = db.kev(cve)? {
                f.kev = true;
                f.kev_date_added = kev.date_added.clone();
            }
            if f.epss.is_none()
                && let Some((score, percentile)) = db.epss(cve)?
            {
                f.epss = Some(Epss { score, percentile });
            }
        }
        if f.severity == Severity::Unknown
            && let Some(cve) = cves.first()
        {
            if !borrowed.contains_key(cve) {
                let found = db.search(cve)?.into_iter().find_map(|a| {
                    from_cvss(&a.cvss)
                        .map(|(s, src)| (s, format!("{src} from {}", a.feed), a.cvss.clone()))
                        .or_else(|| {
                            a.severity
                                .as_deref()
                                .and_then(Severity::from_word)
                                .map(|s| (s, a.feed.clone(), Vec::new()))
                        })
                });
                borrowed.insert(cve.clone(), found);
            }
            if let Some(Some((s, source, cvss))) = borrowed.get(cve) {
                f.severity = *s;
                f.severity_source = source.clone();
                for c in cvss {
                    if !f.cvss.contains(c) {
                        f.cvss.push(c.clone());
                    }
                }
            }
        }
    }
    Ok(())
}
