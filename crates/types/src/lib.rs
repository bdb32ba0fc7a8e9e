//! The vocabulary every customs crate shares: content digests, Linux distributions, packages with
//! their locations, and package URLs.

mod digest;
mod distro;
mod package;
mod purl;

pub use digest::{Digest, DigestError};
pub use distro::Distro;
pub use package::{
    ApkMetadata, DpkgMetadata, Location, OwnedFile, Package, PackageMetadata, PackageType,
    Relationship, RelationshipKind, RpmMetadata, Unknown,
};
pub use purl::Purl;
