//! `customs serve`: the REST API, shaped like Anchore's v2 API, over the store, with workers
//! analysing the images added to it.

mod auth;
mod error;
mod feeds;
mod metrics;
mod objects;
mod reassess;
mod routes;
mod sealed;
mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use customs_image::RegistryOptions;
use customs_matcher::Report;
use customs_policy::{Evaluation, FeedFacts, Subject};
use customs_sbom::{Sbom, Timestamp};
use customs_store::Store;
use tokio::sync::watch;

pub use auth::ROLES;
pub use feeds::FeedsFrom;
pub use objects::ObjectLocation;

/// The OpenAPI 3 document of the API (served at `/v2/openapi.json`).
pub fn openapi() -> serde_json::Value {
    routes::openapi()
}
use auth::{hash_password, new_key_secret};
use error::ApiError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// `postgres://...`; else SQLite in the data directory.
    pub database_url: Option<String>,
    /// Where SBOMs, reports and evaluations are kept; `DATA_DIR/objects` when absent.
    pub object_store: Option<ObjectLocation>,
    /// The vulnerability database the workers match with.
    pub vulndb: PathBuf,
    pub workers: usize,
    /// The first admin's password; printed once when absent and the admin is new.
    pub admin_password: Option<String>,
    /// The key registry passwords are sealed with (base64 of 32 bytes); else
    /// `DATA_DIR/secret.key`.
    pub secret_key: Option<String>,
    pub registry: RegistryOptions,
    /// Where `POST /v2/system/feeds` updates the vulnerability database from; `None`: it
    /// only looks for a database another process updated.
    pub feeds_from: Option<FeedsFrom>,
    /// The clamd every analysed image's files are sent to; `None`: no malware scan.
    pub malware: Option<customs_engine::ClamdAddress>,
    /// How often an idle worker looks for a job.
    pub poll_interval: Duration,
    /// How long a worker holds a job without renewing it; a dead worker's job is taken over
    /// after this.
    pub lease: Duration,
    /// How often the vulnerability database is checked for an update.
    pub feed_check_interval: Duration,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) objects: objects::Objects,
    pub(crate) config: Arc<Config>,
    /// A hash to verify against when the user does not exist (constant-time answers).
    pub(crate) dummy_hash: Arc<String>,
    /// Asks the feed watcher to look now.
    pub(crate) kick: Arc<watch::Sender<u64>>,
    pub(crate) metrics: Arc<metrics::Metrics>,
    pub(crate) sealer: Arc<sealed::Sealer>,
    /// Held while the database is being updated: one update at a time.
    pub(crate) updating: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] customs_store::StoreError),
    #[error("cannot listen on {address}: {reason}")]
    Listen { address: SocketAddr, reason: String },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
    #[error("the secret key: {0}")]
    SecretKey(String),
    #[error("{0}")]
    Objects(String),
}

/// Opens the store and makes sure the admin account and user exist.
async fn open(config: &Config) -> Result<Store, ServeError> {
    let store = match &config.database_url {
        Some(url) => Store::open_postgres(url).await?,
        None => Store::open_sqlite(&config.data_dir).await?,
    };
    match store.create_account(auth::ADMIN_ACCOUNT, None).await {
        Ok(_) | Err(customs_store::StoreError::Exists(_)) => {}
        Err(e) => return Err(e.into()),
    }
    if matches!(
        store.user("admin").await,
        Err(customs_store::StoreError::NotFound(_))
    ) {
        let (password, generated) = match &config.admin_password {
            Some(p) => (p.clone(), false),
            None => (new_key_secret(), true),
        };
        let hash = tokio::task::spawn_blocking(move || (hash_password(&password), password))
            .await
            .expect("hashing does not panic");
        store
            .create_user(auth::ADMIN_ACCOUNT, "admin", &hash.0, "full-control")
            .await?;
        if generated {
            // Printed once, on standard error of the process that created the store; never
            // written to the log.
            eprintln!(
                "customs serve: created the user admin with the password {} (set CUSTOMS_ADMIN_PASSWORD to choose it)",
                hash.1
            );
        }
    }
    Ok(store)
}

