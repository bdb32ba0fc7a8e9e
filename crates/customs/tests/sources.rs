//! The same image must give the same packages from every kind of source.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const REFS: &[(&str, &str, &str)] = &[
    ("debian-base", "deb", "debian-base.txt"),
    ("alpine-3.12", "apk", "alpine-3.12.txt"),
    ("alpine-quirk", "apk", "alpine-3.12.txt"),
];

/// The packages of every type but `package_type` that the image holds besides its OS packages.
fn other_expected(expected_file: &str) -> Vec<(&'static str, Vec<String>)> {
    if expected_file == "alpine-3.12.txt" {
        vec![("npm", expected("alpine-3.12.npm.txt"))]
    } else {
        Vec::new()
    }
}

fn check(source: &str, package_type: &str, expected_file: &str) -> serde_json::Value {
    let sbom = sbom_json(source, &[]);
    assert_eq!(
        names_versions(&sbom, package_type),
        expected(expected_file),
        "packages of {source}"
    );
    let others = other_expected(expected_file);
    for (t, want) in &others {
        assert_eq!(&names_versions(&sbom, t), want, "{t} packages of {source}");
    }
    let unexpected: Vec<&serde_json::Value> = sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] != package_type && !others.iter().any(|(t, _)| p["type"] == *t))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{source}: unexpected packages {unexpected:?}"
    );
    sbom
}

fn check_distro(sbom: &serde_json::Value, id: &str, version: &str) {
    assert_eq!(sbom["distro"]["id"], id);
    assert_eq!(sbom["distro"]["version_id"], version);
}

