//! `customs scan` on the shared images against a database built from the shared feeds: the
//! vulnerabilities each image must show (by id), why each reported one is right, the gate's exit
//! codes, filters, SBOM input, and the SARIF and CycloneDX outputs checked against their schemas.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

fn db() -> &'static Path {
    shared_db()
}

fn image(name: &str) -> String {
    shared_image(name)
}

fn scan(source: &str, extra: &[&str]) -> std::process::Output {
    run(customs()
        .args(["scan", source, "-q", "--db"])
        .arg(db())
        .args(extra))
}

fn scan_json(source: &str, extra: &[&str]) -> Value {
    let mut args = vec!["-o", "json"];
    args.extend_from_slice(extra);
    let out = scan(source, &args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Active (not suppressed) finding ids per `name@version`.
fn active(report: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        if f["suppressed"].is_null() {
            let key = format!(
                "{}@{}",
                f["package"]["name"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap()
            );
            out.entry(key)
                .or_default()
                .insert(f["id"].as_str().unwrap().to_string());
        }
    }
    out
}

fn lang() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| scan_json(&image("lang"), &[]))
}

#[test]
fn lang_reports_the_advisories_of_its_packages() {
    let found = active(lang());
    let must = |package: &str, ids: &[&str]| {
        let got = found
            .get(package)
            .unwrap_or_else(|| panic!("no findings for {package}: {:?}", found.keys()));
        for id in ids {
            assert!(got.contains(*id), "{package}: {id} missing from {got:?}");
        }
    };
    // PyPI (the PyPA advisory database, reached by PEP 503 names).
    must(
        "Django@2.2",
        &[
            "CVE-2019-12308",
            "CVE-2019-14234",
            "CVE-2021-44420",
            "CVE-2022-28346",
        ],
    );
    must("requests@2.19.1", &["CVE-2018-18074", "CVE-2023-32681"]);
    must("urllib3@1.23", &["CVE-2019-11236", "CVE-2020-26137"]);
    must("urllib3@1.24.1", &["CVE-2019-11324", "CVE-2023-43804"]);
    must("Jinja2@2.10", &["CVE-2019-10906", "CVE-2024-22195"]);
    must("setuptools@65.5.0", &["CVE-2022-40897", "CVE-2024-6345"]);
    must("pip@21.0", &["CVE-2021-3572", "CVE-2023-5752"]);
    // npm (GitHub advisories).
    must(
        "lodash@4.17.15",
        &["CVE-2020-8203", "CVE-2021-23337", "CVE-2020-28500"],
    );
    must("minimist@1.2.0", &["CVE-2020-7598", "CVE-2021-44906"]);
    must("express@4.16.0", &["CVE-2024-29041", "CVE-2024-43796"]);
    must("qs@6.5.1", &["CVE-2022-24999"]);
    must("body-parser@1.18.2", &["CVE-2024-45590"]);
    must("path-to-regexp@0.1.7", &["CVE-2024-45296"]);
    // The Go standard library of the registry binary (go1.19.8), by the Go vulnerability database.
    must(
        "stdlib@go1.19.8",
        &[
            "CVE-2023-24539",
            "CVE-2023-29400",
            "CVE-2023-39325",
            "CVE-2023-45288",
        ],
    );
    // RustSec, through cargo-auditable data.
    must("regex@1.5.4", &["CVE-2022-24713"]);
    must("smallvec@1.6.0", &["CVE-2021-25900"]);
    must("time@0.1.45", &["CVE-2020-26235"]);
    must("chrono@0.4.19", &["RUSTSEC-2020-0159"]);
    // Maven: snakeyaml 1.33 by org.yaml:snakeyaml.
    must("snakeyaml@1.33", &["CVE-2022-1471"]);
    // Debian, by source package, where bookworm's fix is newer than the installed version.
    must("libssl3@3.0.20-1~deb12u2", &["CVE-2026-35189"]);
    must("zlib1g@1:1.2.13.dfsg-1", &["CVE-2026-85091"]);
    must("python3.11@3.11.2-6+deb12u8", &["CVE-2026-18503"]);
    // PyYAML was uninstalled by the last layer: only all-layers shows it.
    assert!(!found.keys().any(|k| k.starts_with("PyYAML@")));
    let all = active(&scan_json(&image("lang"), &["--scope", "all-layers"]));
    assert!(
        all.get("PyYAML@5.3")
            .is_some_and(|ids| ids.contains("CVE-2020-14343")),
        "{:?}",
        all.get("PyYAML@5.3")
    );
}

