//! Container image sources and the file trees inside them.
//!
//! [`SourceRef::parse`] reads what the user typed, [`open`] resolves it to an [`Image`] (manifest,
//! config and layer list, nothing read yet), and [`Image::read`] streams every layer once, in
//! parallel, into a squashed [`FileTree`] in which every path remembers the layer that last wrote
//! it and every regular file its SHA-256. Only the files a [`Selector`] wants keep their content
//! (or a summary of it).

mod dir;
mod error;
mod layer;
mod local;
mod manifest;
mod platform;
mod registry;
mod source;
mod store;
mod tree;

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use customs_types::Digest;
use serde::Serialize;

pub use error::ImageError;
pub use platform::Platform;
pub use registry::{RegistryOptions, RegistryRef};
pub use source::{SCHEMES, SourceRef};
pub use tree::{FileTree, Node, NodeKind};

use crate::layer::{EntryKind, LayerCheck, LayerFiles};
use crate::store::{BlobStore, DirStore, TarStore};

/// A regular file as its header describes it, before its content is read.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Absolute, normalised path.
    pub path: &'a str,
    pub mode: u32,
    pub size: u64,
}

impl Candidate<'_> {
    pub fn is_executable(&self) -> bool {
        self.mode & 0o111 != 0
    }
}

/// What to do with a file's content, decided from its header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Stream past it (it is still hashed).
    Skip,
    /// Keep the content on the node: a cataloger reads it after the squash.
    Keep,
    /// Hand the content to [`Selector::inspect`] and keep only what that returns, so that large
    /// files (executables) never stay in memory.
    Inspect,
}

/// What [`Selector::inspect`] learned from a file, kept on its node. Opaque to this crate.
pub type Facts = Arc<dyn std::any::Any + Send + Sync>;

/// Decides which files matter while layers stream, and summarises the ones to inspect.
pub trait Selector: Sync {
    fn want(&self, candidate: &Candidate<'_>) -> Want;
    /// Summarises an inspected file's content; `None` when there is nothing to keep.
    fn inspect(&self, _path: &str, _content: &[u8]) -> Option<Facts> {
        None
    }
    /// Whether [`Selector::observe`] should see this file's content, whatever `want` says
    /// (secret search and malware scans look at every file, and keep only what they find).
    fn observes(&self, _candidate: &Candidate<'_>) -> bool {
        false
    }
    /// Sees the content of a file `observes` chose, in layer `layer` (by index; 0 for a
    /// directory), as it streams. Every version of a file is seen, also one a later layer
    /// deletes. Called from several threads at once.
    fn observe(&self, _layer: usize, _path: &str, _content: &[u8]) {}
}

/// Selects files by path alone, keeping their content.
pub struct KeepPaths<F: Fn(&str) -> bool + Sync>(pub F);

impl<F: Fn(&str) -> bool + Sync> Selector for KeepPaths<F> {
    fn want(&self, candidate: &Candidate<'_>) -> Want {
        if (self.0)(candidate.path) {
            Want::Keep
        } else {
            Want::Skip
        }
    }
}

/// Receives progress while layers stream. Every method has an empty default.
pub trait Progress: Sync {
    /// Called once before reading, with the number of layers and their total size when known.
    fn started(&self, _layers: usize, _total_bytes: Option<u64>) {}
    /// Bytes of layer blobs read so far (compressed, as stored), in increments.
    fn bytes_read(&self, _bytes: u64) {}
    /// One layer has been read completely.
    fn layer_done(&self, _index: usize) {}
}

/// A progress sink that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

/// How to open a source.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The platform to pick from a multi-platform index (the host's when unset).
    pub platform: Option<Platform>,
    pub registry: RegistryOptions,
}

/// What an image says about itself.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageMetadata {
    /// `oci-dir`, `oci-archive`, `docker-archive`, `registry` or `dir`.
    pub source_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<Digest>,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The runtime defaults (user, ports, environment, health check ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<customs_types::ContainerConfig>,
    /// How the image was built, step by step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<customs_types::HistoryEntry>,
    pub layers: Vec<LayerMetadata>,
}

