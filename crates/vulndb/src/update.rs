//! `db update`: fetch the feed files from their upstream URLs (or from a mirror that copies the
//! upstream layout) into a staging directory, then build from it like `db build --from`.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::db::DbError;

/// One file of the mirror layout and where to fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Where the file goes in the mirror layout (`osv/PyPI/all.zip`).
    pub path: String,
    pub url: String,
}

/// The OSV ecosystems fetched by default.
const OSV_ECOSYSTEMS: [&str; 10] = [
    "PyPI",
    "npm",
    "Maven",
    "Go",
    "crates.io",
    "RubyGems",
    "NuGet",
    "Packagist",
    "AlmaLinux",
    "Rocky Linux",
];

/// The Alpine releases whose secdb is fetched by default.
const ALPINE_RELEASES: [&str; 21] = [
    "v3.2", "v3.3", "v3.4", "v3.5", "v3.6", "v3.7", "v3.8", "v3.9", "v3.10", "v3.11", "v3.12",
    "v3.13", "v3.14", "v3.15", "v3.16", "v3.17", "v3.18", "v3.19", "v3.20", "v3.21", "edge",
];

/// Every file of the mirror layout, each with its real upstream URL.
pub fn upstream_sources() -> Vec<Source> {
    let mut out = Vec::new();
    let mut add = |path: String, url: String| out.push(Source { path, url });
    for eco in OSV_ECOSYSTEMS {
        add(
            format!("osv/{eco}/all.zip"),
            format!(
                "https://osv-vulnerabilities.storage.googleapis.com/{}/all.zip",
                eco.replace(' ', "%20")
            ),
        );
    }
    for release in ALPINE_RELEASES {
        for repo in ["main", "community"] {
            add(
                format!("alpine-secdb/{release}/{repo}.json"),
                format!("https://secdb.alpinelinux.org/{release}/{repo}.json"),
            );
        }
    }
    add(
        "debian/tracker.json".into(),
        "https://security-tracker.debian.org/tracker/data/json".into(),
    );
    add(
        "kev/known_exploited_vulnerabilities.json".into(),
        "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
            .into(),
    );
    add(
        "epss/epss_scores-current.csv.gz".into(),
        "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz".into(),
    );
    add(
        "rubysec/ruby-advisory-db.tar.gz".into(),
        "https://github.com/rubysec/ruby-advisory-db/archive/refs/heads/master.tar.gz".into(),
    );
    add(
        "friendsofphp/security-advisories.tar.gz".into(),
        "https://github.com/FriendsOfPHP/security-advisories/archive/refs/heads/master.tar.gz"
            .into(),
    );
    out
}

/// The same files fetched from a mirror that serves the layout itself under `base`.
pub fn mirror_sources(base: &str) -> Vec<Source> {
    let base = base.trim_end_matches('/');
    upstream_sources()
        .into_iter()
        .map(|s| Source {
            url: format!("{base}/{}", s.path.replace(' ', "%20")),
            path: s.path,
        })
        .collect()
}

/// What a fetch did, file by file.
#[derive(Debug, Default)]
pub struct Fetched {
    pub files: Vec<(String, u64)>,
    /// Files the server does not have (HTTP 404): their feed is left out.
    pub missing: Vec<String>,
}

/// Downloads every source into `dir` (laid out like a mirror). Any failure other than a missing
/// file (refused connection, HTTP error, a body cut short) stops the fetch with an error that
/// names the URL; `progress` hears of each file as it starts.
pub fn fetch(
    sources: &[Source],
    dir: &Path,
    progress: &mut dyn FnMut(&Source),
) -> Result<Fetched, DbError> {
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("customs/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(30 * 60))
        .build()
        .map_err(|e| DbError::Missing(format!("cannot start an HTTP client: {e}")))?;
    let mut out = Fetched::default();
    for source in sources {
        progress(source);
        let failed = |message: String| DbError::Feed {
            path: source.url.clone().into(),
            message,
        };
        let mut response = client
            .get(&source.url)
            .send()
            .map_err(|e| failed(format!("cannot fetch: {}", error_chain(&e))))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            out.missing.push(source.path.clone());
            continue;
        }
        if !status.is_success() {
            return Err(failed(format!("the server answered {status}")));
        }
        let expected = response.content_length();
        let target = dir.join(&source.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| failed(e.to_string()))?;
        }
        let mut file = std::fs::File::create(&target).map_err(|e| DbError::Io {
            path: target.clone(),
            source: e,
        })?;
        let mut buffer = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        loop {
            let n = response
                .read(&mut buffer)
                .map_err(|e| failed(format!("the download broke off: {e}")))?;
            if n == 0 {
                break;
            }
            file.write_all(&buffer[..n]).map_err(|e| DbError::Io {
                path: target.clone(),
                source: e,
            })?;
            written += n as u64;
        }
        if expected.is_some_and(|len| len != written) {
            return Err(failed(format!(
                "the download broke off after {written} of {} bytes",
                expected.unwrap_or_default()
            )));
        }
        out.files.push((source.path.clone(), written));
    }
    if out.files.is_empty() {
        return Err(DbError::Missing(
            "no feed file could be fetched (every URL answered 404)".into(),
        ));
    }
    Ok(out)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// What [`update`] did: the files it fetched and the database it built.
#[derive(Debug)]
pub struct Updated {
    pub fetched: Fetched,
    pub status: crate::db::Status,
}

/// Fetches `sources` and builds the database at `out` from them, replacing it only when
/// both worked. The files go to `keep` when given (and stay there), else to a staging
/// directory beside `out`, removed afterwards either way.
pub fn update(
    sources: &[Source],
    keep: Option<&Path>,
    out: &Path,
    now: &str,
    progress: &mut dyn FnMut(&Source),
) -> Result<Updated, DbError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DbError::Io { path, source }
    };
    let staging = match keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
            None
        }
        None => {
            let parent = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::create_dir_all(parent).map_err(io(parent))?;
            Some(
                tempfile::Builder::new()
                    .prefix(".customs-feeds-")
                    .tempdir_in(parent)
                    .map_err(io(parent))?,
            )
        }
    };
    let dir = keep.unwrap_or_else(|| staging.as_ref().expect("one of them").path());
    let fetched = fetch(sources, dir, progress)?;
    let status = crate::db::build_from_mirror(dir, out, now)?;
    Ok(Updated { fetched, status })
}
