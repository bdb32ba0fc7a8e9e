//! The analysis pipeline: the only crate that sees the whole flow from a source to an SBOM.

mod clamav;

use std::collections::{BTreeMap, BTreeSet};

use customs_catalog::facts::{
    ContentRule, FactsOptions, FileScan, default_secret_rules, redact, redact_env,
};
use customs_catalog::{Catalog, CatalogSelector, Env, catalog, detect_distro};
use customs_image::{
    Candidate, Facts, Filesystem, ImageError, ImageMetadata, OpenOptions, ReadOptions, Selector,
    SourceRef, Want,
};
use customs_sbom::{
    Descriptor, FileRecord, ImageDescription, LayerDescription, SCHEMA, Sbom, SourceDescription,
    Timestamp,
};
use customs_types::{Digest, Package};

pub use clamav::{
    Clamd, ClamdAddress, ClamdError, DEFAULT_CLAMD_SOCKET, MAX_SCANNED_SIZE, Verdict,
};
pub use customs_image::Progress;

/// Which files count: the squashed filesystem, or every version of every file in every layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    Squashed,
    AllLayers,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Squashed => "squashed",
            Scope::AllLayers => "all-layers",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "squashed" => Ok(Scope::Squashed),
            "all-layers" => Ok(Scope::AllLayers),
            other => Err(format!(
                "unknown scope {other:?} (expected squashed or all-layers)"
            )),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    pub scope: Scope,
    pub open: OpenOptions,
    /// File facts for policies (retrieved files, secret and content search); `None`: none.
    pub facts: Option<FactsOptions>,
    /// Scan every file with this clamd; `None`: no malware scan.
    pub malware: Option<ClamdAddress>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("malware scan: {0}")]
    Clamd(#[from] ClamdError),
    #[error("malware scan of {path} failed: {source}")]
    MalwareScan { path: String, source: ClamdError },
}

/// The one pass over the layers: what the catalogers need, plus the file facts and the
/// malware scan when asked for.
struct Pass<'a> {
    files: Option<&'a FileScan>,
    malware: Option<&'a clamav::MalwareScanner>,
}

impl Selector for Pass<'_> {
    fn want(&self, candidate: &Candidate<'_>) -> Want {
        match CatalogSelector.want(candidate) {
            Want::Skip if self.files.is_some_and(|f| f.keeps(candidate.path)) => Want::Keep,
            w => w,
        }
    }

    fn inspect(&self, path: &str, content: &[u8]) -> Option<Facts> {
        CatalogSelector.inspect(path, content)
    }

    fn observes(&self, candidate: &Candidate<'_>) -> bool {
        self.files.is_some_and(|f| f.observes(candidate))
            || self.malware.is_some_and(|m| m.observes(candidate))
    }

    fn observe(&self, layer: usize, path: &str, content: &[u8]) {
        if let Some(f) = self.files {
            f.observe(layer, path, content);
        }
        if let Some(m) = self.malware {
            m.observe(layer, path, content);
        }
    }
}

