//! Where the blobs of a local image live: a directory (OCI layout) or a tar archive (oci-archive,
//! docker-archive), read in place without unpacking.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::ImageError;

/// Named blobs (`index.json`, `blobs/sha256/…`, `abc/layer.tar`) of a local image.
pub(crate) trait BlobStore: Send + Sync {
    /// Opens a member for streaming.
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, ImageError>;
    fn contains(&self, name: &str) -> bool;
    /// Names the store in errors.
    fn label(&self) -> String;

    /// Reads a small member (a manifest or a config) whole.
    fn read_small(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        const LIMIT: u64 = 64 * 1024 * 1024;
        let mut buf = Vec::new();
        self.open(name)?
            .take(LIMIT + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::invalid(format!("{}: {name}", self.label()), e.to_string()))?;
        if buf.len() as u64 > LIMIT {
            return Err(ImageError::invalid(
                format!("{}: {name}", self.label()),
                "larger than 64 MiB; not a manifest or config",
            ));
        }
        Ok(buf)
    }
}

/// An OCI image layout on disk.
pub(crate) struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub(crate) fn new(root: &Path) -> Result<Self, ImageError> {
        if !root.is_dir() {
            return Err(ImageError::NotFound(format!(
                "{}: no such directory",
                root.display()
            )));
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }
}

impl BlobStore for DirStore {
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, ImageError> {
        let path = self.root.join(name);
        let file = File::open(&path).map_err(|e| ImageError::io(&path, e))?;
        Ok(Box::new(file))
    }

    fn contains(&self, name: &str) -> bool {
        self.root.join(name).is_file()
    }

    fn label(&self) -> String {
        self.root.display().to_string()
    }
}

/// A tar archive read in place: members are found by their offsets, so a layer is streamed
/// straight from the archive file. A gzip-compressed archive is decompressed to a temporary
/// file first (it cannot be seeked otherwise).
pub(crate) struct TarStore {
    label: String,
    file_path: PathBuf,
    members: HashMap<String, (u64, u64)>,
    _decompressed: Option<tempfile::TempPath>,
}

impl TarStore {
    pub(crate) fn open(path: &Path) -> Result<Self, ImageError> {
        let label = path.display().to_string();
        let mut file = File::open(path).map_err(|e| ImageError::io(path, e))?;
        let mut magic = [0u8; 2];
        let n = file.read(&mut magic).map_err(|e| ImageError::io(path, e))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| ImageError::io(path, e))?;
        let (file_path, decompressed) = if n == 2 && magic == [0x1f, 0x8b] {
            let mut tmp = tempfile::NamedTempFile::new()
                .map_err(|e| ImageError::io(std::env::temp_dir(), e))?;
            let mut gz = flate2::read::MultiGzDecoder::new(BufReader::new(file));
            io::copy(&mut gz, tmp.as_file_mut()).map_err(|e| {
                ImageError::invalid(&label, format!("cannot decompress gzip archive: {e}"))
            })?;
            let tmp_path = tmp.into_temp_path();
            (tmp_path.to_path_buf(), Some(tmp_path))
        } else {
            (path.to_path_buf(), None)
        };
        let members = index_members(&file_path, &label)?;
        Ok(Self {
            label,
            file_path,
            members,
            _decompressed: decompressed,
        })
    }
}

impl BlobStore for TarStore {
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, ImageError> {
        let &(offset, size) = self.members.get(name).ok_or_else(|| {
            ImageError::NotFound(format!("{}: archive has no member {name:?}", self.label))
        })?;
        let mut file =
            File::open(&self.file_path).map_err(|e| ImageError::io(&self.file_path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| ImageError::io(&self.file_path, e))?;
        Ok(Box::new(ExactReader {
            inner: file.take(size),
            remaining: size,
        }))
    }

    fn contains(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

/// Fails with `UnexpectedEof` when the archive ends before the member does.
struct ExactReader<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.remaining > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "archive member truncated ({} bytes missing)",
                    self.remaining
                ),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

fn normalize_member(name: &str) -> String {
    name.trim_start_matches("./")
        .trim_end_matches('/')
        .to_string()
}

fn index_members(path: &Path, label: &str) -> Result<HashMap<String, (u64, u64)>, ImageError> {
    let file = File::open(path).map_err(|e| ImageError::io(path, e))?;
    let mut archive = tar::Archive::new(BufReader::new(file));
    let mut members = HashMap::new();
    let entries = archive
        .entries()
        .map_err(|e| ImageError::invalid(label, format!("not a tar archive: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| {
            let what = if members.is_empty() {
                "not a tar archive"
            } else {
                "corrupt tar archive"
            };
            ImageError::invalid(label, format!("{what} ({})", e.to_string().trim()))
        })?;
        if !matches!(
            entry.header().entry_type(),
            tar::EntryType::Regular | tar::EntryType::Continuous
        ) {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        members.insert(
            normalize_member(&name),
            (entry.raw_file_position(), entry.size()),
        );
    }
    if members.is_empty() {
        return Err(ImageError::invalid(label, "not a tar archive (no members)"));
    }
    Ok(members)
}

/// The member names of a (possibly gzip-compressed) tar archive, for guessing its kind.
pub(crate) fn archive_member_names(path: &Path) -> Result<Vec<String>, ImageError> {
    let store = TarStore::open(path)?;
    Ok(store.members.into_keys().collect())
}
