//! `customs scan`: an image (or an SBOM) matched against the vulnerability database, filtered,
//! written in the formats asked for, and gated.

mod formats;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use customs_engine::{AnalyzeOptions, Scope};
use customs_image::SourceRef;
use customs_matcher::{Filters, MatchPackage, Report, Severity};
use customs_types::Distro;

use formats::ScanFormat;

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The image or directory (SCHEME:REF, as for `customs sbom`), or an SBOM document
    /// (`sbom:FILE`, or a .json file: CycloneDX, SPDX, Syft or customs JSON).
    source: String,

    /// Output format: table, json, sarif, cyclonedx-json, openvex or junit. Repeat as
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

    /// squashed: what a container sees; all-layers: also packages that a later layer removed.
    #[arg(long, default_value = "squashed", value_name = "SCOPE")]
    scope: Scope,

    #[command(flatten)]
    image: crate::ImageArgs,

    /// The vulnerability database (else $CUSTOMS_DB, else $XDG_DATA_HOME/customs/vulndb.sqlite).
    #[arg(long, env = "CUSTOMS_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// Fail (exit 2) when the database was built more than this many days ago.
    #[arg(long, value_name = "DAYS")]
    db_max_age: Option<u64>,

    /// Exit 1 when a finding at or above this severity remains after the filters
    /// (negligible, low, medium, high, critical).
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,

    /// Exit 1 when a finding in CISA's Known Exploited Vulnerabilities remains.
    #[arg(long)]
    fail_on_kev: bool,

    /// Count only findings with a published fix.
    #[arg(long)]
    only_fixed: bool,

    /// A configuration file with ignore rules (YAML or JSON; see docs/scan.md).
    #[arg(long, env = "CUSTOMS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// An OpenVEX document: its not_affected and fixed statements suppress findings (repeatable).
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,

    /// Print how a vulnerability (by id or alias) was found, or why it was not.
    #[arg(long, value_name = "ID")]
    explain: Option<String>,

    /// List suppressed findings in the table too.
    #[arg(long)]
    show_suppressed: bool,

    #[command(flatten)]
    policy: crate::policy::PolicyInput,

    #[command(flatten)]
    facts: crate::policy::FactArgs,

    /// No progress display, even on a terminal.
    #[arg(short, long)]
    quiet: bool,
}

