//! The native SBOM lists every file with its metadata and layer, and the SHA-256 of the files
//! packages own and of executables, checked here against GNU tar and sha256sum.

mod common;

use std::process::Command;

use common::*;

#[test]
fn every_file_of_debian_base() {
    let sbom = sbom_json(
        &format!("oci-dir:{}:debian-base", shared_layout().display()),
        &[],
    );
    let files = sbom["files"].as_array().unwrap();
    let layer_blob = shared_layout()
        .join("blobs/sha256/4de02a229367368a83e9547a03725bd95ceb01c336090ec4a269d487575ea651");
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&layer_blob)
        .output()
        .unwrap();
    let entries = String::from_utf8_lossy(&listing.stdout).lines().count();
    // tar lists `./` as an entry; the tree has `/` for it.
    assert_eq!(
        files.len(),
        entries,
        "one record per entry of the single layer"
    );
    let diff_id = sbom["source"]["image"]["layers"][0]["diff_id"]
        .as_str()
        .unwrap();
    assert!(files.iter().all(|f| f["layer"] == diff_id));

    let by_path = |p: &str| files.iter().find(|f| f["path"] == p).unwrap();
    let bash = by_path("/usr/bin/bash");
    assert_eq!(bash["kind"], "file");
    assert_eq!(bash["mode"], "0755");
    assert_eq!(bash["uid"], 0);
    let member = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .find(|l| l.trim_start_matches("./") == "usr/bin/bash")
        .expect("the layer has usr/bin/bash")
        .to_string();
    let expected = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "tar -xzOf {} {member} | sha256sum",
            layer_blob.display()
        ))
        .output()
        .unwrap();
    let expected = String::from_utf8_lossy(&expected.stdout);
    let expected = expected.split_whitespace().next().unwrap();
    assert_eq!(bash["sha256"], format!("sha256:{expected}"));
    assert_eq!(bash["size"], 1265648);
    let link = by_path("/bin");
    assert_eq!(link["kind"], "symlink");
    assert_eq!(link["link_target"], "usr/bin");
    // Owned by a package (dpkg lists it): hashed. Not owned and not executable: not hashed.
    assert!(by_path("/usr/share/doc/bash/copyright")["sha256"].is_string());
    assert!(by_path("/etc/passwd")["sha256"].is_null());
}
