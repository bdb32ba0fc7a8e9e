//! Layouts beyond the shared one: several platforms under one name, zstd layers, and directory
//! sources whose symlinks point outside their root.

mod common;

use std::io::Write as _;
use std::path::Path;

use common::*;

/// The shared layout's index entry for `r`.
fn shared_entry(r: &str) -> serde_json::Value {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shared_layout().join("index.json")).unwrap())
            .unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == r)
        .unwrap()
        .clone()
}

/// A layout whose index lists the shared alpine image as linux/amd64 and the shared debian image
/// as linux/arm64 under one name (blobs shared through a symlink).
fn multi_platform_layout(dir: &Path) {
    std::os::unix::fs::symlink(shared_layout().join("blobs"), dir.join("blobs")).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let with_platform = |mut m: serde_json::Value, arch: &str| {
        m["annotations"]["org.opencontainers.image.ref.name"] = "multi".into();
        m["platform"] = serde_json::json!({"os": "linux", "architecture": arch});
        m
    };
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [
            with_platform(shared_entry("debian-base"), "arm64"),
            with_platform(shared_entry("alpine-3.12"), "amd64"),
        ],
    });
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
}

#[test]
fn platform_is_chosen_from_an_index() {
    let dir = tempfile::tempdir().unwrap();
    multi_platform_layout(dir.path());
    let source = format!("oci-dir:{}:multi", dir.path().display());
    let amd64 = sbom_json(&source, &["--platform", "linux/amd64"]);
    assert_eq!(names_versions(&amd64, "apk"), expected("alpine-3.12.txt"));
    let arm64 = sbom_json(&source, &["--platform", "linux/arm64"]);
    assert_eq!(names_versions(&arm64, "deb"), expected("debian-base.txt"));
    if std::env::consts::ARCH == "x86_64" {
        // The host's platform by default.
        let host = sbom_json(&source, &[]);
        assert_eq!(names_versions(&host, "apk"), expected("alpine-3.12.txt"));
    }
    let none = run(customs().args(["sbom", &source, "--platform", "linux/s390x"]));
    assert_eq!(none.status.code(), Some(2));
    let err = stderr(&none);
    assert!(
        err.contains("no image for platform linux/s390x (available: linux/arm64, linux/amd64)"),
        "{err}"
    );
    let bad = run(customs().args(["sbom", &source, "--platform", "a/b/c/d"]));
    assert_eq!(bad.status.code(), Some(2));
}

/// Re-compresses the shared alpine image's layers with zstd (and one left uncompressed) and
/// checks the packages do not change.
#[test]
fn zstd_and_uncompressed_layers() {
    if !require_tool("zstd") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let blobs = dir.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let shared_blob = |d: &str| {
        std::fs::read(
            shared_layout()
                .join("blobs/sha256")
                .join(d.trim_start_matches("sha256:")),
        )
        .unwrap()
    };
    let put = |bytes: &[u8]| -> String {
        use sha2::Digest;
        let hex: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        std::fs::write(blobs.join(&hex), bytes).unwrap();
        format!("sha256:{hex}")
    };
    let alpine = shared_entry("alpine-3.12");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&shared_blob(alpine["digest"].as_str().unwrap())).unwrap();
    let config = shared_blob(manifest["config"]["digest"].as_str().unwrap());
    put(&config);
    for (i, layer) in manifest["layers"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        let gz = shared_blob(layer["digest"].as_str().unwrap());
        let mut tar = Vec::new();
        std::io::copy(&mut flate2::read::GzDecoder::new(&gz[..]), &mut tar).unwrap();
        let (bytes, media) = if i == 1 {
            (tar, "application/vnd.oci.image.layer.v1.tar")
        } else {
            (
                zstd_encode(&tar),
                "application/vnd.oci.image.layer.v1.tar+zstd",
            )
        };
        layer["digest"] = put(&bytes).into();
        layer["size"] = bytes.len().into();
        layer["mediaType"] = media.into();
    }
    let manifest_bytes = manifest.to_string().into_bytes();
    let digest = put(&manifest_bytes);
    let new_index = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": digest, "size": manifest_bytes.len()}]});
    std::fs::write(dir.path().join("index.json"), new_index.to_string()).unwrap();
    std::fs::write(
        dir.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let sbom = sbom_json(&format!("oci-dir:{}", dir.path().display()), &[]);
    assert_eq!(names_versions(&sbom, "apk"), expected("alpine-3.12.txt"));
    let layers = sbom["source"]["image"]["layers"].as_array().unwrap();
    assert_eq!(
        layers[0]["media_type"],
        "application/vnd.oci.image.layer.v1.tar+zstd"
    );
    // The diff IDs from the config were verified against the recompressed layers.
    assert!(layers.iter().all(|l| l["diff_id"].is_string()));
}

