//! Hostile files inside an image or directory are findings, not failures: each becomes an unknown
//! with its reason, the scan goes on, and memory stays bounded.

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::*;

fn write(root: &std::path::Path, path: &str, data: &[u8], mode: u32) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, data).unwrap();
    std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A jar whose manifest inflates to 512 MiB of zeros from about half a megabyte.
fn zip_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("META-INF/MANIFEST.MF", options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..512 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn hostile_files_become_unknowns() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app/lib/bomb.jar", &zip_bomb(), 0o644);
    write(
        root,
        "app/node_modules/broken/package.json",
        b"{\"name\": \"broken\", \"version\":",
        0o644,
    );
    // The start of an ELF header that points far past the end of the file.
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.resize(64, 0);
    elf[0x28..0x30].copy_from_slice(&0xffff_ffffu64.to_le_bytes());
    elf[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
    write(root, "usr/local/bin/cut-short", &elf, 0o755);
    write(
        root,
        "usr/lib/python3/dist-packages/junk-1.0.egg-info",
        b"Name: \x00\x01\x02\xff\nVersion: \xfe\xfd\n",
        0o644,
    );
    // And one good package, to show the scan went on.
    write(
        root,
        "app/node_modules/ok/package.json",
        br#"{"name":"ok","version":"1.0.0"}"#,
        0o644,
    );

    let time = std::path::Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "%M"]).arg(env!("CARGO_BIN_EXE_customs"));
        c
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "GNU time is required in CI"
        );
        Command::new(env!("CARGO_BIN_EXE_customs"))
    };
    let out = cmd
        .args([
            "sbom",
            &format!("dir:{}", root.display()),
            "-q",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sbom: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(names_versions(&sbom, "npm"), vec!["ok 1.0.0"]);
    let unknowns: Vec<(String, String)> = sbom["unknowns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["path"].as_str().unwrap().to_string(),
                u["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason_for = |suffix: &str| {
        unknowns
            .iter()
            .find(|(p, _)| p.ends_with(suffix))
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("no unknown for {suffix}: {unknowns:?}"))
    };
    assert!(reason_for("bomb.jar").contains("inflates"));
    assert!(reason_for("broken/package.json").contains("not valid JSON"));
    assert!(reason_for("cut-short").contains("truncated ELF"));
    assert!(reason_for("junk-1.0.egg-info").contains("not printable"));
    if time.exists() {
        let peak_kib: u64 = String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .expect("GNU time printed the peak RSS");
        // The bomb inflates to 512 MiB; reading it whole would show here.
        assert!(peak_kib < 128 * 1024, "peak memory {peak_kib} KiB");
    }
}
