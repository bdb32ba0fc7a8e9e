//! Reading one Java archive (a zip) with hard limits, so a zip bomb becomes an error, not an
//! exhausted machine.

use std::io::{Cursor, Read};

use sha1::{Digest as _, Sha1};

/// The largest entry read out of an archive (a manifest, pom.properties or a nested archive).
const MAX_ENTRY: u64 = 64 * 1024 * 1024;
/// The most bytes read out of one archive and everything nested in it.
const MAX_TOTAL: u64 = 256 * 1024 * 1024;
/// How deep archives may nest.
const MAX_DEPTH: usize = 4;
/// The most entries of one archive looked at.
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) group: Option<String>,
    pub(crate) artifact: String,
    pub(crate) version: String,
}

/// What one archive says about itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArchiveFacts {
    /// The entry name inside the parent (for nested archives) or the file name.
    pub(crate) name: String,
    pub(crate) sha1: Option<String>,
    pub(crate) poms: Vec<Identity>,
    pub(crate) manifest: Vec<(String, String)>,
    pub(crate) licenses: Vec<String>,
    pub(crate) nested: Vec<ArchiveFacts>,
    /// Why (part of) the archive could not be read.
    pub(crate) error: Option<String>,
}

pub(crate) fn inspect(path: &str, content: &[u8]) -> ArchiveFacts {
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let mut budget = MAX_TOTAL;
    inspect_inner(name, content, 0, &mut budget)
}

fn inspect_inner(name: String, content: &[u8], depth: usize, budget: &mut u64) -> ArchiveFacts {
    let mut facts = ArchiveFacts {
        sha1: Some(
            Sha1::digest(content)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        ),
        name,
        ..ArchiveFacts::default()
    };
    let mut zip = match zip::ZipArchive::new(Cursor::new(content)) {
        Ok(z) => z,
        Err(e) => {
            facts.error = Some(format!("not a readable zip archive: {e}"));
            return facts;
        }
    };
    let names: Vec<String> = zip
        .file_names()
        .take(MAX_ENTRIES)
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    for entry_name in names {
        let wanted_pom =
            entry_name.starts_with("META-INF/maven/") && entry_name.ends_with("/pom.properties");
        let wanted_manifest = entry_name.eq_ignore_ascii_case("META-INF/MANIFEST.MF");
        let nested = super::is_archive_name(&entry_name);
        if !(wanted_pom || wanted_manifest || nested) {
            continue;
        }
        if nested && depth + 1 >= MAX_DEPTH {
            facts.error = Some(format!(
                "{entry_name}: archives nested more than {MAX_DEPTH} deep are not read"
            ));
            continue;
        }
        let bytes = match read_entry(&mut zip, &entry_name, budget) {
            Ok(b) => b,
            Err(reason) => {
                facts.error = Some(format!("{entry_name}: {reason}"));
                continue;
            }
        };
        if wanted_pom {
            if let Some(id) = parse_pom_properties(&String::from_utf8_lossy(&bytes)) {
                facts.poms.push(id);
            }
        } else if wanted_manifest {
            facts.manifest = parse_manifest(&String::from_utf8_lossy(&bytes));
            if let Some(l) = manifest_value(&facts.manifest, "Bundle-License") {
                facts.licenses.push(l.to_string());
            }
        } else {
            let inner_name = entry_name.clone();
            let inner = inspect_inner(inner_name, &bytes, depth + 1, budget);
            facts.nested.push(inner);
        }
    }
    facts
}

fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
) -> Result<Vec<u8>, String> {
    let file = zip.by_name(name).map_err(|e| e.to_string())?;
    if file.size() > MAX_ENTRY {
        return Err(format!(
            "entry inflates to {} bytes, more than the {MAX_ENTRY} read from one entry",
            file.size()
        ));
    }
    let limit = MAX_ENTRY.min(*budget);
    let mut bytes = Vec::new();
    // The declared size may lie: read at most one byte past the limit to find out.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot inflate: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err("entry inflates past the read limit (a zip bomb?)".into());
    }
    *budget -= bytes.len() as u64;
    Ok(bytes)
}

fn parse_pom_properties(text: &str) -> Option<Identity> {
    let mut group = None;
    let mut artifact = None;
    let mut version = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim() {
            "groupId" => group = Some(v),
            "artifactId" => artifact = Some(v),
            "version" => version = Some(v),
            _ => {}
        }
    }
    Some(Identity {
        group,
        artifact: artifact.filter(|a| !a.is_empty())?,
        version: version.filter(|v| !v.is_empty())?,
    })
}

/// The main section of `MANIFEST.MF` (continuation lines start with one space).
fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some((_, v)) = out.last_mut() {
                v.push_str(rest);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn manifest_value<'a>(manifest: &'a [(String, String)], key: &str) -> Option<&'a str> {
    manifest
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `snakeyaml-1.33.jar` → (`snakeyaml`, `1.33`): the version starts at the first `-digit`.
fn split_file_name(name: &str) -> (String, Option<String>) {
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem.rsplit_once('.').map(|(s, _)| s).unwrap_or(stem);
    let bytes = stem.as_bytes();
    for i in 0..bytes.len().saturating_sub(1) {
        if bytes[i] == b'-' && bytes[i + 1].is_ascii_digit() {
            return (stem[..i].to_string(), Some(stem[i + 1..].to_string()));
        }
    }
    (stem.to_string(), None)
}

impl ArchiveFacts {
    /// The one `pom.properties` that describes this archive: the only one, or the one whose
    /// artifact the file name starts with (shaded jars carry several).
    pub(crate) fn pom_identity(&self) -> Option<Identity> {
        match self.poms.as_slice() {
            [] => None,
            [only] => Some(only.clone()),
            several => {
                let (artifact, _) = split_file_name(&self.name);
                several.iter().find(|p| p.artifact == artifact).cloned()
            }
        }
    }

    pub(crate) fn manifest_identity(&self) -> Option<Identity> {
        let version = [
            "Implementation-Version",
            "Bundle-Version",
            "Specification-Version",
        ]
        .iter()
        .find_map(|k| manifest_value(&self.manifest, k))?;
        let (artifact, _) = split_file_name(&self.name);
        let group = manifest_value(&self.manifest, "Implementation-Vendor-Id")
            .or_else(|| manifest_value(&self.manifest, "Automatic-Module-Name"))
            .map(str::to_string);
        Some(Identity {
            group,
            artifact,
            version: version.split_whitespace().next()?.to_string(),
        })
    }

    pub(crate) fn file_name_identity(&self) -> Option<Identity> {
        let (artifact, version) = split_file_name(&self.name);
        Some(Identity {
            group: None,
            artifact,
            version: version?,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names() {
        assert_eq!(
            super::split_file_name("/usr/share/java/snakeyaml-1.33.jar"),
            ("snakeyaml".into(), Some("1.33".into()))
        );
        assert_eq!(
            super::split_file_name("commons-lang3-3.12.0.jar"),
            ("commons-lang3".into(), Some("3.12.0".into()))
        );
        assert_eq!(super::split_file_name("log4j.jar"), ("log4j".into(), None));
    }
}