pub(crate) fn run(args: ScanArgs) -> Result<ExitCode> {
    let targets = parse_targets(&args.outputs, args.file.as_ref())?;
    let today = customs_sbom::Timestamp::now_or_source_date_epoch();
    let mut filters = Filters {
        only_fixed: args.only_fixed,
        today: today.as_str().chars().take(10).collect(),
        ..Filters::default()
    };
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration {}", path.display()))?;
        filters.read_config(&path.display().to_string(), &text)?;
    }
    for path in &args.vex {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the VEX document {}", path.display()))?;
        filters.read_openvex(&path.display().to_string(), &text)?;
    }

    // The database first: a missing or stale one fails before any image is pulled.
    let db_path = crate::db::resolve_path(args.db.clone());
    let db = customs_vulndb::Database::open(&db_path).context("cannot scan")?;
    let status = db.status()?;
    let age = crate::db::days_between(&status.built, today.as_str()).unwrap_or(0);
    if let Some(max) = args.db_max_age
        && age > max as i64
    {
        bail!(
            "the vulnerability database {} was built {age} days ago (--db-max-age {max}); update it with `customs db update` or `customs db build --from DIR`",
            db_path.display()
        );
    }
    if age > 7 {
        eprintln!(
            "customs: warning: the vulnerability database was built {age} days ago; newer vulnerabilities are not in it"
        );
    }

    let (packages, distro, subject, sbom) = input(&args)?;
    let started = std::time::Instant::now();
    let mut report = customs_matcher::match_packages(&packages, distro.as_ref(), &db)
        .context("matching failed")?;
    customs_matcher::apply_filters(&mut report.findings, &filters);
    report.sort();
    if !args.quiet {
        eprintln!(
            "matched {} packages in {:.0} ms",
            packages.len(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }

    if let Some(id) = &args.explain {
        crate::output::write(None, &explain(&report, id, &packages))?;
        return Ok(ExitCode::SUCCESS);
    }

    let evaluation = match &args.policy.policy {
        None => None,
        Some(spec) => {
            let policy = crate::policy::load(spec)?;
            let Some(sbom) = sbom.as_ref() else {
                bail!(
                    "--policy needs the image, or a customs SBOM (customs sbom -o json): {} carries no image facts",
                    args.source
                );
            };
            let tag = crate::policy::default_tag(&args.source);
            Some(args.policy.evaluate(
                sbom,
                &crate::policy::EvaluationInput {
                    policy: &policy,
                    report: Some(&report),
                    db_built: Some(&status.built),
                    tag: &tag,
                },
            )?)
        }
    };
    if evaluation.is_none() && targets.iter().any(|t| t.0 == ScanFormat::PolicyJson) {
        bail!("-o policy-json needs --policy");
    }

    let mut bom_refs = BTreeMap::new();
    let cyclonedx = sbom.as_ref().map(|s| {
        for p in &s.packages {
            bom_refs.insert(p.id.clone(), customs_sbom::cyclonedx_bom_ref(p));
        }
        customs_sbom::cyclonedx_document(s)
    });
    let cx = formats::Context {
        subject: &subject,
        timestamp: today.as_str(),
        cyclonedx,
        bom_refs,
        show_suppressed: args.show_suppressed,
        evaluation: evaluation.as_ref(),
    };
    for (format, file) in &targets {
        let text = formats::render(*format, &report, &cx);
        crate::output::write(file.as_deref(), &text)
            .with_context(|| format!("cannot write the {} output", format.name()))?;
    }
    let gate = gate(&report, args.fail_on, args.fail_on_kev);
    match &evaluation {
        Some(e) if crate::policy::verdict_exit(e) != ExitCode::SUCCESS => Ok(ExitCode::from(1)),
        _ => Ok(gate),
    }
}

fn parse_targets(
    outputs: &[String],
    file: Option<&PathBuf>,
) -> Result<Vec<(ScanFormat, Option<PathBuf>)>> {
    let mut targets = Vec::new();
    for o in outputs {
        let (format, path) = match o.split_once('=') {
            Some((f, p)) if !p.is_empty() => (f, Some(PathBuf::from(p))),
            Some((f, _)) => (f, None),
            None => (o.as_str(), None),
        };
        targets.push((format.parse::<ScanFormat>()?, path));
    }
    if targets.iter().filter(|t| t.1.is_none()).count() > 1 {
        bail!("only one output can go to standard output; give the others a file (-o FORMAT=FILE)");
    }
    if let Some(f) = file {
        match targets.iter_mut().find(|t| t.1.is_none()) {
            Some(t) => t.1 = Some(f.clone()),
            None => bail!("--file given, but every -o already names its file"),
        }
    }
    Ok(targets)
}

type Input = (
    Vec<MatchPackage>,
    Option<Distro>,
    String,
    Option<customs_sbom::Sbom>,
);

/// The SBOM document `source` names (`sbom:FILE`, or an existing `.json` file), if it is one.
pub(crate) fn sbom_file(source: &str) -> Option<PathBuf> {
    source.strip_prefix("sbom:").map(PathBuf::from).or_else(|| {
        let p = PathBuf::from(source);
        (p.is_file() && p.extension().is_some_and(|e| e == "json")).then_some(p)
    })
}

/// The packages to match: from an SBOM document, or from the image analysed now.
fn input(args: &ScanArgs) -> Result<Input> {
    if let Some(path) = sbom_file(&args.source) {
        let bytes = std::fs::read(&path)
            .with_context(|| format!("cannot read the SBOM {}", path.display()))?;
        let (packages, distro) = customs_matcher::read_sbom_document(&bytes)
            .with_context(|| format!("cannot read the SBOM {}", path.display()))?;
        // A customs SBOM keeps its richer CycloneDX rendering.
        let sbom = serde_json::from_slice::<customs_sbom::Sbom>(&bytes).ok();
        return Ok((packages, distro, path.display().to_string(), sbom));
    }
    let source = SourceRef::parse(&args.source)?;
    let (facts, malware) = args.facts.options(args.policy.policy.is_some())?;
    let options = AnalyzeOptions {
        scope: args.scope,
        open: args.image.open_options(),
        facts,
        malware,
    };
    let observer = crate::progress::TerminalProgress::new(!args.quiet);
    let result = customs_engine::analyze(&args.source, &source, &options, &observer);
    observer.finish();
    let sbom = result.with_context(|| format!("cannot analyse {source}"))?;
    let (packages, distro) = customs_matcher::packages_from_sbom(&sbom);
    Ok((packages, distro, sbom.subject_name(), Some(sbom)))
}

fn gate(report: &Report, fail_on: Option<Severity>, fail_on_kev: bool) -> ExitCode {
    let mut reasons = Vec::new();
    if let Some(threshold) = fail_on {
        let n = report.active().filter(|f| f.severity >= threshold).count();
        if n > 0 {
            reasons.push(format!(
                "{n} at or above {threshold} (--fail-on {threshold})"
            ));
        }
    }
    if fail_on_kev {
        let n = report.active().filter(|f| f.kev).count();
        if n > 0 {
            reasons.push(format!("{n} known exploited (--fail-on-kev)"));
        }
    }
    if reasons.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("customs: gate failed: {}", reasons.join("; "));
        ExitCode::from(1)
    }
}

