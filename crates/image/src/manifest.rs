//! The JSON documents of the OCI image and distribution specifications (and Docker's schema 2
//! equivalents), parsed into what analysis needs.

use std::collections::BTreeMap;

use customs_types::Digest;
use serde::Deserialize;

use crate::error::ImageError;
use crate::platform::Platform;

pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub(crate) const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    #[serde(default)]
    pub(crate) media_type: Option<String>,
    pub(crate) digest: Digest,
    #[serde(default)]
    pub(crate) size: Option<u64>,
    #[serde(default)]
    pub(crate) annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) platform: Option<DescriptorPlatform>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DescriptorPlatform {
    pub(crate) architecture: String,
    pub(crate) os: String,
    #[serde(default)]
    pub(crate) variant: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Index {
    pub(crate) manifests: Vec<Descriptor>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    #[serde(default)]
    pub(crate) media_type: Option<String>,
    pub(crate) config: Descriptor,
    pub(crate) layers: Vec<Descriptor>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ImageConfig {
    #[serde(default)]
    pub(crate) architecture: Option<String>,
    #[serde(default)]
    pub(crate) os: Option<String>,
    #[serde(default)]
    pub(crate) variant: Option<String>,
    #[serde(default)]
    pub(crate) created: Option<String>,
    #[serde(default)]
    pub(crate) rootfs: Option<RootFs>,
    /// Kept as read: an unexpected shape here loses the runtime defaults, not the image.
    #[serde(default)]
    pub(crate) config: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) history: Option<serde_json::Value>,
}

impl ImageConfig {
    pub(crate) fn container_config(&self) -> Option<customs_types::ContainerConfig> {
        serde_json::from_value(self.config.clone()?).ok()
    }

    pub(crate) fn history(&self) -> Vec<customs_types::HistoryEntry> {
        self.history
            .clone()
            .and_then(|h| serde_json::from_value(h).ok())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RootFs {
    #[serde(default)]
    pub(crate) diff_ids: Vec<Digest>,
}

/// A manifest document of either kind.
pub(crate) enum ManifestDoc {
    Index(Index),
    Image(Box<Manifest>),
}

pub(crate) fn parse_json<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    context: &str,
) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|source| ImageError::Json {
        context: context.to_string(),
        source,
    })
}

/// Tells an index from an image manifest by its media type, or by its shape when it has none.
pub(crate) fn parse_manifest_doc(
    bytes: &[u8],
    media_type: Option<&str>,
    context: &str,
) -> Result<ManifestDoc, ImageError> {
    let value: serde_json::Value = parse_json(bytes, context)?;
    if value.get("schemaVersion").and_then(|v| v.as_u64()) == Some(1) {
        return Err(ImageError::invalid(
            context,
            "Docker schema 1 manifests are not supported (re-push the image with a current client)",
        ));
    }
    let declared = value
        .get("mediaType")
        .and_then(|v| v.as_str())
        .or(media_type)
        .unwrap_or_default();
    let is_index = declared == OCI_INDEX
        || declared == DOCKER_LIST
        || (declared.is_empty() && value.get("manifests").is_some());
    if is_index {
        Ok(ManifestDoc::Index(parse_json(bytes, context)?))
    } else if value.get("layers").is_some() {
        Ok(ManifestDoc::Image(Box::new(parse_json(bytes, context)?)))
    } else {
        Err(ImageError::invalid(
            context,
            format!("neither an image index nor an image manifest (media type {declared:?})"),
        ))
    }
}

impl Descriptor {
    pub(crate) fn ref_name(&self) -> Option<&str> {
        self.annotations.get(REF_NAME).map(String::as_str)
    }

    /// Whether this descriptor is what the user named: its ref name, or a full image name
    /// (`docker.io/library/x:tag`) that ends with it.
    pub(crate) fn answers_to(&self, wanted: &str) -> bool {
        self.ref_name() == Some(wanted)
            || self.annotations.get(CONTAINERD_NAME).is_some_and(|n| {
                n == wanted
                    || n.ends_with(&format!("/{wanted}"))
                    || n.ends_with(&format!(":{wanted}"))
            })
    }
}

/// Picks the manifest for `platform` from an index. Attestation manifests (platform
/// `unknown/unknown`) never match.
pub(crate) fn select_platform<'a>(
    index: &'a Index,
    platform: &Platform,
    context: &str,
) -> Result<&'a Descriptor, ImageError> {
    let candidates: Vec<&Descriptor> = index
        .manifests
        .iter()
        .filter(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| platform.matches(&p.os, &p.architecture, p.variant.as_deref()))
        })
        .collect();
    if let Some(d) = candidates.first() {
        return Ok(d);
    }
    // An index without platforms at all (a plain layout index with one image) is unambiguous.
    if index.manifests.len() == 1 && index.manifests[0].platform.is_none() {
        return Ok(&index.manifests[0]);
    }
    let available: Vec<String> = index
        .manifests
        .iter()
        .filter_map(|d| d.platform.as_ref())
        .map(|p| match &p.variant {
            Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
            None => format!("{}/{}", p.os, p.architecture),
        })
        .collect();
    Err(ImageError::NotFound(format!(
        "{context}: no image for platform {platform} (available: {}); choose one with --platform",
        if available.is_empty() {
            "none".to_string()
        } else {
            available.join(", ")
        }
    )))
}

/// Checks that `bytes` hash to `expected`.
pub(crate) fn verify_digest(bytes: &[u8], expected: &Digest, what: &str) -> Result<(), ImageError> {
    if expected.algorithm() != "sha256" {
        return Ok(());
    }
    let actual = crate::layer::sha256_digest(bytes);
    if actual != *expected {
        return Err(ImageError::DigestMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(())
}

pub(crate) fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm(), digest.hex())
}