#[test]
fn oci_dir() {
    for (r, t, e) in REFS {
        let layout = shared_layout();
        let sbom = check(&format!("oci-dir:{}:{r}", layout.display()), t, e);
        let (id, version) = if *t == "deb" {
            ("debian", "12")
        } else {
            ("alpine", "3.12.12")
        };
        check_distro(&sbom, id, version);
        let image = &sbom["source"]["image"];
        assert!(
            image["manifest_digest"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
        assert!(
            image["config_digest"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
        assert_eq!(image["tags"][0], *r);
        assert_eq!(image["architecture"], "amd64");
        assert_eq!(image["os"], "linux");
        // Every package's location names the layer (diff ID) that wrote its database.
        let diff_ids: Vec<&str> = image["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["diff_id"].as_str().unwrap())
            .collect();
        for p in sbom["packages"].as_array().unwrap() {
            let layer = p["locations"][0]["layer"].as_str().unwrap();
            assert!(diff_ids.contains(&layer), "{layer} is a layer of the image");
        }
        // A guessed scheme gives the same result.
        let guessed = sbom_json(&format!("{}:{r}", layout.display()), &[]);
        assert_eq!(names_versions(&guessed, t), names_versions(&sbom, t));
    }
}

#[test]
fn alpine_removed_packages_stay_in_all_layers_only() {
    let source = format!("oci-dir:{}:alpine-3.12", shared_layout().display());
    let squashed = sbom_json(&source, &[]);
    let all = sbom_json(&source, &["--scope", "all-layers"]);
    let removed = ["libc-utils", "musl-utils", "scanelf"];
    let names = |s: &serde_json::Value| -> Vec<String> {
        s["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    for r in removed {
        assert!(!names(&squashed).contains(&r.to_string()));
        let p = all["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == r)
            .unwrap_or_else(|| panic!("{r} is in all-layers"));
        assert!(
            p["locations"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["visible"] == false)
        );
    }
    // musl is in the first layer's database and in the rewritten one; only the latter is visible.
    let musl = all["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "musl")
        .unwrap();
    let visible: Vec<bool> = musl["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["visible"].as_bool().unwrap())
        .collect();
    assert_eq!(visible, vec![false, true]);
    assert_eq!(all["source"]["scope"], "all-layers");
}

fn artifact(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let path = scratch().join(name);
    if !path.exists() {
        make(&path);
    }
    path
}

#[test]
fn oci_archive() {
    if !require_tool("skopeo") {
        return;
    }
    for (r, t, e) in REFS {
        let archive = artifact(&format!("{r}.oci.tar"), |p| {
            sh(&format!(
                "skopeo copy -q oci:{}:{r} oci-archive:{}:latest",
                shared_layout().display(),
                p.display()
            ))
        });
        check(&format!("oci-archive:{}", archive.display()), t, e);
        // Guessed from the archive's members.
        check(&archive.display().to_string(), t, e);
    }
}

#[test]
fn docker_archive_classic() {
    if !require_tool("skopeo") {
        return;
    }
    for (r, t, e) in REFS {
        let archive = artifact(&format!("{r}.docker.tar"), |p| {
            sh(&format!(
                "skopeo copy -q oci:{}:{r} docker-archive:{}:example/{r}:latest",
                shared_layout().display(),
                p.display()
            ))
        });
        let sbom = check(&format!("docker-archive:{}", archive.display()), t, e);
        // skopeo writes the fully qualified name.
        assert_eq!(
            sbom["source"]["image"]["tags"][0],
            format!("docker.io/example/{r}:latest")
        );
        check(&archive.display().to_string(), t, e);
        // A gzip-compressed `docker save` archive is read too.
        let gz = artifact(&format!("{r}.docker.tar.gz"), |p| {
            sh(&format!("gzip -c {} > {}", archive.display(), p.display()))
        });
        check(&format!("docker-archive:{}", gz.display()), t, e);
    }
}

/// Docker 25+ `docker save` writes an OCI layout (uncompressed layers in blobs/sha256) with a
/// `manifest.json` beside `index.json`; this builds one the same way.
#[test]
fn docker_archive_docker25() {
    if !require_tool("skopeo") {
        return;
    }
    for (r, t, e) in REFS {
        let archive = artifact(&format!("{r}.docker25.tar"), |p| {
            let dir = scratch().join(format!("{r}.docker25"));
            sh(&format!(
                "skopeo copy -q --dest-decompress oci:{}:{r} oci:{}:example/{r}:latest",
                shared_layout().display(),
                dir.display()
            ));
            let index: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
            let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap();
            let blob = |d: &str| format!("blobs/sha256/{}", d.trim_start_matches("sha256:"));
            let manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join(blob(manifest_digest))).unwrap())
                    .unwrap();
            let docker_manifest = serde_json::json!([{
                "Config": blob(manifest["config"]["digest"].as_str().unwrap()),
                "RepoTags": [format!("example/{r}:latest")],
                "Layers": manifest["layers"].as_array().unwrap().iter()
                    .map(|l| blob(l["digest"].as_str().unwrap())).collect::<Vec<_>>(),
            }]);
            std::fs::write(dir.join("manifest.json"), docker_manifest.to_string()).unwrap();
            sh(&format!("tar -C {} -cf {} .", dir.display(), p.display()));
        });
        let sbom = check(&format!("docker-archive:{}", archive.display()), t, e);
        assert!(
            sbom["source"]["image"]["manifest_digest"].is_string(),
            "the manifest is found through index.json"
        );
        check(&archive.display().to_string(), t, e);
    }
}

#[test]
fn dir_unpacked() {
    if !require_tool("skopeo") || !require_tool("umoci") {
        return;
    }
    for (r, t, e) in REFS {
        let bundle = artifact(&format!("{r}.bundle"), |p| {
            let layout = scratch().join(format!("{r}.umoci"));
            sh(&format!(
                "skopeo copy -q oci:{}:{r} oci:{}:x && umoci unpack --rootless --image {}:x {} >/dev/null",
                shared_layout().display(),
                layout.display(),
                layout.display(),
                p.display()
            ));
        });
        let root = bundle.join("rootfs");
        let sbom = check(&format!("dir:{}", root.display()), t, e);
        assert!(sbom["source"]["image"].is_null());
        assert_eq!(sbom["source"]["kind"], "dir");
        // A bare directory path is guessed as dir:.
        check(&root.display().to_string(), t, e);
    }
}

#[test]
fn registry_pull() {
    if !require_tool("skopeo") || !require_tool("docker-registry") {
        return;
    }
    let registry = start_registry();
    for (r, t, e) in REFS {
        sh(&format!(
            "skopeo copy -q --dest-tls-verify=false oci:{}:{r} docker://{}/example/{r}:1",
            shared_layout().display(),
            registry.address
        ));
        let sbom = check(
            &format!("registry:{}/example/{r}:1", registry.address),
            t,
            e,
        );
        let digest = sbom["source"]["image"]["manifest_digest"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            sbom["source"]["image"]["tags"][0],
            format!("{}/example/{r}:1", registry.address)
        );
        // By digest, and with the scheme guessed.
        check(
            &format!("registry:{}/example/{r}@{digest}", registry.address),
            t,
            e,
        );
        check(&format!("{}/example/{r}:1", registry.address), t, e);
    }
    // Docker v2 schema 2 manifests (skopeo converts on push).
    sh(&format!(
        "skopeo copy -q --format v2s2 --dest-tls-verify=false oci:{}:debian-base docker://{}/example/v2s2:1",
        shared_layout().display(),
        registry.address
    ));
    let sbom = check(
        &format!("registry:{}/example/v2s2:1", registry.address),
        "deb",
        "debian-base.txt",
    );
    assert_eq!(
        sbom["source"]["image"]["manifest_media_type"],
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    let missing = run(customs().args([
        "sbom",
        &format!("registry:{}/example/nothing:1", registry.address),
    ]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("not found"),
        "{}",
        stderr(&missing)
    );
}
