//! `customs policy` and `customs scan --policy`: Anchore's v1 and v2 documents evaluated as its
//! rules say (mappings, allowlists, image allow/deny lists, final actions), the gates on real
//! and small built images, the compliance packs, bad documents, and the exit codes.

mod common;

use std::path::Path;

use common::image_builder::{Item, build};
use common::*;
use serde_json::{Value, json};

fn evaluate(source: &str, policy: &str, extra: &[&str]) -> (Option<i32>, Value, String) {
    let out = run(customs()
        .args([
            "policy", "evaluate", source, "--policy", policy, "-o", "json", "-q", "--db",
        ])
        .arg(shared_db())
        .args(extra));
    let err = stderr(&out);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "policy evaluate {source} --policy {policy}: {err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("the evaluation is JSON");
    (out.status.code(), v, err)
}

fn write_policy(name: &str, doc: &Value) -> String {
    let path = scratch().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path.display().to_string()
}

fn entry(v: &Value) -> &Value {
    &v["evaluations"][0]
}

fn findings(v: &Value) -> &Vec<Value> {
    entry(v)["details"]["findings"].as_array().unwrap()
}

/// (rule id, trigger id, action) of every finding.
fn fired(v: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = findings(v)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["trigger_id"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn rules_fired(v: &Value) -> Vec<String> {
    let mut r: Vec<String> = fired(v).into_iter().map(|(rule, _, _)| rule).collect();
    r.dedup();
    r
}

/// An Alpine 3.12 image as a careless Dockerfile makes it: root, SSH exposed, no health check,
/// a vulnerable zlib and an npm lodash with a medium and a high vulnerability.
fn careless_image() -> String {
    let dir = scratch().join("careless");
    if dir.join("index.json").exists() {
        return format!("oci-dir:{}:test", dir.display());
    }
    let lodash = br#"{"name": "lodash", "version": "4.17.15", "license": "MIT"}"#;
    build(
        &dir,
        &[vec![
            Item::File("etc/os-release", 0o644, b"ID=alpine\nVERSION_ID=3.12.12\n"),
            Item::File(
                "lib/apk/db/installed",
                0o644,
                b"P:zlib\nV:1.2.12-r0\nA:x86_64\no:zlib\nL:Zlib\n\n",
            ),
            Item::File(
                "etc/passwd",
                0o644,
                b"root:x:0:0:root:/root:/bin/ash\nsshd:x:22:22:sshd:/dev/null:/sbin/nologin\n",
            ),
            Item::File("app/node_modules/lodash/package.json", 0o644, lodash),
            Item::File("usr/bin/helper", 0o4755, b"#!/bin/sh\n"),
        ]],
        json!({"ExposedPorts": {"22/tcp": {}, "8080/tcp": {}}, "Cmd": ["/bin/sh"]}),
        &[
            "/bin/sh -c #(nop) ADD file:0123 in / ",
            "RUN /bin/sh -c apk update # buildkit",
            "/bin/sh -c #(nop)  EXPOSE 22 8080",
        ],
    )
}

/// Anchore's default v1 bundle, as the reference describes it.
fn default_v1_bundle(whitelist_items: Value, whitelisted: Value, blacklisted: Value) -> Value {
    json!({
        "id": "bundle-1", "version": "1_0", "name": "Default bundle", "comment": "as shipped",
        "policies": [{
            "id": "policy-1", "name": "Default", "version": "1_0", "comment": "",
            "rules": [
                {"id": "r-ports", "gate": "dockerfile", "trigger": "exposed_ports", "action": "STOP",
                 "params": [{"name": "ports", "value": "22"}, {"name": "type", "value": "blacklist"}]},
                {"id": "r-health", "gate": "dockerfile", "trigger": "instruction", "action": "WARN",
                 "params": [{"name": "instruction", "value": "HEALTHCHECK"}, {"name": "check", "value": "not_exists"}]},
                {"id": "r-stale", "gate": "vulnerabilities", "trigger": "stale_feed_data", "action": "WARN",
                 "params": [{"name": "max_days_since_sync", "value": "2"}]},
                {"id": "r-unavailable", "gate": "vulnerabilities", "trigger": "vulnerability_data_unavailable", "action": "WARN", "params": []},
                {"id": "r-medium", "gate": "vulnerabilities", "trigger": "package", "action": "WARN",
                 "params": [{"name": "package_type", "value": "all"}, {"name": "severity_comparison", "value": "="}, {"name": "severity", "value": "medium"}]},
                {"id": "r-high", "gate": "vulnerabilities", "trigger": "package", "action": "STOP",
                 "params": [{"name": "package_type", "value": "all"}, {"name": "severity_comparison", "value": ">"}, {"name": "severity", "value": "medium"}]}
            ]
        }],
        "whitelists": [{"id": "wl-1", "name": "Exceptions", "version": "1_0", "items": whitelist_items}],
        "mappings": [{"id": "m-1", "name": "everything", "registry": "*", "repository": "*",
                      "image": {"type": "tag", "value": "*"}, "policy_id": "policy-1", "whitelist_ids": ["wl-1"]}],
        "whitelisted_images": whitelisted,
        "blacklisted_images": blacklisted,
    })
}

#[test]
fn the_default_v1_bundle_evaluates_as_anchore_says() {
    let image = careless_image();
    let bundle = default_v1_bundle(json!([]), json!([]), json!([]));
    let (code, v, err) = evaluate(&image, &write_policy("v1.json", &bundle), &[]);
    assert_eq!(code, Some(1), "STOP exits 1");
    assert!(err.contains("STOP"), "{err}");
    let e = entry(&v);
    assert_eq!(e["final_action"], "stop");
    assert_eq!(e["final_action_reason"], "policy_evaluation");
    assert_eq!(e["status"], "fail");
    assert_eq!(e["matched_mapping_rule"]["id"], "m-1");
    let got = fired(&v);
    // Port 22 is blacklisted (8080 is not); no HEALTHCHECK; lodash's high CVE-2021-23337 is
    // above medium, its CVE-2020-28500 is medium; Alpine 3.12 has data, built today.
    let rules = rules_fired(&v);
    assert_eq!(
        rules,
        vec!["r-health", "r-high", "r-medium", "r-ports"],
        "{got:#?}"
    );
    assert!(got.contains(&(
        "r-high".into(),
        "CVE-2021-23337+lodash".into(),
        "stop".into()
    )));
    assert!(got.contains(&(
        "r-medium".into(),
        "CVE-2020-28500+lodash".into(),
        "warn".into()
    )));
    let ports: Vec<&Value> = findings(&v)
        .iter()
        .filter(|f| f["rule_id"] == "r-ports")
        .collect();
    assert_eq!(ports.len(), 1);
    assert!(ports[0]["message"].as_str().unwrap().contains("(22)"));
    // The trigger id of a firing without its own id is the MD5 of gate, trigger and message.
    assert_eq!(ports[0]["trigger_id"].as_str().unwrap().len(), 32);
}

#[test]
fn allowlists_expiry_and_image_lists() {
    let image = careless_image();
    let items = json!([
        {"id": "i-1", "gate": "vulnerabilities", "trigger_id": "regexp:^CVE-202[01]-(8203|23337)\\+lodash$"},
        {"id": "i-2", "gate": "dockerfile", "trigger_id": "*", "expires_on": "2020-01-01T00:00:00Z"},
        {"id": "i-3", "gate": "DOCKERFILE", "trigger_id": "regexp:^[0-9a-f]{32}$", "expires_on": "2999-01-01T00:00:00Z"}
    ]);
    let bundle = default_v1_bundle(items, json!([]), json!([]));
    let (code, v, _) = evaluate(&image, &write_policy("v1-allow.json", &bundle), &[]);
    // Everything that stopped is allowlisted now (lodash's two high CVEs by a regexp; the
    // expired item does not count, the one with a future expiry does): the final action is
    // WARN, for the medium finding.
    assert_eq!(code, Some(0), "{:#?}", fired(&v));
    assert_eq!(entry(&v)["final_action"], "warn");
    for f in findings(&v) {
        let allowlisted = f["allowlisted"].as_bool().unwrap();
        match f["rule_id"].as_str().unwrap() {
            "r-high" | "r-ports" | "r-health" => {
                assert!(allowlisted, "{f}");
                assert_eq!(f["action"], "go");
                let matched = f["allowlist_match"]["matched_rule_id"].as_str().unwrap();
                assert!(matched == "i-1" || matched == "i-3", "{f}");
                assert_eq!(f["allowlist_match"]["id"], "wl-1");
            }
            _ => assert!(!allowlisted, "{f}"),
        }
    }

    // A denylisted image stops whatever its findings; it beats the allowlist of images.
    let selector = json!([{"id": "s-1", "name": "ours", "registry": "registry.example", "repository": "team/*",
                           "image": {"type": "tag", "value": "1.*"}}]);
    let bundle = default_v1_bundle(json!([]), selector.clone(), selector.clone());
    let path = write_policy("v1-lists.json", &bundle);
    let (code, v, _) = evaluate(&image, &path, &["--tag", "registry.example/team/app:1.2"]);
    assert_eq!(code, Some(1));
    assert_eq!(entry(&v)["final_action_reason"], "denylisted");
    assert_eq!(entry(&v)["matched_denylisted_images_rule"]["id"], "s-1");
    // Allowlisted alone: GO, although the rules stop.
    let bundle = default_v1_bundle(json!([]), selector, json!([]));
    let path = write_policy("v1-allowed-image.json", &bundle);
    let (code, v, _) = evaluate(&image, &path, &["--tag", "registry.example/team/app:1.2"]);
    assert_eq!(code, Some(0));
    assert_eq!(entry(&v)["final_action"], "go");
    assert_eq!(entry(&v)["final_action_reason"], "allowlisted");
    assert_eq!(entry(&v)["details"]["policy_action"], "stop");
    // Another tag is not selected by the list.
    let (code, v, _) = evaluate(&image, &path, &["--tag", "registry.example/team/app:2.0"]);
    assert_eq!(code, Some(1));
    assert_eq!(entry(&v)["final_action_reason"], "policy_evaluation");
}

#[test]
fn v2_mappings_are_ordered_and_the_first_match_wins() {
    let image = careless_image();
    let policy = json!({
        "id": "p2", "name": "Two teams", "version": "2", "description": "mappings in order",
        "rule_sets": [
            {"id": "strict", "name": "Strict", "version": "2", "artifact_type": "image", "description": "",
             "rules": [{"id": "always-stop", "gate": "always", "trigger": "always", "action": "STOP", "params": [],
                        "recommendation": "Internal images go through the release pipeline."}]},
            {"id": "lenient", "name": "Lenient", "version": "2", "artifact_type": "image", "description": "",
             "rules": [{"id": "critical", "gate": "vulnerabilities", "trigger": "package", "action": "STOP",
                        "params": [{"name": "package_type", "value": "all"}, {"name": "severity_comparison", "value": ">="},
                                   {"name": "severity", "value": "critical"}]}]}
        ],
        "allowlists": [],
        "mappings": [
            {"id": "internal", "name": "internal", "registry": "*", "repository": "regexp:^internal/.+$",
             "image": {"type": "tag", "value": "*"}, "rule_set_ids": ["strict"], "allowlist_ids": []},
            {"id": "rest", "name": "rest", "registry": "*", "repository": "*",
             "image": {"type": "tag", "value": "*"}, "rule_set_ids": ["lenient"], "allowlist_ids": []}
        ],
        "allowlisted_images": [], "denylisted_images": []
    });
    let path = write_policy("v2.json", &policy);
    let (code, v, _) = evaluate(&image, &path, &["--tag", "docker.io/internal/app:1"]);
    assert_eq!(code, Some(1));
    assert_eq!(entry(&v)["matched_mapping_rule"]["id"], "internal");
    assert_eq!(
        fired(&v),
        vec![("always-stop".into(), "always".into(), "stop".into())]
    );
    assert_eq!(
        findings(&v)[0]["recommendation"],
        "Internal images go through the release pipeline."
    );
    let (code, v, _) = evaluate(&image, &path, &["--tag", "docker.io/public/app:1"]);
    assert_eq!(entry(&v)["matched_mapping_rule"]["id"], "rest");
    // lodash 4.17.15 has no critical vulnerability in the shared feeds; zlib's is unrated.
    assert_eq!(code, Some(0), "{:#?}", fired(&v));
    assert!(findings(&v).is_empty());
}

#[test]
fn every_problem_of_a_bad_policy_is_listed() {
    let bad = json!({
        "id": "bad", "name": "Bad", "version": "2",
        "rule_sets": [{"id": "rs", "name": "rs", "version": "2", "rules": [
            {"id": "a", "gate": "no_such_gate", "trigger": "x", "action": "STOP", "params": []},
            {"id": "b", "gate": "vulnerabilities", "trigger": "stale_feed_data", "action": "STOP",
             "params": [{"name": "max_days_since_sync", "value": "two"}]},
            {"id": "c", "gate": "files", "trigger": "name_match", "action": "STOP",
             "params": [{"name": "regex", "value": "(unclosed"}]},
            {"id": "c", "gate": "vulnerabilities", "trigger": "package", "action": "MAYBE",
             "params": [{"name": "package_type", "value": "all"}, {"name": "colour", "value": "red"}]},
            {"id": "d", "gate": "anchoresec", "trigger": "VULNHIGH", "action": "STOP", "params": []}
        ]}],
        "allowlists": [],
        "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"},
                      "rule_set_ids": ["rs", "missing-set"], "allowlist_ids": ["missing-list"]}]
    });
    let path = write_policy("bad.json", &bad);
    let out = run(customs().args(["policy", "validate", &path]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for expected in [
        "unknown gate \"no_such_gate\"",
        "\"two\"",
        "does not compile",
        "\"c\" is used more than once",
        "MAYBE",
        "unknown parameter \"colour\"",
        "end-of-life",
        "missing-set",
        "missing-list",
    ] {
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
    // The same document is refused by evaluate, with exit 2 and nothing evaluated.
    let out = run(customs().args(["policy", "evaluate", "dir:/nonexistent", "--policy", &path]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no_such_gate"));
    // v1: policy_id and policy_ids together.
    let mut v1 = default_v1_bundle(json!([]), json!([]), json!([]));
    v1["mappings"][0]["policy_ids"] = json!(["policy-1"]);
    let out = run(customs().args(["policy", "validate", &write_policy("v1-both.json", &v1)]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("policy_id"), "{}", stderr(&out));
    // Not JSON at all.
    std::fs::write(scratch().join("not.json"), "rule_sets: [").unwrap();
    let out = run(customs()
        .args(["policy", "validate"])
        .arg(scratch().join("not.json")));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not JSON"));
}

#[test]
fn gates_on_the_lang_image() {
    // One rule per gate/trigger whose answer on `lang` is known from how it was built (see
    // ../shared/images/README.md), and a few that must stay quiet.
    let rule = |id: &str, gate: &str, trigger: &str, params: Value| json!({"id": id, "gate": gate, "trigger": trigger, "action": "WARN", "params": params});
    let p = |pairs: &[(&str, &str)]| -> Value {
        Value::Array(
            pairs
                .iter()
                .map(|(n, v)| json!({"name": n, "value": v}))
                .collect(),
        )
    };
    let rules = vec![
        rule(
            "passwd-root",
            "passwd_file",
            "denylist_usernames",
            p(&[("user_names", "root,nobody-here")]),
        ),
        rule(
            "passwd-uid",
            "passwd_file",
            "denylist_userids",
            p(&[("user_ids", "65534")]),
        ),
        rule(
            "passwd-shell-none",
            "passwd_file",
            "denylist_shells",
            p(&[("shells", "/bin/zsh")]),
        ),
        rule("setid", "files", "suid_or_guid_set", p(&[])),
        rule(
            "name",
            "files",
            "name_match",
            p(&[("regex", ".*/log4j-1\\.2\\.17\\.jar$")]),
        ),
        rule(
            "required-missing",
            "packages",
            "required_package",
            p(&[("name", "curl")]),
        ),
        rule(
            "required-old",
            "packages",
            "required_package",
            p(&[
                ("name", "python3"),
                ("version", "99"),
                ("version_match_type", "minimum"),
            ]),
        ),
        rule(
            "denied-pkg",
            "packages",
            "denylist",
            p(&[("name", "liblog4j1.2-java")]),
        ),
        rule(
            "license",
            "licenses",
            "denylist_exact_match",
            p(&[("licenses", "GPL-3")]),
        ),
        rule(
            "distro",
            "metadata",
            "attribute",
            p(&[("attribute", "distro"), ("check", "="), ("value", "debian")]),
        ),
        rule(
            "layers",
            "metadata",
            "attribute",
            p(&[
                ("attribute", "layer_count"),
                ("check", ">="),
                ("value", "6"),
            ]),
        ),
        rule(
            "old-debian",
            "distro",
            "deny",
            p(&[("distro", "debian"), ("version", "13"), ("check", "<")]),
        ),
        rule(
            "retrieved",
            "retrieved_files",
            "content_not_available",
            p(&[("path", "/etc/app.conf")]),
        ),
        rule("kev", "vulnerabilities", "kev_list", p(&[])),
        rule(
            "denied-cve",
            "vulnerabilities",
            "denylist",
            p(&[("vulnerability_ids", "CVE-2021-44906")]),
        ),
        rule(
            "user",
            "dockerfile",
            "effective_user",
            p(&[("users", "root"), ("type", "denylist")]),
        ),
        rule(
            "no-dockerfile",
            "dockerfile",
            "no_dockerfile_provided",
            p(&[]),
        ),
        rule("malware-not-run", "malware", "scan_not_run", p(&[])),
        rule("always", "always", "always", p(&[])),
        // Every dpkg file is in the image (through the merged-/usr links): nothing to report.
        rule("verify", "packages", "verify", p(&[("check", "missing")])),
        rule(
            "passwd-mode",
            "files",
            "attribute_match",
            p(&[
                ("filename", "/etc/passwd"),
                ("mode", "0644"),
                ("mode_op", "equals"),
            ]),
        ),
        rule(
            "root-entry",
            "retrieved_files",
            "content_regex",
            p(&[
                ("path", "/etc/passwd"),
                ("regex", "^root:x:0:0:.*"),
                ("check", "match"),
            ]),
        ),
    ];
    let policy = json!({
        "id": "gates", "name": "Gates", "version": "2",
        "rule_sets": [{"id": "rs", "name": "rs", "version": "2", "artifact_type": "image", "rules": rules}],
        "allowlists": [],
        "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"},
                      "rule_set_ids": ["rs"], "allowlist_ids": []}]
    });
    let path = write_policy("gates.json", &policy);
    let (code, v, _) = evaluate(&shared_image("lang"), &path, &[]);
    assert_eq!(code, Some(0), "only WARN rules");
    let got = rules_fired(&v);
    let expected = [
        "always",
        "denied-cve",
        "denied-pkg",
        "distro",
        "layers",
        "license",
        "malware-not-run",
        "name",
        "no-dockerfile",
        "old-debian",
        "passwd-mode",
        "passwd-root",
        "passwd-uid",
        "required-missing",
        "required-old",
        "retrieved",
        "root-entry",
        "setid",
        "user",
    ];
    assert_eq!(got, expected, "{:#?}", fired(&v));
    let by_rule =
        |id: &str| -> Vec<&Value> { findings(&v).iter().filter(|f| f["rule_id"] == id).collect() };
    // minimist's CVE, by id, with Anchore's trigger id (npm: the package's directory).
    let cve = by_rule("denied-cve");
    assert_eq!(cve.len(), 1);
    assert_eq!(cve[0]["trigger_id"], "CVE-2021-44906+minimist");
    // The setuid programs Debian ships (su, mount, passwd ...), one finding each.
    let setid: Vec<&str> = by_rule("setid")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        setid.iter().any(|m| m.contains("/usr/bin/su")),
        "{setid:#?}"
    );
    assert!(
        setid.iter().any(|m| m.contains("/usr/bin/passwd")),
        "{setid:#?}"
    );
    assert!(
        by_rule("passwd-uid")[0]["message"]
            .as_str()
            .unwrap()
            .contains("nobody")
    );
}

#[test]
fn tag_drift_against_an_earlier_sbom() {
    let earlier = scratch().join("debian-base.sbom.json");
    let out = run(customs()
        .args([
            "sbom",
            &shared_image("debian-base"),
            "-o",
            "json",
            "-q",
            "--file",
        ])
        .arg(&earlier));
    assert!(out.status.success(), "{}", stderr(&out));
    let policy = json!({
        "id": "drift", "name": "Drift", "version": "2",
        "rule_sets": [{"id": "rs", "name": "rs", "version": "2", "rules": [
            {"id": "added", "gate": "tag_drift", "trigger": "packages_added", "action": "WARN", "params": [{"name": "package_type", "value": "python"}]},
            {"id": "removed", "gate": "tag_drift", "trigger": "packages_removed", "action": "WARN", "params": []}
        ]}],
        "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"},
                      "rule_set_ids": ["rs"], "allowlist_ids": []}]
    });
    let path = write_policy("drift.json", &policy);
    let (_, v, _) = evaluate(
        &shared_image("lang"),
        &path,
        &["--previous-sbom", earlier.to_str().unwrap()],
    );
    let added: Vec<&str> = findings(&v)
        .iter()
        .filter(|f| f["rule_id"] == "added")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(added.iter().any(|m| m.contains("Django")), "{added:#?}");
    assert!(!findings(&v).iter().any(|f| f["rule_id"] == "removed"));
}

