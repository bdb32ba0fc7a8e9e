//! Python: installed distributions, from `*.dist-info/METADATA` (with the files of `RECORD`) and
//! `*.egg-info` (directory form with `PKG-INFO` and `installed-files.txt`, or a single file), in
//! any site-packages, dist-packages or virtualenv.

use customs_types::{
    OwnedFile, Package, PackageMetadata, PackageType, Purl, PythonMetadata, Unknown,
};

use crate::{Catalog, Cataloger, Env, Primary, package_id, paragraph, parent};

pub(crate) struct Python;

impl Cataloger for Python {
    fn name(&self) -> &'static str {
        "python-installed"
    }

    fn reads(&self) -> &'static str {
        "`**/*.dist-info/METADATA` (files and SHA-256 digests from `RECORD`), `**/*.egg-info/PKG-INFO` (files from `installed-files.txt`) and `**/*.egg-info` files"
    }

    fn is_primary(&self, path: &str) -> bool {
        path.ends_with(".dist-info/METADATA")
            || path.ends_with(".egg-info/PKG-INFO")
            || path.ends_with(".egg-info")
    }

    fn wants(&self, path: &str) -> bool {
        self.is_primary(path)
            || path.ends_with(".dist-info/RECORD")
            || path.ends_with(".egg-info/installed-files.txt")
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        let text = String::from_utf8_lossy(primary.content);
        // Core metadata is an RFC 822 header block; the description may follow a blank line.
        let header_block = text.split("\n\n").next().unwrap_or_default();
        let fields = paragraph::parse(header_block);
        let Some(p) = fields.first() else {
            out.unknowns
                .push(unknown(primary.path, "no metadata headers"));
            return;
        };
        let (Some(name), Some(version)) = (p.get("Name"), p.get("Version")) else {
            out.unknowns
                .push(unknown(primary.path, "metadata without Name and Version"));
            return;
        };
        if !plausible(name) || !plausible(version) {
            out.unknowns.push(unknown(
                primary.path,
                "Name or Version is not printable text",
            ));
            return;
        }
        let (info_dir, site_packages) = if primary.path.ends_with(".egg-info") {
            (primary.path, parent(primary.path))
        } else {
            let dir = parent(primary.path);
            (dir, parent(dir))
        };
        let files = if primary.path.ends_with("/METADATA") {
            record_files(env, info_dir, site_packages)
        } else if primary.path.ends_with("/PKG-INFO") {
            installed_files(env, info_dir)
        } else {
            Vec::new()
        };
        let license = p
            .get("License-Expression")
            .or(p
                .get("License")
                .filter(|l| !l.is_empty() && l.len() < 80 && !l.eq_ignore_ascii_case("UNKNOWN")))
            .map(str::to_string)
            .or_else(|| {
                p.get_all("Classifier")
                    .filter_map(|c| c.strip_prefix("License :: "))
                    .filter_map(|c| c.rsplit(" :: ").next())
                    .next()
                    .map(str::to_string)
            });
        let normalized = normalize(name);
        let purl = Purl::new("pypi", None, &normalized, Some(version), &[]);
        let metadata = PythonMetadata {
            author: p
                .get("Author")
                .map(str::to_string)
                .filter(|a| !a.is_empty()),
            home_page: p.get("Home-page").map(str::to_string),
            site_packages: Some(site_packages.to_string()),
            requires_dist: p.get_all("Requires-Dist").map(str::to_string).collect(),
        };
        out.packages.push(Package {
            id: package_id(&["python", &normalized, version, primary.path]),
            name: name.to_string(),
            version: version.to_string(),
            package_type: PackageType::Python,
            arch: None,
            source_name: None,
            source_version: None,
            licenses: license.into_iter().collect(),
            purl,
            locations: vec![primary.location.clone()],
            files,
            metadata: PackageMetadata::Python(metadata),
        });
    }
}

fn unknown(path: &str, reason: &str) -> Unknown {
    Unknown {
        cataloger: "python-installed".into(),
        path: path.into(),
        reason: reason.into(),
    }
}

/// Rejects names and versions that are binary junk rather than text.
fn plausible(s: &str) -> bool {
    !s.is_empty() && s.len() < 256 && s.chars().all(|c| !c.is_control() && c != '\u{fffd}')
}

/// PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

/// `dir` + a relative path, with `.` and `..` resolved lexically (RECORD lists scripts as
/// `../../../bin/x`).
fn join(dir: &str, relative: &str) -> String {
    if relative.starts_with('/') {
        return relative.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for c in relative.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `RECORD`: CSV of path, `sha256=<urlsafe base64>`, size.
fn record_files(env: &Env<'_>, info_dir: &str, site_packages: &str) -> Vec<OwnedFile> {
    let Some(record) = env.tree.read(&format!("{info_dir}/RECORD")) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(record);
    let mut files: Vec<OwnedFile> = text
        .lines()
        .filter_map(|line| {
            let (path, rest) = split_csv_first(line)?;
            let digest = rest
                .split(',')
                .next()
                .and_then(|h| h.strip_prefix("sha256="))
                .and_then(crate::base64_to_hex)
                .map(|h| format!("sha256:{h}"));
            Some(OwnedFile {
                path: join(site_packages, &path),
                digest,
                is_config: false,
            })
        })
        .collect();
    files.sort();
    files
}

/// The first CSV field (quoted or not) and the rest of the line.
fn split_csv_first(line: &str) -> Option<(String, &str)> {
    let line = line.trim_end_matches('\r');
    if line.is_empty() {
        return None;
    }
    if let Some(rest) = line.strip_prefix('"') {
        let mut field = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, n)| *n) == Some('"') {
                    field.push('"');
                    chars.next();
                    continue;
                }
                let after = &rest[i + 1..];
                return Some((field, after.strip_prefix(',').unwrap_or(after)));
            }
            field.push(c);
        }
        return Some((field, ""));
    }
    match line.split_once(',') {
        Some((p, rest)) => Some((p.to_string(), rest)),
        None => Some((line.to_string(), "")),
    }
}

/// `installed-files.txt`: paths relative to the egg-info directory.
fn installed_files(env: &Env<'_>, info_dir: &str) -> Vec<OwnedFile> {
    let Some(list) = env.tree.read(&format!("{info_dir}/installed-files.txt")) else {
        return Vec::new();
    };
    let mut files: Vec<OwnedFile> = String::from_utf8_lossy(list)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| OwnedFile {
            path: join(info_dir, l),
            digest: None,
            is_config: false,
        })
        .collect();
    files.sort();
    files
}

pub(crate) mod declared;

#[cfg(test)]
mod tests;
