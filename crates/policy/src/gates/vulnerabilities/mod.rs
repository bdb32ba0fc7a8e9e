//! `vulnerabilities`: the findings of the vulnerability scan, and the state of the data behind
//! them.

use customs_matcher::{Finding, Severity};
use customs_vulndb::FixState;

use super::common::{COMPARISONS, compare_f64, fire, fire_with_id};
use crate::spec::{Args, Fire, Gate, Kind, Param, Trigger, param};
use crate::subject::Subject;

const SEVERITIES: &[&str] = &["unknown", "negligible", "low", "medium", "high", "critical"];
const CMP: Kind = Kind::OneOf(COMPARISONS);

const SCORE_PARAMS: [(&str, &str); 6] = [
    ("cvss_v3_base_score", "base"),
    ("cvss_v3_exploitability_score", "exploitability"),
    ("cvss_v3_impact_score", "impact"),
    ("vendor_cvss_v3_base_score", "base"),
    ("vendor_cvss_v3_exploitability_score", "exploitability"),
    ("vendor_cvss_v3_impact_score", "impact"),
];

const PACKAGE_PARAMS: &[Param] = &[
    param(
        "package_type",
        Kind::OneOf(&["all", "os", "non-os"]),
        true,
        "all",
        "Only vulnerabilities in packages of this kind: os (distribution packages), non-os (language packages and binaries) or all.",
    ),
    param(
        "severity_comparison",
        CMP,
        false,
        ">",
        "How a finding's severity compares with `severity` (default >).",
    ),
    param(
        "severity",
        Kind::OneOf(SEVERITIES),
        false,
        "high",
        "The severity to compare with (default unknown).",
    ),
    param(
        "cvss_v3_base_score_comparison",
        CMP,
        false,
        ">=",
        "How the highest CVSS v3 base score compares with `cvss_v3_base_score` (default >=).",
    ),
    param(
        "cvss_v3_base_score",
        Kind::Float,
        false,
        "7.0",
        "A CVSS v3 base score; a finding without one scores -1.",
    ),
    param(
        "cvss_v3_exploitability_score_comparison",
        CMP,
        false,
        ">=",
        "How the highest CVSS v3 exploitability sub-score compares (default >=).",
    ),
    param(
        "cvss_v3_exploitability_score",
        Kind::Float,
        false,
        "3.9",
        "A CVSS v3 exploitability sub-score.",
    ),
    param(
        "cvss_v3_impact_score_comparison",
        CMP,
        false,
        ">=",
        "How the highest CVSS v3 impact sub-score compares (default >=).",
    ),
    param(
        "cvss_v3_impact_score",
        Kind::Float,
        false,
        "5.9",
        "A CVSS v3 impact sub-score.",
    ),
    param(
        "vendor_cvss_v3_base_score_comparison",
        CMP,
        false,
        ">=",
        "As cvss_v3_base_score_comparison, for the vendor's scores (customs keeps one set of CVSS records per finding, so these read the same scores).",
    ),
    param(
        "vendor_cvss_v3_base_score",
        Kind::Float,
        false,
        "7.0",
        "A vendor CVSS v3 base score.",
    ),
    param(
        "vendor_cvss_v3_exploitability_score_comparison",
        CMP,
        false,
        ">=",
        "As above, exploitability.",
    ),
    param(
        "vendor_cvss_v3_exploitability_score",
        Kind::Float,
        false,
        "3.9",
        "A vendor CVSS v3 exploitability sub-score.",
    ),
    param(
        "vendor_cvss_v3_impact_score_comparison",
        CMP,
        false,
        ">=",
        "As above, impact.",
    ),
    param(
        "vendor_cvss_v3_impact_score",
        Kind::Float,
        false,
        "5.9",
        "A vendor CVSS v3 impact sub-score.",
    ),
    param(
        "fix_available",
        Kind::Bool,
        false,
        "true",
        "true: only findings with a published fix; false: only findings without one.",
    ),
    param(
        "vendor_only",
        Kind::Bool,
        false,
        "true",
        "true (default): leave out findings the distribution decided not to fix (won't fix).",
    ),
    param(
        "max_days_since_creation",
        Kind::Int,
        false,
        "30",
        "Only findings whose vulnerability was published at least this many days ago (a finding with no publication date is left out).",
    ),
    param(
        "max_days_since_fix",
        Kind::Int,
        false,
        "30",
        "With fix_available=true: only findings whose fix has been known at least this many days (customs dates a fix by its advisory's publication).",
    ),
    param(
        "epss_percentile_comparison",
        CMP,
        false,
        ">=",
        "How the finding's EPSS percentile compares with `epss_percentile` (default >=). A customs extension.",
    ),
    param(
        "epss_percentile",
        Kind::Float,
        false,
        "0.95",
        "An EPSS percentile between 0 and 1 (FIRST's exploit prediction, relative to all scored CVEs); a finding without an EPSS score scores -1. A customs extension.",
    ),
    param(
        "package_path_exclude",
        Kind::Regex,
        false,
        "^/usr/share/doc/.*",
        "Leave out language packages whose location matches this regular expression.",
    ),
];

