//! `customs policy`: validate Anchore-compatible policies, list the built-in packs and the gate
//! catalogue, and evaluate an image against a policy (also used by `customs scan --policy`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use customs_catalog::facts::{ContentRule, DEFAULT_RETRIEVED, FactsOptions, default_secret_rules};
use customs_engine::{AnalyzeOptions, ClamdAddress, DEFAULT_CLAMD_SOCKET, Scope};
use customs_image::SourceRef;
use customs_matcher::Report;
use customs_policy::{Action, Evaluation, FeedFacts, Policy, Subject};
use customs_sbom::{Sbom, Timestamp};
use customs_vulndb::Database;

#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Check a policy document (Anchore v1 bundle or v2 policy); every problem is listed.
    ///
    /// Exit codes: 0 valid, 1 invalid, 2 the file cannot be read.
    Validate {
        /// The policy document (JSON).
        file: PathBuf,
    },
    /// Evaluate an image (or a customs SBOM) against a policy or a built-in pack.
    ///
    /// Exit codes: 0 GO or WARN, 1 STOP, 2 an error.
    Evaluate(Box<EvaluateArgs>),
    /// Print the gates, triggers and parameters policies can use (JSON).
    Spec,
    /// List the built-in packs, or print one (to copy and tune).
    Packs {
        /// A pack to print as a v2 policy document.
        name: Option<String>,
    },
    /// List the built-in secret rules (NAME and regular expression).
    SecretRules,
    #[command(flatten)]
    Server(crate::client::ServerPolicyCommand),
}

#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// The image or directory (SCHEME:REF, as for `customs sbom`), or a customs SBOM
    /// (`sbom:FILE`, or a .json file written by `customs sbom -o json`).
    source: String,

    #[command(flatten)]
    policy: PolicyInput,

    #[command(flatten)]
    facts: FactArgs,

    /// Output format: table or json (Anchore's policy evaluation shape).
    #[arg(
        short = 'o',
        long = "output",
        default_value = "table",
        value_name = "FORMAT"
    )]
    output: String,

    /// Write the output to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,

    /// squashed: what a container sees; all-layers: also files and packages a later layer removed.
    #[arg(long, default_value = "squashed", value_name = "SCOPE")]
    scope: Scope,

    #[command(flatten)]
    image: crate::ImageArgs,

    /// The vulnerability database (else $CUSTOMS_DB, else the default under the data
    /// directory). Without one, the vulnerability gates report that data is unavailable.
    #[arg(long, env = "CUSTOMS_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// No progress display, even on a terminal.
    #[arg(short, long)]
    quiet: bool,
}

/// Which policy, and what it is evaluated with.
#[derive(Debug, Args, Default)]
pub(crate) struct PolicyInput {
    /// A policy file (Anchore v1 bundle or v2 policy, JSON) or a built-in pack name
    /// (`customs policy packs` lists them).
    #[arg(long, value_name = "FILE|PACK")]
    pub(crate) policy: Option<String>,

    /// The tag mappings see (REGISTRY/REPOSITORY:TAG); default: the source's own reference.
    #[arg(long, value_name = "TAG", requires = "policy")]
    tag: Option<String>,

    /// The Dockerfile the image was built from, for the dockerfile gate (else it reads the
    /// image's history).
    #[arg(long, value_name = "FILE", requires = "policy")]
    dockerfile: Option<PathBuf>,

    /// The SBOM of the image this tag pointed at before (customs JSON), for tag_drift.
    #[arg(long, value_name = "FILE", requires = "policy")]
    previous_sbom: Option<PathBuf>,
}

/// What to look for in the files while the layers stream.
#[derive(Debug, Args, Default)]
pub(crate) struct FactArgs {
    /// Search every file for secrets with the built-in rules (on with --policy). Only where
    /// and which rule is recorded, never the secret.
    #[arg(long)]
    secrets: bool,

    /// An extra secret rule NAME=REGEX (repeatable; turns the secret search on).
    #[arg(long = "secret-rule", value_name = "NAME=REGEX")]
    secret_rules: Vec<String>,