#[test]
fn fedramp_stops_lang_and_names_the_controls() {
    let (code, v, _) = evaluate(&shared_image("lang"), "fedramp", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(entry(&v)["final_action"], "stop");
    let stop: Vec<&Value> = findings(&v)
        .iter()
        .filter(|f| f["action"] == "stop")
        .collect();
    // Running as root (AC-6(10)), and critical/high vulnerabilities published more than 30
    // days ago (SI-2(2)): minimist's CVE-2021-44906 is one.
    let root = stop
        .iter()
        .find(|f| f["gate"] == "dockerfile" && f["trigger"] == "effective_user")
        .expect("root is a STOP finding");
    assert!(
        root["recommendation"]
            .as_str()
            .unwrap()
            .starts_with("AC-6(10)")
    );
    let minimist = stop
        .iter()
        .find(|f| f["trigger_id"] == "CVE-2021-44906+minimist")
        .expect("minimist's critical CVE stops");
    assert!(
        minimist["recommendation"]
            .as_str()
            .unwrap()
            .contains("SI-2")
    );
    // Every finding's rule names its control.
    let doc: Value =
        serde_json::from_slice(&run(customs().args(["policy", "packs", "fedramp"])).stdout)
            .unwrap();
    for f in findings(&v) {
        let rule = doc["rule_sets"][0]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == f["rule_id"])
            .unwrap();
        let d = rule["description"].as_str().unwrap();
        assert!(
            ["AC-", "CM-", "IA-", "RA-", "SI-", "SC-"]
                .iter()
                .any(|c| d.starts_with(c)),
            "{d}"
        );
    }
}

