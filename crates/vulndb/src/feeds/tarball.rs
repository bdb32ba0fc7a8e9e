//! Advisory repositories published as a gzip'd tar of the repository (a GitHub archive): the
//! files are read in memory, never written out.

use std::io::Read;

/// The largest advisory file read out of a repository archive.
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// One file of the archive: its path without the archive's top directory, and its bytes.
pub(crate) struct File {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// Every regular file whose path (below the top directory) `wanted` accepts. An entry whose
/// path climbs out (`..`) or is absolute is skipped and reported; a broken archive is an error.
pub(crate) fn files(
    bytes: &[u8],
    wanted: impl Fn(&str) -> bool,
    skipped: &mut Vec<String>,
) -> Result<Vec<File>, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut out = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| format!("not a readable tar.gz: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("not a readable tar.gz: {e} (truncated?)"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if raw.starts_with('/') || raw.split('/').any(|c| c == "..") {
            skipped.push(format!("{raw}: entry path leaves the archive"));
            continue;
        }
        // Drop the top directory (`ruby-advisory-db-master/`, `security-advisories/`).
        let Some((_, path)) = raw.trim_start_matches("./").split_once('/') else {
            continue;
        };
        if !wanted(path) {
            continue;
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{raw}: cannot read: {e} (truncated archive?)"))?;
        if bytes.len() as u64 > MAX_FILE {
            skipped.push(format!("{raw}: larger than 4 MiB"));
            continue;
        }
        out.push(File {
            path: path.to_string(),
            bytes,
        });
    }
    Ok(out)
}
