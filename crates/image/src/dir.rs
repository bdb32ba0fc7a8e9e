//! A root filesystem on disk, walked once without following symlinks.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;

use crate::error::ImageError;
use crate::layer::MAX_KEPT_FILE;
use crate::tree::{FileTree, Node, NodeKind};
use crate::{Candidate, Selector, Want};

/// Kernel pseudo-filesystems: never part of what is installed, and endless to read.
const PSEUDO_FILESYSTEMS: &[&str] = &["/proc", "/sys", "/dev"];

pub(crate) fn walk(root: &Path, selector: &dyn Selector) -> Result<FileTree, ImageError> {
    let root = root.canonicalize().map_err(|e| ImageError::io(root, e))?;
    let scanning_host_root = root == Path::new("/");
    let mut tree = FileTree::new();
    let meta = fs::symlink_metadata(&root).map_err(|e| ImageError::io(&root, e))?;
    tree.insert("/".into(), node_from(&meta, NodeKind::Dir, None));
    let mut stack = vec![(root.clone(), "/".to_string())];
    while let Some((dir, tree_dir)) = stack.pop() {
        // Unreadable directories are skipped: a scan of a live system meets some.
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let tree_path = if tree_dir == "/" {
                format!("/{name}")
            } else {
                format!("{tree_dir}/{name}")
            };
            if scanning_host_root && PSEUDO_FILESYSTEMS.contains(&tree_path.as_str()) {
                continue;
            }
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            let file_type = meta.file_type();
            let node = if file_type.is_dir() {
                stack.push((path, tree_path.clone()));
                node_from(&meta, NodeKind::Dir, None)
            } else if file_type.is_symlink() {
                let target = fs::read_link(&path)
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                node_from(&meta, NodeKind::Symlink(target), None)
            } else if file_type.is_file() {
                let candidate = Candidate {
                    path: &tree_path,
                    mode: meta.mode() & 0o7777,
                    size: meta.len(),
                };
                let want = match selector.want(&candidate) {
                    _ if meta.len() > MAX_KEPT_FILE => Want::Skip,
                    w => w,
                };
                let observed = meta.len() <= MAX_KEPT_FILE && selector.observes(&candidate);
                let mut node = node_from(&meta, NodeKind::File, None);
                // Only wanted files are read: a directory scan must not read a whole disk.
                if (want != Want::Skip || observed)
                    && let Ok(bytes) = fs::read(&path)
                {
                    node.sha256 = Some(crate::layer::sha256_digest(&bytes));
                    if observed {
                        selector.observe(0, &tree_path, &bytes);
                    }
                    match want {
                        Want::Inspect => node.facts = selector.inspect(&tree_path, &bytes),
                        Want::Keep => node.content = Some(Arc::from(bytes)),
                        Want::Skip => {}
                    }
                }
                node
            } else {
                node_from(&meta, NodeKind::Other, None)
            };
            tree.insert(tree_path, node);
        }
    }
    Ok(tree)
}

fn node_from(meta: &fs::Metadata, kind: NodeKind, content: Option<Arc<[u8]>>) -> Node {
    Node {
        size: if kind == NodeKind::File {
            meta.len()
        } else {
            0
        },
        kind,
        mode: meta.mode() & 0o7777,
        uid: u64::from(meta.uid()),
        gid: u64::from(meta.gid()),
        layer: 0,
        content,
        sha256: None,
        facts: None,
    }
}
