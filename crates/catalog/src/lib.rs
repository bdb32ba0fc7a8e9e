//! Catalogers: each reads one package manager's database from a [`FileTree`] and reports the
//! packages it lists. Adding an ecosystem is one folder here and one line in [`CATALOGERS`].

mod apk;
mod binary;
mod distro;
mod dotnet;
mod dpkg;
mod elf;
pub mod facts;
mod go;
mod java;
mod lockfile;
mod npm;
mod paragraph;
mod php;
mod python;
mod rpm;
mod ruby;
mod rust;

use std::any::Any;
use std::sync::Arc;

use customs_image::{Candidate, Facts, FileTree, NodeKind, Selector, Want};
use customs_types::{Digest, Distro, Location, Package, Relationship, Unknown};

pub use distro::detect_distro;

/// Every cataloger, in the order their packages are listed.
pub(crate) const CATALOGERS: &[&dyn Cataloger] = &[
    &dpkg::Dpkg,
    &apk::Apk,
    &rpm::Rpm,
    &python::Python,
    &python::declared::PythonDeclared,
    &npm::Npm,
    &npm::lock::NpmLock,
    &java::Java,
    &go::Go,
    &go::go_mod::GoMod,
    &rust::Rust,
    &rust::cargo_lock::CargoLock,
    &ruby::Gemspec,
    &ruby::GemfileLock,
    &php::ComposerInstalled,
    &php::ComposerLock,
    &dotnet::DepsJson,
    &dotnet::PackagesLock,
    &binary::Binary,
];

/// One package manager's reader.
pub(crate) trait Cataloger: Sync {
    /// The name shown in `customs catalogers` and in unknowns.
    fn name(&self) -> &'static str;
    /// What it reads, for the generated cataloger table.
    fn reads(&self) -> &'static str;
    /// Whether `path` is a database this cataloger starts from (primary evidence).
    fn is_primary(&self, path: &str) -> bool;
    /// Whether the content of `path` is needed: primary files and the files that complete them
    /// (file lists, checksums, copyright notices).
    fn wants(&self, path: &str) -> bool {
        self.is_primary(path)
    }
    /// Whether this cataloger learns from the file's content while layers stream, instead of
    /// having it kept (archives and executables, which may be large).
    fn inspects(&self, _candidate: &Candidate<'_>) -> bool {
        false
    }
    /// Summarises streamed content: the facts the cataloger reads later as its primary evidence.
    fn inspect(&self, _path: &str, _content: &[u8]) -> Option<Box<dyn Any + Send + Sync>> {
        None
    }
    /// Reads one primary file (or the facts inspection kept of it) into packages.
    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog);
}

/// What each inspecting cataloger learned from one file, by cataloger name.
struct FileFacts(Vec<(&'static str, Box<dyn Any + Send + Sync>)>);

/// A primary file handed to a cataloger: its content when kept, or what inspection learned.
pub(crate) struct Primary<'a> {
    pub(crate) path: &'a str,
    pub(crate) content: &'a [u8],
    pub(crate) facts: Option<&'a (dyn Any + Send + Sync)>,
    pub(crate) location: Location,
}

/// What catalogers may look at besides their primary file.
pub struct Env<'a> {
    pub tree: &'a FileTree,
    pub distro: Option<&'a Distro>,
    /// The diff ID of each layer, by index (empty for a directory source).
    pub layer_ids: &'a [Option<Digest>],
    /// Only read primary files last written by this layer (for all-layers analysis).
    pub only_layer: Option<usize>,
    /// Read what lockfiles and manifests declare too (directory scans: a project's source).
    pub declared: bool,
}

/// What the catalogers found in one file tree.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub packages: Vec<Package>,
    pub relationships: Vec<Relationship>,
    pub unknowns: Vec<Unknown>,
}

/// Whether a path's content must be kept while reading layers: some cataloger or the distro
/// detection needs it.
fn wanted(path: &str) -> bool {
    distro::wants(path) || CATALOGERS.iter().any(|c| c.wants(path))
}

/// Chooses, while layers stream, the files the catalogers need.
pub struct CatalogSelector;

impl Selector for CatalogSelector {
    fn want(&self, candidate: &Candidate<'_>) -> Want {
        if wanted(candidate.path) {
            Want::Keep
        } else if CATALOGERS.iter().any(|c| c.inspects(candidate)) {
            Want::Inspect
        } else {
            Want::Skip
        }
    }

    fn inspect(&self, path: &str, content: &[u8]) -> Option<Facts> {
        let facts: Vec<_> = CATALOGERS
            .iter()
            .filter_map(|c| c.inspect(path, content).map(|f| (c.name(), f)))
            .collect();
        (!facts.is_empty()).then(|| Arc::new(FileFacts(facts)) as Facts)
    }
}