pub(crate) const GATE: Gate = Gate {
    name: "vulnerabilities",
    description: "Checks the vulnerabilities found in the image's packages and the state of the vulnerability data.",
    triggers: &[
        Trigger {
            name: "package",
            description: "Fires once per (vulnerability, package) that matches every filter given.",
            params: PACKAGE_PARAMS,
            evaluate: package,
        },
        Trigger {
            name: "stale_feed_data",
            description: "Fires when the vulnerability data is older than max_days_since_sync days (or its age is unknown).",
            params: &[param(
                "max_days_since_sync",
                Kind::Int,
                true,
                "2",
                "The oldest acceptable age of the vulnerability data, in days.",
            )],
            evaluate: stale_feed_data,
        },
        Trigger {
            name: "vulnerability_data_unavailable",
            description: "Fires when there is no vulnerability data for the image's distribution release (or no database at all).",
            params: &[],
            evaluate: data_unavailable,
        },
        Trigger {
            name: "denylist",
            description: "Fires for each listed vulnerability id (or alias) found in the image.",
            params: &[
                param(
                    "vulnerability_ids",
                    Kind::List,
                    true,
                    "CVE-2019-1234,GHSA-xxxx-yyyy-zzzz",
                    "Vulnerability ids, comma-separated.",
                ),
                param(
                    "vendor_only",
                    Kind::Bool,
                    false,
                    "true",
                    "true (default): leave out findings the distribution will not fix.",
                ),
            ],
            evaluate: denylist,
        },
        Trigger {
            name: "kev_list",
            description: "Fires for each finding listed in CISA's Known Exploited Vulnerabilities catalog.",
            params: &[],
            evaluate: kev_list,
        },
    ],
};

pub(crate) fn check_args(trigger: &Trigger, args: &Args) -> Result<(), String> {
    if let Some(p) = args.float("epss_percentile")
        && !(0.0..=1.0).contains(&p)
    {
        return Err(format!("epss_percentile {p} is not between 0 and 1"));
    }
    if trigger.name == "package"
        && args.int("max_days_since_fix").is_some()
        && args.bool("fix_available") != Some(true)
    {
        return Err("max_days_since_fix needs fix_available=true".into());
    }
    Ok(())
}

fn is_os(f: &Finding) -> bool {
    matches!(f.package.package_type.as_str(), "deb" | "apk" | "rpm")
}

/// The package part of a trigger id, as Anchore forms it: the OS package's name, a jar's or
/// gem's file name, an npm package's directory, else name-version.
fn package_key(f: &Finding) -> String {
    let location = f
        .package
        .locations
        .first()
        .map(String::as_str)
        .unwrap_or("");
    let parts: Vec<&str> = location.split('/').filter(|s| !s.is_empty()).collect();
    match f.package.package_type.as_str() {
        "deb" | "apk" | "rpm" => f.package.name.clone(),
        "java" | "gem" if !parts.is_empty() => parts[parts.len() - 1].to_string(),
        "npm" if parts.len() >= 2 => parts[parts.len() - 2].to_string(),
        _ => format!("{}-{}", f.package.name, f.package.version),
    }
}

fn active<'a>(subject: &'a Subject<'_>) -> impl Iterator<Item = &'a Finding> {
    subject
        .vulnerabilities
        .into_iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.suppressed.is_none())
}

fn scores(f: &Finding, which: &str) -> f64 {
    f.cvss
        .iter()
        .filter_map(|c| customs_vulndb::v3_scores(&c.vector))
        .map(|s| match which {
            "exploitability" => s.exploitability,
            "impact" => s.impact,
            _ => s.base,
        })
        .fold(-1.0, f64::max)
}

fn days_since(date: Option<&str>, now: i64) -> Option<i64> {
    let t = customs_sbom::Timestamp::parse_unix(date?)?;
    Some((now - t).div_euclid(86_400))
}

fn message(f: &Finding) -> String {
    let kind = if is_os(f) { "os" } else { "non-os" };
    let fixed = if f.fixed_in.is_empty() {
        "none".to_string()
    } else {
        f.fixed_in.join(", ")
    };
    let score = scores(f, "base");
    let score = if score >= 0.0 {
        format!("(CVSS v3 base score {score:.1})")
    } else {
        String::new()
    };
    format!(
        "{} Vulnerability found in {kind} package type ({}) - {} {} (fixed in: {fixed}){score}({})",
        f.severity.as_str().to_ascii_uppercase(),
        f.package.package_type,
        f.package.name,
        f.package.version,
        f.id
    )
}

