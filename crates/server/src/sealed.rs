//! Secrets the server must read back (registry passwords) are stored sealed: AES-256-GCM
//! with a random nonce, under a key from `CUSTOMS_SECRET_KEY` (base64 of 32 bytes; the same on
//! every server of one PostgreSQL store) or else `DATA_DIR/secret.key`, made on first start
//! and readable by its owner only. A copy of the database alone does not give the passwords.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;

const PREFIX: &str = "sealed:v1:";

pub(crate) struct Sealer {
    key: LessSafeKey,
}

impl Sealer {
    /// The key from `configured` (base64), else from the key file, made when missing.
    pub(crate) fn load(
        configured: Option<&str>,
        data_dir: &std::path::Path,
    ) -> Result<Sealer, String> {
        let bytes = match configured {
            Some(text) => base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| format!("CUSTOMS_SECRET_KEY is not base64: {e}"))?,
            None => {
                let path = data_dir.join("secret.key");
                match std::fs::read(&path) {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        let mut key = vec![0u8; 32];
                        SystemRandom::new()
                            .fill(&mut key)
                            .map_err(|_| "the system's random generator failed".to_string())?;
                        write_private(&path, &key)
                            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                        key
                    }
                    Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
                }
            }
        };
        if bytes.len() != 32 {
            return Err(format!("the secret key has {} bytes, not 32", bytes.len()));
        }
        let key =
            UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| "not an AES-256 key".to_string())?;
        Ok(Sealer {
            key: LessSafeKey::new(key),
        })
    }

    pub(crate) fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system's random generator works");
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .expect("sealing a short secret works");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    pub(crate) fn open(&self, stored: &str) -> Result<String, String> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Err("the stored secret is not sealed".into());
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| "the stored secret is damaged".to_string())?;
        if bytes.len() < NONCE_LEN {
            return Err("the stored secret is damaged".into());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| "bad nonce".to_string())?;
        let mut data = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut data)
            .map_err(|_| "the stored secret does not open with this server's key (CUSTOMS_SECRET_KEY differs from the one it was stored with?)".to_string())?;
        String::from_utf8(plain.to_vec()).map_err(|_| "the stored secret is not text".to_string())
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_their_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = Sealer::load(None, dir.path()).unwrap();
        let sealed = a.seal("hunter2");
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("hunter2"));
        assert_ne!(a.seal("hunter2"), sealed, "a fresh nonce each time");
        assert_eq!(a.open(&sealed).unwrap(), "hunter2");
        // The key file is kept: a restart opens what was sealed before.
        let again = Sealer::load(None, dir.path()).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "hunter2");
        let other = Sealer::load(
            Some(&base64::engine::general_purpose::STANDARD.encode([7u8; 32])),
            dir.path(),
        )
        .unwrap();
        assert!(other.open(&sealed).unwrap_err().contains("does not open"));
        assert!(a.open("plain").is_err());
        assert!(
            Sealer::load(Some("c2hvcnQ="), dir.path()).is_err(),
            "a key of 5 bytes"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
