//! The outputs of `customs scan`: table, JSON, SARIF 2.1.0, CycloneDX 1.6 with vulnerabilities,
//! OpenVEX 0.2.0 and JUnit XML. Suppressed findings are in every machine format, marked as such
//! (SARIF `suppressions`, CycloneDX `analysis`, OpenVEX `not_affected`/`fixed`); the table lists
//! them after the active ones only with `--show-suppressed`.

use std::collections::BTreeMap;

use customs_matcher::{Finding, Report, Severity};
use customs_vulndb::FixState;
use serde_json::{Value, json};

/// What every format needs besides the findings.
pub(crate) struct Context<'a> {
    pub(crate) subject: &'a str,
    pub(crate) timestamp: &'a str,
    /// The SBOM's CycloneDX document, when the scan has the SBOM.
    pub(crate) cyclonedx: Option<Value>,
    /// `finding.package.id` → the component's `bom-ref` in that document.
    pub(crate) bom_refs: BTreeMap<String, String>,
    pub(crate) show_suppressed: bool,
    /// The policy verdict, with `--policy`.
    pub(crate) evaluation: Option<&'a customs_policy::Evaluation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanFormat {
    Table,
    Json,
    Sarif,
    CycloneDx,
    OpenVex,
    Junit,
    /// The policy evaluation in Anchore's shape (with `--policy`).
    PolicyJson,
}

impl std::str::FromStr for ScanFormat {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "table" => ScanFormat::Table,
            "json" => ScanFormat::Json,
            "sarif" => ScanFormat::Sarif,
            "cyclonedx" | "cyclonedx-json" => ScanFormat::CycloneDx,
            "openvex" => ScanFormat::OpenVex,
            "junit" => ScanFormat::Junit,
            "policy-json" => ScanFormat::PolicyJson,
            other => anyhow::bail!(
                "unknown output format {other:?} (table, json, sarif, cyclonedx-json, openvex, junit, policy-json)"
            ),
        })
    }
}

impl ScanFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ScanFormat::Table => "table",
            ScanFormat::Json => "json",
            ScanFormat::Sarif => "sarif",
            ScanFormat::CycloneDx => "cyclonedx-json",
            ScanFormat::OpenVex => "openvex",
            ScanFormat::Junit => "junit",
            ScanFormat::PolicyJson => "policy-json",
        }
    }
}

