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
