//! The SBOM customs produces and the formats it writes it in.
//!
//! [`Sbom`] is the native model (and, serialised as it is, the native JSON format). The encoders
//! turn it into CycloneDX 1.6 JSON, SPDX 2.3 JSON or a plain table. Every encoding is
//! deterministic: the same SBOM gives the same bytes, so outputs can be compared and snapshotted.

mod cyclonedx;
mod facts;
mod licenses;
mod model;
mod spdx;
mod table;
mod time;

pub use facts::{
    ContentMatch, ContentScan, ImageFacts, MalwareFinding, MalwareScan, RetrievedFile,
};
pub use model::{
    Descriptor, FileRecord, ImageDescription, LayerDescription, SCHEMA, Sbom, SourceDescription,
};
pub use time::Timestamp;

/// The CycloneDX document of an SBOM, to add to (a scan adds its vulnerabilities).
pub fn cyclonedx_document(sbom: &Sbom) -> serde_json::Value {
    cyclonedx::document(sbom)
}

/// The CycloneDX `bom-ref` customs gives a package.
pub fn cyclonedx_bom_ref(package: &customs_types::Package) -> String {
    cyclonedx::bom_ref(package)
}

use std::fmt;
use std::str::FromStr;

/// The formats an SBOM can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CycloneDxJson,
    SpdxJson,
    Json,
    Table,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::CycloneDxJson => "cyclonedx-json",
            Format::SpdxJson => "spdx-json",
            Format::Json => "json",
            Format::Table => "table",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown SBOM format {0:?} (expected one of: cyclonedx-json, spdx-json, json, table)")]
pub struct UnknownFormat(String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cyclonedx-json" | "cyclonedx" | "cdx-json" => Ok(Format::CycloneDxJson),
            "spdx-json" | "spdx" => Ok(Format::SpdxJson),
            "json" | "customs-json" | "native" => Ok(Format::Json),
            "table" => Ok(Format::Table),
            other => Err(UnknownFormat(other.to_string())),
        }
    }
}

/// Writes `sbom` in `format`.
pub fn encode(sbom: &Sbom, format: Format) -> String {
    match format {
        Format::CycloneDxJson => pretty(&cyclonedx::document(sbom)),
        Format::SpdxJson => pretty(&spdx::document(sbom)),
        Format::Json => pretty(&serde_json::to_value(sbom).expect("the SBOM model serialises")),
        Format::Table => table::render(sbom),
    }
}

fn pretty(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("JSON values serialise");
    s.push('\n');
    s
}

/// A UUID (version 4 layout) derived from content, so that the same SBOM gets the same id.
pub(crate) fn content_uuid(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
