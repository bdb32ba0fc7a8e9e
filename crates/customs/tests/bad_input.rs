//! Bad input gets a one-line error naming the cause and exit code 2: never a panic, and nothing
//! written but the output file (which a failed run does not write either).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::fake_registry::{Behaviour, FakeRegistry};
use common::*;
use sha2::{Digest, Sha256};

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One tar entry written byte by byte, so hostile names reach the archive unchanged.
enum Entry<'a> {
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
}

fn raw_tar(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = tar::Header::new_old();
        let (name, data, link, kind) = match e {
            Entry::File(n, d) => (*n, *d, "", tar::EntryType::Regular),
            Entry::Symlink(n, l) => (*n, &[][..], *l, tar::EntryType::Symlink),
        };
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_entry_type(kind);
        h.set_mtime(0);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Writes an OCI layout holding one image with these layer blobs. `lie_about` names a layer whose
/// manifest digest is made up.
fn layout(dir: &Path, layers: &[Vec<u8>], lie_about: Option<usize>) -> PathBuf {
    let blobs = dir.join("blobs/sha256");
    let mut descriptors = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let mut digest = common::image_builder::put_blob(dir, l);
        if lie_about == Some(i) {
            let fake = "0".repeat(64);
            std::fs::write(blobs.join(&fake), l).unwrap();
            digest = format!("sha256:{fake}");
        }
        descriptors.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": digest,
            "size": l.len(),
        }));
    }
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}});
    common::image_builder::write_layout(dir, config.to_string().as_bytes(), descriptors, "bad");
    dir.to_path_buf()
}

/// Runs `customs sbom SOURCE --file out.json` in an empty directory and checks the failure.
fn fails_with(source: &str, cause: &str) {
    let cwd = tempfile::tempdir().unwrap();
    let out = run(customs()
        .current_dir(cwd.path())
        .args(["sbom", source, "-o", "json", "--file", "out.json"]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{source}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("customs: error: "), "{err}");
    assert!(err.contains(cause), "expected {cause:?} in: {err}");
    let left: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().flatten().collect();
    assert!(
        left.is_empty(),
        "nothing written on failure, found {left:?}"
    );
}

fn good_layer() -> Vec<u8> {
    gzip(&raw_tar(&[
        Entry::File("etc/os-release", b"ID=alpine\nVERSION_ID=3.12.12\n"),
        Entry::File(
            "lib/apk/db/installed",
            b"P:musl\nV:1.1.24-r10\nA:x86_64\n\n",
        ),
    ]))
}

#[test]
fn a_well_formed_layout_from_this_builder_works() {
    // The builder itself must make valid images, or the failures below would prove nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = layout(dir.path(), &[good_layer()], None);
    let sbom = sbom_json(&format!("oci-dir:{}", path.display()), &[]);
    assert_eq!(names_versions(&sbom, "apk"), vec!["musl 1.1.24-r10"]);
}

#[test]
fn truncated_layer() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_layer();
    let truncated = good[..good.len() / 2].to_vec();
    let path = layout(dir.path(), &[truncated], None);
    fails_with(&format!("oci-dir:{}", path.display()), "truncated");
}

#[test]
fn truncated_member_of_an_archive() {
    if !require_tool("skopeo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.tar");
    sh(&format!(
        "skopeo copy -q oci:{}:alpine-3.12 oci-archive:{}:x",
        shared_layout().display(),
        archive.display()
    ));
    let bytes = std::fs::read(&archive).unwrap();
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let out = run(customs().current_dir(cwd.path()).args([
        "sbom",
        &format!("oci-archive:{}", cut.display()),
        "--file",
        "o.json",
    ]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1);
    assert!(std::fs::read_dir(cwd.path()).unwrap().next().is_none());
}

#[test]
fn layer_digest_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let path = layout(dir.path(), &[good_layer()], Some(0));
    fails_with(&format!("oci-dir:{}", path.display()), "digest mismatch");
}

#[test]
fn entry_climbing_out_with_dot_dot() {
    let dir = tempfile::tempdir().unwrap();
    let layer = gzip(&raw_tar(&[Entry::File("etc/../../../tmp/evil", b"x")]));
    let path = layout(dir.path(), &[layer], None);
    fails_with(
        &format!("oci-dir:{}", path.display()),
        "climbs out of the image root",
    );
    assert!(!Path::new("/tmp/evil").exists());
}

