use customs_types::{Digest, Distro, Package, Relationship, Unknown};
use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The version of the native JSON format.
pub const SCHEMA: &str = "customs.sbom/v1";

/// Everything customs knows about what is inside an image or a directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sbom {
    pub schema: String,
    pub descriptor: Descriptor,
    pub created: Timestamp,
    pub source: SourceDescription,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    pub packages: Vec<Package>,
    #[serde(default)]
    pub relationships: Vec<Relationship>,
    /// Every file of the analysed filesystem (the squashed view of an image).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRecord>,
    /// Files that looked like package databases but could not be read, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknowns: Vec<Unknown>,
    /// What policies ask about the files (retrieved files, secrets, content, malware).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<crate::ImageFacts>,
}

/// One file of the analysed filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: String,
    /// `file`, `dir`, `symlink` or `other`.
    pub kind: String,
    /// Permission bits in octal (`0755`).
    pub mode: String,
    pub uid: u64,
    pub gid: u64,
    #[serde(default)]
    pub size: u64,
    /// The diff ID of the layer that last wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Digest>,
    /// For files that packages own and for executables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
}

/// The tool that made the SBOM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Descriptor {
    pub name: String,
    pub version: String,
}

impl Default for Descriptor {
    fn default() -> Self {
        Self {
            name: "customs".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// What was analysed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceDescription {
    /// What the user typed (`oci-dir:images/oci:lang`, `registry:host/repo:tag` ...).
    pub input: String,
    /// `oci-dir`, `oci-archive`, `docker-archive`, `registry` or `dir`.
    pub kind: String,
    /// `squashed` or `all-layers`.
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageDescription>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageDescription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<Digest>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The runtime defaults the image config gives (user, ports, environment, health check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<customs_types::ContainerConfig>,
    /// The build steps the image config records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<customs_types::HistoryEntry>,
    pub layers: Vec<LayerDescription>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LayerDescription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

impl Sbom {
    /// A stable name for the subject: the first tag, else the input.
    pub fn subject_name(&self) -> String {
        self.source
            .image
            .as_ref()
            .and_then(|i| i.tags.first().cloned())
            .unwrap_or_else(|| self.source.input.clone())
    }

    /// The digest that identifies the subject: the manifest's, else the config's.
    pub fn subject_digest(&self) -> Option<&Digest> {
        let image = self.source.image.as_ref()?;
        image
            .manifest_digest
            .as_ref()
            .or(image.config_digest.as_ref())
    }

    /// Puts packages and relationships in a stable order.
    pub fn sort(&mut self) {
        self.packages.sort_by(|a, b| {
            (a.package_type, &a.name, &a.version, &a.arch, &a.locations).cmp(&(
                b.package_type,
                &b.name,
                &b.version,
                &b.arch,
                &b.locations,
            ))
        });
        self.relationships.sort();
        self.relationships.dedup();
        self.unknowns.sort();
    }
}
