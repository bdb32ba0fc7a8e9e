//! A root filesystem on disk, walked once without following symlinks.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;

use crate::Interest;
use crate::error::ImageError;
use crate::layer::MAX_KEPT_FILE;
use crate::tree::{FileTree, Node, NodeKind};

/// Kernel pseudo-filesystems: never part of what is installed, and endless to read.
const PSEUDO_FILESYSTEMS: &[&str] = &["/proc", "/sys", "/dev"];

pub(crate) fn walk(root: &Path, interest: &Interest) -> Result<FileTree, ImageError> {
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
                let content = if meta.len() <= MAX_KEPT_FILE && interest(&tree_path) {
                    fs::read(&path).ok().map(Arc::from)
                } else {
                    None
                };
                node_from(&meta, NodeKind::File, content)
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
    }
}