#[test]
fn entry_with_an_absolute_path() {
    let dir = tempfile::tempdir().unwrap();
    let layer = gzip(&raw_tar(&[Entry::File(
        "/etc/passwd",
        b"root:x:0:0::/root:/bin/sh\n",
    )]));
    let path = layout(dir.path(), &[layer], None);
    fails_with(&format!("oci-dir:{}", path.display()), "absolute path");
}

#[test]
fn symlink_pointing_outside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let layer = gzip(&raw_tar(&[Entry::Symlink(
        "etc/os-release",
        "../../../../etc/os-release",
    )]));
    let path = layout(dir.path(), &[layer], None);
    fails_with(
        &format!("oci-dir:{}", path.display()),
        "symlink points outside the image root",
    );
}

#[test]
fn manifest_that_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = layout(dir.path(), &[good_layer()], None);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.join("index.json")).unwrap()).unwrap();
    let digest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let garbage = b"<html>not a manifest</html>";
    let hex = sha256(garbage);
    std::fs::write(path.join("blobs/sha256").join(&hex), garbage).unwrap();
    let fixed = index.to_string().replace(&digest, &format!("sha256:{hex}"));
    std::fs::write(path.join("index.json"), fixed).unwrap();
    fails_with(&format!("oci-dir:{}", path.display()), "not valid JSON");

    std::fs::write(path.join("index.json"), "{ this is not json").unwrap();
    fails_with(
        &format!("oci-dir:{}", path.display()),
        "index.json: not valid JSON",
    );
}

#[test]
fn registry_answering_401() {
    let registry = FakeRegistry::start(shared_layout(), Behaviour::Always(401));
    let source = format!("registry:{}/example/alpine:alpine-3.12", registry.address);
    fails_with(&source, "requires a login (401)");
    let cwd = tempfile::tempdir().unwrap();
    let out = run(customs().current_dir(cwd.path()).args([
        "sbom",
        &source,
        "--registry-username",
        "u",
        "--registry-password",
        "bad",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("check the username and password"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn registry_answering_500() {
    let registry = FakeRegistry::start(shared_layout(), Behaviour::Always(500));
    fails_with(
        &format!("registry:{}/example/alpine:alpine-3.12", registry.address),
        "500 Internal Server Error",
    );
}

#[test]
fn registry_serving_a_corrupt_blob() {
    let registry = FakeRegistry::start(shared_layout(), Behaviour::CorruptBlobs);
    fails_with(
        &format!("registry:{}/example/alpine:alpine-3.12", registry.address),
        "layer",
    );
}

#[test]
fn registry_that_is_down() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    fails_with(
        &format!("registry:127.0.0.1:{port}/example/x:1"),
        "cannot reach the registry",
    );
}

#[test]
fn plain_http_refused_for_remote_hosts_unless_allowed() {
    // A non-loopback name that resolves nowhere: HTTPS fails and plain HTTP is not tried.
    fails_with(
        "registry:registry.invalid:5000/x/y:1",
        "plain HTTP is allowed only",
    );
}

#[test]
fn missing_file() {
    fails_with("oci-archive:/nonexistent/image.tar", "no such file");
    fails_with("docker-archive:/nonexistent/image.tar", "no such file");
    fails_with("dir:/nonexistent/root", "no such directory");
    fails_with("./nonexistent-image.tar", "no such file or directory");
}

#[test]
fn archive_that_is_not_a_tar() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("junk.tar");
    std::fs::write(&f, vec![7u8; 4096]).unwrap();
    fails_with(
        &format!("docker-archive:{}", f.display()),
        "not a tar archive",
    );
}

#[test]
fn unknown_image_in_a_layout() {
    fails_with(
        &format!("oci-dir:{}:nope", shared_layout().display()),
        "no image named \"nope\" (available: lang, debian-base, alpine-3.12, alpine-quirk)",
    );
    fails_with(
        &format!("oci-dir:{}", shared_layout().display()),
        "holds 4 images",
    );
}

#[test]
fn failed_run_keeps_the_previous_output_file() {
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(cwd.path().join("out.json"), "previous").unwrap();
    let out = run(customs().current_dir(cwd.path()).args([
        "sbom",
        "dir:/nonexistent",
        "--file",
        "out.json",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(cwd.path().join("out.json")).unwrap(),
        "previous"
    );
}
