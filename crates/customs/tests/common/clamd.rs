//! A clamd of a test's own, and an image with malware in it, for the tests of the malware
//! scan (the CLI's and the server's).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::image_builder::{Item, build};
use super::{free_port, require_tool, run_with_input, scratch};

/// A clamd of the test's own, with a signature database the test writes: EICAR's test file
/// and a chosen file, by MD5 hash and size (ClamAV's `.hdb` format). Stopped on drop.
pub struct Clamd {
    child: Child,
    pub socket: PathBuf,
    /// The same daemon on TCP (`127.0.0.1:PORT`).
    pub tcp: String,
    _dir: tempfile::TempDir,
}

impl Drop for Clamd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// EICAR's standard anti-virus test file, put together here so that this source file is not
/// itself flagged by scanners.
pub fn eicar() -> Vec<u8> {
    let parts = [
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$",
        "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!",
        "$H+H*",
    ];
    parts.concat().into_bytes()
}

pub const PLANTED: &[u8] = b"#!/bin/sh\n# stands in for a trojan: ClamAV knows it by its hash\n";

fn md5_hex(bytes: &[u8]) -> String {
    let out = run_with_input(&mut Command::new("md5sum"), bytes);
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

pub fn start_clamd() -> Option<Clamd> {
    if !require_tool("clamd") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    std::fs::create_dir_all(&db).unwrap();
    let e = eicar();
    std::fs::write(
        db.join("customs-test.hdb"),
        format!(
            "{}:{}:Customs.Test.Eicar\n{}:{}:Customs.Test.Planted\n",
            md5_hex(&e),
            e.len(),
            md5_hex(PLANTED),
            PLANTED.len()
        ),
    )
    .unwrap();
    let socket = dir.path().join("clamd.sock");
    let conf = dir.path().join("clamd.conf");
    let port = free_port();
    std::fs::write(
        &conf,
        format!(
            "Foreground yes\nLocalSocket {}\nTCPSocket {port}\nTCPAddr 127.0.0.1\nDatabaseDirectory {}\nTemporaryDirectory {}\nLogFile {}\n",
            socket.display(),
            db.display(),
            dir.path().display(),
            dir.path().join("clamd.log").display()
        ),
    )
    .unwrap();
    let child = Command::new("clamd")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("clamd starts");
    let clamd = Clamd {
        child,
        socket,
        tcp: format!("127.0.0.1:{port}"),
        _dir: dir,
    };
    let started = Instant::now();
    while !clamd.socket.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "clamd did not open its socket"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(clamd)
}

pub fn infected_image() -> String {
    let dir = scratch().join("infected");
    if dir.join("index.json").exists() {
        return format!("oci-dir:{}:test", dir.display());
    }
    let e = eicar();
    let layers = vec![
        vec![
            Item::File("etc/os-release", 0o644, b"ID=alpine\nVERSION_ID=3.12.12\n"),
            Item::File("tmp/eicar.com", 0o644, &e),
            Item::File("usr/local/bin/tool", 0o755, PLANTED),
            Item::File("usr/local/bin/clean", 0o755, b"#!/bin/sh\necho clean\n"),
        ],
        vec![Item::Delete("tmp/eicar.com")],
    ];
    build(&dir, &layers, json!({"User": "app"}), &[])
}
