//! The vocabulary every customs crate shares: content digests, Linux distributions, packages with
//! their locations, and package URLs.

mod config;
mod digest;
mod distro;
mod package;
mod purl;

pub use config::{ContainerConfig, Healthcheck, HistoryEntry};
pub use digest::{Digest, DigestError};
pub use distro::Distro;
pub use package::{
    ApkMetadata, BinaryMetadata, DeclaredMetadata, DpkgMetadata, GoMetadata, InstalledMetadata,
    JavaMetadata, Location, NpmMetadata, OwnedFile, Package, PackageMetadata, PackageType,
    PythonMetadata, Relationship, RelationshipKind, RpmMetadata, RustMetadata, Unknown,
};
pub use purl::{Purl, PurlParts};
