//! `customs db update` from a mirror served over HTTP, and signed bundles (`db keygen`, `db
//! export`, `db import`): every failure leaves the previous database in place.

mod common;

use std::path::{Path, PathBuf};

use common::static_server::{Misbehaviour, StaticServer};
use common::*;

/// A small mirror: one OSV archive and the KEV catalogue, taken from the shared feeds.
fn small_mirror(dir: &Path) -> PathBuf {
    let mirror = dir.join("mirror");
    for file in [
        "osv/npm/all.zip",
        "kev/known_exploited_vulnerabilities.json",
        "rubysec/ruby-advisory-db.tar.gz",
    ] {
        let target = mirror.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(shared().join("feeds").join(file), target).unwrap();
    }
    mirror
}

fn update(url: &str, db: &Path) -> std::process::Output {
    run(customs()
        .args(["db", "update", "--mirror-url", url, "--db"])
        .arg(db))
}

fn status(db: &Path) -> String {
    let out = run(customs().args(["db", "status", "--db"]).arg(db));
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn update_fetches_a_mirror_and_failures_keep_the_previous_database() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = small_mirror(dir.path());
    let db = dir.path().join("data/v.db");
    let server = StaticServer::start(mirror.clone(), Misbehaviour::None);
    let out = update(&server.url, &db);
    assert!(out.status.success(), "{}", stderr(&out));
    // Files the mirror lacks are named and left out; the rest is built.
    assert!(
        stderr(&out).contains("not on the server"),
        "{}",
        stderr(&out)
    );
    let text = status(&db);
    assert!(text.contains("osv:npm"), "{text}");
    assert!(text.contains("rubysec"), "{text}");
    assert!(text.contains("kev"), "{text}");
    let before = std::fs::read(&db).unwrap();

    let broken = [
        (
            StaticServer::start(mirror.clone(), Misbehaviour::Status("npm", 500)).url,
            "500",
        ),
        (
            StaticServer::start(mirror.clone(), Misbehaviour::Truncate("kev")).url,
            "broke off",
        ),
        // Nothing listens on port 9 of the loopback.
        ("http://127.0.0.1:9".to_string(), "cannot fetch"),
    ];
    for (url, cause) in broken {
        let out = update(&url, &db);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = stderr(&out);
        assert!(err.contains(cause), "{url}: {err}");
        assert!(err.contains("previous one is unchanged"), "{err}");
        assert_eq!(std::fs::read(&db).unwrap(), before, "{url}");
    }
    // No staging directory is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "v.db")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn built_db(dir: &Path) -> PathBuf {
    let db = dir.join("built.db");
    let out = run(customs()
        .args(["db", "build", "--from"])
        .arg(small_mirror(dir))
        .arg("--db")
        .arg(&db));
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn import(bundle: &Path, key: &Path, db: &Path) -> std::process::Output {
    run(customs()
        .args(["db", "import"])
        .arg(bundle)
        .arg("--key")
        .arg(key)
        .arg("--db")
        .arg(db))
}

#[test]
fn a_signed_bundle_round_trips_and_a_bad_one_never_replaces_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let source = built_db(dir.path());
    let keys = dir.path().join("publisher");
    let out = run(customs().args(["db", "keygen"]).arg(&keys));
    assert!(out.status.success(), "{}", stderr(&out));
    let (private, public) = (keys.with_extension("key"), keys.with_extension("pub"));
    // keygen never overwrites a key.
    assert_eq!(
        run(customs().args(["db", "keygen"]).arg(&keys))
            .status
            .code(),
        Some(2)
    );

    let bundle = dir.path().join("feeds.bundle");
    let out = run(customs()
        .args(["db", "export"])
        .arg(&bundle)
        .arg("--key")
        .arg(&private)
        .arg("--db")
        .arg(&source));
    assert!(out.status.success(), "{}", stderr(&out));

    let site = dir.path().join("site/v.db");
    let out = import(&bundle, &public, &site);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("signature and checksum verified"));
    assert_eq!(
        std::fs::read(&site).unwrap(),
        std::fs::read(&source).unwrap()
    );
    let good = std::fs::read(&site).unwrap();

    let bytes = std::fs::read(&bundle).unwrap();
    let find = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    };
    let mut tampered_manifest = bytes.clone();
    let at = find(b"\"records\"") + 13;
    tampered_manifest[at] = if tampered_manifest[at] == b'9' {
        b'8'
    } else {
        b'9'
    };
    let mut tampered_database = bytes.clone();
    let at = find(b"vulndb.sqlite.zst") + 512 + 4096;
    tampered_database[at] ^= 0xff;
    let other_keys = dir.path().join("someone-else");
    assert!(
        run(customs().args(["db", "keygen"]).arg(&other_keys))
            .status
            .success()
    );

    let cases: Vec<(&str, Vec<u8>, PathBuf, &str)> = vec![
        (
            "tampered manifest",
            tampered_manifest,
            public.clone(),
            "signature does not match",
        ),
        (
            "tampered database",
            tampered_database,
            public.clone(),
            "does not match its checksum",
        ),
        (
            "another key",
            bytes.clone(),
            other_keys.with_extension("pub"),
            "signature does not match",
        ),
        (
            "truncated",
            bytes[..bytes.len() / 2].to_vec(),
            public.clone(),
            "bundle",
        ),
        ("not a bundle", b"hello".to_vec(), public.clone(), "bundle"),
    ];
    for (what, content, key, cause) in cases {
        let bad = dir.path().join("bad.bundle");
        std::fs::write(&bad, &content).unwrap();
        let out = import(&bad, &key, &site);
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = stderr(&out);
        assert!(err.contains(cause), "{what}: {err}");
        assert!(err.contains("is unchanged"), "{what}: {err}");
        assert_eq!(std::fs::read(&site).unwrap(), good, "{what}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(site.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "v.db")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A private key is no public key.
    let out = import(&bundle, &private, &site);
    assert!(
        stderr(&out).contains("not an ed25519 public key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn keys_made_by_openssl_work() {
    if !require_tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = built_db(dir.path());
    let (private, public) = (dir.path().join("k.pem"), dir.path().join("k.pub.pem"));
    assert!(
        run(std::process::Command::new("openssl")
            .args(["genpkey", "-algorithm", "ed25519", "-out"])
            .arg(&private))
        .status
        .success()
    );
    assert!(
        run(std::process::Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&private)
            .arg("-out")
            .arg(&public))
        .status
        .success()
    );
    let bundle = dir.path().join("b.bundle");
    let out = run(customs()
        .args(["db", "export"])
        .arg(&bundle)
        .arg("--key")
        .arg(&private)
        .arg("--db")
        .arg(&source));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = import(&bundle, &public, &dir.path().join("site.db"));
    assert!(out.status.success(), "{}", stderr(&out));
}
