//! `customs serve`: the API server and its workers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where the server keeps its SQLite store and its documents (SBOMs, reports).
    #[arg(
        long,
        env = "CUSTOMS_DATA_DIR",
        value_name = "DIR",
        required_unless_present = "print_openapi"
    )]
    data_dir: Option<PathBuf>,

    /// Print the API's OpenAPI document and exit.
    #[arg(long)]
    print_openapi: bool,

    /// The address to listen on.
    #[arg(
        long,
        env = "CUSTOMS_LISTEN",
        default_value = "127.0.0.1:8228",
        value_name = "HOST:PORT"
    )]
    listen: SocketAddr,

    /// Keep the store in PostgreSQL instead of SQLite (postgres://USER[:PASSWORD]@HOST[:PORT]/DB).
    #[arg(
        long,
        env = "CUSTOMS_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    database_url: Option<String>,

    /// The vulnerability database the workers match with (else $CUSTOMS_DB, else the default).
    #[arg(long, env = "CUSTOMS_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// How many images are analysed at once (0: an API-only node; other processes on the same
    /// store do the analyses).
    #[arg(long, default_value_t = 2, value_name = "N")]
    workers: usize,

    /// Seconds a worker holds a job between renewals; a dead worker's job is taken over after
    /// this.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    lease_seconds: u64,

    /// Seconds between checks of the vulnerability database for an update (which re-evaluates
    /// every image).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    feed_check_seconds: u64,

    /// Allow plain HTTP to this registry host[:port] (loopback hosts are always allowed).
    #[arg(long = "insecure-registry", value_name = "HOST")]
    insecure_registries: Vec<String>,
}

pub(crate) fn run(args: ServeArgs) -> Result<ExitCode> {
    if args.print_openapi {
        crate::output::write(
            None,
            &(serde_json::to_string_pretty(&customs_server::openapi())? + "\n"),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let config = customs_server::Config {
        data_dir: args
            .data_dir
            .expect("clap requires it without --print-openapi"),
        listen: args.listen,
        database_url: args.database_url,
        vulndb: crate::db::resolve_path(args.db),
        workers: args.workers,
        // Read here, not as a flag: a password on a command line is visible to every user.
        admin_password: std::env::var("CUSTOMS_ADMIN_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty()),
        registry: customs_image::RegistryOptions {
            insecure: args.insecure_registries,
            ..Default::default()
        },
        poll_interval: Duration::from_millis(500),
        lease: Duration::from_secs(args.lease_seconds.max(1)),
        feed_check_interval: Duration::from_secs(args.feed_check_seconds.max(1)),
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
