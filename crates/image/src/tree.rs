use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

/// What kind of filesystem object a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    File,
    Dir,
    /// A symbolic link and its target, exactly as stored (absolute or relative).
    Symlink(String),
    /// Devices, fifos and sockets.
    Other,
}

/// One path of a file tree: its metadata, the layer that last wrote it, and its content when a
/// cataloger asked for it.
#[derive(Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Index of the layer that last wrote this path (0 for a directory source).
    pub layer: usize,
    pub content: Option<Arc<[u8]>>,
    /// The SHA-256 of a regular file's content (of every file read from a layer; of the files
    /// whose content was kept or inspected in a directory source).
    pub sha256: Option<customs_types::Digest>,
    /// What the selector's inspection learned from the content.
    pub facts: Option<crate::Facts>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("kind", &self.kind)
            .field("mode", &format_args!("{:o}", self.mode))
            .field("size", &self.size)
            .field("layer", &self.layer)
            .field("kept", &self.content.is_some())
            .field("sha256", &self.sha256)
            .field("facts", &self.facts.is_some())
            .finish()
    }
}

/// A filesystem view: every path (absolute, normalised, no trailing slash; the root is `/`) with
/// the node that is visible there.
#[derive(Debug, Clone, Default)]
pub struct FileTree {
    nodes: BTreeMap<String, Node>,
}

/// How many symlinks one lookup may follow before giving up (Linux uses 40 too).
const MAX_SYMLINK_HOPS: usize = 40;

impl FileTree {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn insert(&mut self, path: String, node: Node) {
        self.nodes.insert(path, node);
    }

    /// The node stored at `path`, without following symlinks.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Removes `path` and everything below it.
    pub fn remove_tree(&mut self, path: &str) {
        self.nodes.remove(path);
        self.remove_children(path);
    }