    /// A content-search rule NAME=REGEX for the files gate's content_regex_match (repeatable).
    #[arg(long = "content-rule", value_name = "NAME=REGEX")]
    content_rules: Vec<String>,

    /// Keep this file's content for the retrieved_files gate (repeatable; /etc/passwd and
    /// /etc/group are always kept when facts are collected).
    #[arg(long = "retrieve-file", value_name = "PATH")]
    retrieve: Vec<String>,

    /// Scan every file with ClamAV's clamd at ADDRESS (a socket path, unix:PATH or HOST:PORT;
    /// default /run/clamav/clamd.ctl).
    #[arg(long, value_name = "ADDRESS", num_args = 0..=1, default_missing_value = DEFAULT_CLAMD_SOCKET)]
    malware: Option<String>,
}

impl FactArgs {
    /// The facts to collect; with `for_policy`, everything a policy can ask for but malware
    /// (which needs a clamd).
    pub(crate) fn options(
        &self,
        for_policy: bool,
    ) -> Result<(Option<FactsOptions>, Option<ClamdAddress>)> {
        let malware = self
            .malware
            .as_deref()
            .map(|a| a.parse::<ClamdAddress>().map_err(anyhow::Error::msg))
            .transpose()?;
        let mut extra = Vec::new();
        for r in &self.secret_rules {
            extra.push(ContentRule::parse(r)?);
        }
        let mut content = Vec::new();
        for r in &self.content_rules {
            content.push(ContentRule::parse(r)?);
        }
        let wanted = for_policy
            || self.secrets
            || !extra.is_empty()
            || !content.is_empty()
            || !self.retrieve.is_empty();
        if !wanted {
            return Ok((None, malware));
        }
        let secrets = (for_policy || self.secrets || !extra.is_empty()).then(|| {
            let mut rules = default_secret_rules();
            rules.extend(extra);
            rules
        });
        let mut retrieve: Vec<String> = DEFAULT_RETRIEVED.iter().map(|p| p.to_string()).collect();
        for p in &self.retrieve {
            if !p.starts_with('/') {
                bail!("--retrieve-file {p:?}: give the file's absolute path in the image");
            }
            if !retrieve.contains(p) {
                retrieve.push(p.clone());
            }
        }
        Ok((
            Some(FactsOptions {
                retrieve,
                secrets,
                content: (!content.is_empty()).then_some(content),
                max_searched_size: 0,
            }),
            malware,
        ))
    }
}

