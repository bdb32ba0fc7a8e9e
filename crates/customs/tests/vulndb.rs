//! `customs db`: build from the shared feed mirror, status, search, and bad feeds that never
//! replace a good database.

mod common;

use std::io::Write;
use std::path::Path;

use common::*;

fn feeds() -> std::path::PathBuf {
    shared().join("feeds")
}

fn build(from: &Path, db: &Path) -> std::process::Output {
    run(customs()
        .args(["db", "build", "--from"])
        .arg(from)
        .arg("--db")
        .arg(db))
}

#[test]
fn build_status_and_search_on_the_shared_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    let out = build(&feeds(), &db);
    assert!(out.status.success(), "{}", stderr(&out));
    let status = run(customs().args(["db", "status", "--db"]).arg(&db));
    assert!(status.status.success());
    let text = String::from_utf8_lossy(&status.stdout);
    // Every feed of the mirror, with the record counts SOURCES.md gives.
    for (feed, count) in [
        ("osv:PyPI", 7080),
        ("osv:Go", 4291),
        ("osv:crates.io", 1206),
        ("osv:AlmaLinux", 5637),
        ("osv:npm", 23),
        ("osv:Maven", 17),
        ("osv:NuGet", 5),
        ("osv:RubyGems", 5),
        ("kev", 1404),
        ("epss", 360142),
        ("debian-tracker", 3840),
        ("rubysec", 1381),
        ("friendsofphp", 1592),
    ] {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(feed))
            .unwrap_or_else(|| panic!("{feed} missing from status:\n{text}"));
        assert_eq!(
            line.split_whitespace().nth(1),
            Some(count.to_string().as_str()),
            "{line}"
        );
    }
    assert!(text.contains("alpine-secdb"));

    // By alias: the GHSA record of Log4Shell, with KEV and EPSS joined.
    let found = run(customs()
        .args(["db", "search", "CVE-2021-44228", "--db"])
        .arg(&db));
    let text = String::from_utf8_lossy(&found.stdout);
    assert!(text.contains("GHSA-jfh8-c2jp-5v3q"), "{text}");
    assert!(
        text.contains("KEV       CVE-2021-44228 added 2021-12-10"),
        "{text}"
    );
    assert!(text.contains("org.apache.logging.log4j:log4j-core"));
    // By package, across feeds: the Debian tracker's fixed version for bookworm.
    let found = run(customs().args(["db", "search", "openssl", "--db"]).arg(&db));
    let text = String::from_utf8_lossy(&found.stdout);
    assert!(text.contains("debian:12"), "{text}");
    // A rubysec advisory: patched and unaffected requirements become the affected spans.
    let found = run(customs()
        .args(["db", "search", "CVE-2024-26141", "--db"])
        .arg(&db));
    let text = String::from_utf8_lossy(&found.stdout);
    assert!(text.contains(">=1.3.0 <2.2.8.1 >=2.3 <3.0.9.1"), "{text}");
    // A FriendsOfPHP advisory: one span per branch.
    let found = run(customs()
        .args(["db", "search", "CVE-2026-45064", "--db"])
        .arg(&db));
    let text = String::from_utf8_lossy(&found.stdout);
    assert!(text.contains("Packagist"), "{text}");
    assert!(text.contains(">=6.1.0 <6.4.40 >=7.0.0 <7.4.12"), "{text}");
}

fn zip_with(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const GOOD: &str = r#"{"id":"GHSA-good","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}]}"#;

#[test]
fn bad_records_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(mirror.join("osv/npm")).unwrap();
    let unknown_range = r#"{"id":"GHSA-odd","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"DATE","events":[{"introduced":"0"}]}]}]}"#;
    std::fs::write(
        mirror.join("osv/npm/all.zip"),
        zip_with(&[
            ("GHSA-good.json", GOOD),
            ("GHSA-odd.json", unknown_range),
            ("../../evil.json", GOOD),
            ("broken.json", "{\"id\": "),
        ]),
    )
    .unwrap();
    let db = dir.path().join("v.db");
    let out = build(&mirror, &db);
    assert!(out.status.success(), "{}", stderr(&out));
    let status = run(customs().args(["db", "status", "--db"]).arg(&db));
    let text = String::from_utf8_lossy(&status.stdout);
    let line = text.lines().find(|l| l.starts_with("osv:npm")).unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!((fields[1], fields[2]), ("1", "3"), "{text}");
    assert!(text.contains("unknown range type \"DATE\""), "{text}");
    assert!(text.contains("entry name with a path"), "{text}");
    assert!(text.contains("not valid JSON"), "{text}");
    assert!(!dir.path().join("evil.json").exists());
}

