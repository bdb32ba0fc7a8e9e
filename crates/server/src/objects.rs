//! Large documents (SBOMs, vulnerability reports, evaluations), kept apart from the database
//! under `ACCOUNT/DIGEST/NAME.json`: on the local filesystem (`DATA_DIR/objects`, the
//! default) or in an S3-compatible bucket (`--object-store s3://BUCKET[/PREFIX]`, with the
//! usual `AWS_*` variables for credentials, region and endpoint). Each document is written
//! whole: the local store renames a finished temporary file, S3 replaces objects atomically.

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use object_store::ClientConfigKey;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Where the documents go, as the operator wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectLocation {
    /// A directory on this machine.
    Local(std::path::PathBuf),
    /// A bucket and a key prefix (possibly empty) in an S3-compatible service.
    S3 { bucket: String, prefix: String },
}

impl ObjectLocation {
    /// Reads `s3://bucket[/prefix]`, `file:///dir` or a plain directory path.
    pub fn parse(text: &str) -> Result<ObjectLocation, String> {
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c));
            if !bucket_ok {
                return Err(format!(
                    "{bucket:?} is not an S3 bucket name (3 to 63 lowercase letters, digits, '.' or '-')"
                ));
            }
            return Ok(ObjectLocation::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.trim_matches('/').to_string(),
            });
        }
        if let Some((scheme, _)) = text.split_once("://")
            && scheme != "file"
        {
            return Err(format!(
                "{text:?}: the object store is a directory, file:///DIR or s3://BUCKET[/PREFIX], not {scheme}://"
            ));
        }
        let dir = text.strip_prefix("file://").unwrap_or(text);
        if dir.is_empty() {
            return Err("the object store's directory is empty".to_string());
        }
        Ok(ObjectLocation::Local(dir.into()))
    }
}

impl std::fmt::Display for ObjectLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectLocation::Local(dir) => write!(f, "{}", dir.display()),
            ObjectLocation::S3 { bucket, prefix } if prefix.is_empty() => {
                write!(f, "s3://{bucket}")
            }
            ObjectLocation::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Objects {
    store: Arc<dyn ObjectStore>,
    location: String,
}

impl Objects {
    /// Opens the store and proves it can be written, so that a wrong bucket, endpoint or
    /// credential stops the server at start rather than failing every analysis later.
    pub(crate) async fn open(location: &ObjectLocation) -> Result<Objects, String> {
        let shown = location.to_string();
        let fail = |e: &dyn std::fmt::Display| format!("the object store {shown}: {e}");
        let store: Arc<dyn ObjectStore> = match location {
            ObjectLocation::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
                Arc::new(LocalFileSystem::new_with_prefix(dir).map_err(|e| fail(&e))?)
            }
            ObjectLocation::S3 { bucket, prefix } => {
                // Bounded retries: a service that is down fails a request within seconds
                // (and the job is retried later) instead of holding a worker for minutes.
                let retry = object_store::RetryConfig {
                    max_retries: 3,
                    retry_timeout: Duration::from_secs(15),
                    ..Default::default()
                };
                let mut s3 = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry);
                // Timeouts the AWS_* variables did not set: a connection that cannot be
                // made fails in seconds.
                for (key, value) in [
                    (ClientConfigKey::ConnectTimeout, "5s"),
                    (ClientConfigKey::Timeout, "120s"),
                ] {
                    let key = AmazonS3ConfigKey::Client(key);
                    if s3.get_config_value(&key).is_none() {
                        s3 = s3.with_config(key, value);
                    }
                }
                let s3 = s3.build().map_err(|e| fail(&e))?;
                if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                }
            }
        };
        let objects = Objects {
            store,
            location: shown.clone(),
        };
        let probe = Key::from(".customs-probe");
        objects
            .store
            .put(&probe, PutPayload::from_static(b"customs"))
            .await
            .map_err(|e| fail(&Short(&e)))?;
        objects
            .store
            .delete(&probe)
            .await
            .map_err(|e| fail(&Short(&e)))?;
        Ok(objects)
    }

    /// Where the documents are, for logs.
    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    fn image_prefix(account: &str, digest: &str) -> Key {
        // Accounts are checked names and digests checked `algorithm:hex`: neither holds a '/'.
        Key::from(format!("{account}/{}", digest.replace(':', "_")))
    }

    fn key(account: &str, digest: &str, name: &str) -> Key {
        Self::image_prefix(account, digest).join(format!("{name}.json"))
    }

    pub(crate) async fn put(
        &self,
        account: &str,
        digest: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<(), String> {
        self.store
            .put(&Self::key(account, digest, name), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| Short(&e).to_string())
    }

    pub(crate) async fn get(
        &self,
        account: &str,
        digest: &str,
        name: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        let found = match self.store.get(&Self::key(account, digest, name)).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(Short(&e).to_string()),
        };
        let bytes = found.bytes().await.map_err(|e| Short(&e).to_string())?;
        Ok(Some(bytes.to_vec()))
    }

    pub(crate) async fn delete_image(&self, account: &str, digest: &str) -> Result<(), String> {
        let prefix = Self::image_prefix(account, digest);
        let keys: Vec<Key> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(|e| Short(&e).to_string())?;
        for key in keys {
            match self.store.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(Short(&e).to_string()),
            }
        }
        Ok(())
    }
}

/// An object-store error on one line: its messages nest the HTTP client's whole chain, which
/// is what an operator needs, but with the source's own line breaks removed.
struct Short<'a>(&'a object_store::Error);

impl std::fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = self.0.to_string();
        let mut source = std::error::Error::source(self.0);
        while let Some(e) = source {
            let line = e.to_string();
            if !text.contains(&line) {
                text.push_str(": ");
                text.push_str(&line);
            }
            source = e.source();
        }
        f.write_str(&text.replace('\n', " "))
    }
}

#[cfg(test)]
mod tests {
    use super::ObjectLocation;

    #[test]
    fn locations_are_read_from_what_an_operator_writes() {
        assert_eq!(
            ObjectLocation::parse("s3://customs-docs/prod/eu").unwrap(),
            ObjectLocation::S3 {
                bucket: "customs-docs".into(),
                prefix: "prod/eu".into()
            }
        );
        assert_eq!(
            ObjectLocation::parse("s3://customs-docs").unwrap(),
            ObjectLocation::S3 {
                bucket: "customs-docs".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            ObjectLocation::parse("file:///var/lib/customs/objects").unwrap(),
            ObjectLocation::Local("/var/lib/customs/objects".into())
        );
        assert_eq!(
            ObjectLocation::parse("objects").unwrap(),
            ObjectLocation::Local("objects".into())
        );
        for bad in ["s3://", "s3://UPPER", "gs://bucket", "file://"] {
            assert!(ObjectLocation::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