#[test]
fn log4j_from_debian_is_judged_by_debian() {
    // Debian's liblog4j1.2-java 1.2.17-11 owns the jar and carries Debian's fixes for the
    // log4j 1.2 CVEs (the tracker lists them fixed in 1.2.17-9 and -11): the Maven advisories are
    // shown suppressed, with the reason, not counted.
    let findings = lang()["findings"].as_array().unwrap();
    let log4j: Vec<&Value> = findings
        .iter()
        .filter(|f| f["package"]["name"] == "log4j")
        .collect();
    let ids: BTreeSet<&str> = log4j.iter().map(|f| f["id"].as_str().unwrap()).collect();
    for id in [
        "CVE-2019-17571",
        "CVE-2021-4104",
        "CVE-2022-23302",
        "CVE-2022-23305",
        "CVE-2022-23307",
    ] {
        assert!(ids.contains(id), "{id} missing: {ids:?}");
    }
    for f in log4j {
        assert_eq!(f["suppressed"]["by"], "distribution", "{f}");
        let reason = f["suppressed"]["reason"].as_str().unwrap();
        assert!(reason.contains("liblog4j1.2-java 1.2.17-11"), "{reason}");
        assert!(
            f["matches"][0]["searched"]
                .as_str()
                .unwrap()
                .starts_with("Maven / log4j:log4j @ 1.2.17")
        );
    }
}

/// Why each finding is not a name collision: the key searched is the package's own identity in
/// the ecosystem its type belongs to, and the installed version sits in the span that matched.
#[test]
fn every_finding_is_reached_through_the_packages_own_identity() {
    let findings = lang()["findings"].as_array().unwrap();
    assert!(findings.len() > 100);
    let pep503 = |s: &str| {
        let mut out = String::new();
        for part in s
            .to_lowercase()
            .split(['-', '_', '.'])
            .filter(|p| !p.is_empty())
        {
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(part);
        }
        out
    };
    for f in findings {
        let p = &f["package"];
        let name = p["name"].as_str().unwrap();
        let version = p["version"].as_str().unwrap();
        let purl = p["purl"].as_str().unwrap();
        for m in f["matches"].as_array().unwrap() {
            let searched = m["searched"].as_str().unwrap();
            let (key, via) = searched.split_once(" (").unwrap();
            let expected_key = match p["type"].as_str().unwrap() {
                "python" => format!("PyPI / {} @ {version}", pep503(name)),
                "npm" => format!("npm / {name} @ {version}"),
                "rust-crate" => format!("crates.io / {name} @ {version}"),
                "java" => {
                    let group = purl
                        .trim_start_matches("pkg:maven/")
                        .split('/')
                        .next()
                        .unwrap();
                    format!("Maven / {group}:{name} @ {version}")
                }
                "go-module" => format!("Go / stdlib @ {}", version.trim_start_matches("go")),
                "deb" => {
                    // By source package, in the source version (the purl's upstream qualifier).
                    let upstream = purl
                        .split("upstream=")
                        .nth(1)
                        .map(|u| u.replace("%40", "@").replace("%2B", "+"));
                    match upstream {
                        Some(u) if u.contains('@') => {
                            let (n, v) = u.split_once('@').unwrap();
                            format!("debian:12 / {n} @ {v}")
                        }
                        Some(n) => format!("debian:12 / {n} @ {version}"),
                        None => format!("debian:12 / {name} @ {version}"),
                    }
                }
                other => panic!("unexpected package type {other}"),
            };
            assert_eq!(key, expected_key, "{} via {via}", f["id"]);
            assert!(!m["constraint"].as_str().unwrap().is_empty());
        }
        // The fix, when there is one, is a version after the installed one (checked by the
        // ecosystem's rules in the version crate's differential tests).
        if f["fix_state"] == "fixed" {
            assert!(!f["fixed_in"].as_array().unwrap().is_empty(), "{f}");
        }
    }
}

