//! Opening images stored locally: OCI layouts (directory or archive) and `docker save` archives.

use std::path::Path;
use std::sync::Arc;

use customs_types::Digest;
use serde::Deserialize;

use crate::error::ImageError;
use crate::manifest::{
    Descriptor, ImageConfig, ManifestDoc, blob_path, parse_json, parse_manifest_doc,
    select_platform, verify_digest,
};
use crate::platform::Platform;
use crate::store::BlobStore;
use crate::{ImageMetadata, LayerMetadata, LayerSpec, Layers};

/// Resolves an image inside an OCI layout held by `store`.
pub(crate) fn open_oci_layout(
    store: Arc<dyn BlobStore>,
    reference: Option<&str>,
    platform: &Platform,
    source_kind: &'static str,
) -> Result<(ImageMetadata, Layers), ImageError> {
    let label = store.label();
    if !store.contains("index.json") {
        return Err(ImageError::NotFound(format!(
            "{label}: not an OCI image layout (no index.json)"
        )));
    }
    let index_bytes = store.read_small("index.json")?;
    let context = format!("{label}: index.json");
    let ManifestDoc::Index(index) = parse_manifest_doc(&index_bytes, None, &context)? else {
        return Err(ImageError::invalid(
            context,
            "index.json is not an image index",
        ));
    };
    let named: Vec<Descriptor> = match reference {
        Some(wanted) => {
            let named: Vec<Descriptor> = index
                .manifests
                .iter()
                .filter(|d| d.answers_to(wanted))
                .cloned()
                .collect();
            if named.is_empty() {
                return Err(ImageError::NotFound(format!(
                    "{label}: no image named {wanted:?} (available: {})",
                    ref_names(&index.manifests)
                )));
            }
            named
        }
        None => {
            let distinct: std::collections::BTreeSet<_> = index
                .manifests
                .iter()
                .filter_map(|d| d.ref_name())
                .collect();
            if distinct.len() > 1 {
                return Err(ImageError::Usage(format!(
                    "{label} holds {} images; pick one with {source_kind}:{label}:REF (one of: {})",
                    distinct.len(),
                    ref_names(&index.manifests)
                )));
            }
            index.manifests.clone()
        }
    };
    // Several descriptors under one name are the platforms of one image.
    let chosen = match named.as_slice() {
        [] => {
            return Err(ImageError::NotFound(format!(
                "{label}: the layout holds no image"
            )));
        }
        [only] => only.clone(),
        several => select_platform(
            &crate::manifest::Index {
                manifests: several.to_vec(),
            },
            platform,
            &label,
        )?
        .clone(),
    };
    let tags: Vec<String> = chosen.ref_name().map(str::to_string).into_iter().collect();
    let mut descriptor = chosen;
    // Follow nested indexes down to one image manifest for the platform.
    for _ in 0..4 {
        let path = blob_path(&descriptor.digest);
        let bytes = store.read_small(&path)?;
        let what = format!("{label}: manifest {}", descriptor.digest);
        verify_digest(&bytes, &descriptor.digest, &what)?;
        match parse_manifest_doc(&bytes, descriptor.media_type.as_deref(), &what)? {
            ManifestDoc::Index(nested) => {
                descriptor = select_platform(&nested, platform, &what)?.clone();
            }
            ManifestDoc::Image(manifest) => {
                let config_path = blob_path(&manifest.config.digest);
                let config_bytes = store.read_small(&config_path)?;
                let config_what = format!("{label}: config {}", manifest.config.digest);
                verify_digest(&config_bytes, &manifest.config.digest, &config_what)?;
                let config: ImageConfig = parse_json(&config_bytes, &config_what)?;
                let diff_ids = diff_ids(&config, manifest.layers.len(), &config_what)?;
                let specs: Vec<LayerSpec> = manifest
                    .layers
                    .iter()
                    .zip(diff_ids)
                    .map(|(d, diff_id)| LayerSpec {
                        locator: blob_path(&d.digest),
                        digest: Some(d.digest.clone()),
                        diff_id,
                        media_type: d.media_type.clone(),
                        size: d.size,
                    })
                    .collect();
                let metadata = metadata(
                    source_kind,
                    Some(descriptor.digest.clone()),
                    manifest.media_type.or(descriptor.media_type),
                    manifest.config.digest.clone(),
                    &config,
                    tags,
                    &specs,
                );
                return Ok((metadata, Layers::new(store, specs)));
            }
        }
    }
    Err(ImageError::invalid(
        label,
        "image indexes nested too deeply",
    ))
}

fn ref_names(descriptors: &[Descriptor]) -> String {
    let mut names: Vec<&str> = descriptors.iter().filter_map(|d| d.ref_name()).collect();
    names.dedup();
    if names.is_empty() {
        "no named images".to_string()
    } else {
        names.join(", ")
    }
}