#[test]
fn secure_stops_alpine_3_12() {
    let (code, v, _) = evaluate(&shared_image("alpine-3.12"), "secure", &[]);
    assert_eq!(code, Some(1));
    // zlib's CVE-2022-37434 (fixed in 1.2.12-r2, unrated by Alpine) is among the most likely
    // to be exploited (EPSS percentile above 0.95).
    assert!(fired(&v).contains(&(
        "secure-likely-exploited".into(),
        "CVE-2022-37434+zlib".into(),
        "stop".into()
    )));
}

#[test]
fn a_minimal_clean_image_passes_secure_and_fedramp() {
    let dir = scratch().join("clean");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hello.txt"), "hello\n").unwrap();
    let source = format!("dir:{}", dir.display());
    for pack in ["secure", "fedramp"] {
        let (code, v, err) = evaluate(&source, pack, &[]);
        assert_eq!(code, Some(0), "{pack}: {err} {:#?}", fired(&v));
        assert_ne!(entry(&v)["final_action"], "stop");
        assert!(findings(&v).iter().all(|f| f["action"] != "stop"));
    }
}

#[test]
fn scan_with_a_policy_adds_the_verdict_and_gates_on_stop() {
    let out = run(customs()
        .args([
            "scan",
            &careless_image(),
            "-q",
            "--policy",
            "nist-800-53",
            "--db",
        ])
        .arg(shared_db())
        .arg("-o")
        .arg("table")
        .arg("-o")
        .arg(format!(
            "policy-json={}",
            scratch().join("verdict.json").display()
        )));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("CVE-2021-23337"), "{table}");
    assert!(table.contains("Policy \"NIST SP 800-53 rev5\""), "{table}");
    let verdict: Value =
        serde_json::from_slice(&std::fs::read(scratch().join("verdict.json")).unwrap()).unwrap();
    assert_eq!(entry(&verdict)["final_action"], "stop");
    // Without --policy there is no verdict to write.
    let out = run(customs()
        .args(["scan", &careless_image(), "-q", "-o", "policy-json", "--db"])
        .arg(shared_db()));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs --policy"));
}