#[test]
fn alpine_3_12_reports_what_its_secdb_fixed_after_the_installed_versions() {
    // Independent expectation: every (package or origin, fixed version, CVE) of the v3.12 secdb
    // whose fixed version is newer than the installed one, by apk's rules.
    let sbom = sbom_json(&image("alpine-3.12"), &[]);
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for repo in ["main", "community"] {
        let path = shared().join(format!("feeds/alpine-secdb/v3.12/{repo}.json"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let secdb: Value = serde_json::from_str(&text).unwrap();
        for entry in secdb["packages"].as_array().unwrap() {
            let pkg = entry["pkg"]["name"].as_str().unwrap();
            for p in sbom["packages"].as_array().unwrap() {
                if p["type"] != "apk" {
                    continue;
                }
                let origin = p["source_name"]
                    .as_str()
                    .unwrap_or(p["name"].as_str().unwrap());
                if p["name"] != pkg && origin != pkg {
                    continue;
                }
                let installed = p["version"].as_str().unwrap();
                for (fixed, ids) in entry["pkg"]["secfixes"].as_object().unwrap() {
                    if fixed != "0"
                        && customs_version::compare(customs_version::Scheme::Apk, installed, fixed)
                            .unwrap()
                            .is_lt()
                    {
                        for id in ids.as_array().unwrap() {
                            let id = id.as_str().unwrap().split_whitespace().next().unwrap();
                            expected
                                .insert((p["name"].as_str().unwrap().to_string(), id.to_string()));
                        }
                    }
                }
            }
        }
    }
    assert!(
        expected.contains(&("zlib".to_string(), "CVE-2022-37434".to_string())),
        "{expected:?}"
    );
    let report = scan_json(&image("alpine-3.12"), &[]);
    let got: BTreeSet<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let zlib = &report["findings"][0];
    assert_eq!(zlib["fixed_in"][0], "1.2.12-r2");
    assert!(
        zlib["matches"][0]["searched"]
            .as_str()
            .unwrap()
            .starts_with("alpine:3.12 / zlib @ 1.2.12-r0")
    );
}

#[test]
fn the_gate_sets_the_exit_code() {
    let lang = image("lang");
    // lang has critical findings (minimist CVE-2021-44906, smallvec CVE-2021-25900).
    let out = scan(&lang, &["--fail-on", "critical", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("gate failed"), "{}", stderr(&out));
    // The output is still written in full when the gate fails.
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
    // Alpine 3.12's one finding has no severity in these feeds: nothing at or above low.
    assert_eq!(
        scan(&image("alpine-3.12"), &["--fail-on", "low"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(scan(&image("alpine-3.12"), &[]).status.code(), Some(0));
    // An ignore rule that covers the critical findings opens the gate again.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("customs.yaml");
    std::fs::write(
        &config,
        "ignore:\n  - vulnerability: CVE-2021-44906\n    reason: minimist only parses our own arguments\n    expires: 2099-01-01\n  - package: {name: smallvec, type: rust-crate}\n    reason: accepted\n",
    )
    .unwrap();
    let out = scan(
        &lang,
        &[
            "--fail-on",
            "critical",
            "--config",
            config.to_str().unwrap(),
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let minimist = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2021-44906")
        .unwrap();
    assert_eq!(
        minimist["suppressed"]["reason"],
        "minimist only parses our own arguments"
    );
    // An expired rule does not apply.
    std::fs::write(
        &config,
        "ignore:\n  - vulnerability: CVE-2021-44906\n    expires: 2020-01-01\n  - package: {name: smallvec}\n",
    )
    .unwrap();
    assert_eq!(
        scan(
            &lang,
            &[
                "--fail-on",
                "critical",
                "--config",
                config.to_str().unwrap()
            ]
        )
        .status
        .code(),
        Some(1)
    );
    // A bad configuration is an error, not an open gate.
    std::fs::write(&config, "ignore:\n  - packag: {name: Django}\n").unwrap();
    let out = scan(&lang, &["--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("customs.yaml"), "{}", stderr(&out));
}

#[test]
fn kev_and_only_fixed_and_vex() {
    let lang_image = image("lang");
    let report = lang();
    let kev: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kev"] == true && f["suppressed"].is_null())
        .collect();
    let out = scan(&lang_image, &["--fail-on-kev"]);
    assert_eq!(
        out.status.code(),
        Some(if kev.is_empty() { 0 } else { 1 }),
        "{}",
        stderr(&out)
    );
    // Risk order: KEV findings first.
    if let Some(first) = report["findings"].as_array().unwrap().first() {
        assert_eq!(first["kev"], !kev.is_empty());
    }
    // --only-fixed: nothing without a fix counts.
    let only = scan_json(&lang_image, &["--only-fixed"]);
    for f in only["findings"].as_array().unwrap() {
        if f["suppressed"].is_null() {
            assert_eq!(f["fix_state"], "fixed", "{f}");
        }
    }
    // OpenVEX: not_affected suppresses, with the justification shown.
    let dir = tempfile::tempdir().unwrap();
    let vex = dir.path().join("app.openvex.json");
    std::fs::write(
        &vex,
        r#"{
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/1",
      "author": "app team",
      "timestamp": "2026-11-01T00:00:00Z",
      "version": 1,
      "statements": [{
        "vulnerability": {"name": "CVE-2021-44906"},
        "products": [{"@id": "pkg:npm/minimist@1.2.0"}],
        "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path"
      }]
    }"#,
    )
    .unwrap();
    let report = scan_json(&lang_image, &["--vex", vex.to_str().unwrap()]);
    let minimist = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2021-44906")
        .unwrap();
    assert_eq!(minimist["suppressed"]["by"], "vex");
    assert!(
        minimist["suppressed"]["reason"]
            .as_str()
            .unwrap()
            .contains("vulnerable_code_not_in_execute_path")
    );
    let other = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2020-7598")
        .unwrap();
    assert!(other["suppressed"].is_null());
    std::fs::write(&vex, "{not json").unwrap();
    assert_eq!(
        scan(&lang_image, &["--vex", vex.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_missing_or_stale_database_is_said_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let out = run(customs()
        .args(["scan", &image("alpine-3.12"), "-q", "--db"])
        .arg(&missing));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no vulnerability database"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("db build"), "{}", stderr(&out));
    // A database built ten days before "now" fails --db-max-age 7.
    let old = dir.path().join("old.db");
    let mirror = dir.path().join("mirror/osv/npm");
    std::fs::create_dir_all(&mirror).unwrap();
    std::fs::copy(
        shared().join("feeds/osv/npm/all.zip"),
        mirror.join("all.zip"),
    )
    .unwrap();
    let built = run(customs()
        .env("SOURCE_DATE_EPOCH", (1796318772 - 10 * 86400).to_string())
        .args(["db", "build", "--from"])
        .arg(dir.path().join("mirror"))
        .arg("--db")
        .arg(&old));
    assert!(built.status.success(), "{}", stderr(&built));
    let out = run(customs()
        .args([
            "scan",
            &image("alpine-3.12"),
            "-q",
            "--db-max-age",
            "7",
            "--db",
        ])
        .arg(&old));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("built 10 days ago"),
        "{}",
        stderr(&out)
    );
    let out = run(customs()
        .args([
            "scan",
            &image("alpine-3.12"),
            "-q",
            "--db-max-age",
            "30",
            "--db",
        ])
        .arg(&old));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn an_sbom_scans_like_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = dir.path().join("lang.cdx.json");
    let spdx = dir.path().join("lang.spdx.json");
    let out = run(customs()
        .args(["sbom", &image("lang"), "-q", "-o"])
        .arg(format!("cyclonedx-json={}", cdx.display()))
        .arg("-o")
        .arg(format!("spdx-json={}", spdx.display())));
    assert!(out.status.success());
    let from_image: BTreeSet<String> = active(lang())
        .into_iter()
        .flat_map(|(k, ids)| ids.into_iter().map(move |i| format!("{k} {i}")))
        .collect();
    for document in [&cdx, &spdx] {
        let report = scan_json(&format!("sbom:{}", document.display()), &[]);
        let from_sbom: BTreeSet<String> = active(&report)
            .into_iter()
            .flat_map(|(k, ids)| ids.into_iter().map(move |i| format!("{k} {i}")))
            .collect();
        // Another format loses the ownership links (log4j then counts), nothing else.
        let missing: Vec<_> = from_image.difference(&from_sbom).collect();
        assert!(missing.is_empty(), "{}: {missing:?}", document.display());
        let extra: Vec<_> = from_sbom
            .difference(&from_image)
            .filter(|e| !e.starts_with("log4j@"))
            .collect();
        assert!(extra.is_empty(), "{}: {extra:?}", document.display());
    }
    // Not an SBOM: a clear error.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"hello": 1}"#).unwrap();
    let out = scan(&format!("sbom:{}", bad.display()), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not an SBOM customs reads"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn explain_prints_how_a_finding_was_reached() {
    // By the GHSA id: the finding carries the CVE id, and the GHSA as an alias.
    let out = scan(&image("lang"), &["--explain", "GHSA-35jh-r3h4-6jhm"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CVE-2021-23337 in lodash 4.17.15"), "{text}");
    assert!(
        text.contains("searched npm / lodash @ 4.17.15 (name)"),
        "{text}"
    );
    assert!(
        text.contains("hit GHSA-35jh-r3h4-6jhm (osv:npm), affected range <4.17.21"),
        "{text}"
    );
    let out = scan(&image("alpine-3.12"), &["--explain", "CVE-2021-44228"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("not found"));
}

fn python_has(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python module {module} is required in CI"
        );
        eprintln!("skipping: python module {module} is not installed");
    }
    ok
}

fn sarif_schema() -> Option<PathBuf> {
    // The SARIF 2.1.0 schema as Microsoft's @microsoft/jest-sarif package ships it (.ci/run
    // fetches it into the oracle cache).
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache"));
    let path = cache.join("customs-oracles/sarif-2.1.0-rtm.5.json");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the SARIF schema is required in CI"
    );
    eprintln!("skipping: no SARIF schema at {}", path.display());
    None
}

#[test]
fn sarif_and_cyclonedx_validate_against_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("scan.sarif");
    let cdx = dir.path().join("scan.cdx.json");
    let junit = dir.path().join("scan.junit.xml");
    let vex = dir.path().join("scan.openvex.json");
    let out = scan(
        &image("lang"),
        &[
            "-o",
            &format!("sarif={}", sarif.display()),
            "-o",
            &format!("cyclonedx-json={}", cdx.display()),
            "-o",
            &format!("junit={}", junit.display()),
            "-o",
            &format!("openvex={}", vex.display()),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    if let Some(schema) = sarif_schema() {
        let check = Command::new("python3")
            .args(["-c", "import json,sys,jsonschema; s=json.load(open(sys.argv[1])); jsonschema.validators.validator_for(s)(s).validate(json.load(open(sys.argv[2])))"])
            .arg(&schema)
            .arg(&sarif)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    if python_has("cyclonedx") {
        let check = Command::new("python3")
            .args(["-c", "import sys\nfrom cyclonedx.schema import SchemaVersion\nfrom cyclonedx.validation.json import JsonStrictValidator\ne = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\nif e:\n    print(e); sys.exit(1)"])
            .arg(&cdx)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    // Each vulnerability names the components it affects by their bom-ref.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&cdx).unwrap()).unwrap();
    let refs: BTreeSet<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    assert!(vulns.iter().any(|v| v["id"] == "CVE-2022-1471"));
    for v in vulns {
        for a in v["affects"].as_array().unwrap() {
            assert!(refs.contains(a["ref"].as_str().unwrap()), "{}", a["ref"]);
        }
    }
    let sarif_doc: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        sarif_doc["runs"][0]["results"].as_array().unwrap().len(),
        lang()["findings"].as_array().unwrap().len()
    );
    let junit_text = std::fs::read_to_string(&junit).unwrap();
    assert!(junit_text.contains("<failure type=\"critical\""));
    assert!(junit_text.contains("<skipped message=\"distribution:"));
    let openvex: Value = serde_json::from_str(&std::fs::read_to_string(&vex).unwrap()).unwrap();
    assert!(
        openvex["statements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["status"] == "affected")
    );
}