/// Reports the stages of an analysis, on top of layer progress.
pub trait Observer: Progress {
    /// The image is resolved; layers are about to be read.
    fn opened(&self, _metadata: &ImageMetadata) {}
    /// Cataloging is done.
    fn cataloged(&self, _packages: usize) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Progress for Quiet {}
impl Observer for Quiet {}

/// Analyses a source into an SBOM. `input` is what the user typed, kept in the SBOM.
pub fn analyze(
    input: &str,
    source: &SourceRef,
    options: &AnalyzeOptions,
    observer: &dyn Observer,
) -> Result<Sbom, EngineError> {
    // clamd is asked first: an unreachable scanner fails before any layer is pulled.
    let malware = options
        .malware
        .clone()
        .map(|a| clamav::MalwareScanner::connect(Clamd::new(a)))
        .transpose()?;
    // The user's own secret rules redact too.
    let secret_rules = options
        .facts
        .as_ref()
        .and_then(|f| f.secrets.clone())
        .unwrap_or_else(default_secret_rules);
    let files = options.facts.clone().map(FileScan::new);
    let image = customs_image::open(source, &options.open)?;
    observer.opened(image.metadata());
    let read_options = ReadOptions {
        keep_layer_views: options.scope == Scope::AllLayers,
    };
    let pass = Pass {
        files: files.as_ref(),
        malware: malware.as_ref(),
    };
    let fs = image.read(&pass, read_options, observer)?;
    let distro = detect_distro(&fs.squashed);
    // Lockfiles describe a project's source: read them in directory scans, not in images.
    let declared = matches!(source, SourceRef::Dir { .. });
    let layer_ids: Vec<Option<Digest>> = fs.layers.iter().map(|l| l.diff_id.clone()).collect();
    let squashed = catalog(&Env {
        tree: &fs.squashed,
        distro: distro.as_ref(),
        layer_ids: &layer_ids,
        only_layer: None,
        declared,
    });
    let result = match options.scope {
        Scope::Squashed => squashed,
        Scope::AllLayers => all_layers(&fs, &squashed, distro.as_ref(), &layer_ids),
    };
    observer.cataloged(result.packages.len());
    let all_layers = options.scope == Scope::AllLayers;
    let config = image.metadata().config.as_ref();
    let mut facts = files.map(|f| f.finish(&fs.squashed, &layer_ids, config, all_layers));
    if let Some(m) = malware {
        let scan = m
            .finish(&fs.squashed, &layer_ids, all_layers)
            .map_err(|(path, source)| EngineError::MalwareScan { path, source })?;
        facts.get_or_insert_with(Default::default).malware_scan = Some(scan);
    }
    let files = file_records(&fs.squashed, &layer_ids, &result.packages);
    let mut sbom = Sbom {
        schema: SCHEMA.to_string(),
        descriptor: Descriptor::default(),
        created: Timestamp::now_or_source_date_epoch(),
        source: SourceDescription {
            input: input.to_string(),
            kind: source.scheme().to_string(),
            scope: options.scope.name().to_string(),
            image: describe_image(image.metadata(), &fs, &secret_rules),
        },
        distro,
        packages: result.packages,
        relationships: result.relationships,
        files,
        unknowns: result.unknowns,
        facts,
    };
    sbom.sort();
    Ok(sbom)
}

/// Catalogs each layer's own database files against the view as it stood after that layer, and
/// merges what every layer saw: one package, one location per layer that wrote its database,
/// each marked visible when that is the version the squashed filesystem shows.
fn all_layers(
    fs: &Filesystem,
    squashed: &Catalog,
    distro: Option<&customs_types::Distro>,
    layer_ids: &[Option<Digest>],
) -> Catalog {
    if fs.layers.is_empty() {
        return squashed.clone();
    }
    let visible: BTreeSet<(String, String, Option<Digest>)> = squashed
        .packages
        .iter()
        .flat_map(|p| {
            p.locations
                .iter()
                .map(|l| (p.id.clone(), l.path.clone(), l.layer.clone()))
        })
        .collect();
    let mut merged: BTreeMap<String, Package> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut out = Catalog::default();
    for (index, view) in fs.layer_views.iter().enumerate() {
        let layer = catalog(&Env {
            tree: view,
            distro,
            layer_ids,
            only_layer: Some(index),
            declared: false,
        });
        for mut p in layer.packages {
            for l in &mut p.locations {
                l.visible = visible.contains(&(p.id.clone(), l.path.clone(), l.layer.clone()));
            }
            match merged.get_mut(&p.id) {
                Some(existing) => {
                    for l in p.locations {
                        if !existing.locations.contains(&l) {
                            existing.locations.push(l);
                        }
                    }
                }
                None => {
                    order.push(p.id.clone());
                    merged.insert(p.id.clone(), p);
                }
            }
        }
        out.relationships.extend(layer.relationships);
        out.unknowns.extend(layer.unknowns);
    }
    out.packages = order
        .into_iter()
        .filter_map(|id| merged.remove(&id))
        .collect();
    out.unknowns.sort();
    out.unknowns.dedup();
    out
}

/// Every file of the tree, with the SHA-256 of the files packages own and of executables.
fn file_records(
    tree: &customs_image::FileTree,
    layer_ids: &[Option<Digest>],
    packages: &[Package],
) -> Vec<FileRecord> {
    use customs_image::NodeKind;
    let mut owned: BTreeSet<String> = BTreeSet::new();
    for p in packages {
        for path in p
            .files
            .iter()
            .map(|f| f.path.as_str())
            .chain(p.locations.iter().map(|l| l.path.as_str()))
        {
            owned.insert(path.to_string());
            if let Some((real, _)) = tree.resolve(path) {
                owned.insert(real);
            }
        }
    }
    tree.iter()
        .map(|(path, node)| {
            let (kind, link_target) = match &node.kind {
                NodeKind::File => ("file", None),
                NodeKind::Dir => ("dir", None),
                NodeKind::Symlink(t) => ("symlink", Some(t.clone())),
                NodeKind::Other => ("other", None),
            };
            let hashed =
                node.kind == NodeKind::File && (node.mode & 0o111 != 0 || owned.contains(path));
            FileRecord {
                path: path.to_string(),
                kind: kind.to_string(),
                mode: format!("{:04o}", node.mode & 0o7777),
                uid: node.uid,
                gid: node.gid,
                size: node.size,
                layer: layer_ids.get(node.layer).cloned().flatten(),
                sha256: if hashed { node.sha256.clone() } else { None },
                link_target,
            }
        })
        .collect()
}

/// The image as the SBOM describes it. Environment values and build steps that a secret rule
/// matches are redacted: the SBOM is shared more widely than the image.
fn describe_image(
    metadata: &ImageMetadata,
    fs: &Filesystem,
    secret_rules: &[ContentRule],
) -> Option<ImageDescription> {
    if metadata.source_kind == "dir" {
        return None;
    }
    let config = metadata.config.clone().map(|mut c| {
        c.env = c.env.iter().map(|e| redact_env(e, secret_rules)).collect();
        c
    });
    let history = metadata
        .history
        .iter()
        .cloned()
        .map(|mut h| {
            h.created_by = h.created_by.map(|c| redact(&c, secret_rules));
            h
        })
        .collect();
    Some(ImageDescription {
        manifest_digest: metadata.manifest_digest.clone(),
        manifest_media_type: metadata.manifest_media_type.clone(),
        config_digest: metadata.config_digest.clone(),
        tags: metadata.tags.clone(),
        architecture: metadata.architecture.clone(),
        os: metadata.os.clone(),
        variant: metadata.variant.clone(),
        created: metadata.created.clone(),
        config,
        history,
        layers: fs
            .layers
            .iter()
            .map(|l| LayerDescription {
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                media_type: l.media_type.clone(),
                size: l.size,
            })
            .collect(),
    })
}
