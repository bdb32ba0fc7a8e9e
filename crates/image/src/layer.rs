//! Streaming one layer: verify its digests, decompress it, walk its tar entries once and keep
//! only the metadata of every entry and the content of the files someone asked for.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use customs_types::Digest;
use flate2::bufread::MultiGzDecoder;
use sha2::{Digest as _, Sha256};

use crate::error::ImageError;
use crate::tree::{normalize_entry_path, symlink_escapes_root};
use crate::{Candidate, Facts, Progress, Selector, Want};

/// The largest file whose content is kept in memory for a cataloger.
pub(crate) const MAX_KEPT_FILE: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone)]
pub(crate) enum EntryKind {
    File,
    Dir,
    Symlink(String),
    /// A hard link to another path (normalised) in this layer or a lower one.
    HardLink(String),
    /// `.wh.NAME`: delete NAME (the path stored here) from lower layers.
    Whiteout,
    /// `.wh..wh..opq`: hide every lower child of the directory stored here.
    Opaque,
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) path: String,
    pub(crate) kind: EntryKind,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    pub(crate) size: u64,
    pub(crate) content: Option<Arc<[u8]>>,
    pub(crate) sha256: Option<Digest>,
    pub(crate) facts: Option<Facts>,
}

/// What reading one layer produced.
#[derive(Debug)]
pub(crate) struct LayerFiles {
    pub(crate) entries: Vec<Entry>,
    pub(crate) diff_id: Digest,
}

/// A reader that hashes what passes through it.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// Reads to the end, then returns the SHA-256 digest of everything read and the inner reader.
    pub(crate) fn finish(mut self) -> io::Result<(Digest, R)> {
        let (digest, _) = self.by_ref_finish()?;
        Ok((digest, self.inner))
    }

    /// Reads to the end and returns the SHA-256 digest of everything read, and the byte count.
    pub(crate) fn by_ref_finish(&mut self) -> io::Result<(Digest, u64)> {
        let n = io::copy(self, &mut io::sink())?;
        let hasher = std::mem::take(&mut self.hasher);
        let digest = Digest::sha256_hex(&hex(&hasher.finalize())).expect("valid hex");
        Ok((digest, n))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The SHA-256 digest of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> Digest {
    Digest::sha256_hex(&hex(&Sha256::digest(bytes))).expect("sha256 hex is valid")
}

/// Some image builders end a layer right after the last file's data, without the padding to a
/// 512-byte block and without the end-of-archive marker. At such an early end this reader
/// supplies the missing padding (never more), so the last entry reads whole and the archive ends
/// cleanly. The padding is not part of the digests, which hash the real stream beneath.
struct PadToBlock<R> {
    inner: R,
    position: u64,
}

impl<R> PadToBlock<R> {
    fn new(inner: R) -> Self {
        Self { inner, position: 0 }
    }
}

impl<R: Read> Read for PadToBlock<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 || buf.is_empty() {
            self.position += n as u64;
            return Ok(n);
        }
        let missing = (512 - self.position % 512) % 512;
        let pad = (missing as usize).min(buf.len());
        buf[..pad].fill(0);
        self.position += pad as u64;
        Ok(pad)
    }
}

/// Counts bytes read into the progress sink.
struct Counting<'a, R> {
    inner: R,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes_read(n as u64);
        Ok(n)
    }
}