pub(crate) fn run(args: PolicyArgs) -> Result<ExitCode> {
    match args.command {
        PolicyCommand::Server(command) => crate::client::policy(command),
        PolicyCommand::Validate { file } => validate(&file),
        PolicyCommand::Evaluate(args) => evaluate_command(*args),
        PolicyCommand::Spec => {
            let text = serde_json::to_string_pretty(&customs_policy::spec())? + "\n";
            crate::output::write(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Packs { name: None } => {
            let mut out = String::new();
            for p in customs_policy::packs() {
                out.push_str(&format!("{:<14} {}\n", p.name, p.title));
            }
            crate::output::write(None, &out)?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Packs { name: Some(name) } => {
            let Some(p) = customs_policy::packs().iter().find(|p| p.name == name) else {
                bail!("no built-in pack {name:?} ({})", pack_names());
            };
            crate::output::write(None, p.text)?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::SecretRules => {
            let mut out = String::new();
            for r in default_secret_rules() {
                out.push_str(&format!("{}={}\n", r.name(), r.pattern()));
            }
            crate::output::write(None, &out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn pack_names() -> String {
    let names: Vec<&str> = customs_policy::packs().iter().map(|p| p.name).collect();
    format!("built-in packs: {}", names.join(", "))
}

fn validate(file: &Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the policy {}", file.display()))?;
    match customs_policy::read_policy(&file.display().to_string(), &text) {
        Ok(policy) => {
            for w in &policy.warnings {
                eprintln!("customs: warning: {w}");
            }
            crate::output::write(
                None,
                &format!(
                    "{}: valid {} policy {:?} with {} rules\n",
                    file.display(),
                    match policy.version() {
                        customs_policy::DocumentVersion::V1 => "v1 (bundle)",
                        customs_policy::DocumentVersion::V2 => "v2",
                    },
                    policy.name(),
                    policy.rule_count()
                ),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("customs: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// A policy file, or else a built-in pack of that name.
pub(crate) fn load(spec: &str) -> Result<Policy> {
    let path = Path::new(spec);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the policy {}", path.display()))?;
        return Ok(customs_policy::read_policy(spec, &text)?);
    }
    customs_policy::pack(spec).with_context(|| {
        format!(
            "--policy {spec:?} is neither a policy file nor a built-in pack ({})",
            pack_names()
        )
    })
}

/// Everything an evaluation reads besides the SBOM.
pub(crate) struct EvaluationInput<'a> {
    pub(crate) policy: &'a Policy,
    pub(crate) report: Option<&'a Report>,
    /// The database's build time (RFC 3339), when there is a database.
    pub(crate) db_built: Option<&'a str>,
    pub(crate) tag: &'a str,
}

impl PolicyInput {
    /// Evaluates `sbom` with the Dockerfile and earlier SBOM given on the command line.
    pub(crate) fn evaluate(&self, sbom: &Sbom, input: &EvaluationInput<'_>) -> Result<Evaluation> {
        let dockerfile = self
            .dockerfile
            .as_ref()
            .map(|p| {
                std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read the Dockerfile {}", p.display()))
            })
            .transpose()?;
        let previous = self
            .previous_sbom
            .as_ref()
            .map(|p| -> Result<Sbom> {
                let bytes = std::fs::read(p)
                    .with_context(|| format!("cannot read the earlier SBOM {}", p.display()))?;
                serde_json::from_slice(&bytes).with_context(|| {
                    format!(
                        "{} is not a customs SBOM (customs sbom -o json)",
                        p.display()
                    )
                })
            })
            .transpose()?;
        let now = Timestamp::parse_unix(Timestamp::now_or_source_date_epoch().as_str())
            .expect("the clock formats as RFC 3339");
        let feeds = input
            .db_built
            .map(|built| FeedFacts::new(built, input.report));
        let subject = Subject {
            sbom,
            vulnerabilities: input.report,
            feeds,
            dockerfile: dockerfile.as_deref(),
            previous: previous.as_ref(),
            now,
        };
        let tag = self.tag.as_deref().unwrap_or(input.tag);
        Ok(customs_policy::evaluate(input.policy, &subject, tag))
    }
}

/// The reference mappings see when no `--tag` is given: the user's image reference, or a
/// name for a directory or an archive.
pub(crate) fn default_tag(source: &str) -> String {
    match SourceRef::parse(source) {
        Ok(SourceRef::Registry { .. }) => source
            .strip_prefix("registry:")
            .or_else(|| source.strip_prefix("docker://"))
            .unwrap_or(source)
            .to_string(),
        _ => format!("local/{}:latest", sanitize(source)),
    }
}

fn sanitize(source: &str) -> String {
    let base = source
        .rsplit(['/', ':'])
        .find(|s| !s.is_empty())
        .unwrap_or("image");
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if clean.is_empty() {
        "image".into()
    } else {
        clean
    }
}

fn evaluate_command(args: EvaluateArgs) -> Result<ExitCode> {
    if !matches!(args.output.as_str(), "table" | "json") {
        bail!("unknown output format {:?} (table, json)", args.output);
    }
    let Some(policy_spec) = args.policy.policy.as_deref() else {
        bail!("--policy FILE|PACK is required");
    };
    let policy = load(policy_spec)?;
    let sbom = if let Some(path) = crate::scan::sbom_file(&args.source) {
        let bytes = std::fs::read(&path)
            .with_context(|| format!("cannot read the SBOM {}", path.display()))?;
        serde_json::from_slice::<Sbom>(&bytes).with_context(|| {
            format!(
                "{}: policy evaluation reads customs SBOMs (customs sbom -o json); analyse the image itself for file facts",
                path.display()
            )
        })?
    } else {
        let (facts, malware) = args.facts.options(true)?;
        let source = SourceRef::parse(&args.source)?;
        let options = AnalyzeOptions {
            scope: args.scope,
            open: args.image.open_options(),
            facts,
            malware,
        };
        let observer = crate::progress::TerminalProgress::new(!args.quiet);
        let result = customs_engine::analyze(&args.source, &source, &options, &observer);
        observer.finish();
        result.with_context(|| format!("cannot analyse {source}"))?
    };
    let db_path = crate::db::resolve_path(args.db.clone());
    let (report, built) = match Database::open(&db_path) {
        Ok(db) => {
            let built = db.status()?.built;
            let (packages, distro) = customs_matcher::packages_from_sbom(&sbom);
            let mut report = customs_matcher::match_packages(&packages, distro.as_ref(), &db)
                .context("matching failed")?;
            report.sort();
            (Some(report), Some(built))
        }
        Err(e) => {
            eprintln!("customs: warning: {e}; the vulnerability gates see no data");
            (None, None)
        }
    };
    let tag = default_tag(&args.source);
    let evaluation = args.policy.evaluate(
        &sbom,
        &EvaluationInput {
            policy: &policy,
            report: report.as_ref(),
            db_built: built.as_deref(),
            tag: &tag,
        },
    )?;
    let text = match args.output.as_str() {
        "json" => serde_json::to_string_pretty(&evaluation)? + "\n",
        _ => table(&evaluation),
    };
    crate::output::write(args.file.as_deref(), &text)?;
    Ok(verdict_exit(&evaluation))
}

/// Exit 1 on STOP, with the reason on standard error.
pub(crate) fn verdict_exit(evaluation: &Evaluation) -> ExitCode {
    let entry = evaluation.entry();
    if entry.final_action == Action::Stop {
        let stops = entry
            .details
            .findings
            .iter()
            .filter(|f| f.action == Action::Stop)
            .count();
        eprintln!(
            "customs: policy {:?}: STOP ({}; {stops} stopping findings)",
            entry.details.policy.name, entry.final_action_reason
        );
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The evaluation as a table: the verdict, then one row per finding.
pub(crate) fn table(evaluation: &Evaluation) -> String {
    use std::fmt::Write as _;
    let entry = evaluation.entry();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Policy {:?} on {}: {} ({})",
        entry.details.policy.name,
        evaluation.evaluated_tag,
        entry.final_action,
        entry.final_action_reason
    );
    for p in &entry.evaluation_problems {
        let _ = writeln!(out, "  {}: {}", p.problem_type, p.details);
    }
    if entry.details.findings.is_empty() {
        let _ = writeln!(out, "No findings.");
        return out;
    }
    let header = ["GATE", "TRIGGER", "ACTION", "RULE", "MESSAGE"];
    let mut rows: Vec<[String; 5]> = entry
        .details
        .findings
        .iter()
        .map(|f| {
            [
                f.gate.clone(),
                f.trigger.clone(),
                if f.allowlisted {
                    format!("{} (allowlisted)", f.action)
                } else {
                    f.action.to_string()
                },
                f.rule_id.clone(),
                f.message.clone(),
            ]
        })
        .collect();
    // STOP first, then WARN, then GO; stable within.
    rows.sort_by_key(|r| match r[2].as_str() {
        "STOP" => 0,
        "WARN" => 1,
        _ => 2,
    });
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 5]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate().take(4) {
            let _ = write!(s, "{:<w$}  ", c, w = widths[i]);
        }
        s.push_str(cells[4]);
        s
    };
    let _ = writeln!(out, "{}", line(header));
    for r in &rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    let recommendations: Vec<(&str, &str)> = {
        let mut seen = Vec::new();
        for f in &entry.details.findings {
            if let Some(r) = &f.recommendation
                && f.action != Action::Go
                && !seen.iter().any(|(id, _)| *id == f.rule_id.as_str())
            {
                seen.push((f.rule_id.as_str(), r.as_str()));
            }
        }
        seen
    };
    if !recommendations.is_empty() {
        let _ = writeln!(out, "\nRecommendations:");
        for (rule, r) in recommendations {
            let _ = writeln!(out, "  {rule}: {r}");
        }
    }
    out
}