/// A gzip'd tar of `(path, body)` entries; paths are written raw, so a hostile one stays hostile.
fn tar_gz_with(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, body) in entries {
        let mut header = tar::Header::new_gnu();
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, body.as_bytes()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

#[test]
fn bad_yaml_advisories_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(mirror.join("rubysec")).unwrap();
    std::fs::create_dir_all(mirror.join("friendsofphp")).unwrap();
    let good_gem =
        "gem: rack\ncve: 2024-1\ntitle: t\ndate: 2024-01-01\npatched_versions: ['>= 2.0']\n";
    std::fs::write(
        mirror.join("rubysec/ruby-advisory-db.tar.gz"),
        tar_gz_with(&[
            ("ruby-advisory-db-master/gems/rack/CVE-2024-1.yml", good_gem),
            (
                "ruby-advisory-db-master/gems/rack/broken.yml",
                "gem: [unclosed",
            ),
            (
                "ruby-advisory-db-master/gems/rack/../../../evil.yml",
                good_gem,
            ),
            (
                "ruby-advisory-db-master/gems/odd/CVE-2024-2.yml",
                "gem: odd\ncve: 2024-2\npatched_versions: ['>= what?']\n",
            ),
        ]),
    )
    .unwrap();
    std::fs::write(
        mirror.join("friendsofphp/security-advisories.tar.gz"),
        tar_gz_with(&[
            (
                "security-advisories/acme/lib/CVE-2024-3.yaml",
                "title: t\ncve: CVE-2024-3\nbranches:\n  1.x:\n    time: ~\n    versions: ['>=1.0', '<1.4.2']\nreference: composer://acme/lib\n",
            ),
            ("security-advisories/acme/lib/bad.yaml", "title: [x"),
        ]),
    )
    .unwrap();
    let db = dir.path().join("v.db");
    let out = build(&mirror, &db);
    assert!(out.status.success(), "{}", stderr(&out));
    let status = run(customs().args(["db", "status", "--db"]).arg(&db));
    let text = String::from_utf8_lossy(&status.stdout);
    let counts = |feed: &str| -> (String, String) {
        let line = text.lines().find(|l| l.starts_with(feed)).unwrap();
        let f: Vec<&str> = line.split_whitespace().collect();
        (f[1].to_string(), f[2].to_string())
    };
    assert_eq!(counts("rubysec"), ("1".into(), "3".into()), "{text}");
    assert_eq!(counts("friendsofphp"), ("1".into(), "1".into()), "{text}");
    assert!(text.contains("entry path leaves the archive"), "{text}");
    assert!(text.contains("not valid YAML"), "{text}");
    assert!(!dir.path().join("evil.yml").exists());
    let found = run(customs()
        .args(["db", "search", "acme/lib", "--db"])
        .arg(&db));
    assert!(String::from_utf8_lossy(&found.stdout).contains(">=1.0 <1.4.2"));
}

#[test]
fn a_broken_feed_fails_the_build_and_keeps_the_previous_database() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(mirror.join("osv/npm")).unwrap();
    std::fs::write(
        mirror.join("osv/npm/all.zip"),
        zip_with(&[("GHSA-good.json", GOOD)]),
    )
    .unwrap();
    let db = dir.path().join("v.db");
    assert!(build(&mirror, &db).status.success());
    let before = std::fs::read(&db).unwrap();

    let zip = std::fs::read(mirror.join("osv/npm/all.zip")).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "osv/npm/all.zip",
            zip[..zip.len() / 2].to_vec(),
            "not a readable zip archive",
        ),
        (
            "alpine-secdb/v3.12/main.json",
            b"{\"packages\": [".to_vec(),
            "not valid JSON",
        ),
        (
            "debian/tracker.json",
            b"not json".to_vec(),
            "not valid JSON",
        ),
        (
            "rubysec/ruby-advisory-db.tar.gz",
            tar_gz_with(&[("db/gems/x/CVE-1.yml", "gem: x\n")])[..40].to_vec(),
            "not a readable tar.gz",
        ),
    ];
    for (file, bytes, cause) in cases {
        let target = mirror.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let saved = std::fs::read(&target).ok();
        std::fs::write(&target, &bytes).unwrap();
        let out = build(&mirror, &db);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = stderr(&out);
        assert!(err.contains(cause) && err.contains(file), "{file}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert_eq!(
            std::fs::read(&db).unwrap(),
            before,
            "the previous database stays"
        );
        match saved {
            Some(s) => std::fs::write(&target, s).unwrap(),
            None => std::fs::remove_file(&target).unwrap(),
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("building"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_corrupt_or_missing_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    let missing = run(customs().args(["db", "status", "--db"]).arg(&db));
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no vulnerability database"),
        "{}",
        stderr(&missing)
    );
    std::fs::write(&db, vec![0x42u8; 8192]).unwrap();
    let corrupt = run(customs().args(["db", "status", "--db"]).arg(&db));
    assert_eq!(corrupt.status.code(), Some(2));
    assert!(
        stderr(&corrupt).contains("vulnerability database"),
        "{}",
        stderr(&corrupt)
    );
    // CUSTOMS_DB names the database when --db does not.
    let via_env = run(customs().env("CUSTOMS_DB", &db).args(["db", "status"]));
    assert_eq!(via_env.status.code(), Some(2));
    assert!(stderr(&via_env).contains(db.to_str().unwrap()));
}