/// The names of all catalogers.
pub fn cataloger_names() -> Vec<&'static str> {
    CATALOGERS.iter().map(|c| c.name()).collect()
}

/// Every cataloger's name and what it reads, for `customs catalogers` and the docs.
pub fn cataloger_table() -> Vec<(&'static str, &'static str)> {
    CATALOGERS.iter().map(|c| (c.name(), c.reads())).collect()
}

/// Runs every cataloger over the tree.
pub fn catalog(env: &Env<'_>) -> Catalog {
    let mut out = Catalog::default();
    for (path, node) in env.tree.iter() {
        if node.kind != NodeKind::File {
            continue;
        }
        if env.only_layer.is_some_and(|l| l != node.layer) {
            continue;
        }
        let file_facts = node
            .facts
            .as_ref()
            .and_then(|f| f.downcast_ref::<FileFacts>());
        for cataloger in CATALOGERS {
            let facts = file_facts.and_then(|ff| {
                ff.0.iter()
                    .find(|(name, _)| *name == cataloger.name())
                    .map(|(_, f)| f.as_ref())
            });
            if facts.is_none() && !cataloger.is_primary(path) {
                continue;
            }
            let content = node.content.as_deref();
            if facts.is_none() && content.is_none() {
                out.unknowns.push(Unknown {
                    cataloger: cataloger.name().into(),
                    path: path.into(),
                    reason: "content not available (file too large)".into(),
                });
                continue;
            }
            let primary = Primary {
                path,
                content: content.unwrap_or_default(),
                facts,
                location: Location {
                    path: path.to_string(),
                    layer: env.layer_ids.get(node.layer).cloned().flatten(),
                    visible: true,
                },
            };
            cataloger.catalog(&primary, env, &mut out);
        }
    }
    drop_declared_duplicates(&mut out);
    link_ownership(&mut out, env.tree);
    out
}

/// A package a lockfile declares and that is also found installed is reported once: installed.
fn drop_declared_duplicates(out: &mut Catalog) {
    use customs_types::PackageMetadata;
    let installed: std::collections::HashSet<(customs_types::PackageType, String, String)> = out
        .packages
        .iter()
        .filter(|p| !matches!(p.metadata, PackageMetadata::Declared(_)))
        .map(|p| (p.package_type, p.name.clone(), p.version.clone()))
        .collect();
    out.packages.retain(|p| {
        !matches!(p.metadata, PackageMetadata::Declared(_))
            || !installed.contains(&(p.package_type, p.name.clone(), p.version.clone()))
    });
}

/// Links each OS package to the other packages whose evidence (the files that declare them, the
/// files they list) it installed: `ownership-by-file-overlap`. Listed paths are resolved through
/// the tree, so `/bin/x` listed by dpkg meets `/usr/bin/x` on a merged-/usr system.
fn link_ownership(out: &mut Catalog, tree: &FileTree) {
    use std::collections::{BTreeSet, HashMap};
    let mut owners: HashMap<String, Vec<&str>> = HashMap::new();
    for p in out.packages.iter().filter(|p| p.package_type.is_os()) {
        for f in &p.files {
            owners.entry(f.path.clone()).or_default().push(&p.id);
            if let Some((real, _)) = tree.resolve(&f.path)
                && real != f.path
            {
                owners.entry(real).or_default().push(&p.id);
            }
        }
    }
    if owners.is_empty() {
        return;
    }
    let mut edges = BTreeSet::new();
    for p in out.packages.iter().filter(|p| !p.package_type.is_os()) {
        let evidence = p
            .locations
            .iter()
            .map(|l| l.path.as_str())
            .chain(p.files.iter().map(|f| f.path.as_str()));
        for path in evidence {
            for owner in owners.get(path).into_iter().flatten() {
                edges.insert(Relationship {
                    from: (*owner).to_string(),
                    to: p.id.clone(),
                    kind: customs_types::RelationshipKind::OwnershipByFileOverlap,
                });
            }
        }
    }
    // A recognised program that an OS package installed is that package's: drop the duplicate.
    let owned_binaries: BTreeSet<String> = edges
        .iter()
        .map(|e: &Relationship| e.to.clone())
        .filter(|id| {
            out.packages
                .iter()
                .any(|p| &p.id == id && p.package_type == customs_types::PackageType::Binary)
        })
        .collect();
    out.packages.retain(|p| !owned_binaries.contains(&p.id));
    out.relationships.extend(
        edges
            .into_iter()
            .filter(|e| !owned_binaries.contains(&e.to)),
    );
}

