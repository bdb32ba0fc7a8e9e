//! `customs serve`: the API server and its workers. Every setting comes from a flag, else its
//! environment variable, else the configuration file (`--config`), else its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Deserialize;

const DEFAULT_LISTEN: &str = "127.0.0.1:8228";
const DEFAULT_WORKERS: usize = 2;
const DEFAULT_LEASE_SECONDS: u64 = 60;
const DEFAULT_FEED_CHECK_SECONDS: u64 = 300;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// A YAML file with any of the settings below (data_dir, listen, database_url,
    /// object_store, db, workers, lease_seconds, feed_check_seconds, insecure_registries,
    /// feeds_from, clamd);
    /// flags and environment variables win over it.
    #[arg(
        long,
        env = "CUSTOMS_SERVE_CONFIG",
        hide_env_values = true,
        value_name = "FILE"
    )]
    config: Option<PathBuf>,

    /// Where the server keeps its SQLite store and its documents (SBOMs, reports). Required.
    #[arg(
        long,
        env = "CUSTOMS_DATA_DIR",
        hide_env_values = true,
        value_name = "DIR"
    )]
    data_dir: Option<PathBuf>,

    /// Print the API's OpenAPI document and exit.
    #[arg(long)]
    print_openapi: bool,

    /// The address to listen on [default: 127.0.0.1:8228].
    #[arg(
        long,
        env = "CUSTOMS_LISTEN",
        hide_env_values = true,
        value_name = "HOST:PORT"
    )]
    listen: Option<SocketAddr>,

    /// Keep the store in PostgreSQL instead of SQLite (postgres://USER[:PASSWORD]@HOST[:PORT]/DB).
    #[arg(
        long,
        env = "CUSTOMS_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    database_url: Option<String>,

    /// Where SBOMs, vulnerability reports and evaluations are kept: a directory, or
    /// s3://BUCKET[/PREFIX] in an S3-compatible service (credentials, region and endpoint from
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL, AWS_ALLOW_HTTP)
    /// [default: DATA_DIR/objects].
    #[arg(
        long,
        env = "CUSTOMS_OBJECT_STORE",
        hide_env_values = true,
        value_name = "DIR|s3://BUCKET[/PREFIX]"
    )]
    object_store: Option<String>,

    /// The vulnerability database the workers match with [default: the one `customs db` uses].
    #[arg(long, env = "CUSTOMS_DB", hide_env_values = true, value_name = "PATH")]
    db: Option<PathBuf>,

    /// How many images are analysed at once; 0 makes an API-only node (other processes on the
    /// same store do the analyses) [default: 2].
    #[arg(
        long,
        env = "CUSTOMS_WORKERS",
        hide_env_values = true,
        value_name = "N"
    )]
    workers: Option<usize>,

    /// Seconds a worker holds a job between renewals; a dead worker's job is taken over after
    /// this [default: 60].
    #[arg(
        long,
        env = "CUSTOMS_LEASE_SECONDS",
        hide_env_values = true,
        value_name = "SECONDS"
    )]
    lease_seconds: Option<u64>,

    /// Seconds between checks of the vulnerability database for an update, which re-evaluates
    /// every image [default: 300].
    #[arg(
        long,
        env = "CUSTOMS_FEED_CHECK_SECONDS",
        hide_env_values = true,
        value_name = "SECONDS"
    )]
    feed_check_seconds: Option<u64>,

    /// Allow plain HTTP to this registry host[:port] (repeatable; loopback hosts always are).
    #[arg(long = "insecure-registry", value_name = "HOST")]
    insecure_registries: Vec<String>,

    /// Where POST /v2/system/feeds (and `customs system feeds --update`) updates the
    /// vulnerability database from: a mirror directory laid out like the upstream feeds, or
    /// the http(s) URL of a server serving one [default: no update from the server; it
    /// re-evaluates when `customs db update` beside it changes the database].
    #[arg(
        long,
        env = "CUSTOMS_FEEDS_FROM",
        hide_env_values = true,
        value_name = "DIR|URL"
    )]
    feeds_from: Option<String>,

    /// Scan every file of every analysed image with ClamAV's clamd at ADDRESS (a socket path,
    /// unix:PATH or HOST:PORT), for the malware content type and gate [default: no malware
    /// scan].
    #[arg(
        long,
        env = "CUSTOMS_CLAMD",
        hide_env_values = true,
        value_name = "ADDRESS"
    )]
    clamd: Option<String>,
}

/// The configuration file: the same settings, by the flags' names with `_`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    listen: Option<SocketAddr>,
    database_url: Option<String>,
    object_store: Option<String>,
    db: Option<PathBuf>,
    workers: Option<usize>,
    lease_seconds: Option<u64>,
    feed_check_seconds: Option<u64>,
    #[serde(default)]
    insecure_registries: Vec<String>,
    feeds_from: Option<String>,
    clamd: Option<String>,
}

fn read_config(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration {}", path.display()))?;
    serde_yaml_ng::from_str(&text)
        .with_context(|| format!("the configuration {} is not valid", path.display()))
}

pub(crate) fn run(args: ServeArgs) -> Result<ExitCode> {
    if args.print_openapi {
        crate::output::write(
            None,
            &(serde_json::to_string_pretty(&customs_server::openapi())? + "\n"),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let file = match &args.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    let Some(data_dir) = args.data_dir.or(file.data_dir) else {
        bail!("no data directory: give --data-dir, CUSTOMS_DATA_DIR or data_dir in --config");
    };
    let object_store = args
        .object_store
        .or(file.object_store)
        .map(|text| customs_server::ObjectLocation::parse(&text))
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("--object-store")?;
    let malware = args
        .clamd
        .or(file.clamd)
        .map(|a| a.parse::<customs_engine::ClamdAddress>())
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("--clamd")?;
    let mut insecure = file.insecure_registries;
    insecure.extend(args.insecure_registries);
    let config = customs_server::Config {
        data_dir,
        listen: args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("the default address parses")),
        database_url: args.database_url.or(file.database_url),
        object_store,
        vulndb: crate::db::resolve_path(args.db.or(file.db)),
        workers: args.workers.or(file.workers).unwrap_or(DEFAULT_WORKERS),
        // Read here, not as a flag: a password on a command line is visible to every user.
        admin_password: std::env::var("CUSTOMS_ADMIN_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty()),
        secret_key: std::env::var("CUSTOMS_SECRET_KEY")
            .ok()
            .filter(|k| !k.is_empty()),
        registry: customs_image::RegistryOptions {
            insecure,
            ..Default::default()
        },
        feeds_from: args
            .feeds_from
            .or(file.feeds_from)
            .map(|f| customs_server::FeedsFrom::parse(&f)),
        malware,
        poll_interval: Duration::from_millis(500),
        lease: Duration::from_secs(
            args.lease_seconds
                .or(file.lease_seconds)
                .unwrap_or(DEFAULT_LEASE_SECONDS)
                .max(1),
        ),
        feed_check_interval: Duration::from_secs(
            args.feed_check_seconds
                .or(file.feed_check_seconds)
                .unwrap_or(DEFAULT_FEED_CHECK_SECONDS)
                .max(1),
        ),
    };
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(customs_server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}

/// Logs on standard error: readable text on a terminal, one JSON object per line otherwise
/// (for a log collector). `CUSTOMS_LOG` filters (`info` by default; `customs_server=debug`).
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUSTOMS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::io::stderr().is_terminal() {
        builder.init();
    } else {
        builder.json().with_current_span(false).init();
    }
}
