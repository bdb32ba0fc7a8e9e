//! Large documents (SBOMs, vulnerability reports, evaluations) on the local filesystem under
//! `DATA_DIR/objects/ACCOUNT/DIGEST/NAME.json`, each written whole (a temporary file renamed).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub(crate) struct Objects {
    root: PathBuf,
}

impl Objects {
    pub(crate) fn new(data_dir: &Path) -> Objects {
        Objects {
            root: data_dir.join("objects"),
        }
    }

    fn path(&self, account: &str, digest: &str, name: &str) -> PathBuf {
        // Names come from the server, digests are checked `algorithm:hex`, accounts are
        // checked names: none can climb out of the root.
        self.root
            .join(account)
            .join(digest.replace(':', "_"))
            .join(format!("{name}.json"))
    }

    pub(crate) async fn put(
        &self,
        account: &str,
        digest: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> std::io::Result<()> {
        let path = self.path(account, digest, name);
        tokio::task::spawn_blocking(move || {
            let dir = path.parent().expect("object paths have a parent");
            std::fs::create_dir_all(dir)?;
            let tmp = dir.join(format!(".{}.tmp", std::process::id()));
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(std::io::Error::other)?
    }

    pub(crate) async fn get(
        &self,
        account: &str,
        digest: &str,
        name: &str,
    ) -> std::io::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(account, digest, name)).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn delete_image(&self, account: &str, digest: &str) -> std::io::Result<()> {
        let dir = self.root.join(account).join(digest.replace(':', "_"));
        match tokio::fs::remove_dir_all(dir).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