#[test]
fn packs_spec_and_secret_rules_are_listed() {
    let out = run(customs().args(["policy", "packs"]));
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        "secure",
        "fedramp",
        "nist-800-53",
        "nist-800-190",
        "cis-docker",
        "disa",
    ] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{text}");
        // Each pack prints as a policy that validates.
        let doc = run(customs().args(["policy", "packs", name])).stdout;
        let path = scratch().join(format!("{name}.json"));
        std::fs::write(&path, doc).unwrap();
        let out = run(customs().args(["policy", "validate"]).arg(&path));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
    }
    let out = run(customs().args(["policy", "packs", "nope"]));
    assert_eq!(out.status.code(), Some(2));
    let rules = String::from_utf8_lossy(&run(customs().args(["policy", "secret-rules"])).stdout)
        .into_owned();
    for name in [
        "AWS_ACCESS_KEY",
        "AWS_SECRET_KEY",
        "PRIV_KEY",
        "DOCKER_AUTH",
        "API_KEY",
    ] {
        assert!(rules.contains(&format!("{name}=")), "{rules}");
    }
}

#[test]
fn policy_spec_in_the_docs_is_current() {
    let out = run(customs().args(["policy", "spec"]));
    assert!(out.status.success());
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/policy-spec.json");
    let committed = std::fs::read_to_string(&docs).unwrap_or_default();
    assert_eq!(
        committed,
        String::from_utf8_lossy(&out.stdout),
        "docs/policy-spec.json is out of date: run scripts/update-docs"
    );
}