/// The facts an inspecting cataloger kept of `primary` as `Result<T, reason>`: the value, or
/// `None` after recording the reason as an unknown.
pub(crate) fn inspected<'a, T: 'static>(
    cataloger: &str,
    primary: &'a Primary<'_>,
    out: &mut Catalog,
) -> Option<&'a T> {
    match primary.facts?.downcast_ref::<Result<T, String>>()? {
        Ok(value) => Some(value),
        Err(reason) => {
            out.unknowns.push(Unknown {
                cataloger: cataloger.into(),
                path: primary.path.into(),
                reason: reason.clone(),
            });
            None
        }
    }
}

/// A package of a language ecosystem found in `primary`.
pub(crate) fn language_package(
    package_type: customs_types::PackageType,
    name: &str,
    version: &str,
    purl: customs_types::Purl,
    primary: &Primary<'_>,
    metadata: customs_types::PackageMetadata,
) -> Package {
    Package {
        id: package_id(&[package_type.as_str(), name, version, primary.path]),
        name: name.to_string(),
        version: version.to_string(),
        package_type,
        arch: None,
        source_name: None,
        source_version: None,
        licenses: Vec::new(),
        purl,
        locations: vec![primary.location.clone()],
        files: Vec::new(),
        metadata,
    }
}

/// A stable package id: a 64-bit FNV-1a hash of what makes the package itself.
pub(crate) fn package_id(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Base64 (standard or URL-safe alphabet, padding optional) to lowercase hex: how package
/// databases write digests (apk `Q1…`, Python `RECORD`) and how customs prints them.
pub(crate) fn base64_to_hex(b64: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = String::new();
    for c in b64.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push_str(&format!("{:02x}", (bits >> nbits) & 0xff));
        }
    }
    Some(out)
}

/// `(name, version, purl)` of every package, for assertions.
#[cfg(test)]
pub(crate) fn summary(catalog: &Catalog) -> Vec<(&str, &str, &str)> {
    catalog
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect()
}

/// The directory part of a path (`/var/lib/dpkg` for `/var/lib/dpkg/status`).
pub(crate) fn parent(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some(("", _)) => "/",
        Some((dir, _)) => dir,
        None => "/",
    }
}

/// Builds `depends-on` edges from each package's dependency names, resolved by package name
/// or by what a package provides.
pub(crate) fn dependency_edges(
    packages: &[Package],
    deps: &dyn Fn(&Package) -> Vec<String>,
    provides: &dyn Fn(&Package) -> Vec<String>,
) -> Vec<Relationship> {
    use std::collections::{BTreeSet, HashMap};
    let mut by_name: HashMap<String, Vec<&str>> = HashMap::new();
    for p in packages {
        by_name.entry(p.name.clone()).or_default().push(&p.id);
        for v in provides(p) {
            by_name.entry(v).or_default().push(&p.id);
        }
    }
    let mut edges = BTreeSet::new();
    for p in packages {
        for dep in deps(p) {
            for target in by_name.get(&dep).into_iter().flatten() {
                if *target != p.id {
                    edges.insert(Relationship {
                        from: p.id.clone(),
                        to: (*target).to_string(),
                        kind: customs_types::RelationshipKind::DependsOn,
                    });
                }
            }
        }
    }
    edges.into_iter().collect()
}

/// Catalogs a fixture directory (relative to the crate) laid out like a root filesystem.
#[cfg(test)]
pub(crate) fn catalog_fixture(relative: &str) -> (Catalog, Option<Distro>) {
    catalog_root(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
}

/// Catalogs a directory laid out like a root filesystem.
#[cfg(test)]
pub(crate) fn catalog_root(root: &std::path::Path) -> (Catalog, Option<Distro>) {
    let source = customs_image::SourceRef::Dir { path: root.into() };
    let image = customs_image::open(&source, &customs_image::OpenOptions::default()).unwrap();
    let fs = image
        .read(
            &CatalogSelector,
            customs_image::ReadOptions::default(),
            &customs_image::NoProgress,
        )
        .unwrap();
    let distro = detect_distro(&fs.squashed);
    let env = Env {
        tree: &fs.squashed,
        distro: distro.as_ref(),
        layer_ids: &[],
        only_layer: None,
        declared: true,
    };
    (catalog(&env), distro)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_cataloger_folder_is_listed() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut folders: Vec<String> = std::fs::read_dir(&src)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            // The file facts of policies, not a package cataloger.
            .filter(|name| name != "facts")
            .collect();
        folders.sort();
        let mut listed: Vec<String> = super::cataloger_names()
            .iter()
            .map(|n| n.split('-').next().unwrap().to_string())
            .collect();
        listed.sort();
        listed.dedup();
        assert_eq!(
            folders, listed,
            "every folder under src/ must be in CATALOGERS"
        );
    }

    #[test]
    fn package_ids_are_stable_and_distinct() {
        assert_eq!(
            super::package_id(&["a", "b"]),
            super::package_id(&["a", "b"])
        );
        assert_ne!(
            super::package_id(&["a", "b"]),
            super::package_id(&["ab", ""])
        );
    }
}
