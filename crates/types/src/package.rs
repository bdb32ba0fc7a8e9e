use serde::{Deserialize, Serialize};

use crate::{Digest, Purl};

/// The kind of package manager a package came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageType {
    Deb,
    Apk,
    Rpm,
    Python,
    Npm,
    Java,
    #[serde(rename = "go-module")]
    GoModule,
    #[serde(rename = "rust-crate")]
    RustCrate,
    /// A program or library recognised from its content, without package metadata.
    Binary,
    Gem,
    Composer,
    Nuget,
}

impl PackageType {
    pub fn as_str(self) -> &'static str {
        match self {
            PackageType::Deb => "deb",
            PackageType::Apk => "apk",
            PackageType::Rpm => "rpm",
            PackageType::Python => "python",
            PackageType::Npm => "npm",
            PackageType::Java => "java",
            PackageType::GoModule => "go-module",
            PackageType::RustCrate => "rust-crate",
            PackageType::Binary => "binary",
            PackageType::Gem => "gem",
            PackageType::Composer => "composer",
            PackageType::Nuget => "nuget",
        }
    }

    /// Whether packages of this type are installed by the operating system's package manager.
    pub fn is_os(self) -> bool {
        matches!(self, PackageType::Deb | PackageType::Apk | PackageType::Rpm)
    }
}

/// Where a package was found: the file that declares it and the layer that wrote that file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Absolute path inside the image, symlinks resolved.
    pub path: String,
    /// The diff ID of the layer that wrote the file (none for a directory source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Digest>,
    /// Whether this version of the file is visible in the squashed filesystem.
    pub visible: bool,
}

/// A file a package manager says the package installed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OwnedFile {
    pub path: String,
    /// The digest the package database records, as `ALGORITHM:HEX` (md5, sha1, sha256 ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_config: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpkgMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_size_kib: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_depends: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provides: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApkMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_checksum: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provides: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpmMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u32>,
    pub release: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_rpm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modularity_label: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_page: Option<String>,
    /// The directory packages are installed in (`…/site-packages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_packages: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_dist: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpmMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JavaMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_id: Option<String>,
    /// Where the identity came from: `pom.properties`, `maven-repo`, `manifest` or `file-name`.
    pub identity_from: String,
    /// The SHA-1 of the archive, as Maven Central indexes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    /// `outer.war:WEB-INF/lib/inner.jar` for a nested archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoMetadata {
    /// The Go toolchain that built the binary (`go1.19.8`).
    pub go_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_module: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_settings: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinaryMetadata {
    /// Which classifier recognised it.
    pub classifier: String,
    /// The text in the file that gave the version away.
    pub evidence: String,
}

/// A package a lockfile or manifest declares (directory scans), rather than one found installed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredMetadata {
    /// Where the lockfile says it came from (a registry URL, a git source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// The lockfile's integrity hash or checksum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// Only needed to develop the project (dev-dependencies).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
}

/// An installed package of an ecosystem without richer metadata here (gems, composer, .NET).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
}

/// What a package database says beyond the common fields, per package type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PackageMetadata {
    Dpkg(DpkgMetadata),
    Apk(ApkMetadata),
    Rpm(RpmMetadata),
    Python(PythonMetadata),
    Npm(NpmMetadata),
    Java(JavaMetadata),
    Go(GoMetadata),
    Rust(RustMetadata),
    Binary(BinaryMetadata),
    Declared(DeclaredMetadata),
    Installed(InstalledMetadata),
}

/// One package found in an image or directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Stable within one SBOM: derived from type, name, version, arch and primary location.
    pub id: String,
    pub name: String,
    /// The full version as the package manager writes it (dpkg `epoch:upstream-revision`,
    /// rpm `epoch:version-release`, apk `version-rN`).
    pub version: String,
    #[serde(rename = "type")]
    pub package_type: PackageType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The source package it was built from (dpkg `Source:`, apk origin, rpm source rpm name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    pub purl: Purl,
    /// The files that declare the package (primary evidence first), one per layer it appears in.
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<OwnedFile>,
    pub metadata: PackageMetadata,
}

impl Package {
    /// The layer that introduced the package: the first layer it was seen in.
    pub fn introduced_by(&self) -> Option<&Digest> {
        self.locations.iter().find_map(|l| l.layer.as_ref())
    }

    /// Whether any version of the package is visible in the squashed filesystem.
    pub fn is_visible(&self) -> bool {
        self.locations.iter().any(|l| l.visible)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationshipKind {
    /// `from` depends on `to` (a package database's dependency list).
    DependsOn,
    /// `from` (an OS package) installed files that belong to `to`.
    OwnershipByFileOverlap,
}

/// A directed edge between two packages, by their ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Relationship {
    pub from: String,
    pub to: String,
    pub kind: RelationshipKind,
}

/// A file that looked like a package database but could not be read: reported, not fatal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unknown {
    pub cataloger: String,
    pub path: String,
    pub reason: String,
}