/// One layer as the manifest and config describe it (and as reading it confirmed).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerMetadata {
    /// The digest of the blob as stored (compressed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// The digest of the uncompressed tar: the layer's identity in locations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<Digest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct LayerSpec {
    /// Where the blob is: a member name in a store, or a digest in a registry.
    pub(crate) locator: String,
    pub(crate) digest: Option<Digest>,
    pub(crate) diff_id: Option<Digest>,
    pub(crate) media_type: Option<String>,
    pub(crate) size: Option<u64>,
}

pub(crate) trait LayerOpener: Send + Sync {
    fn open_layer(&self, spec: &LayerSpec) -> Result<Box<dyn Read + Send>, ImageError>;
}

struct StoreOpener(Arc<dyn BlobStore>);

impl LayerOpener for StoreOpener {
    fn open_layer(&self, spec: &LayerSpec) -> Result<Box<dyn Read + Send>, ImageError> {
        self.0.open(&spec.locator)
    }
}

pub(crate) struct Layers {
    opener: Arc<dyn LayerOpener>,
    specs: Vec<LayerSpec>,
}

impl Layers {
    pub(crate) fn new(store: Arc<dyn BlobStore>, specs: Vec<LayerSpec>) -> Self {
        Self {
            opener: Arc::new(StoreOpener(store)),
            specs,
        }
    }

    pub(crate) fn with_opener(opener: Arc<dyn LayerOpener>, specs: Vec<LayerSpec>) -> Self {
        Self { opener, specs }
    }
}

enum Content {
    Layers(Layers),
    Directory(PathBuf),
}

/// An opened image: its metadata is known, its layers are not read yet.
pub struct Image {
    metadata: ImageMetadata,
    content: Content,
}

/// Options for reading an image's filesystem.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Keep the squashed view as it stood after each layer (for all-layers analysis).
    pub keep_layer_views: bool,
}

/// An image's filesystem after reading.
#[derive(Debug)]
pub struct Filesystem {
    /// What a container started from the image sees.
    pub squashed: FileTree,
    /// With `keep_layer_views`, the squashed view after each layer, in layer order.
    pub layer_views: Vec<FileTree>,
    /// One per layer, with the diff ID computed while reading.
    pub layers: Vec<LayerMetadata>,
}

/// Resolves a source to an image without reading its layers.
pub fn open(source: &SourceRef, options: &OpenOptions) -> Result<Image, ImageError> {
    let platform = options.platform.clone().unwrap_or_else(Platform::host);
    let (metadata, content) = match source {
        SourceRef::OciDir { path, reference } => {
            local::check_exists(path)?;
            let store: Arc<dyn BlobStore> = Arc::new(DirStore::new(path)?);
            let (m, l) = local::open_oci_layout(store, reference.as_deref(), &platform, "oci-dir")?;
            (m, Content::Layers(l))
        }
        SourceRef::OciArchive { path, reference } => {
            local::check_exists(path)?;
            let store: Arc<dyn BlobStore> = Arc::new(TarStore::open(path)?);
            let (m, l) =
                local::open_oci_layout(store, reference.as_deref(), &platform, "oci-archive")?;
            (m, Content::Layers(l))
        }
        SourceRef::DockerArchive { path, reference } => {
            local::check_exists(path)?;
            let store: Arc<dyn BlobStore> = Arc::new(TarStore::open(path)?);
            let (m, l) = local::open_docker_archive(store, reference.as_deref())?;
            (m, Content::Layers(l))
        }
        SourceRef::Dir { path } => {
            if !path.is_dir() {
                return Err(ImageError::NotFound(format!(
                    "{}: no such directory",
                    path.display()
                )));
            }
            let metadata = ImageMetadata {
                source_kind: "dir".into(),
                ..ImageMetadata::default()
            };
            (metadata, Content::Directory(path.clone()))
        }
        SourceRef::Registry(reference) => {
            let (m, l) = registry::open(reference, &options.registry, &platform)?;
            (m, Content::Layers(l))
        }
    };
    Ok(Image { metadata, content })
}

