//! What several gates share: comparison operators and the parameter words they accept.

use std::cmp::Ordering;

use crate::spec::Fire;

pub(crate) const COMPARISONS: &[&str] = &["=", "!=", "<", ">", "<=", ">="];

/// Whether `ordering` (of the actual value against the policy's) satisfies `operator`.
pub(crate) fn holds(operator: &str, ordering: Ordering) -> bool {
    match operator {
        "=" => ordering == Ordering::Equal,
        "!=" => ordering != Ordering::Equal,
        "<" => ordering == Ordering::Less,
        ">" => ordering == Ordering::Greater,
        "<=" => ordering != Ordering::Greater,
        ">=" => ordering != Ordering::Less,
        _ => false,
    }
}

pub(crate) fn compare_f64(actual: f64, operator: &str, wanted: f64) -> bool {
    actual
        .partial_cmp(&wanted)
        .is_some_and(|o| holds(operator, o))
}

/// `whitelist`/`blacklist` (v1) and `allowlist`/`denylist` (v2) mean the same.
pub(crate) const LIST_TYPES: &[&str] = &["allowlist", "denylist", "whitelist", "blacklist"];

pub(crate) fn is_allowlist(word: &str) -> bool {
    matches!(word, "allowlist" | "whitelist")
}

/// Orders dotted versions numerically where both parts are numbers (`3.10` > `3.9`).
pub(crate) fn compare_dotted(a: &str, b: &str) -> Ordering {
    let mut left = a.split(['.', '-', '_']);
    let mut right = b.split(['.', '-', '_']);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// The package kinds a `package_type` parameter takes: all, os, non-os, or one type.
pub(crate) const PACKAGE_TYPES: &[&str] = &[
    "all",
    "os",
    "non-os",
    "deb",
    "apk",
    "rpm",
    "python",
    "npm",
    "java",
    "go-module",
    "rust-crate",
    "binary",
    "gem",
    "composer",
    "nuget",
];

/// Whether `p` is of the kind a `package_type` parameter asks for (none: every package).
pub(crate) fn package_type_matches(wanted: Option<&str>, p: &customs_types::Package) -> bool {
    match wanted {
        None | Some("all") => true,
        Some("os") => p.package_type.is_os(),
        Some("non-os") => !p.package_type.is_os(),
        Some(t) => p.package_type.as_str() == t,
    }
}

/// The SBOM's file list by path, read as the container would: symlinks along a path are
/// followed inside the image root (`/bin/ls` is `/usr/bin/ls` on a merged-/usr system).
pub(crate) struct FileIndex<'a> {
    files: std::collections::HashMap<&'a str, &'a customs_sbom::FileRecord>,
}

impl<'a> FileIndex<'a> {
    pub(crate) fn new(files: &'a [customs_sbom::FileRecord]) -> Self {
        FileIndex {
            files: files.iter().map(|f| (f.path.as_str(), f)).collect(),
        }
    }

    /// The record `path` leads to, following symlinks (at most 40, as Linux does).
    pub(crate) fn resolve(&self, path: &str) -> Option<&'a customs_sbom::FileRecord> {
        let mut pending: Vec<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    current.pop();
                    continue;
                }
                _ => current.push(part),
            }
            let here = format!("/{}", current.join("/"));
            let record = self.files.get(here.as_str())?;
            if record.kind == "symlink" {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                let target = record.link_target.as_deref().unwrap_or("");
                current.pop();
                if target.starts_with('/') {
                    current.clear();
                }
                pending.extend(
                    target
                        .split('/')
                        .filter(|c| !c.is_empty())
                        .rev()
                        .map(str::to_string),
                );
            }
        }
        self.files
            .get(format!("/{}", current.join("/")).as_str())
            .copied()
    }
}

pub(crate) fn fire(fires: &mut Vec<Fire>, message: String) {
    fires.push(Fire { id: None, message });
}

pub(crate) fn fire_with_id(fires: &mut Vec<Fire>, id: String, message: String) {
    fires.push(Fire {
        id: Some(id),
        message,
    });
}

/// The checks of the `dockerfile/instruction` and `metadata/attribute` triggers on text.
pub(crate) fn text_check(check: &str, actual: Option<&str>, value: Option<&str>) -> bool {
    let value = value.unwrap_or_default();
    match (check, actual) {
        ("exists", a) => a.is_some(),
        ("not_exists", a) => a.is_none(),
        (_, None) => false,
        ("=", Some(a)) => a == value,
        ("!=", Some(a)) => a != value,
        ("like", Some(a)) => regex::Regex::new(value).is_ok_and(|r| r.is_match(a)),
        ("not_like", Some(a)) => regex::Regex::new(value).is_ok_and(|r| !r.is_match(a)),
        ("in", Some(a)) => crate::spec::split_list(value).iter().any(|v| v == a),
        ("not_in", Some(a)) => !crate::spec::split_list(value).iter().any(|v| v == a),
        (op, Some(a)) => holds(op, compare_dotted(a, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_through_symlinks_inside_the_root() {
        let record = |path: &str, kind: &str, target: Option<&str>| customs_sbom::FileRecord {
            path: path.into(),
            kind: kind.into(),
            mode: "0755".into(),
            uid: 0,
            gid: 0,
            size: 0,
            layer: None,
            sha256: None,
            link_target: target.map(str::to_string),
        };
        let files = vec![
            record("/bin", "symlink", Some("usr/bin")),
            record("/usr", "dir", None),
            record("/usr/bin", "dir", None),
            record("/usr/bin/ls", "file", None),
            record("/usr/bin/dir", "symlink", Some("../../usr/bin/ls")),
            record("/loop", "symlink", Some("/loop")),
        ];
        let index = FileIndex::new(&files);
        assert_eq!(index.resolve("/bin/ls").unwrap().path, "/usr/bin/ls");
        assert_eq!(index.resolve("/bin/dir").unwrap().path, "/usr/bin/ls");
        assert!(index.resolve("/bin/nope").is_none());
        assert!(index.resolve("/loop/x").is_none());
    }

    #[test]
    fn checks() {
        assert!(text_check(
            "like",
            Some("apt-get update"),
            Some("apt-get +update")
        ));
        assert!(text_check("in", Some("b"), Some("a, b")));
        assert!(text_check("not_in", Some("c"), Some("a, b")));
        assert!(text_check(">", Some("3.10"), Some("3.9")));
        assert!(text_check("not_exists", None, None));
        assert!(!text_check("=", None, Some("x")));
        assert_eq!(compare_dotted("12", "9"), Ordering::Greater);
    }
}