fn diff_ids(
    config: &ImageConfig,
    layers: usize,
    what: &str,
) -> Result<Vec<Option<Digest>>, ImageError> {
    let ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if ids.is_empty() {
        return Ok(vec![None; layers]);
    }
    if ids.len() != layers {
        return Err(ImageError::invalid(
            what,
            format!(
                "the config lists {} layer diff_ids but the manifest has {layers} layers",
                ids.len()
            ),
        ));
    }
    Ok(ids.into_iter().map(Some).collect())
}

pub(crate) fn metadata(
    source_kind: &'static str,
    manifest_digest: Option<Digest>,
    media_type: Option<String>,
    config_digest: Digest,
    config: &ImageConfig,
    tags: Vec<String>,
    layers: &[LayerSpec],
) -> ImageMetadata {
    ImageMetadata {
        source_kind: source_kind.to_string(),
        manifest_digest,
        manifest_media_type: media_type,
        config_digest: Some(config_digest),
        tags,
        architecture: config.architecture.clone(),
        os: config.os.clone(),
        variant: config.variant.clone(),
        created: config.created.clone(),
        config: config.container_config(),
        history: config.history(),
        layers: layers
            .iter()
            .map(|l| LayerMetadata {
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                media_type: l.media_type.clone(),
                size: l.size,
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
struct DockerArchiveEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// Opens a `docker save` archive: the classic layout (`<id>/layer.tar`) and the Docker 25+ one
/// (an OCI layout whose `manifest.json` points into `blobs/sha256/`).
pub(crate) fn open_docker_archive(
    store: Arc<dyn BlobStore>,
    reference: Option<&str>,
) -> Result<(ImageMetadata, Layers), ImageError> {
    let label = store.label();
    if !store.contains("manifest.json") {
        return Err(ImageError::NotFound(format!(
            "{label}: not a docker-archive (no manifest.json)"
        )));
    }
    let context = format!("{label}: manifest.json");
    let entries: Vec<DockerArchiveEntry> =
        parse_json(&store.read_small("manifest.json")?, &context)?;
    let entry = match reference {
        Some(wanted) => entries.iter().find(|e| {
            e.repo_tags.iter().flatten().any(|t| {
                t == wanted
                    || t.ends_with(&format!("/{wanted}"))
                    || t.ends_with(&format!(":{wanted}"))
            })
        }),
        None if entries.len() > 1 => {
            return Err(ImageError::Usage(format!(
                "{label} holds {} images; pick one with docker-archive:{label}:TAG",
                entries.len()
            )));
        }
        None => entries.first(),
    }
    .ok_or_else(|| ImageError::NotFound(format!("{label}: no such image in manifest.json")))?;
    for member in std::iter::once(&entry.config).chain(&entry.layers) {
        if member.starts_with('/') || member.split('/').any(|c| c == "..") {
            return Err(ImageError::invalid(
                &context,
                format!("member path {member:?} leaves the archive"),
            ));
        }
    }
    let config_bytes = store.read_small(&entry.config)?;
    let config_what = format!("{label}: config {}", entry.config);
    let config_digest = match digest_from_member(&entry.config) {
        Some(d) => {
            verify_digest(&config_bytes, &d, &config_what)?;
            d
        }
        None => crate::layer::sha256_digest(&config_bytes),
    };
    let config: ImageConfig = parse_json(&config_bytes, &config_what)?;
    let diff_ids = diff_ids(&config, entry.layers.len(), &config_what)?;
    let specs: Vec<LayerSpec> = entry
        .layers
        .iter()
        .zip(diff_ids)
        .map(|(member, diff_id)| LayerSpec {
            locator: member.clone(),
            digest: digest_from_member(member),
            diff_id,
            media_type: None,
            size: None,
        })
        .collect();
    let manifest_digest = docker25_manifest_digest(store.as_ref(), &config_digest);
    let tags = entry.repo_tags.clone().unwrap_or_default();
    let metadata = metadata(
        "docker-archive",
        manifest_digest,
        None,
        config_digest,
        &config,
        tags,
        &specs,
    );
    Ok((metadata, Layers::new(store, specs)))
}

/// `blobs/sha256/HEX` names its own digest; `abc/layer.tar` does not.
fn digest_from_member(member: &str) -> Option<Digest> {
    let rest = member.strip_prefix("blobs/")?;
    let (algorithm, hex) = rest.split_once('/')?;
    format!("{algorithm}:{hex}").parse().ok()
}

/// In a Docker 25+ archive, the manifest whose config is ours is in `index.json`.
fn docker25_manifest_digest(store: &dyn BlobStore, config: &Digest) -> Option<Digest> {
    let index: crate::manifest::Index =
        serde_json::from_slice(&store.read_small("index.json").ok()?).ok()?;
    index.manifests.iter().find_map(|d| {
        let bytes = store.read_small(&blob_path(&d.digest)).ok()?;
        let manifest: crate::manifest::Manifest = serde_json::from_slice(&bytes).ok()?;
        (manifest.config.digest == *config).then(|| d.digest.clone())
    })
}

pub(crate) fn check_exists(path: &Path) -> Result<(), ImageError> {
    if !path.exists() {
        return Err(ImageError::NotFound(format!(
            "{}: no such file or directory",
            path.display()
        )));
    }
    Ok(())
}