/// Runs the server until SIGINT or SIGTERM, then lets the workers finish their jobs.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    let sealer = sealed::Sealer::load(config.secret_key.as_deref(), &config.data_dir)
        .map_err(ServeError::SecretKey)?;
    let objects = objects::Objects::open(
        &config
            .object_store
            .clone()
            .unwrap_or_else(|| ObjectLocation::Local(config.data_dir.join("objects"))),
    )
    .await
    .map_err(ServeError::Objects)?;
    let store = Arc::new(open(&config).await?);
    if let Some(address) = &config.malware {
        // Told at start, not refused: clamd may come up after the server (its signatures
        // load slowly), and until it answers each analysis fails with the reason and is
        // retried.
        let clamd = customs_engine::Clamd::new(address.clone());
        match tokio::task::spawn_blocking(move || clamd.version()).await {
            Ok(Ok(version)) => {
                tracing::info!(clamd = %address, %version, "malware scans with clamd")
            }
            Ok(Err(e)) => {
                tracing::warn!(clamd = %address, error = %e, "clamd does not answer yet; analyses fail until it does")
            }
            Err(_) => {}
        }
    }
    let (kick_tx, kick_rx) = watch::channel(0u64);
    let state = AppState {
        objects,
        store: store.clone(),
        dummy_hash: Arc::new(hash_password("no such user")),
        config: Arc::new(config.clone()),
        kick: Arc::new(kick_tx),
        metrics: Arc::new(metrics::Metrics::default()),
        sealer: Arc::new(sealer),
        updating: Arc::new(tokio::sync::Mutex::new(())),
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let watcher = tokio::spawn(reassess::run(state.clone(), stop_rx.clone(), kick_rx));
    let mut workers = Vec::new();
    // No workers: an API-only node (others, on the same PostgreSQL, do the analyses).
    for i in 0..config.workers {
        let name = format!("{}-{}-{i}", hostname(), std::process::id());
        workers.push(tokio::spawn(worker::run(
            state.clone(),
            name,
            stop_rx.clone(),
        )));
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServeError::Listen {
            address: config.listen,
            reason: e.to_string(),
        })?;
    tracing::info!(
        address = %listener.local_addr()?,
        store = store.backend(),
        objects = state.objects.location(),
        workers = config.workers,
        "customs serve: listening"
    );
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("customs serve: stopping; workers finish the jobs in hand");
    let _ = stop_tx.send(true);
    for w in workers {
        let _ = w.await;
    }
    let _ = watcher.await;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler installs");
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "customs".into())
}

/// How to reach the registry of `source` for `account`: its own credentials for that host,
/// never those of the user the server runs as (no Docker config is read).
pub(crate) async fn registry_options(
    state: &AppState,
    account: &str,
    source: &customs_image::SourceRef,
) -> Result<RegistryOptions, ApiError> {
    let mut options = state.config.registry.clone();
    options.docker_config = Some(state.config.data_dir.join(".no-docker-config"));
    options.username = None;
    options.password = None;
    if let customs_image::SourceRef::Registry(r) = source
        && let Some(c) = state.store.registry(account, &r.host).await?
    {
        let password = state
            .sealer
            .open(&c.password)
            .map_err(|e| ApiError::internal(format!("the password stored for {}: {e}", r.host)))?;
        options.username = Some(c.username);
        options.password = Some(password);
        if c.insecure {
            options.insecure.push(r.host.clone());
        }
    }
    Ok(options)
}

/// The documents of one assessment of an image, to keep.
pub(crate) struct Documents<'a> {
    /// The SBOM, when it is new (a re-assessment keeps the stored one).
    pub(crate) sbom: Option<&'a Sbom>,
    /// The vulnerability report, when there is a new one.
    pub(crate) report: Option<&'a Report>,
    pub(crate) evaluation: &'a Evaluation,
}

