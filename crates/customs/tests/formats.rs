//! The encodings: snapshots on a small fixture, schema validation with the reference validators,
//! Syft reading our CycloneDX, and byte-for-byte determinism.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/src/dpkg/testdata")
}

fn render(format: &str) -> String {
    let out =
        run(customs()
            .current_dir(fixture_root())
            .args(["sbom", "dir:status", "-q", "-o", format]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    if format != "json" {
        return text;
    }
    // Who owns the checked-out fixture files, and their exact modes and sizes, depend on the
    // checkout; the snapshot keeps what customs decides.
    let mut sbom: serde_json::Value = serde_json::from_str(&text).unwrap();
    for f in sbom["files"].as_array_mut().unwrap() {
        for key in ["uid", "gid", "mode", "size"] {
            f[key] = "[checkout]".into();
        }
    }
    serde_json::to_string_pretty(&sbom).unwrap() + "\n"
}

#[test]
fn snapshots() {
    insta::assert_snapshot!("table", render("table"));
    insta::assert_snapshot!("native_json", render("json"));
    insta::assert_snapshot!("cyclonedx_json", render("cyclonedx-json"));
    insta::assert_snapshot!("spdx_json", render("spdx-json"));
}

fn write_outputs(dir: &Path, source: &str) -> (PathBuf, PathBuf) {
    let cdx = dir.join("sbom.cdx.json");
    let spdx = dir.join("sbom.spdx.json");
    let out = run(customs().args([
        "sbom",
        source,
        "-q",
        "-o",
        &format!("cyclonedx-json={}", cdx.display()),
        "-o",
        &format!("spdx-json={}", spdx.display()),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    (cdx, spdx)
}

const CYCLONEDX_CHECK: &str = r#"
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())
if errors:
    print(errors)
    sys.exit(1)
"#;

fn cyclonedx_valid(path: &Path) -> Result<(), String> {
    let out = Command::new("python3")
        .args(["-c", CYCLONEDX_CHECK])
        .arg(path)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn spdx_valid(path: &Path) -> Result<(), String> {
    let out = Command::new("pyspdxtools")
        .arg("-i")
        .arg(path)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && !text.contains("ERROR") {
        Ok(())
    } else {
        Err(text)
    }
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

#[test]
fn outputs_validate_against_their_schemas() {
    if !python_has("cyclonedx.validation.json") || !require_tool("pyspdxtools") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for r in ["debian-base", "alpine-3.12", "lang"] {
        let sub = dir.path().join(r);
        std::fs::create_dir_all(&sub).unwrap();
        let (cdx, spdx) =
            write_outputs(&sub, &format!("oci-dir:{}:{r}", shared_layout().display()));
        cyclonedx_valid(&cdx).unwrap_or_else(|e| panic!("{r} CycloneDX invalid: {e}"));
        spdx_valid(&spdx).unwrap_or_else(|e| panic!("{r} SPDX invalid: {e}"));
    }
    // The validators do reject broken documents, so the passes above mean something.
    let broken_cdx = dir.path().join("broken.cdx.json");
    std::fs::write(
        &broken_cdx,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"x"}]}"#,
    )
    .unwrap();
    assert!(cyclonedx_valid(&broken_cdx).is_err());
    let broken_spdx = dir.path().join("broken.spdx.json");
    std::fs::write(
        &broken_spdx,
        r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":"x"}]}"#,
    )
    .unwrap();
    assert!(spdx_valid(&broken_spdx).is_err());
}

#[test]
fn syft_reads_our_cyclonedx() {
    if !require_tool("syft") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = format!("oci-dir:{}:debian-base", shared_layout().display());
    let (cdx, _) = write_outputs(dir.path(), &source);
    let out = Command::new("syft")
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .args(["convert", cdx.to_str().unwrap(), "-o", "syft-json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let converted: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut from_syft: Vec<String> = converted["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert_eq!(a["type"], "deb", "syft sees the deb type from our purls");
            format!(
                "{} {}",
                a["name"].as_str().unwrap(),
                a["version"].as_str().unwrap()
            )
        })
        .collect();
    from_syft.sort();
    assert_eq!(from_syft, expected("debian-base.txt"));
}

#[test]
fn output_is_deterministic() {
    let source = format!("oci-dir:{}:alpine-3.12", shared_layout().display());
    for format in ["json", "cyclonedx-json", "spdx-json", "table"] {
        let a = run(customs().args(["sbom", &source, "-q", "-o", format]));
        let b = run(customs().args(["sbom", &source, "-q", "-o", format]));
        assert!(a.status.success());
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
    }
}

#[test]
fn several_outputs_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("s.json");
    let out = run(customs().args([
        "sbom",
        &format!("oci-dir:{}:alpine-3.12", shared_layout().display()),
        "-o",
        "table",
        "-o",
        &format!("json={}", json.display()),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("NAME"));
    let sbom: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(names_versions(&sbom, "apk"), expected("alpine-3.12.txt"));
    let two_to_stdout =
        run(customs().args(["sbom", "dir:/nonexistent", "-o", "json", "-o", "table"]));
    assert_eq!(two_to_stdout.status.code(), Some(2));
    assert!(stderr(&two_to_stdout).contains("only one output can go to standard output"));
    let bad_format = run(customs().args(["sbom", "dir:/", "-o", "xml"]));
    assert_eq!(bad_format.status.code(), Some(2));
    assert!(stderr(&bad_format).contains("unknown SBOM format"));
}

#[test]
fn no_progress_when_piped() {
    let out = run(customs().args([
        "sbom",
        &format!("oci-dir:{}:alpine-3.12", shared_layout().display()),
        "-o",
        "json",
    ]));
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "stderr: {}", stderr(&out));
}