/// Compresses with the `zstd` command line tool: an encoder independent of the reader under test.
fn zstd_encode(data: &[u8]) -> Vec<u8> {
    let mut child = std::process::Command::new("zstd")
        .args(["-q", "-c", "-3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("zstd is installed");
    let mut stdin = child.stdin.take().unwrap();
    let input = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn directory_symlinks_never_leave_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    // Outside the root, a file a careless scanner would read through the links below.
    std::fs::write(dir.path().join("os-release"), "ID=outside\nVERSION_ID=1\n").unwrap();
    std::os::unix::fs::symlink("../../os-release", root.join("etc/os-release")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("os-release"),
        root.join("etc/alpine-release"),
    )
    .unwrap();
    std::fs::write(root.join("lib/apk/db/installed"), "P:musl\nV:1.2.3-r0\n\n").unwrap();
    let sbom = sbom_json(&format!("dir:{}", root.display()), &[]);
    assert!(
        sbom["distro"].is_null(),
        "distro read from outside the root: {}",
        sbom["distro"]
    );
    assert_eq!(names_versions(&sbom, "apk"), vec!["musl 1.2.3-r0"]);
}

#[test]
fn progress_is_drawn_on_a_terminal() {
    if !require_tool("script") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("sbom.json");
    let cmd = format!(
        "{} sbom oci-dir:{}:debian-base -o json --file {}",
        env!("CARGO_BIN_EXE_customs"),
        shared_layout().display(),
        out_file.display()
    );
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("cataloged 88 packages"),
        "terminal showed: {screen}"
    );
    assert!(out_file.exists());
}

/// A layout whose one named entry is an OCI image index (a blob) with two platforms, as
/// multi-platform images are stored; pushed to a real registry it becomes a manifest list.
fn nested_index_layout(dir: &Path) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let shared_blobs = shared_layout().join("blobs/sha256");
    for entry in std::fs::read_dir(&shared_blobs).unwrap().flatten() {
        std::os::unix::fs::symlink(entry.path(), blobs.join(entry.file_name())).unwrap();
    }
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let platform = |r: &str, arch: &str| {
        let mut m = shared_entry(r);
        m.as_object_mut().unwrap().remove("annotations");
        m["platform"] = serde_json::json!({"os": "linux", "architecture": arch});
        m
    };
    let image_index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [platform("alpine-3.12", "amd64"), platform("debian-base", "arm64")],
    })
    .to_string();
    use sha2::Digest;
    let hex: String = sha2::Sha256::digest(image_index.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(blobs.join(&hex), &image_index).unwrap();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": format!("sha256:{hex}"),
            "size": image_index.len(),
            "annotations": {"org.opencontainers.image.ref.name": "multi"},
        }],
    });
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
}

#[test]
fn nested_image_index_in_a_layout_and_a_registry() {
    let dir = tempfile::tempdir().unwrap();
    nested_index_layout(dir.path());
    let source = format!("oci-dir:{}:multi", dir.path().display());
    let arm64 = sbom_json(&source, &["--platform", "linux/arm64"]);
    assert_eq!(names_versions(&arm64, "deb"), expected("debian-base.txt"));
    let amd64 = sbom_json(&source, &["--platform", "linux/amd64"]);
    assert_eq!(names_versions(&amd64, "apk"), expected("alpine-3.12.txt"));

    if !require_tool("skopeo") || !require_tool("docker-registry") {
        return;
    }
    let registry = start_registry();
    sh(&format!(
        "skopeo copy -q --all --dest-tls-verify=false oci:{}:multi docker://{}/example/multi:1",
        dir.path().display(),
        registry.address
    ));
    let remote = format!("registry:{}/example/multi:1", registry.address);
    let arm64 = sbom_json(&remote, &["--platform", "linux/arm64"]);
    assert_eq!(names_versions(&arm64, "deb"), expected("debian-base.txt"));
    let amd64 = sbom_json(&remote, &["--platform", "linux/amd64"]);
    assert_eq!(names_versions(&amd64, "apk"), expected("alpine-3.12.txt"));
}

/// `127.1` is a loopback address that the loopback check does not recognise by name, so it
/// stands in for a remote host: plain HTTP is refused until `--insecure-registry` names it.
#[test]
fn insecure_registry_flag_allows_plain_http() {
    let registry = common::fake_registry::FakeRegistry::start(
        shared_layout(),
        common::fake_registry::Behaviour::Bearer { credentials: None },
    );
    let port = registry.address.rsplit_once(':').unwrap().1;
    let host = format!("127.1:{port}");
    let source = format!("registry:{host}/example/alpine:alpine-3.12");
    let refused = run(customs().args(["sbom", &source, "-q"]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--insecure-registry"),
        "{}",
        stderr(&refused)
    );
    let allowed = sbom_json(&source, &["--insecure-registry", &host]);
    assert_eq!(names_versions(&allowed, "apk"), expected("alpine-3.12.txt"));
}