impl Image {
    pub fn metadata(&self) -> &ImageMetadata {
        &self.metadata
    }

    /// Streams every layer once (in parallel), keeping or inspecting the content of the files
    /// `selector` wants and hashing every regular file, and squashes the layers in order.
    pub fn read(
        &self,
        selector: &dyn Selector,
        options: ReadOptions,
        progress: &dyn Progress,
    ) -> Result<Filesystem, ImageError> {
        match &self.content {
            Content::Directory(root) => {
                progress.started(0, None);
                let tree = dir::walk(root, selector)?;
                Ok(Filesystem {
                    layer_views: if options.keep_layer_views {
                        vec![tree.clone()]
                    } else {
                        Vec::new()
                    },
                    squashed: tree,
                    layers: Vec::new(),
                })
            }
            Content::Layers(layers) => read_layers(layers, selector, options, progress),
        }
    }
}

fn layer_label(index: usize, spec: &LayerSpec) -> String {
    match spec.digest.as_ref().or(spec.diff_id.as_ref()) {
        Some(d) => format!("{} ({d})", index + 1),
        None => format!("{} ({})", index + 1, spec.locator),
    }
}

fn read_layers(
    layers: &Layers,
    selector: &dyn Selector,
    options: ReadOptions,
    progress: &dyn Progress,
) -> Result<Filesystem, ImageError> {
    let count = layers.specs.len();
    let total: Option<u64> = layers.specs.iter().map(|s| s.size).sum();
    progress.started(count, total);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(count.max(1));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<LayerFiles, ImageError>>>> =
        Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count || failed.load(Ordering::SeqCst) {
                        break;
                    }
                    let spec = &layers.specs[i];
                    let label = layer_label(i, spec);
                    let result = layers.opener.open_layer(spec).and_then(|raw| {
                        let check = LayerCheck {
                            index: i,
                            label: &label,
                            blob_digest: spec.digest.as_ref(),
                            diff_id: spec.diff_id.as_ref(),
                        };
                        layer::read_layer(raw, &check, selector, progress)
                    });
                    if result.is_err() {
                        failed.store(true, Ordering::SeqCst);
                    }
                    progress.layer_done(i);
                    results.lock().expect("no worker panics")[i] = Some(result);
                }
            });
        }
    });
    let results = results.into_inner().expect("no worker panics");
    let mut files = Vec::with_capacity(count);
    for r in results {
        match r {
            Some(Ok(f)) => files.push(f),
            Some(Err(e)) => return Err(e),
            // A layer left unread because another failed; that failure is reported above.
            None => {}
        }
    }
    if files.len() != count {
        return Err(ImageError::invalid("image", "a layer could not be read"));
    }
    let mut tree = FileTree::new();
    let mut views = Vec::new();
    let mut metadata = Vec::with_capacity(count);
    for (index, (layer, spec)) in files.into_iter().zip(&layers.specs).enumerate() {
        apply_layer(&mut tree, index, layer.entries);
        if options.keep_layer_views {
            views.push(tree.clone());
        }
        metadata.push(LayerMetadata {
            digest: spec.digest.clone(),
            diff_id: Some(layer.diff_id),
            media_type: spec.media_type.clone(),
            size: spec.size,
        });
    }
    Ok(Filesystem {
        squashed: tree,
        layer_views: views,
        layers: metadata,
    })
}