enum Decompressed<R: BufRead> {
    Plain(R),
    Gzip(Box<MultiGzDecoder<R>>),
    Zstd(zstd::Decoder<'static, R>),
}

impl<R: BufRead> Read for Decompressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decompressed::Plain(r) => r.read(buf),
            Decompressed::Gzip(r) => r.read(buf),
            Decompressed::Zstd(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> Decompressed<R> {
    fn into_inner(self) -> R {
        match self {
            Decompressed::Plain(r) => r,
            Decompressed::Gzip(r) => r.into_inner(),
            Decompressed::Zstd(r) => r.finish(),
        }
    }
}

/// Expected identities of a layer blob, checked while it streams.
pub(crate) struct LayerCheck<'a> {
    /// The layer's position in the image, bottom first.
    pub(crate) index: usize,
    /// Names the layer in errors.
    pub(crate) label: &'a str,
    /// The digest of the blob as stored (compressed), when the manifest gives it.
    pub(crate) blob_digest: Option<&'a Digest>,
    /// The digest of the uncompressed tar, when the config gives it.
    pub(crate) diff_id: Option<&'a Digest>,
}

/// Reads one layer blob from `raw` to its end.
pub(crate) fn read_layer(
    raw: Box<dyn Read + Send>,
    check: &LayerCheck<'_>,
    selector: &dyn Selector,
    progress: &dyn Progress,
) -> Result<LayerFiles, ImageError> {
    let label = check.label;
    let io_err = |e: io::Error| ImageError::layer(label, format!("cannot read layer: {e}"));
    let blob = HashingReader::new(Counting {
        inner: raw,
        progress,
    });
    let mut buffered = BufReader::with_capacity(256 * 1024, blob);
    let head = buffered.fill_buf().map_err(io_err)?;
    let decompressed = if head.starts_with(&[0x1f, 0x8b]) {
        Decompressed::Gzip(Box::new(MultiGzDecoder::new(buffered)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Decompressed::Zstd(zstd::Decoder::with_buffer(buffered).map_err(io_err)?)
    } else {
        Decompressed::Plain(buffered)
    };
    let tar_stream = PadToBlock::new(HashingReader::new(decompressed));
    let mut archive = tar::Archive::new(tar_stream);
    let mut entries = Vec::new();
    {
        let iter = archive.entries().map_err(|e| {
            ImageError::layer(label, format!("not a tar archive: {}", describe_io(&e)))
        })?;
        for entry in iter {
            let mut entry = entry.map_err(|e| {
                ImageError::layer(label, format!("corrupt or truncated: {}", describe_io(&e)))
            })?;
            if let Some(e) = read_entry(&mut entry, check, selector)? {
                entries.push(e);
            }
        }
    }
    // Everything after the tar's end-of-archive marker (or its absence) still counts towards
    // both digests, so the rest of the stream is read too.
    let (diff_id, decompressed) = archive.into_inner().inner.finish().map_err(|e| {
        ImageError::layer(label, format!("corrupt or truncated: {}", describe_io(&e)))
    })?;
    let blob = decompressed.into_inner().into_inner();
    let (blob_digest, _) = blob.finish().map_err(io_err)?;
    if let Some(expected) = check.blob_digest.filter(|e| **e != blob_digest) {
        return Err(ImageError::DigestMismatch {
            what: format!("layer {label}"),
            expected: expected.to_string(),
            actual: blob_digest.to_string(),
        });
    }
    if let Some(expected) = check.diff_id.filter(|e| **e != diff_id) {
        return Err(ImageError::DigestMismatch {
            what: format!("layer {label} (uncompressed, diff_id)"),
            expected: expected.to_string(),
            actual: diff_id.to_string(),
        });
    }
    Ok(LayerFiles { entries, diff_id })
}

fn describe_io(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        "unexpected end of data".to_string()
    } else {
        e.to_string()
    }
}

fn read_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    check: &LayerCheck<'_>,
    selector: &dyn Selector,
) -> Result<Option<Entry>, ImageError> {
    let label = check.label;
    let raw_path = entry.path_bytes();
    let raw_path = String::from_utf8_lossy(&raw_path).into_owned();
    let hostile = |reason| ImageError::HostilePath {
        layer: label.to_string(),
        path: raw_path.clone(),
        reason,
    };
    let path = normalize_entry_path(&raw_path).map_err(&hostile)?;
    let header = entry.header();
    let mode = header.mode().unwrap_or(0);
    let uid = header.uid().unwrap_or(0);
    let gid = header.gid().unwrap_or(0);
    let size = entry.size();
    let entry_type = header.entry_type();
    let link_target = || -> Result<String, ImageError> {
        let link = entry
            .link_name_bytes()
            .ok_or_else(|| ImageError::layer(label, format!("link {raw_path:?} has no target")))?;
        Ok(String::from_utf8_lossy(&link).into_owned())
    };

    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (if d.is_empty() { "/" } else { d }, n),
        None => ("/", path.as_str()),
    };
    if name == ".wh..wh..opq" {
        return Ok(Some(Entry {
            path: dir.to_string(),
            kind: EntryKind::Opaque,
            mode,
            uid,
            gid,
            size: 0,
            content: None,
            sha256: None,
            facts: None,
        }));
    }
    if let Some(hidden) = name.strip_prefix(".wh.") {
        let target = if dir == "/" {
            format!("/{hidden}")
        } else {
            format!("{dir}/{hidden}")
        };
        return Ok(Some(Entry {
            path: target,
            kind: EntryKind::Whiteout,
            mode,
            uid,
            gid,
            size: 0,
            content: None,
            sha256: None,
            facts: None,
        }));
    }

    let kind = match entry_type {
        tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
            EntryKind::File
        }
        tar::EntryType::Directory => EntryKind::Dir,
        tar::EntryType::Symlink => {
            let target = link_target()?;
            if symlink_escapes_root(&path, &target) {
                return Err(hostile("symlink points outside the image root"));
            }
            EntryKind::Symlink(target)
        }
        tar::EntryType::Link => {
            let target = link_target()?;
            let target = normalize_entry_path(&target)
                .map_err(|_| hostile("hard link points outside the image root"))?;
            EntryKind::HardLink(target)
        }
        tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => return Ok(None),
        _ => EntryKind::Other,
    };
    let (mut content, mut sha256, mut facts) = (None, None, None);
    if matches!(kind, EntryKind::File) {
        let candidate = Candidate {
            path: &path,
            mode,
            size,
        };
        let want = match selector.want(&candidate) {
            Want::Keep | Want::Inspect if size > MAX_KEPT_FILE => Want::Skip,
            w => w,
        };
        let observed = size <= MAX_KEPT_FILE && selector.observes(&candidate);
        let read_error = |e: io::Error| {
            ImageError::layer(label, format!("cannot read {path}: {}", describe_io(&e)))
        };
        if want == Want::Skip && !observed {
            // The data has to be read past anyway; hashing it on the way costs little.
            let mut hasher = HashingReader::new(&mut *entry);
            let (digest, read) = hasher.by_ref_finish().map_err(read_error)?;
            if read < size {
                return Err(ImageError::layer(
                    label,
                    format!("{path}: truncated (unexpected end of data)"),
                ));
            }
            sha256 = Some(digest);
        } else {
            let mut buf = Vec::with_capacity(size as usize);
            entry.read_to_end(&mut buf).map_err(read_error)?;
            if (buf.len() as u64) < size {
                return Err(ImageError::layer(
                    label,
                    format!("{path}: truncated (unexpected end of data)"),
                ));
            }
            sha256 = Some(sha256_digest(&buf));
            if observed {
                selector.observe(check.index, &path, &buf);
            }
            match want {
                Want::Inspect => facts = selector.inspect(&path, &buf),
                Want::Keep => content = Some(Arc::from(buf)),
                Want::Skip => {}
            }
        }
    }
    Ok(Some(Entry {
        path,
        kind,
        mode,
        uid,
        gid,
        size,
        content,
        sha256,
        facts,
    }))
}