    /// Removes everything below directory `dir`, keeping `dir` itself.
    pub fn remove_children(&mut self, dir: &str) {
        let prefix = child_prefix(dir);
        let doomed: Vec<String> = self
            .nodes
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.nodes.remove(&k);
        }
    }

    /// Every path and node, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every path under directory `dir` (at any depth), in path order.
    pub fn iter_prefix<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
        let prefix = child_prefix(dir);
        let start = prefix.clone();
        self.nodes
            .range::<str, _>((Bound::Included(start.as_str()), Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The direct children of directory `dir` (not following a symlink at `dir`).
    pub fn children<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
        let prefix = child_prefix(dir);
        let start = prefix.clone();
        let prefix_len = prefix.len();
        self.nodes
            .range::<str, _>((Bound::Included(start.as_str()), Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .filter(move |(k, _)| {
                let rest = &k[prefix_len..];
                !rest.is_empty() && !rest.contains('/')
            })
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Resolves `path` inside this tree, following symlinks in every component the way the
    /// kernel would inside a chroot: `..` never climbs above `/`, absolute targets start again at
    /// the image root. Returns the real path and its node, or `None` when nothing is there.
    pub fn resolve(&self, path: &str) -> Option<(String, &Node)> {
        let mut hops = 0;
        let real = self.resolve_path(path, &mut hops)?;
        let node = self.nodes.get(&real)?;
        Some((real, node))
    }

    /// The content of the file at `path` (symlinks followed), when it was kept.
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        let (_, node) = self.resolve(path)?;
        match node.kind {
            NodeKind::File => node.content.as_deref(),
            _ => None,
        }
    }

    fn resolve_path(&self, path: &str, hops: &mut usize) -> Option<String> {
        let mut resolved: Vec<String> = Vec::new();
        let mut pending: Vec<String> = components(path).map(str::to_string).rev().collect();
        while let Some(component) = pending.pop() {
            match component.as_str() {
                "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            resolved.push(component);
            let current = join_components(&resolved);
            // Layers may omit parent directory entries: a missing component is a plain directory.
            let Some(node) = self.nodes.get(&current) else {
                continue;
            };
            if let NodeKind::Symlink(target) = &node.kind {
                *hops += 1;
                if *hops > MAX_SYMLINK_HOPS {
                    return None;
                }
                resolved.pop();
                if target.starts_with('/') {
                    resolved.clear();
                }
                for c in components(target).rev() {
                    pending.push(c.to_string());
                }
            }
        }
        Some(join_components(&resolved))
    }
}

fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

fn join_components(components: &[String]) -> String {
    if components.is_empty() {
        "/".to_string()
    } else {
        let mut s = String::new();
        for c in components {
            s.push('/');
            s.push_str(c);
        }
        s
    }
}

fn child_prefix(dir: &str) -> String {
    if dir == "/" {
        "/".to_string()
    } else {
        format!("{}/", dir.trim_end_matches('/'))
    }
}

/// Normalises a path from a tar header or a directory walk into the tree's form (`/a/b`).
/// Rejects absolute paths and `..` components: an image layer has no business writing either.
pub(crate) fn normalize_entry_path(raw: &str) -> Result<String, &'static str> {
    if raw.starts_with('/') {
        return Err("absolute path in a layer");
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in raw.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err("path climbs out of the image root with `..`"),
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Ok("/".to_string());
    }
    Ok(format!("/{}", parts.join("/")))
}

/// Whether a relative symlink target, read from the link's own directory, climbs above the root.
pub(crate) fn symlink_escapes_root(link_path: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth = components(link_path).count() as i64 - 1;
    for c in components(target) {
        match c {
            "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &str) -> Node {
        Node {
            kind: NodeKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: content.len() as u64,
            layer: 0,
            content: Some(Arc::from(content.as_bytes())),
            sha256: None,
            facts: None,
        }
    }

    fn link(target: &str) -> Node {
        Node {
            kind: NodeKind::Symlink(target.to_string()),
            ..file("")
        }
    }

    fn dir() -> Node {
        Node {
            kind: NodeKind::Dir,
            ..file("")
        }
    }

    #[test]
    fn resolves_links_inside_the_root() {
        let mut t = FileTree::new();
        t.insert("/usr".into(), dir());
        t.insert("/usr/lib".into(), dir());
        t.insert("/usr/lib/os-release".into(), file("ID=debian\n"));
        t.insert("/etc".into(), dir());
        t.insert("/etc/os-release".into(), link("../usr/lib/os-release"));
        t.insert("/lib".into(), link("usr/lib"));
        t.insert("/evil".into(), link("../../../../usr/lib/os-release"));
        t.insert("/abs".into(), link("/lib/os-release"));
        assert_eq!(t.read("/etc/os-release"), Some(&b"ID=debian\n"[..]));
        assert_eq!(t.read("/lib/os-release"), Some(&b"ID=debian\n"[..]));
        // `..` is clamped at the root: the link cannot reach outside the image.
        assert_eq!(t.read("/evil"), Some(&b"ID=debian\n"[..]));
        assert_eq!(t.resolve("/abs").unwrap().0, "/usr/lib/os-release");
    }

    #[test]
    fn symlink_loops_end() {
        let mut t = FileTree::new();
        t.insert("/a".into(), link("b"));
        t.insert("/b".into(), link("a"));
        assert!(t.resolve("/a").is_none());
    }

    #[test]
    fn children_and_removal() {
        let mut t = FileTree::new();
        t.insert("/opt".into(), dir());
        t.insert("/opt/app".into(), dir());
        t.insert("/opt/app/a".into(), file("a"));
        t.insert("/opt/app/sub".into(), dir());
        t.insert("/opt/app/sub/b".into(), file("b"));
        t.insert("/opt/apple".into(), file("x"));
        let kids: Vec<_> = t.children("/opt/app").map(|(k, _)| k).collect();
        assert_eq!(kids, vec!["/opt/app/a", "/opt/app/sub"]);
        t.remove_children("/opt/app");
        assert!(t.get("/opt/app").is_some());
        assert!(t.get("/opt/app/a").is_none());
        assert!(t.get("/opt/apple").is_some());
        t.remove_tree("/opt");
        assert!(t.is_empty());
    }

    #[test]
    fn entry_paths_are_normalised_or_rejected() {
        assert_eq!(normalize_entry_path("./etc/passwd").unwrap(), "/etc/passwd");
        assert_eq!(normalize_entry_path("etc//x/").unwrap(), "/etc/x");
        assert_eq!(normalize_entry_path("./").unwrap(), "/");
        assert!(normalize_entry_path("/etc/passwd").is_err());
        assert!(normalize_entry_path("a/../../etc").is_err());
    }

    #[test]
    fn escaping_symlinks_are_detected() {
        assert!(!symlink_escapes_root(
            "/etc/os-release",
            "../usr/lib/os-release"
        ));
        assert!(symlink_escapes_root("/etc/x", "../../etc/shadow"));
        assert!(!symlink_escapes_root("/lib", "usr/lib"));
        assert!(!symlink_escapes_root("/a", "/anything/at/all"));
    }
}