pub(crate) fn render(format: ScanFormat, report: &Report, cx: &Context<'_>) -> String {
    match format {
        ScanFormat::Table => match cx.evaluation {
            Some(e) => format!("{}\n{}", table(report, cx), crate::policy::table(e)),
            None => table(report, cx),
        },
        ScanFormat::PolicyJson => pretty(
            &serde_json::to_value(cx.evaluation.expect("checked before rendering"))
                .expect("evaluations serialise"),
        ),
        ScanFormat::Json => pretty(&json(report, cx)),
        ScanFormat::Sarif => pretty(&sarif(report, cx)),
        ScanFormat::CycloneDx => pretty(&cyclonedx(report, cx)),
        ScanFormat::OpenVex => pretty(&openvex(report, cx)),
        ScanFormat::Junit => junit(report, cx),
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values serialise");
    s.push('\n');
    s
}

fn fix_text(f: &Finding) -> String {
    match f.fix_state {
        FixState::Fixed => f.fixed_in.join(", "),
        FixState::NotFixed => "not fixed".into(),
        FixState::WontFix => "won't fix".into(),
        FixState::NotAffected => "not affected".into(),
        FixState::Unknown => "unknown".into(),
    }
}

fn table(report: &Report, cx: &Context<'_>) -> String {
    let rows: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| cx.show_suppressed || f.suppressed.is_none())
        .collect();
    let header = [
        "NAME",
        "INSTALLED",
        "FIXED IN",
        "TYPE",
        "VULNERABILITY",
        "SEVERITY",
        "EPSS",
        "KEV",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|f| {
            [
                f.package.name.clone(),
                f.package.version.clone(),
                fix_text(f),
                f.package.package_type.clone(),
                f.id.clone(),
                match &f.suppressed {
                    Some(s) => format!("{} (suppressed: {})", f.severity, s.by),
                    None => f.severity.to_string(),
                },
                f.epss
                    .as_ref()
                    .map(|e| format!("{:.1}%", e.score * 100.0))
                    .unwrap_or_else(|| "-".into()),
                if f.kev { "yes".into() } else { String::new() },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: &[String]| {
        let text: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
    };
    line(&mut out, &header.map(str::to_string));
    for row in &cells {
        line(&mut out, row);
    }
    let active: Vec<&Finding> = report.active().collect();
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in &active {
        *by_severity.entry(f.severity).or_default() += 1;
    }
    let counts: Vec<String> = by_severity
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let suppressed = report.findings.len() - active.len();
    out.push_str(&format!(
        "\n{} vulnerabilities in {} packages of {}{}{}\n",
        active.len(),
        report.packages,
        cx.subject,
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        if suppressed > 0 {
            format!(
                "; {suppressed} suppressed{}",
                if cx.show_suppressed {
                    ""
                } else {
                    " (--show-suppressed lists them)"
                }
            )
        } else {
            String::new()
        }
    ));
    out
}

fn json(report: &Report, cx: &Context<'_>) -> Value {
    json!({
        "schema": "customs.scan/v1",
        "subject": cx.subject,
        "created": cx.timestamp,
        "packages": report.packages,
        "findings": report.findings,
        "unmatched": report.unmatched.iter().map(|(p, why)| json!({"purl": p, "reason": why})).collect::<Vec<_>>(),
        "unreadable_ranges": report.unreadable,
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        _ => "note",
    }
}

/// The CVSS-like number GitHub code scanning reads from `security-severity`.
fn security_severity(f: &Finding) -> String {
    let best = f
        .cvss
        .iter()
        .filter_map(|c| c.score)
        .fold(None, |acc: Option<f64>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    let score = best.unwrap_or(match f.severity {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        _ => 0.0,
    });
    format!("{score:.1}")
}

fn sarif(report: &Report, cx: &Context<'_>) -> Value {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for f in &report.findings {
        let rule_id = format!("{}-{}", f.id, f.package.name);
        rules.entry(rule_id.clone()).or_insert_with(|| {
            json!({
                "id": rule_id,
                "name": "PackageVulnerability",
                "shortDescription": {"text": format!("{} in {} {}", f.id, f.package.name, f.package.version)},
                "fullDescription": {"text": f.summary.clone().unwrap_or_else(|| f.id.clone())},
                "helpUri": help_uri(&f.id),
                "help": {
                    "text": format!("{} ({}) in {} {}; fixed in: {}", f.id, f.severity, f.package.name, f.package.version, fix_text(f)),
                    "markdown": format!("**{}** ({}) in `{}` `{}`\n\nFixed in: {}", f.id, f.severity, f.package.name, f.package.version, fix_text(f)),
                },
                "properties": {
                    "security-severity": security_severity(f),
                    "tags": ["security", "vulnerability", f.package.package_type.clone()],
                },
            })
        });
        let path = f
            .package
            .locations
            .first()
            .map(|p| p.trim_start_matches('/').to_string())
            .unwrap_or_else(|| cx.subject.to_string());
        let mut result = json!({
            "ruleId": rule_id,
            "level": sarif_level(f.severity),
            "message": {"text": format!(
                "{} {} is affected by {} ({}); fixed in: {}",
                f.package.name, f.package.version, f.id, f.severity, fix_text(f)
            )},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": path},
                },
                "logicalLocations": [{"name": f.package.purl.clone(), "kind": "package"}],
            }],
            "partialFingerprints": {"customs/v1": format!("{}|{}", f.id, f.package.purl)},
        });
        if let Some(s) = &f.suppressed {
            result["suppressions"] = json!([{
                "kind": "external",
                "justification": format!("{}: {}", s.by, s.reason),
            }]);
        }
        results.push(result);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "customs",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/customs",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }]
    })
}

fn help_uri(id: &str) -> String {
    if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{id}")
    } else if id.starts_with("GHSA-") {
        format!("https://github.com/advisories/{id}")
    } else {
        format!("https://osv.dev/vulnerability/{id}")
    }
}

fn cdx_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Negligible => "info",
        Severity::Unknown => "unknown",
    }
}