fn explain(report: &Report, id: &str, packages: &[MatchPackage]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.ids().any(|i| i == id))
        .collect();
    if found.is_empty() {
        let _ = writeln!(
            out,
            "{id}: not found in any of the {} packages.",
            packages.len()
        );
        let _ = writeln!(
            out,
            "(`customs db search {id}` shows which packages and versions it affects.)"
        );
    }
    for f in found {
        let _ = writeln!(
            out,
            "{} in {} {} ({})",
            f.id, f.package.name, f.package.version, f.package.package_type
        );
        if !f.aliases.is_empty() {
            let _ = writeln!(out, "  aliases:   {}", f.aliases.join(", "));
        }
        let _ = writeln!(out, "  purl:      {}", f.package.purl);
        for l in &f.package.locations {
            let _ = writeln!(out, "  location:  {l}");
        }
        if let Some(layer) = &f.package.layer {
            let _ = writeln!(out, "  layer:     {layer}");
        }
        let _ = writeln!(
            out,
            "  severity:  {} (from {})",
            f.severity,
            if f.severity_source.is_empty() {
                "no feed"
            } else {
                &f.severity_source
            }
        );
        let _ = writeln!(
            out,
            "  fix:       {:?} {}",
            f.fix_state,
            f.fixed_in.join(", ")
        );
        if f.kev {
            let _ = writeln!(
                out,
                "  KEV:       added {}",
                f.kev_date_added.as_deref().unwrap_or("-")
            );
        }
        if let Some(e) = &f.epss {
            let _ = writeln!(
                out,
                "  EPSS:      {:.5} (percentile {:.3})",
                e.score, e.percentile
            );
        }
        for m in &f.matches {
            let _ = writeln!(out, "  matched:   searched {}", m.searched);
            let _ = writeln!(
                out,
                "             hit {} ({}), affected range {}",
                m.advisory, m.feed, m.constraint
            );
        }
        if let Some(s) = &f.suppressed {
            let _ = writeln!(out, "  suppressed by {}: {}", s.by, s.reason);
        }
    }
    out
}
