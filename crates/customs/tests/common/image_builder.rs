//! Builds small OCI image layouts for tests: layers of files (with modes), whiteouts, and an
//! image config with runtime defaults and history, as a real builder writes them.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// One entry of a layer.
pub enum Item<'a> {
    /// A regular file: path (no leading `/`), mode, content.
    File(&'a str, u32, &'a [u8]),
    /// A whiteout deleting `path` from the layers below.
    Delete(&'a str),
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn layer_tar(items: &[Item<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for item in items {
        let (path, mode, data): (String, u32, &[u8]) = match item {
            Item::File(p, m, d) => (p.to_string(), *m, d),
            Item::Delete(p) => {
                let (dir, name) = p.rsplit_once('/').map_or(("", *p), |(d, n)| (d, n));
                let wh = if dir.is_empty() {
                    format!(".wh.{name}")
                } else {
                    format!("{dir}/.wh.{name}")
                };
                (wh, 0o644, &[][..])
            }
        };
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, &path, data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Writes an OCI layout at `dir` holding one image (ref name `test`) with these layers and this
/// container config (`{"User": ..., "ExposedPorts": ..., "Env": [...]}`); `history` lines are
/// the `created_by` of each step. Returns the `oci-dir:` source.
pub fn build(
    dir: &Path,
    layers: &[Vec<Item<'_>>],
    config: serde_json::Value,
    history: &[&str],
) -> String {
    let put = |bytes: &[u8]| put_blob(dir, bytes);
    let mut descriptors = Vec::new();
    let mut diff_ids = Vec::new();
    for items in layers {
        let tar = layer_tar(items);
        diff_ids.push(format!("sha256:{}", sha256(&tar)));
        let blob = gzip(&tar);
        descriptors.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": put(&blob),
            "size": blob.len(),
        }));
    }
    let history: Vec<serde_json::Value> = history
        .iter()
        .map(|h| serde_json::json!({"created": "2026-01-01T00:00:00Z", "created_by": h}))
        .collect();
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2026-01-01T00:00:00Z",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    })
    .to_string()
    .into_bytes();
    write_layout(dir, &config, descriptors, "test");
    format!("oci-dir:{}:test", PathBuf::from(dir).display())
}

/// Stores `bytes` as a blob of the layout at `dir`; returns its digest.
pub fn put_blob(dir: &Path, bytes: &[u8]) -> String {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let d = sha256(bytes);
    std::fs::write(blobs.join(&d), bytes).unwrap();
    format!("sha256:{d}")
}

/// Completes the layout at `dir` with one image: its config, a manifest of these layer
/// descriptors, and an index naming it `ref_name`.
pub fn write_layout(dir: &Path, config: &[u8], layers: Vec<serde_json::Value>, ref_name: &str) {
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put_blob(dir, config), "size": config.len()},
        "layers": layers,
    })
    .to_string()
    .into_bytes();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put_blob(dir, &manifest), "size": manifest.len(),
                        "annotations": {"org.opencontainers.image.ref.name": ref_name}}],
    });
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}