#[test]
fn gates_on_built_images() {
    let rule = |id: &str, gate: &str, trigger: &str, params: &[(&str, &str)]| {
        let params: Vec<Value> = params
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        json!({"id": id, "gate": gate, "trigger": trigger, "action": "WARN", "params": params})
    };
    let rules = vec![
        rule(
            "stale",
            "vulnerabilities",
            "stale_feed_data",
            &[("max_days_since_sync", "2")],
        ),
        rule(
            "unavailable",
            "vulnerabilities",
            "vulnerability_data_unavailable",
            &[],
        ),
        rule(
            "content",
            "files",
            "content_regex_match",
            &[("regex_name", "SSH_PORT")],
        ),
        rule(
            "gid",
            "passwd_file",
            "denylist_groupids",
            &[("group_ids", "22")],
        ),
        rule(
            "entry",
            "passwd_file",
            "denylist_full_entry",
            &[("entry", "sshd:x:22:22:sshd:/dev/null:/sbin/nologin")],
        ),
        rule(
            "shell",
            "passwd_file",
            "denylist_shells",
            &[("shells", "/bin/ash")],
        ),
        rule(
            "pkg-meta",
            "packages",
            "metadata",
            &[
                ("name", "lodash"),
                ("name_comparison", "="),
                ("version", "4.17.20"),
                ("version_comparison", "<"),
            ],
        ),
        rule(
            "pkg-meta-quiet",
            "packages",
            "metadata",
            &[
                ("name", "lodash"),
                ("name_comparison", "="),
                ("version", "4.17.15"),
                ("version_comparison", "<"),
            ],
        ),
        rule(
            "mit",
            "licenses",
            "denylist_partial_match",
            &[("licenses", "MI")],
        ),
        rule(
            "age",
            "image_age",
            "image_age_check",
            &[("max_age_days", "30")],
        ),
        rule(
            "run-update",
            "dockerfile",
            "instruction",
            &[
                ("instruction", "RUN"),
                ("check", "like"),
                ("value", "apk update$"),
            ],
        ),
        rule(
            "add",
            "dockerfile",
            "instruction",
            &[("instruction", "ADD"), ("check", "exists")],
        ),
        rule(
            "only-actual",
            "dockerfile",
            "exposed_ports",
            &[
                ("ports", "22"),
                ("type", "denylist"),
                ("actual_dockerfile_only", "true"),
            ],
        ),
        rule(
            "ports-allow",
            "dockerfile",
            "exposed_ports",
            &[("ports", "8080"), ("type", "allowlist")],
        ),
        rule(
            "secret-notfound",
            "secret_scans",
            "content_regex_checks",
            &[("match_type", "notfound")],
        ),
    ];
    let policy = json!({
        "id": "built", "name": "Built", "version": "2",
        "rule_sets": [{"id": "rs", "name": "rs", "version": "2", "rules": rules}],
        "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"},
                      "rule_set_ids": ["rs"], "allowlist_ids": []}]
    });
    let path = write_policy("built.json", &policy);
    // Ten days after the database was built, and 337 days after the image was.
    let later = "1797182772";
    let out = run(customs()
        .env("SOURCE_DATE_EPOCH", later)
        .args([
            "policy",
            "evaluate",
            &careless_image(),
            "--policy",
            &path,
            "-o",
            "json",
            "-q",
        ])
        .args(["--content-rule", "SSH_PORT=ssh.*22", "--db"])
        .arg(shared_db()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rules_fired(&v),
        vec![
            "add",
            "age",
            "content",
            "entry",
            "gid",
            "mit",
            "pkg-meta",
            "ports-allow",
            "run-update",
            "secret-notfound",
            "shell",
            "stale"
        ],
        "{:#?}",
        fired(&v)
    );
    let message = |id: &str| -> String {
        findings(&v).iter().find(|f| f["rule_id"] == id).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message("stale").contains("10 days"), "{}", message("stale"));
    assert!(message("ports-allow").contains("(22)"));
    assert!(message("content").contains("/etc/passwd"));

    // A release the feeds do not cover: its packages cannot be judged.
    let dir = scratch().join("unknown-release");
    let image = build(
        &dir,
        &[vec![
            Item::File("etc/os-release", 0o644, b"ID=alpine\nVERSION_ID=9.99.0\n"),
            Item::File(
                "lib/apk/db/installed",
                0o644,
                b"P:zlib\nV:1.2.12-r0\nA:x86_64\no:zlib\n\n",
            ),
        ]],
        json!({"User": "app"}),
        &[],
    );
    let (_, v, _) = evaluate(&image, &path, &[]);
    let got = rules_fired(&v);
    assert!(got.contains(&"unavailable".to_string()), "{got:?}");
    assert!(!got.contains(&"stale".to_string()), "{got:?}");
    // With a Dockerfile given, it is what the dockerfile gate reads.
    let dockerfile = scratch().join("Dockerfile");
    std::fs::write(&dockerfile, "FROM alpine:3.12\nEXPOSE 22\nUSER app\n").unwrap();
    let (_, v, _) = evaluate(
        &image,
        &path,
        &["--dockerfile", dockerfile.to_str().unwrap()],
    );
    let got = rules_fired(&v);
    assert!(got.contains(&"only-actual".to_string()), "{got:?}");
    assert!(!got.contains(&"add".to_string()), "{got:?}");
}

