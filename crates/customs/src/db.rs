//! `customs db`: build, inspect and query the vulnerability database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use customs_vulndb::{Database, FixState, build_from_mirror};

/// Appends a line to the output text (written whole at the end, so that a reader that closes
/// the pipe early, like `head`, ends the command quietly).
macro_rules! say {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,

    /// The database file (else $CUSTOMS_DB, else $XDG_DATA_HOME/customs/vulndb.sqlite).
    #[arg(long, global = true, env = "CUSTOMS_DB", value_name = "PATH")]
    db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Build the database from a directory laid out like the upstream feeds (an offline mirror).
    Build {
        /// The mirror: osv/ECOSYSTEM/all.zip, alpine-secdb/vX.Y/*.json, debian/tracker.json,
        /// rubysec/ruby-advisory-db.tar.gz, friendsofphp/security-advisories.tar.gz,
        /// kev/known_exploited_vulnerabilities.json, epss/epss_scores-current.csv.gz.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// Fetch the feeds from their upstream URLs (or from a mirror of them) and rebuild the
    /// database; the previous database stays if anything fails.
    Update {
        /// Fetch every file from this mirror of the upstream layout instead (BASE/osv/PyPI/all.zip,
        /// BASE/debian/tracker.json, ...), as `db build --from` reads it.
        #[arg(long, env = "CUSTOMS_FEEDS_URL", value_name = "URL")]
        mirror_url: Option<String>,
        /// Fetch one mirror path from another URL (repeatable): osv/PyPI/all.zip=https://...
        #[arg(long = "source", value_name = "PATH=URL")]
        sources: Vec<String>,
        /// Keep the fetched files in this directory (an offline mirror for `db build --from`).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// Write a signed bundle of the database for a site without network access.
    Export {
        /// The bundle to write.
        file: PathBuf,
        /// The ed25519 private key that signs it (PEM, from `customs db keygen` or
        /// `openssl genpkey -algorithm ed25519`).
        #[arg(long, value_name = "PRIVATE_KEY")]
        key: PathBuf,
    },
    /// Verify a bundle with the publisher's public key and install its database.
    Import {
        /// The bundle (from `customs db export`).
        file: PathBuf,
        /// The ed25519 public key of the publisher (PEM, or the 32 bytes in base64).
        #[arg(long, value_name = "PUBLIC_KEY")]
        key: PathBuf,
    },
    /// Make an ed25519 key pair for signing bundles: PREFIX.key (private) and PREFIX.pub.
    Keygen {
        #[arg(value_name = "PREFIX")]
        prefix: PathBuf,
    },
    /// Show the schema, the build time and each feed's record count, skips and age.
    Status {
        /// Warn when a feed's newest data is older than this many days.
        #[arg(long, default_value_t = 7, value_name = "DAYS")]
        max_age_days: u64,
    },
    /// Show an advisory (by CVE, GHSA or other id) or every advisory of a package.
    Search { query: String },
}

/// Where the database lives when neither `--db` nor `CUSTOMS_DB` says.
fn default_path() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("customs/vulndb.sqlite")
}

/// `--db`, else `CUSTOMS_DB` (clap fills both into the flag), else the default.
pub(crate) fn resolve_path(flag: Option<PathBuf>) -> PathBuf {
    flag.unwrap_or_else(default_path)
}

pub(crate) fn run(args: DbArgs) -> Result<ExitCode> {
    let path = resolve_path(args.db.clone());
    match args.command {
        DbCommand::Build { from } => build(&from, &path),
        DbCommand::Update {
            mirror_url,
            sources,
            keep,
        } => update(mirror_url.as_deref(), &sources, keep.as_deref(), &path),
        DbCommand::Export { file, key } => export(&path, &file, &key),
        DbCommand::Import { file, key } => import(&file, &key, &path),
        DbCommand::Keygen { prefix } => keygen(&prefix),
        DbCommand::Status { max_age_days } => status(&path, max_age_days),
        DbCommand::Search { query } => search(&path, &query),
    }
}

fn build(from: &Path, path: &Path) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let now = customs_sbom::Timestamp::now_or_source_date_epoch();
    let status = build_from_mirror(from, path, now.as_str()).with_context(|| {
        format!(
            "cannot build the vulnerability database from {}",
            from.display()
        )
    })?;
    report_built(&status, path, started);
    Ok(ExitCode::SUCCESS)
}

