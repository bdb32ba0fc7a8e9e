//! Which Linux distribution a file tree is: `os-release` first, then the older release files.

use customs_image::FileTree;
use customs_types::Distro;

const OS_RELEASE: &[&str] = &["/etc/os-release", "/usr/lib/os-release"];
const FALLBACKS: &[&str] = &[
    "/etc/alpine-release",
    "/etc/debian_version",
    "/etc/redhat-release",
    "/etc/centos-release",
    "/etc/system-release",
];

pub(crate) fn wants(path: &str) -> bool {
    OS_RELEASE.contains(&path) || FALLBACKS.contains(&path)
}

/// Detects the distribution, or `None` when no release file says.
pub fn detect_distro(tree: &FileTree) -> Option<Distro> {
    for path in OS_RELEASE {
        if let Some(d) = tree.read(path).and_then(parse_os_release) {
            return Some(d);
        }
    }
    if let Some(text) = tree.read("/etc/alpine-release") {
        let version = String::from_utf8_lossy(text).trim().to_string();
        if !version.is_empty() {
            return Some(Distro {
                id: "alpine".into(),
                version_id: Some(version),
                ..Distro::default()
            });
        }
    }
    if let Some(text) = tree.read("/etc/debian_version") {
        return Some(parse_debian_version(&String::from_utf8_lossy(text)));
    }
    for path in &FALLBACKS[2..] {
        if let Some(d) = tree.read(path).and_then(parse_redhat_release) {
            return Some(d);
        }
    }
    None
}

/// `KEY=value` lines, values optionally quoted with shell-style escapes.
fn parse_os_release(bytes: &[u8]) -> Option<Distro> {
    let text = String::from_utf8_lossy(bytes);
    let mut d = Distro::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(raw.trim());
        match key.trim() {
            "ID" => d.id = value.to_ascii_lowercase(),
            "VERSION_ID" => d.version_id = Some(value),
            "ID_LIKE" => {
                d.id_like = value
                    .split_whitespace()
                    .map(|s| s.to_ascii_lowercase())
                    .collect()
            }
            "VERSION_CODENAME" => d.version_codename = Some(value).filter(|v| !v.is_empty()),
            "PRETTY_NAME" => d.pretty_name = Some(value),
            "CPE_NAME" => d.cpe_name = Some(value),
            _ => {}
        }
    }
    (!d.id.is_empty()).then_some(d)
}

fn unquote(raw: &str) -> String {
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    if !quoted {
        return raw.to_string();
    }
    let inner = &raw[1..raw.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `12.5` → Debian 12; `bookworm/sid` → Debian testing, known only by codename.
fn parse_debian_version(text: &str) -> Distro {
    let text = text.trim();
    let mut d = Distro {
        id: "debian".into(),
        ..Distro::default()
    };
    match text.split('.').next() {
        Some(major) if !major.is_empty() && major.chars().all(|c| c.is_ascii_digit()) => {
            d.version_id = Some(major.to_string());
        }
        _ => d.version_codename = text.split('/').next().map(str::to_string),
    }
    d
}

/// `Red Hat Enterprise Linux release 9.4 (Plow)`, `CentOS Linux release 7.9.2009 (Core)`,
/// `Fedora release 39 (Thirty Nine)`, `Amazon Linux release 2 (Karoo)`.
fn parse_redhat_release(bytes: &[u8]) -> Option<Distro> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().next()?.trim();
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?.to_string();
    let lower = name.to_ascii_lowercase();
    let id = if lower.contains("red hat") {
        "rhel"
    } else if lower.contains("centos") {
        "centos"
    } else if lower.contains("fedora") {
        "fedora"
    } else if lower.contains("amazon") {
        "amzn"
    } else if lower.contains("rocky") {
        "rocky"
    } else if lower.contains("alma") {
        "almalinux"
    } else if lower.contains("oracle") {
        "ol"
    } else {
        return None;
    };
    let version_id = if id == "centos" || id == "rhel" {
        // RHEL-family VERSION_IDs carry major.minor at most.
        version.split('.').take(2).collect::<Vec<_>>().join(".")
    } else {
        version
    };
    Some(Distro {
        id: id.into(),
        version_id: Some(version_id),
        id_like: if id == "fedora" {
            vec![]
        } else {
            vec!["rhel".into(), "fedora".into()]
        },
        pretty_name: Some(line.to_string()),
        ..Distro::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use customs_image::{Node, NodeKind};
    use std::sync::Arc;

    fn tree_with(files: &[(&str, &str)]) -> FileTree {
        let mut t = FileTree::new();
        for (p, c) in files {
            t.insert(
                p.to_string(),
                Node {
                    kind: NodeKind::File,
                    mode: 0o644,
                    uid: 0,
                    gid: 0,
                    size: c.len() as u64,
                    layer: 0,
                    content: Some(Arc::from(c.as_bytes())),
                    sha256: None,
                    facts: None,
                },
            );
        }
        t
    }

    #[test]
    fn reads_os_release() {
        let t = tree_with(&[(
            "/usr/lib/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        )]);
        let d = detect_distro(&t).unwrap();
        assert_eq!(d.id, "debian");
        assert_eq!(d.version_id.as_deref(), Some("12"));
        assert_eq!(d.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(d.purl_qualifier(), "debian-12");
    }

    #[test]
    fn falls_back_to_release_files() {
        let t = tree_with(&[("/etc/alpine-release", "3.12.12\n")]);
        assert_eq!(
            detect_distro(&t).unwrap().purl_qualifier(),
            "alpine-3.12.12"
        );
        let t = tree_with(&[("/etc/debian_version", "11.9\n")]);
        assert_eq!(detect_distro(&t).unwrap().purl_qualifier(), "debian-11");
        let t = tree_with(&[(
            "/etc/redhat-release",
            "CentOS Linux release 7.9.2009 (Core)\n",
        )]);
        let d = detect_distro(&t).unwrap();
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("centos", Some("7.9"))
        );
        assert!(detect_distro(&FileTree::new()).is_none());
    }
}