#[test]
fn a_saved_sbom_is_evaluated_like_its_image() {
    let image = careless_image();
    let saved = scratch().join("careless.sbom.json");
    let out = run(customs()
        .args(["sbom", &image, "--secrets", "-q", "-o"])
        .arg(format!("json={}", saved.display())));
    assert!(out.status.success(), "{}", stderr(&out));
    let bundle = write_policy(
        "v1-sbom.json",
        &default_v1_bundle(json!([]), json!([]), json!([])),
    );
    let (code_image, from_image, _) = evaluate(&image, &bundle, &[]);
    let source = format!("sbom:{}", saved.display());
    let (code_sbom, from_sbom, _) =
        evaluate(&source, &bundle, &["--tag", "docker.io/local/test:latest"]);
    assert_eq!(code_image, code_sbom);
    assert_eq!(fired(&from_image), fired(&from_sbom));
    // Only a customs SBOM carries the image's config and file facts.
    let cdx = scratch().join("careless.cdx.json");
    let out = run(customs()
        .args(["sbom", &image, "-q", "-o"])
        .arg(format!("cyclonedx-json={}", cdx.display())));
    assert!(out.status.success());
    let out = run(customs()
        .args([
            "policy",
            "evaluate",
            &format!("sbom:{}", cdx.display()),
            "--policy",
            &bundle,
            "--db",
        ])
        .arg(shared_db()));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("customs SBOM"), "{}", stderr(&out));
}
