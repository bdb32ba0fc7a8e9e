//! The `lang` image: every ecosystem the shared README lists, with names, versions, purls and the
//! layer that brought each package, in both scopes.

mod common;

use common::*;

fn find<'a>(sbom: &'a serde_json::Value, t: &str, name: &str) -> Vec<&'a serde_json::Value> {
    sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == t && p["name"] == name)
        .collect()
}

fn one<'a>(
    sbom: &'a serde_json::Value,
    t: &str,
    name: &str,
    version: &str,
) -> &'a serde_json::Value {
    let found: Vec<_> = find(sbom, t, name)
        .into_iter()
        .filter(|p| p["version"] == version)
        .collect();
    assert_eq!(found.len(), 1, "{t} {name} {version}: found {found:?}");
    found[0]
}

fn count(sbom: &serde_json::Value, t: &str) -> usize {
    sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == t)
        .count()
}

/// The diff ID of layer `n` (1-based) of the image.
fn layer(sbom: &serde_json::Value, n: usize) -> String {
    sbom["source"]["image"]["layers"][n - 1]["diff_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn location_layer(p: &serde_json::Value) -> &str {
    p["locations"][0]["layer"].as_str().unwrap()
}

#[test]
fn lang_squashed() {
    let sbom = sbom_json(&format!("oci-dir:{}:lang", shared_layout().display()), &[]);
    for (t, n) in [
        ("deb", 112),
        ("python", 13),
        ("npm", 54),
        ("java", 2),
        ("go-module", 2),
        ("rust-crate", 11),
    ] {
        assert_eq!(count(&sbom, t), n, "{t} packages");
    }
    let venv = layer(&sbom, 3);
    for (name, version, purl) in [
        ("Django", "2.2", "pkg:pypi/django@2.2"),
        ("requests", "2.19.1", "pkg:pypi/requests@2.19.1"),
        ("urllib3", "1.23", "pkg:pypi/urllib3@1.23"),
        ("Jinja2", "2.10", "pkg:pypi/jinja2@2.10"),
        ("setuptools", "65.5.0", "pkg:pypi/setuptools@65.5.0"),
        ("pip", "21.0", "pkg:pypi/pip@21.0"),
    ] {
        let p = one(&sbom, "python", name, version);
        assert_eq!(p["purl"], purl);
        assert_eq!(
            location_layer(p),
            venv,
            "{name} comes from the virtualenv layer"
        );
        assert!(
            p["locations"][0]["path"]
                .as_str()
                .unwrap()
                .starts_with("/opt/venv/")
        );
    }
    // The system-wide urllib3 is another package than the virtualenv's.
    let system = one(&sbom, "python", "urllib3", "1.24.1");
    assert!(
        !system["locations"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with("/opt/venv/")
    );
    assert!(
        find(&sbom, "python", "PyYAML").is_empty(),
        "PyYAML was uninstalled in layer 6"
    );

    let node = layer(&sbom, 4);
    for (name, version, purl) in [
        ("express", "4.16.0", "pkg:npm/express@4.16.0"),
        ("lodash", "4.17.15", "pkg:npm/lodash@4.17.15"),
        ("minimist", "1.2.0", "pkg:npm/minimist@1.2.0"),
    ] {
        let p = one(&sbom, "npm", name, version);
        assert_eq!(p["purl"], purl);
        assert_eq!(location_layer(p), node);
    }

    let debian_java = layer(&sbom, 2);
    for (name, version, purl) in [
        ("log4j", "1.2.17", "pkg:maven/log4j/log4j@1.2.17"),
        ("snakeyaml", "1.33", "pkg:maven/org.yaml/snakeyaml@1.33"),
    ] {
        let p = one(&sbom, "java", name, version);
        assert_eq!(p["purl"], purl);
        assert_eq!(location_layer(p), debian_java);
        assert_eq!(p["metadata"]["sha1"].as_str().map(str::len), Some(40));
    }

    let binaries = layer(&sbom, 5);
    let stdlib = one(&sbom, "go-module", "stdlib", "go1.19.8");
    assert_eq!(stdlib["purl"], "pkg:golang/stdlib@1.19.8");
    assert_eq!(location_layer(stdlib), binaries);
    let main = one(
        &sbom,
        "go-module",
        "github.com/docker/distribution/cmd/registry",
        "(devel)",
    );
    assert_eq!(main["locations"][0]["path"], "/usr/local/bin/registry");
    for (name, version) in [
        ("regex", "1.5.4"),
        ("smallvec", "1.6.0"),
        ("chrono", "0.4.19"),
        ("time", "0.1.45"),
    ] {
        let p = one(&sbom, "rust-crate", name, version);
        assert_eq!(p["purl"], format!("pkg:cargo/{name}@{version}"));
        assert_eq!(location_layer(p), binaries);
    }
}

#[test]
fn lang_all_layers_keeps_the_uninstalled_pyyaml() {
    let sbom = sbom_json(
        &format!("oci-dir:{}:lang", shared_layout().display()),
        &["--scope", "all-layers"],
    );
    let pyyaml = one(&sbom, "python", "PyYAML", "5.3");
    assert_eq!(pyyaml["purl"], "pkg:pypi/pyyaml@5.3");
    assert_eq!(location_layer(pyyaml), layer(&sbom, 3));
    assert_eq!(pyyaml["locations"][0]["visible"], false);
    // Everything visible in the squashed view is still there, and visible.
    let django = one(&sbom, "python", "Django", "2.2");
    assert_eq!(django["locations"][0]["visible"], true);
    assert_eq!(count(&sbom, "python"), 14);
}

/// Real programs copied out of the shared images (with GNU tar) into a directory with no package
/// database: the classifier must name each, with the upstream version its OS package carries.
#[test]
fn classifier_on_real_binaries_agrees_with_their_os_packages() {
    let blobs = shared_layout().join("blobs/sha256");
    let dir = tempfile::tempdir().unwrap();
    let extract = |blob: &str, member: &str, to: &str| {
        let target = dir.path().join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        sh(&format!(
            "tar -xzOf {} --wildcards '*{member}' > {} && chmod 755 {}",
            blobs.join(blob).display(),
            target.display(),
            target.display()
        ));
    };
    let debian = "4de02a229367368a83e9547a03725bd95ceb01c336090ec4a269d487575ea651";
    let alpine = "76e09977d9d400c564fbb6ff1ae1337c4cef2b4041172f288595be8f6b9085d8";
    let lang_debs = "827897387702cbc04bd5e87b95ae3e2e75ae1abf95152c9c5560a68ca5439515";
    extract(debian, "usr/bin/bash", "usr/bin/bash");
    extract(debian, "x86_64-linux-gnu/libc.so.6", "lib/libc.so.6");
    extract(alpine, "bin/busybox", "bin/busybox");
    extract(alpine, "lib/libcrypto.so.1.1", "lib/libcrypto.so.1.1");
    extract(lang_debs, "usr/bin/python3.11", "usr/bin/python3.11");
    let sbom = sbom_json(&format!("dir:{}", dir.path().display()), &[]);
    let mut got = names_versions(&sbom, "binary");
    got.sort();
    assert_eq!(
        got,
        vec![
            "bash 5.2.15",
            "busybox 1.31.1",
            "glibc 2.36",
            "openssl 1.1.1n",
            "python 3.11.2"
        ]
    );
    // The same programs inside their images are their OS packages' files: no binary package.
    for r in ["debian-base", "alpine-3.12", "lang"] {
        let image = sbom_json(&format!("oci-dir:{}:{r}", shared_layout().display()), &[]);
        assert!(names_versions(&image, "binary").is_empty(), "{r}");
        let os = if r.starts_with("alpine") {
            "apk"
        } else {
            "deb"
        };
        let os_packages = names_versions(&image, os);
        let has = |prefix: &str| os_packages.iter().any(|p| p.starts_with(prefix));
        assert!(
            has("bash 5.2.15") || has("busybox 1.31.1"),
            "{r}: {os_packages:?}"
        );
    }
}