fn package(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let wanted_type = args.text("package_type").unwrap_or("all");
    let severity_cmp = args.text("severity_comparison").unwrap_or(">");
    let severity = args
        .text("severity")
        .and_then(|s| s.parse::<Severity>().ok());
    let vendor_only = args.bool("vendor_only").unwrap_or(true);
    for f in active(subject) {
        let os = is_os(f);
        if (wanted_type == "os" && !os) || (wanted_type == "non-os" && os) {
            continue;
        }
        if vendor_only && f.fix_state == FixState::WontFix {
            continue;
        }
        if let Some(s) = severity
            && !super::common::holds(severity_cmp, f.severity.cmp(&s))
        {
            continue;
        }
        let score_miss = SCORE_PARAMS.iter().any(|(name, which)| {
            args.float(name).is_some_and(|wanted| {
                let cmp = args
                    .text(&format!("{name}_comparison"))
                    .unwrap_or(">=")
                    .to_string();
                !compare_f64(scores(f, which), &cmp, wanted)
            })
        });
        if score_miss {
            continue;
        }
        if let Some(wanted) = args.float("epss_percentile") {
            let cmp = args.text("epss_percentile_comparison").unwrap_or(">=");
            let actual = f.epss.as_ref().map_or(-1.0, |e| e.percentile);
            if !compare_f64(actual, cmp, wanted) {
                continue;
            }
        }
        let has_fix = f.fix_state == FixState::Fixed && !f.fixed_in.is_empty();
        if let Some(want_fix) = args.bool("fix_available")
            && want_fix != has_fix
        {
            continue;
        }
        let age = days_since(f.published.as_deref(), subject.now);
        if let Some(days) = args.int("max_days_since_creation")
            && age.is_none_or(|a| a < days)
        {
            continue;
        }
        if let Some(days) = args.int("max_days_since_fix")
            && (!has_fix || age.is_none_or(|a| a < days))
        {
            continue;
        }
        if let Some(exclude) = args.regex("package_path_exclude")
            && !os
            && f.package.locations.iter().any(|l| exclude.is_match(l))
        {
            continue;
        }
        fire_with_id(fires, format!("{}+{}", f.id, package_key(f)), message(f));
    }
}

fn stale_feed_data(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let max = args.int("max_days_since_sync").unwrap_or(0);
    match subject.feeds.as_ref().and_then(|f| f.oldest_sync) {
        Some(t) => {
            let days = (subject.now - t).div_euclid(86_400);
            if days > max {
                fire(
                    fires,
                    format!("The vulnerability data is {days} days old (more than {max})"),
                );
            }
        }
        None => fire(
            fires,
            "The age of the vulnerability data is unknown".to_string(),
        ),
    }
}

fn data_unavailable(_: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let has_os = subject.sbom.packages.iter().any(|p| p.package_type.is_os());
    match &subject.feeds {
        None => fire(fires, "No vulnerability data is available".to_string()),
        Some(feeds) if has_os && !feeds.distro_covered => {
            let distro = subject
                .sbom
                .distro
                .as_ref()
                .map(|d| format!("{} {}", d.id, d.version_id.as_deref().unwrap_or("")))
                .unwrap_or_else(|| "unknown".into());
            fire(
                fires,
                format!(
                    "No vulnerability data is available for the image's distribution ({})",
                    distro.trim()
                ),
            );
        }
        Some(_) => {}
    }
}

fn denylist(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let ids = args.list("vulnerability_ids");
    let vendor_only = args.bool("vendor_only").unwrap_or(true);
    for f in active(subject) {
        if vendor_only && f.fix_state == FixState::WontFix {
            continue;
        }
        if let Some(hit) = ids
            .iter()
            .find(|id| f.ids().any(|i| i.eq_ignore_ascii_case(id)))
        {
            fire_with_id(
                fires,
                format!("{}+{}", f.id, package_key(f)),
                format!(
                    "Denylisted vulnerability {hit} found in {} {} ({})",
                    f.package.name, f.package.version, f.package.package_type
                ),
            );
        }
    }
}

fn kev_list(_: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    for f in active(subject).filter(|f| f.kev) {
        fire_with_id(
            fires,
            format!("{}+{}", f.id, package_key(f)),
            format!(
                "{} in {} {} is in CISA's Known Exploited Vulnerabilities catalog (added {})",
                f.id,
                f.package.name,
                f.package.version,
                f.kev_date_added.as_deref().unwrap_or("-")
            ),
        );
    }
}