/// Puts one layer on top of `tree`: whiteouts first (they hide only what lower layers wrote),
/// then the layer's own entries in archive order.
fn apply_layer(tree: &mut FileTree, index: usize, entries: Vec<layer::Entry>) {
    for e in &entries {
        match e.kind {
            EntryKind::Whiteout => tree.remove_tree(&e.path),
            EntryKind::Opaque => tree.remove_children(&e.path),
            _ => {}
        }
    }
    for e in entries {
        let kind = match e.kind {
            EntryKind::Whiteout | EntryKind::Opaque => continue,
            EntryKind::File => NodeKind::File,
            EntryKind::Dir => NodeKind::Dir,
            EntryKind::Symlink(target) => NodeKind::Symlink(target),
            EntryKind::Other => NodeKind::Other,
            EntryKind::HardLink(target) => {
                // A hard link shares its target's content; the link's own layer wrote it.
                let linked = tree.get(&target).cloned();
                let node = match linked {
                    Some(n) => Node { layer: index, ..n },
                    None => Node {
                        kind: NodeKind::File,
                        mode: e.mode,
                        uid: e.uid,
                        gid: e.gid,
                        size: 0,
                        layer: index,
                        content: None,
                        sha256: None,
                        facts: None,
                    },
                };
                tree.insert(e.path, node);
                continue;
            }
        };
        if kind != NodeKind::Dir && tree.get(&e.path).is_some_and(|n| n.kind == NodeKind::Dir) {
            tree.remove_children(&e.path);
        }
        tree.insert(
            e.path,
            Node {
                kind,
                mode: e.mode,
                uid: e.uid,
                gid: e.gid,
                size: e.size,
                layer: index,
                content: e.content,
                sha256: e.sha256,
                facts: e.facts,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Entry;

    fn entry(path: &str, kind: EntryKind, content: &str) -> Entry {
        Entry {
            path: path.into(),
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: content.len() as u64,
            content: Some(Arc::from(content.as_bytes())),
            sha256: None,
            facts: None,
        }
    }

    fn file(path: &str, content: &str) -> Entry {
        entry(path, EntryKind::File, content)
    }

    #[test]
    fn whiteouts_hide_lower_layers_only() {
        let mut tree = FileTree::new();
        apply_layer(
            &mut tree,
            0,
            vec![
                entry("/opt/app", EntryKind::Dir, ""),
                file("/opt/app/a.js", "a"),
                file("/opt/app/lib/b.js", "b"),
                file("/etc/gone", "x"),
                file("/etc/kept", "y"),
            ],
        );
        // Layer 1 replaces /opt/app wholesale (opaque) and deletes /etc/gone. Its own new child
        // comes before the opaque marker in the archive and must survive it.
        apply_layer(
            &mut tree,
            1,
            vec![
                file("/opt/app/new.js", "n"),
                entry("/opt/app", EntryKind::Opaque, ""),
                entry("/etc/gone", EntryKind::Whiteout, ""),
            ],
        );
        let paths: Vec<&str> = tree.iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            vec!["/etc/kept", "/opt/app", "/opt/app/new.js"],
            "lower children and whited-out files are gone"
        );
        assert_eq!(tree.get("/opt/app/new.js").unwrap().layer, 1);
        assert_eq!(tree.get("/etc/kept").unwrap().layer, 0);
    }

    #[test]
    fn hard_links_share_content_and_files_replace_directories() {
        let mut tree = FileTree::new();
        apply_layer(
            &mut tree,
            0,
            vec![
                file("/usr/bin/python3.11", "ELF"),
                entry("/etc/conf.d", EntryKind::Dir, ""),
                file("/etc/conf.d/a", "a"),
            ],
        );
        apply_layer(
            &mut tree,
            1,
            vec![
                entry(
                    "/usr/bin/python3",
                    EntryKind::HardLink("/usr/bin/python3.11".into()),
                    "",
                ),
                file("/etc/conf.d", "now a file"),
            ],
        );
        assert_eq!(tree.read("/usr/bin/python3"), Some(&b"ELF"[..]));
        assert_eq!(tree.get("/usr/bin/python3").unwrap().layer, 1);
        assert!(tree.get("/etc/conf.d/a").is_none());
        assert_eq!(tree.read("/etc/conf.d"), Some(&b"now a file"[..]));
    }
}
