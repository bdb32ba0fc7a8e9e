//! Updating the vulnerability database from the server itself (`--feeds-from`): a mirror
//! directory laid out like the upstream feeds, or the URL of a web server serving one. The
//! new database is built beside the old one and renamed over it whole, so a failed update
//! (a feed that does not read, a mirror that is down) leaves the previous database in use.

use std::path::{Path, PathBuf};

use customs_vulndb::{DbError, Status};

/// Where `POST /v2/system/feeds` takes the feeds from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedsFrom {
    /// A mirror on this machine (what `customs db build --from` reads).
    Directory(PathBuf),
    /// A web server serving a mirror (what `customs db update --mirror-url` reads).
    Mirror(String),
}

impl FeedsFrom {
    /// `http(s)://...` is a mirror URL; anything else a directory.
    pub fn parse(text: &str) -> FeedsFrom {
        if text.starts_with("http://") || text.starts_with("https://") {
            FeedsFrom::Mirror(text.trim_end_matches('/').to_string())
        } else {
            FeedsFrom::Directory(PathBuf::from(text))
        }
    }
}

impl std::fmt::Display for FeedsFrom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedsFrom::Directory(d) => write!(f, "{}", d.display()),
            FeedsFrom::Mirror(u) => f.write_str(u),
        }
    }
}

/// What an update did.
pub(crate) struct Updated {
    pub(crate) status: Status,
    /// Feed files the mirror did not have (left out of the build).
    pub(crate) missing: Vec<String>,
}

/// Builds the database at `db` from `from`. Blocking: run it off the async threads.
pub(crate) fn update(from: &FeedsFrom, db: &Path, now: &str) -> Result<Updated, DbError> {
    match from {
        FeedsFrom::Directory(dir) => Ok(Updated {
            status: customs_vulndb::build_from_mirror(dir, db, now)?,
            missing: Vec::new(),
        }),
        FeedsFrom::Mirror(url) => {
            let sources = customs_vulndb::mirror_sources(url);
            let updated = customs_vulndb::update(&sources, None, db, now, &mut |_| {})?;
            Ok(Updated {
                status: updated.status,
                missing: updated.fetched.missing,
            })
        }
    }
}