fn cyclonedx(report: &Report, cx: &Context<'_>) -> Value {
    let mut doc = cx.cyclonedx.clone().unwrap_or_else(|| {
        // Another tool's SBOM: the matched packages become the components.
        let mut seen = std::collections::BTreeSet::new();
        let components: Vec<Value> = report
            .findings
            .iter()
            .filter(|f| seen.insert(f.package.id.clone()))
            .map(|f| {
                json!({
                    "bom-ref": f.package.id,
                    "type": "library",
                    "name": f.package.name,
                    "version": f.package.version,
                    "purl": f.package.purl,
                })
            })
            .collect();
        json!({
            "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "metadata": {"timestamp": cx.timestamp, "component": {"type": "file", "name": cx.subject, "bom-ref": "subject"}},
            "components": components,
        })
    });
    // One vulnerability entry per id, affecting every package it was found in.
    let mut by_id: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_id.entry(f.id.as_str()).or_default().push(f);
    }
    let vulnerabilities: Vec<Value> = by_id
        .into_iter()
        .map(|(id, fs)| {
            let first = fs[0];
            let mut ratings: Vec<Value> = first
                .cvss
                .iter()
                .filter_map(|c| {
                    let method = match c.kind.as_str() {
                        "CVSS_V2" => "CVSSv2",
                        "CVSS_V3" if c.vector.starts_with("CVSS:3.0") => "CVSSv3",
                        "CVSS_V3" => "CVSSv31",
                        "CVSS_V4" => "CVSSv4",
                        _ => return None,
                    };
                    let mut r = json!({"method": method, "source": {"name": first.matches[0].feed}});
                    if let Some(s) = c.score {
                        r["score"] = json!(s);
                        r["severity"] = json!(cdx_severity(Severity::from_score(s)));
                    }
                    if !c.vector.is_empty() {
                        r["vector"] = json!(c.vector);
                    }
                    Some(r)
                })
                .collect();
            ratings.push(json!({"severity": cdx_severity(first.severity), "method": "other", "source": {"name": "customs"}, "justification": first.severity_source}));
            let mut v = json!({
                "bom-ref": format!("vulnerability:{id}"),
                "id": id,
                "source": {"name": first.matches[0].feed, "url": help_uri(id)},
                "ratings": ratings,
                "affects": fs.iter().map(|f| json!({
                    "ref": cx.bom_refs.get(&f.package.id).cloned().unwrap_or_else(|| f.package.id.clone()),
                    "versions": [{"version": f.package.version, "status": "affected"}],
                })).collect::<Vec<_>>(),
            });
            if !first.aliases.is_empty() {
                v["references"] = json!(first.aliases.iter().map(|a| json!({"id": a, "source": {"url": help_uri(a)}})).collect::<Vec<_>>());
            }
            if let Some(s) = &first.summary {
                v["description"] = json!(s);
            }
            let fixes: Vec<&String> = fs.iter().flat_map(|f| &f.fixed_in).collect();
            if !fixes.is_empty() {
                v["recommendation"] = json!(format!("Upgrade to {}", fixes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ")));
            }
            if let Some(s) = fs.iter().find_map(|f| f.suppressed.as_ref()) {
                v["analysis"] = json!({
                    "state": if s.by == "vex" && s.reason.starts_with("fixed") { "resolved" } else { "not_affected" },
                    "detail": format!("{}: {}", s.by, s.reason),
                });
            }
            v
        })
        .collect();
    doc["vulnerabilities"] = json!(vulnerabilities);
    doc
}

fn openvex(report: &Report, cx: &Context<'_>) -> Value {
    let statements: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut s = json!({
                "vulnerability": {"name": f.id, "aliases": f.aliases},
                "products": [{"@id": f.package.purl}],
                "timestamp": cx.timestamp,
            });
            match &f.suppressed {
                Some(sup) => {
                    let fixed = sup.by == "vex" && sup.reason.starts_with("fixed")
                        || (sup.by == "distribution" && sup.reason.contains(" fixed "));
                    if fixed {
                        s["status"] = json!("fixed");
                    } else {
                        s["status"] = json!("not_affected");
                        s["justification"] = json!("inline_mitigations_already_exist");
                    }
                    s["status_notes"] = json!(format!("{}: {}", sup.by, sup.reason));
                }
                None => {
                    s["status"] = json!("affected");
                    s["action_statement"] = json!(match f.fix_state {
                        FixState::Fixed =>
                            format!("Upgrade {} to {}", f.package.name, f.fixed_in.join(" or ")),
                        _ => "No fix is published yet; assess and mitigate".to_string(),
                    });
                }
            }
            s
        })
        .collect();
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("https://openvex.dev/docs/customs/{}", customs_id(cx)),
        "author": "customs",
        "timestamp": cx.timestamp,
        "version": 1,
        "statements": statements,
    })
}

fn customs_id(cx: &Context<'_>) -> String {
    // A stable id from the subject and the time.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in cx.subject.bytes().chain(cx.timestamp.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn junit(report: &Report, cx: &Context<'_>) -> String {
    let active = report.active().count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"customs scan\" tests=\"{}\" failures=\"{active}\">\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{active}\" skipped=\"{}\" timestamp=\"{}\">\n",
        report.findings.len().max(1),
        xml_escape(cx.subject),
        report.findings.len().max(1),
        report.findings.len() - active,
        xml_escape(cx.timestamp)
    ));
    if report.findings.is_empty() {
        out.push_str(
            "    <testcase classname=\"vulnerabilities\" name=\"no known vulnerabilities\"/>\n",
        );
    }
    for f in &report.findings {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{} {} {}\">\n",
            xml_escape(&f.package.purl),
            xml_escape(&f.id),
            xml_escape(&f.package.name),
            xml_escape(&f.package.version)
        ));
        match &f.suppressed {
            Some(s) => out.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                xml_escape(&format!("{}: {}", s.by, s.reason))
            )),
            None => out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                f.severity,
                xml_escape(&format!(
                    "{} ({}) fixed in: {}",
                    f.id,
                    f.severity,
                    fix_text(f)
                )),
                xml_escape(f.summary.as_deref().unwrap_or_default())
            )),
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
