//! Database bundles for sites without network access: one tar file holding the database
//! (zstd-compressed), a manifest (schema, build time, feeds, the SHA-256 of the compressed
//! database) and an ed25519 signature of the manifest.
//!
//! Import checks the signature, then the checksum while it decompresses into a temporary file
//! beside the target, opens the result as a database, and only then renames it over the old
//! one: a truncated, tampered or foreign bundle never replaces a good database.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use crate::db::{Database, DbError, FeedStatus, SCHEMA_VERSION, Status};

const FORMAT: &str = "customs-vulndb-bundle/1";
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.json.sig";
const DATABASE: &str = "vulndb.sqlite.zst";

/// What a bundle says about itself; signed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: String,
    pub schema_version: u32,
    /// When the database was built.
    pub built: String,
    /// When the bundle was written.
    pub exported: String,
    pub feeds: Vec<BundleFeed>,
    /// The SHA-256 (hex) and size of the compressed database entry.
    pub database_sha256: String,
    pub database_size: u64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BundleFeed {
    pub name: String,
    pub records: u64,
    pub newest: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: {message}")]
    Key { path: PathBuf, message: String },
    #[error("bundle {path}: {message}")]
    Bundle { path: PathBuf, message: String },
    #[error(transparent)]
    Database(#[from] DbError),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BundleError + '_ {
    move |e| BundleError::Bundle {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The base64 body of a PEM block with the given label.
fn pem_body(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = text[start..].find(&end)? + start;
    let body: String = text[start..stop].split_whitespace().collect();
    BASE64.decode(body).ok()
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = BASE64.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The DER prefix of an ed25519 SubjectPublicKeyInfo; the 32 key bytes follow it.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A new signing key: the private key as PKCS#8 PEM and the public key as SPKI PEM (the forms
/// `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` use, so either tool's keys
/// work with the other).
pub fn generate_key() -> Result<(String, String), String> {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| e.to_string())?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| e.to_string())?;
    let mut spki = ED25519_SPKI_PREFIX.to_vec();
    spki.extend_from_slice(pair.public_key().as_ref());
    Ok((pem("PRIVATE KEY", pkcs8.as_ref()), pem("PUBLIC KEY", &spki)))
}

fn read_key_file(path: &Path) -> Result<String, BundleError> {
    std::fs::read_to_string(path).map_err(|e| BundleError::Key {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn signing_key(path: &Path) -> Result<Ed25519KeyPair, BundleError> {
    let bad = |message: &str| BundleError::Key {
        path: path.to_path_buf(),
        message: message.to_string(),
    };
    let text = read_key_file(path)?;
    let der = pem_body(&text, "PRIVATE KEY")
        .ok_or_else(|| bad("not a PEM private key (-----BEGIN PRIVATE KEY-----)"))?;
    Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
        .map_err(|_| bad("not an ed25519 private key in PKCS#8"))
}

/// The 32 bytes of an ed25519 public key, from SPKI PEM or a bare base64 key.
fn verifying_key(path: &Path) -> Result<Vec<u8>, BundleError> {
    let bad = || BundleError::Key {
        path: path.to_path_buf(),
        message: "not an ed25519 public key (PEM PUBLIC KEY, or 32 bytes in base64)".into(),
    };
    let text = read_key_file(path)?;
    if let Some(der) = pem_body(&text, "PUBLIC KEY") {
        return der
            .strip_prefix(&ED25519_SPKI_PREFIX[..])
            .filter(|k| k.len() == 32)
            .map(<[u8]>::to_vec)
            .ok_or_else(bad);
    }
    BASE64
        .decode(text.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(bad)
}

/// Writes a signed bundle of the database at `db` to `out` (whole or not at all).
pub fn export(db: &Path, out: &Path, key: &Path, now: &str) -> Result<Manifest, BundleError> {
    let pair = signing_key(key)?;
    let status: Status = Database::open(db)?.status()?;
    let raw = std::fs::read(db).map_err(io(db))?;
    let compressed = zstd::encode_all(&raw[..], 9).map_err(io(db))?;
    let manifest = Manifest {
        format: FORMAT.into(),
        schema_version: status.schema_version,
        built: status.built.clone(),
        exported: now.into(),
        feeds: status
            .feeds
            .iter()
            .map(|f: &FeedStatus| BundleFeed {
                name: f.name.clone(),
                records: f.records,
                newest: f.newest.clone(),
            })
            .collect(),
        database_sha256: hex(&Sha256::digest(&compressed)),
        database_size: compressed.len() as u64,
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest).expect("manifests serialise");
    let signature = BASE64.encode(pair.sign(&manifest_json).as_ref());

    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(out))?;
    {
        let mut tar = tar::Builder::new(&mut tmp);
        for (name, bytes) in [
            (MANIFEST, &manifest_json[..]),
            (SIGNATURE, signature.as_bytes()),
            (DATABASE, &compressed[..]),
        ] {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, name, bytes).map_err(io(out))?;
        }
        tar.finish().map_err(io(out))?;
    }
    set_readable(tmp.as_file()).map_err(io(out))?;
    tmp.as_file().sync_all().map_err(io(out))?;
    tmp.persist(out).map_err(|e| io(out)(e.error))?;
    Ok(manifest)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Verifies the bundle at `bundle` with the public key at `key` and puts its database at `db`,
/// replacing what was there only when everything checked out.
pub fn import(bundle: &Path, key: &Path, db: &Path) -> Result<Manifest, BundleError> {
    let public = verifying_key(key)?;
    let bad = |message: String| BundleError::Bundle {
        path: bundle.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(bundle).map_err(io(bundle))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut manifest: Option<(Vec<u8>, Manifest)> = None;
    let mut signature: Option<Vec<u8>> = None;
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut staged: Option<tempfile::NamedTempFile> = None;
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("not a bundle: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("unreadable (truncated?): {e}")))?;
        let name = entry
            .path()
            .map_err(|e| bad(format!("bad entry name: {e}")))?
            .to_string_lossy()
            .into_owned();
        match name.as_str() {
            MANIFEST => {
                let mut bytes = Vec::new();
                (&mut entry)
                    .take(1 << 20)
                    .read_to_end(&mut bytes)
                    .map_err(|e| bad(format!("unreadable manifest: {e}")))?;
                let parsed: Manifest = serde_json::from_slice(&bytes)
                    .map_err(|e| bad(format!("manifest is not valid JSON: {e}")))?;
                manifest = Some((bytes, parsed));
            }
            SIGNATURE => {
                let mut text = String::new();
                (&mut entry)
                    .take(4096)
                    .read_to_string(&mut text)
                    .map_err(|e| bad(format!("unreadable signature: {e}")))?;
                signature = Some(
                    BASE64
                        .decode(text.trim())
                        .map_err(|_| bad("the signature is not base64".into()))?,
                );
            }
            DATABASE => {
                // The manifest and signature come first: check them before unpacking anything.
                let (bytes, m) = manifest
                    .as_ref()
                    .ok_or_else(|| bad("the database comes before its manifest".into()))?;
                let sig = signature
                    .as_ref()
                    .ok_or_else(|| bad("the database comes before its signature".into()))?;
                UnparsedPublicKey::new(&signature::ED25519, &public)
                    .verify(bytes, sig)
                    .map_err(|_| {
                        bad("the signature does not match this key: the bundle was changed or signed by another key".into())
                    })?;
                if m.format != FORMAT {
                    return Err(bad(format!("unknown bundle format {:?}", m.format)));
                }
                if m.schema_version != SCHEMA_VERSION {
                    return Err(bad(format!(
                        "database schema {} (this customs reads {SCHEMA_VERSION})",
                        m.schema_version
                    )));
                }
                let mut tmp = tempfile::Builder::new()
                    .prefix(".vulndb-import-")
                    .tempfile_in(dir)
                    .map_err(io(dir))?;
                let mut hashing = HashingReader {
                    inner: (&mut entry).take(m.database_size + 1),
                    hash: Sha256::new(),
                    read: 0,
                };
                let decoded = zstd::stream::copy_decode(&mut hashing, tmp.as_file_mut());
                // Read what the decoder left, so the checksum covers the whole entry.
                std::io::copy(&mut hashing, &mut std::io::sink())
                    .map_err(|e| bad(format!("unreadable database (truncated?): {e}")))?;
                let digest = hex(&hashing.hash.finalize());
                if hashing.read != m.database_size || digest != m.database_sha256 {
                    return Err(bad(format!(
                        "the database does not match its checksum (sha256 {digest}, {} bytes; the manifest says {}, {} bytes)",
                        hashing.read, m.database_sha256, m.database_size
                    )));
                }
                decoded.map_err(|e| bad(format!("the database does not decompress: {e}")))?;
                tmp.as_file().sync_all().map_err(io(dir))?;
                staged = Some(tmp);
            }
            _ => return Err(bad(format!("unexpected entry {name:?}"))),
        }
    }
    let (Some((_, manifest)), Some(tmp)) = (manifest, staged) else {
        return Err(bad(
            "incomplete: a bundle holds a manifest, its signature and the database".into(),
        ));
    };
    // A last check that what was unpacked is a database this customs reads.
    Database::open(tmp.path())?.status()?;
    set_readable(tmp.as_file()).map_err(io(db))?;
    tmp.persist(db).map_err(|e| io(db)(e.error))?;
    Ok(manifest)
}

/// Readable by all, like any file a build writes (temporary files start owner-only).
fn set_readable(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

struct HashingReader<R> {
    inner: R,
    hash: Sha256,
    read: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Writes `bytes` to `path` whole or not at all (a key file).
pub fn write_new_file(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    // A temporary file is private to its owner already; a public key need not be.
    if !private {
        set_readable(tmp.as_file())?;
    }
    tmp.write_all(bytes)?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}