/// Stores the documents of an image in the object store and indexes its packages and
/// findings for the cross-image queries. The index is written last: a failure leaves the
/// image unmarked and the whole keep is retried with its job.
pub(crate) async fn keep(
    state: &AppState,
    account: &str,
    digest: &str,
    documents: Documents<'_>,
) -> Result<(), ApiError> {
    let put = |name: &'static str, bytes: Vec<u8>| async move {
        state
            .objects
            .put(account, digest, name, bytes)
            .await
            .map_err(|e| ApiError::internal(format!("cannot store the {name} of {digest}: {e}")))
    };
    if let Some(sbom) = documents.sbom {
        put("sbom", serde_json::to_vec(sbom).expect("SBOMs serialise")).await?;
    }
    if let Some(report) = documents.report {
        put(
            "vulnerabilities",
            serde_json::to_vec(report).expect("reports serialise"),
        )
        .await?;
    }
    put(
        "evaluation",
        serde_json::to_vec(documents.evaluation).expect("evaluations serialise"),
    )
    .await?;
    let packages = documents.sbom.map(indexed_packages);
    let findings = documents.report.map(indexed_findings);
    state
        .store
        .index_image(account, digest, packages.as_deref(), findings.as_deref())
        .await?;
    Ok(())
}

pub(crate) fn indexed_packages(sbom: &Sbom) -> Vec<customs_store::IndexedPackage> {
    sbom.packages
        .iter()
        .map(|p| customs_store::IndexedPackage {
            name: p.name.clone(),
            version: p.version.clone(),
            package_type: p.package_type.as_str().to_string(),
            purl: p.purl.as_str().to_string(),
        })
        .collect()
}

/// The findings a query may name: suppressed ones are left out, as in every answer.
pub(crate) fn indexed_findings(report: &Report) -> Vec<customs_store::IndexedFinding> {
    report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| customs_store::IndexedFinding {
            id: f.id.clone(),
            aliases: f.aliases.clone(),
            package_name: f.package.name.clone(),
            package_version: f.package.version.clone(),
            package_type: f.package.package_type.clone(),
            severity: f.severity.as_str().to_string(),
        })
        .collect()
}

/// What an image brings to its evaluation besides its SBOM: the Dockerfile given when it was
/// added (the `dockerfile` gate), and the SBOM of the image its tag pointed at before
/// (`tag_drift`).
#[derive(Default)]
pub(crate) struct Context {
    pub(crate) dockerfile: Option<String>,
    pub(crate) previous: Option<Sbom>,
}

/// The name of an image's Dockerfile among its stored documents.
pub(crate) const DOCKERFILE: &str = "dockerfile";

impl Context {
    /// The context of a stored image as `tag`: its Dockerfile, and the image the tag was on
    /// before (when that one's SBOM is still kept).
    pub(crate) async fn of_stored(
        state: &AppState,
        account: &str,
        digest: &str,
        tag: &str,
    ) -> Result<Context, ApiError> {
        let read = |digest: String, name: &'static str| async move {
            state
                .objects
                .get(account, &digest, name)
                .await
                .map_err(|e| ApiError::internal(format!("cannot read the {name} of {digest}: {e}")))
        };
        let dockerfile = match read(digest.to_string(), DOCKERFILE).await? {
            Some(bytes) => Some(serde_json::from_slice::<String>(&bytes).map_err(|e| {
                ApiError::internal(format!("the stored Dockerfile of {digest} is damaged: {e}"))
            })?),
            None => None,
        };
        let previous = match state
            .store
            .previous_digest_of_tag(account, tag, digest)
            .await?
        {
            Some(before) => read(before, "sbom")
                .await?
                .and_then(|b| serde_json::from_slice::<Sbom>(&b).ok()),
            None => None,
        };
        Ok(Context {
            dockerfile,
            previous,
        })
    }
}

/// One assessment of an image: its findings, its verdict, and what the verdict came from.
pub(crate) struct Assessment {
    pub(crate) report: Option<Report>,
    pub(crate) evaluation: Evaluation,
    /// The SHA-256 of the policy's text (a built-in pack's or the stored document's).
    pub(crate) policy_digest: String,
    /// The build of the vulnerability database matched with; empty without one.
    pub(crate) vulnerability_db: String,
}

impl Assessment {
    fn entry(&self) -> Option<&customs_policy::EvaluationEntry> {
        self.evaluation.evaluations.first()
    }

    pub(crate) fn final_action(&self) -> String {
        self.entry()
            .map(|e| e.final_action.as_str().to_string())
            .unwrap_or_default()
    }
}