/// The feeds of a database just built, and how long it took.
fn report_built(status: &customs_vulndb::Status, path: &Path, started: std::time::Instant) {
    for f in &status.feeds {
        eprintln!(
            "  {:<16} {:>8} records  {:>5} skipped  newest {}",
            f.name,
            f.records,
            f.skipped,
            f.newest.as_deref().unwrap_or("-")
        );
    }
    eprintln!(
        "built {} in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
}

fn update(
    mirror_url: Option<&str>,
    overrides: &[String],
    keep: Option<&Path>,
    path: &Path,
) -> Result<ExitCode> {
    let mut sources = match mirror_url {
        Some(base) => customs_vulndb::mirror_sources(base),
        None => customs_vulndb::upstream_sources(),
    };
    for o in overrides {
        let (file, url) = o
            .split_once('=')
            .with_context(|| format!("--source {o}: expected PATH=URL"))?;
        match sources.iter_mut().find(|s| s.path == file) {
            Some(s) => s.url = url.to_string(),
            None => sources.push(customs_vulndb::Source {
                path: file.to_string(),
                url: url.to_string(),
            }),
        }
    }
    if let Some(insecure) = sources
        .iter()
        .find(|s| s.url.starts_with("http://") && !is_loopback_url(&s.url))
    {
        eprintln!(
            "customs: warning: fetching over plain HTTP ({}); the data is not protected in transit",
            insecure.url
        );
    }
    let started = std::time::Instant::now();
    let total = sources.len();
    let mut done = 0;
    let now = customs_sbom::Timestamp::now_or_source_date_epoch();
    let updated = customs_vulndb::update(&sources, keep, path, now.as_str(), &mut |s| {
        done += 1;
        eprintln!("  [{done}/{total}] {}", s.url);
    })
    .context("cannot update the vulnerability database (the previous one is unchanged)")?;
    let fetched = &updated.fetched;
    let bytes: u64 = fetched.files.iter().map(|(_, n)| n).sum();
    eprintln!(
        "fetched {} files ({:.1} MiB)",
        fetched.files.len(),
        bytes as f64 / 1048576.0,
    );
    if !fetched.missing.is_empty() {
        eprintln!(
            "customs: warning: not on the server (left out): {}",
            fetched.missing.join(", ")
        );
    }
    report_built(&updated.status, path, started);
    Ok(ExitCode::SUCCESS)
}

fn is_loopback_url(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

fn export(path: &Path, file: &Path, key: &Path) -> Result<ExitCode> {
    let now = customs_sbom::Timestamp::now_or_source_date_epoch();
    let manifest = customs_vulndb::export(path, file, key, now.as_str())
        .with_context(|| format!("cannot export the database to {}", file.display()))?;
    eprintln!(
        "wrote {} (schema {}, built {}, {} feeds, database sha256 {})",
        file.display(),
        manifest.schema_version,
        manifest.built,
        manifest.feeds.len(),
        manifest.database_sha256
    );
    Ok(ExitCode::SUCCESS)
}

fn import(file: &Path, key: &Path, path: &Path) -> Result<ExitCode> {
    let manifest = customs_vulndb::import(file, key, path).with_context(|| {
        format!(
            "cannot import {} (the database at {} is unchanged)",
            file.display(),
            path.display()
        )
    })?;
    eprintln!(
        "installed {} (built {}, exported {}, signature and checksum verified)",
        path.display(),
        manifest.built,
        manifest.exported
    );
    for f in &manifest.feeds {
        eprintln!(
            "  {:<16} {:>8} records  newest {}",
            f.name,
            f.records,
            f.newest.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn keygen(prefix: &Path) -> Result<ExitCode> {
    let (private, public) = customs_vulndb::generate_key()
        .map_err(|e| anyhow::anyhow!("cannot generate a key: {e}"))?;
    let with = |ext: &str| {
        let mut p = prefix.as_os_str().to_owned();
        p.push(ext);
        PathBuf::from(p)
    };
    let (key, pubkey) = (with(".key"), with(".pub"));
    customs_vulndb::write_new_file(&key, private.as_bytes(), true)
        .with_context(|| format!("cannot write {} (it must not exist yet)", key.display()))?;
    customs_vulndb::write_new_file(&pubkey, public.as_bytes(), false)
        .with_context(|| format!("cannot write {} (it must not exist yet)", pubkey.display()))?;
    eprintln!(
        "wrote {} (private: keep it where bundles are made) and {} (give it to the sites that import)",
        key.display(),
        pubkey.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Days between two `YYYY-MM-DD` dates (the first ten characters of each).
pub(crate) fn days_between(earlier: &str, later: &str) -> Option<i64> {
    let day = |s: &str| -> Option<i64> {
        let (y, rest) = s.get(..10)?.split_once('-')?;
        let (m, d) = rest.split_once('-')?;
        let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        // Days from civil (Howard Hinnant).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(era * 146_097 + doe)
    };
    Some(day(later)? - day(earlier)?)
}

fn status(path: &Path, max_age_days: u64) -> Result<ExitCode> {
    let mut out = String::new();
    let db = Database::open(path)?;
    let status = db.status()?;
    let today = customs_sbom::Timestamp::now_or_source_date_epoch();
    say!(out, "database  {}", path.display());
    say!(out, "schema    {}", status.schema_version);
    say!(out, "built     {}", status.built);
    say!(out);
    say!(
        out,
        "{:<16} {:>9} {:>8}  {:<12} AGE",
        "FEED",
        "RECORDS",
        "SKIPPED",
        "NEWEST"
    );
    let mut stale = Vec::new();
    for f in &status.feeds {
        let age = f
            .newest
            .as_deref()
            .and_then(|n| days_between(n, today.as_str()));
        say!(
            out,
            "{:<16} {:>9} {:>8}  {:<12} {}",
            f.name,
            f.records,
            f.skipped,
            f.newest
                .as_deref()
                .map(|n| &n[..n.len().min(10)])
                .unwrap_or("-"),
            match age {
                // A record dated after today says more about the record than the feed.
                Some(a) if a < 0 => "dated ahead".to_string(),
                Some(a) => format!("{a} d"),
                None => "-".into(),
            }
        );
        if age.is_some_and(|a| a > max_age_days as i64) {
            stale.push(f.name.clone());
        }
        for example in &f.skipped_examples {
            say!(out, "    skipped: {example}");
        }
    }
    // Feeds whose records carry no date are as old as the build, at least.
    if days_between(&status.built, today.as_str()).is_some_and(|a| a > max_age_days as i64) {
        stale.push(format!("the database itself (built {})", status.built));
    }
    if !stale.is_empty() {
        eprintln!(
            "customs: warning: data older than {max_age_days} days in: {} (rebuild it from a newer mirror with `customs db build --from DIR`)",
            stale.join(", ")
        );
    }
    crate::output::write(None, &out)?;
    Ok(ExitCode::SUCCESS)
}

fn search(path: &Path, query: &str) -> Result<ExitCode> {
    let mut out = String::new();
    let db = Database::open(path)?;
    let found = db.search(query)?;
    if found.is_empty() {
        say!(out, "no advisory for {query:?}");
        crate::output::write(None, &out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for a in &found {
        say!(out, "{}  ({})", a.id, a.feed);
        if !a.aliases.is_empty() {
            say!(out, "  aliases   {}", a.aliases.join(", "));
        }
        if let Some(s) = &a.summary {
            say!(out, "  summary   {s}");
        }
        if let Some(s) = &a.severity {
            say!(out, "  severity  {s}");
        }
        for c in &a.cvss {
            match c.score {
                Some(score) => {
                    let rating = customs_vulndb::rating(score);
                    say!(out, "  {:<9} {score:.1} {rating} {}", c.kind, c.vector);
                }
                None => say!(out, "  {:<9} {}", c.kind, c.vector),
            }
        }
        for cve in std::iter::once(&a.id)
            .chain(&a.aliases)
            .filter(|i| i.starts_with("CVE-"))
        {
            if let Some(k) = db.kev(cve)? {
                say!(
                    out,
                    "  KEV       {cve} added {}",
                    k.date_added.unwrap_or_default()
                );
            }
            if let Some((p, pct)) = db.epss(cve)? {
                say!(out, "  EPSS      {cve} {p:.5} (percentile {pct:.3})");
            }
        }
        for af in &a.affected {
            let state = match af.state {
                FixState::Fixed => "fixed",
                FixState::NotFixed => "not fixed",
                FixState::WontFix => "won't fix",
                FixState::NotAffected => "not affected",
                FixState::Unknown => "undetermined",
            };
            let ranges: Vec<String> = af
                .ranges
                .iter()
                .map(|r| {
                    r.events
                        .iter()
                        .map(|e| match e {
                            customs_vulndb::Event::Introduced(v) => format!(">={v}"),
                            customs_vulndb::Event::IntroducedAfter(v) => format!(">{v}"),
                            customs_vulndb::Event::Fixed(v) => format!("<{v}"),
                            customs_vulndb::Event::LastAffected(v) => format!("<={v}"),
                            customs_vulndb::Event::Limit(v) => format!("limit {v}"),
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            say!(
                out,
                "  {:<14} {:<28} {:<12} {}",
                af.ecosystem,
                af.package,
                state,
                if ranges.is_empty() {
                    af.versions.join(", ")
                } else {
                    ranges.join(" | ")
                }
            );
        }
        say!(out);
    }
    crate::output::write(None, &out)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn days() {
        assert_eq!(
            super::days_between("2026-11-26", "2026-12-03T10:00:00Z"),
            Some(7)
        );
        assert_eq!(super::days_between("2024-02-28", "2024-03-01"), Some(2));
        assert_eq!(super::days_between("junk", "2024-03-01"), None);
    }
}
