//! The `customs` command line.

mod client;
mod db;
mod output;
mod policy;
mod progress;
mod scan;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use customs_engine::{AnalyzeOptions, Scope};
use customs_image::{OpenOptions, Platform, RegistryOptions, SourceRef};

/// Exit codes: 0 success, 1 a policy or gate failed, 2 an error.
const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "customs",
    version,
    about = "SBOMs, vulnerabilities and policy for container images",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan an image, a directory or an SBOM for vulnerabilities, and gate on what is found.
    ///
    /// Exit codes: 0 no finding fails the gate, 1 the gate failed (--fail-on, --fail-on-kev),
    /// 2 an error (bad input, missing or stale database).
    Scan(Box<scan::ScanArgs>),
    /// Make an SBOM of an image or a directory.
    ///
    /// SOURCE is SCHEME:REF with SCHEME one of oci-dir, oci-archive, docker-archive, dir or
    /// registry (for example oci-dir:images/oci:lang, docker-archive:app.tar,
    /// registry:ghcr.io/org/app:1.2, dir:/). Without a scheme it is guessed: an existing
    /// directory or archive by its contents, anything else as a registry reference.
    Sbom(Box<SbomArgs>),
    /// List the catalogers and what they read (a Markdown table).
    Catalogers,
    /// Build, inspect and query the vulnerability database.
    Db(db::DbArgs),
    /// Anchore-compatible policies: validate, evaluate, list the packs and the gate catalogue.
    Policy(policy::PolicyArgs),
    /// Run the API server and its analysis workers (see docs/server.md).
    ///
    /// The first start creates the user admin with the password in $CUSTOMS_ADMIN_PASSWORD
    /// (else a generated one, printed once).
    Serve(Box<serve::ServeArgs>),
    /// Images on a customs server: add (and wait), list, get, delete, vulns, content, sbom, check.
    Image(client::ImageArgs),
    /// Events on a customs server.
    Event(client::EventArgs),
    /// A customs server's status and feeds; wait for it to answer.
    System(client::SystemArgs),
    /// Accounts on a customs server (admin).
    Account(client::AccountArgs),
    /// Users on a customs server: add one (admin), make an API key for yourself.
    User(client::UserArgs),
}

#[derive(Debug, Args)]
struct SbomArgs {
    /// The image or directory to analyse (SCHEME:REF).
    source: String,

    /// Output format: cyclonedx-json, spdx-json, json (native) or table. Repeat as
    /// FORMAT=FILE to write several formats in one run.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=FILE]",
        default_value = "table"
    )]
    outputs: Vec<String>,

    /// Write the output to FILE instead of standard output (written whole, or not at all).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,

    /// squashed: what a container sees; all-layers: packages from every layer, marked visible
    /// or not.
    #[arg(long, default_value = "squashed", value_name = "SCOPE")]
    scope: Scope,

    #[command(flatten)]
    image: ImageArgs,

    #[command(flatten)]
    facts: policy::FactArgs,

    /// No progress display, even on a terminal.
    #[arg(short, long)]
    quiet: bool,
}

/// How to reach an image.
#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    /// Platform to pick from a multi-platform image (OS/ARCH[/VARIANT]); default: this host's.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<Platform>,

    /// Allow plain HTTP to this registry host[:port] (loopback hosts are always allowed).
    #[arg(long = "insecure-registry", value_name = "HOST")]
    insecure_registries: Vec<String>,

    /// Registry username (else from the Docker config).
    #[arg(long, env = "CUSTOMS_REGISTRY_USERNAME", value_name = "USER")]
    registry_username: Option<String>,

    /// Registry password or token.
    #[arg(
        long,
        env = "CUSTOMS_REGISTRY_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    registry_password: Option<String>,

    /// Docker client config to read registry credentials from (default: $DOCKER_CONFIG/config.json
    /// or ~/.docker/config.json).
    #[arg(long, value_name = "FILE")]
    docker_config: Option<PathBuf>,
}

impl ImageArgs {
    pub(crate) fn open_options(&self) -> OpenOptions {
        OpenOptions {
            platform: self.platform.clone(),
            registry: RegistryOptions {
                insecure: self.insecure_registries.clone(),
                username: self.registry_username.clone(),
                password: self.registry_password.clone(),
                docker_config: self.docker_config.clone(),
            },
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: the error and its causes, outermost first.
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("customs: error: {}", dedup_chain(chain).join(": "));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Drops causes already spelled out by the message above them.
fn dedup_chain(chain: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in chain {
        if !out.iter().any(|o| o.contains(&c)) {
            out.push(c);
        }
    }
    out
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan::run(*args),
        Command::Sbom(args) => sbom(*args),
        Command::Db(args) => db::run(args),
        Command::Policy(args) => policy::run(args),
        Command::Serve(args) => serve::run(*args),
        Command::Image(args) => client::image(args),
        Command::Event(args) => client::event(args),
        Command::System(args) => client::system(args),
        Command::Account(args) => client::account(args),
        Command::User(args) => client::user(args),
        Command::Catalogers => {
            let mut table = String::from("| cataloger | reads |\n|---|---|\n");
            for (name, reads) in customs_catalog::cataloger_table() {
                table.push_str(&format!("| `{name}` | {reads} |\n"));
            }
            output::write(None, &table)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn sbom(args: SbomArgs) -> Result<ExitCode> {
    let targets = output::parse_targets(&args.outputs, args.file.as_deref())?;
    let source = SourceRef::parse(&args.source)?;
    let (facts, malware) = args.facts.options(false)?;
    let options = AnalyzeOptions {
        scope: args.scope,
        open: args.image.open_options(),
        facts,
        malware,
    };
    let observer = progress::TerminalProgress::new(!args.quiet);
    let result = customs_engine::analyze(&args.source, &source, &options, &observer);
    observer.finish();
    let sbom = result.with_context(|| format!("cannot analyse {source}"))?;
    for target in &targets {
        let text = customs_sbom::encode(&sbom, target.format);
        output::write(target.file.as_deref(), &text)
            .with_context(|| format!("cannot write the {} output", target.format))?;
    }
    Ok(ExitCode::SUCCESS)
}