/// Matches an SBOM against the vulnerability database and evaluates the account's active
/// policy (the built-in `secure` pack when none is active). No database: no report, and the
/// vulnerability gates see no data.
pub(crate) async fn assess(
    state: &AppState,
    account: &str,
    sbom: &Sbom,
    tag: &str,
    context: Context,
) -> Result<Assessment, ApiError> {
    let (policy, policy_text) = match state.store.active_policy(account).await? {
        Some(record) => (
            customs_policy::read_policy(&record.id, &record.document).map_err(|e| {
                ApiError::internal(format!("the active policy no longer reads: {e}"))
            })?,
            record.document,
        ),
        None => {
            let secure = customs_policy::packs()
                .iter()
                .find(|p| p.name == "secure")
                .expect("the secure pack is built in");
            (
                customs_policy::read_policy(secure.name, secure.text)
                    .expect("the built-in packs are valid (a test reads each)"),
                secure.text.to_string(),
            )
        }
    };
    let policy_digest = hex_sha256(policy_text.as_bytes());
    let vulndb = state.config.vulndb.clone();
    let sbom = sbom.clone();
    let tag = tag.to_string();
    tokio::task::spawn_blocking(move || {
        let (report, built) = match customs_vulndb::Database::open(&vulndb) {
            Ok(db) => {
                let built = db
                    .status()
                    .map_err(|e| ApiError::internal(e.to_string()))?
                    .built;
                let (packages, distro) = customs_matcher::packages_from_sbom(&sbom);
                let mut report =
                    customs_matcher::match_packages(&packages, distro.as_ref(), &db)
                        .map_err(|e| ApiError::internal(format!("matching failed: {e}")))?;
                report.sort();
                (Some(report), Some(built))
            }
            Err(_) => (None, None),
        };
        let now = Timestamp::parse_unix(Timestamp::now_or_source_date_epoch().as_str())
            .expect("the clock formats as RFC 3339");
        let subject = Subject {
            sbom: &sbom,
            vulnerabilities: report.as_ref(),
            feeds: built.as_deref().map(|b| FeedFacts::new(b, report.as_ref())),
            dockerfile: context.dockerfile.as_deref(),
            previous: context.previous.as_ref(),
            now,
        };
        let tag = if tag.is_empty() {
            sbom.subject_name()
        } else {
            tag
        };
        let evaluation = customs_policy::evaluate(&policy, &subject, &tag);
        Ok(Assessment {
            report,
            evaluation,
            policy_digest,
            vulnerability_db: built.unwrap_or_default(),
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("the assessment stopped: {e}")))?
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Keeps an evaluation of `digest` as `tag` in its history, when it came from other inputs
/// or to another verdict than the last one kept; its document is stored under its id.
pub(crate) async fn record_evaluation(
    state: &AppState,
    account: &str,
    digest: &str,
    tag: &str,
    assessment: &Assessment,
) -> Result<Option<customs_store::EvaluationRecord>, ApiError> {
    let Some(entry) = assessment.entry() else {
        return Ok(None);
    };
    let action = assessment.final_action();
    let outcome = customs_store::EvaluationOutcome {
        policy_id: &assessment.evaluation.policy_id,
        policy_digest: &assessment.policy_digest,
        vulnerability_db: &assessment.vulnerability_db,
        final_action: &action,
        final_action_reason: &entry.final_action_reason,
    };
    // The record first (it is what a history lists); a document that then fails to be kept
    // is reported, and its record answers without it.
    let record = state
        .store
        .record_evaluation(account, digest, tag, &outcome)
        .await?;
    if let Some(r) = &record {
        let document = serde_json::to_vec(&assessment.evaluation).expect("evaluations serialise");
        state
            .objects
            .put(account, digest, &evaluation_document(&r.id), document)
            .await
            .map_err(|e| {
                ApiError::internal(format!("cannot store the evaluation of {digest}: {e}"))
            })?;
    }
    Ok(record)
}

/// The name of a past evaluation's document among an image's documents.
pub(crate) fn evaluation_document(id: &str) -> String {
    format!("evaluation-{id}")
}
