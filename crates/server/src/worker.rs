//! Workers: each claims analysis jobs from the queue, renews its lease while it works, and
//! records every step. An analysis is: the image read into an SBOM (with the file facts
//! policies need), matched against the vulnerability database, evaluated against the
//! account's active policy (else the built-in `secure` pack). Documents go to the object
//! store, states and events to the store. A worker that loses its lease drops its result.

use std::sync::Arc;
use std::time::Duration;

use customs_engine::{AnalyzeOptions, Quiet};
use customs_image::SourceRef;
use customs_store::{AnalysisStatus, Event, Job, Store, StoreError};
use serde_json::json;
use tokio::sync::watch;

use crate::AppState;

pub(crate) const ANALYZE: &str = "analyze";

/// Runs until `stop` turns true; the job in hand is finished first.
pub(crate) async fn run(state: AppState, name: String, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let lease = state.config.lease;
        let job = match state.store.claim(&name, lease).await {
            Ok(Some(job)) => job,
            Ok(None) => {
                // Nothing to do: wait a little, or for the stop signal.
                tokio::select! {
                    _ = tokio::time::sleep(state.config.poll_interval) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(worker = %name, error = %e, "cannot claim a job");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let heartbeat = {
            let (store, id, worker) = (state.store.clone(), job.id.clone(), name.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(lease / 3).await;
                    if store.heartbeat(&id, &worker, lease).await.is_err() {
                        return;
                    }
                }
            })
        };
        let started = std::time::Instant::now();
        let outcome = analyze(&state, &name, &job).await;
        heartbeat.abort();
        let label = match &outcome {
            Ok(()) => "completed",
            Err(_) if job.attempts < job.max_attempts => "retried",
            Err(_) => "failed",
        };
        match &outcome {
            Ok(()) => tracing::info!(
                worker = %name, job = %job.id, account = %job.account, digest = %job.subject,
                attempt = job.attempts, seconds = started.elapsed().as_secs_f64(), "analysis completed"
            ),
            Err(f) => tracing::warn!(
                worker = %name, job = %job.id, account = %job.account, digest = %job.subject,
                attempt = job.attempts, reason = %f.reason, "analysis failed"
            ),
        }
        match finish(&state, &name, &job, outcome).await {
            Ok(()) => state.metrics.analysis(label, started.elapsed()),
            Err(StoreError::LeaseLost(_)) => {
                state.metrics.analysis("lease_lost", started.elapsed())
            }
            Err(e) => {
                tracing::error!(worker = %name, job = %job.id, error = %e, "cannot record the outcome of a job")
            }
        }
    }
}

/// Why an analysis did not complete.
struct Failure {
    reason: String,
}

async fn analyze(state: &AppState, worker: &str, job: &Job) -> Result<(), Failure> {
    let fail = |reason: String| Failure { reason };
    let store = &state.store;
    let account = job.account.as_str();
    let digest = job.subject.as_str();
    let source = job.payload["source"]
        .as_str()
        .ok_or_else(|| fail("the job names no source".into()))?
        .to_string();
    let tag = job.payload["tag"].as_str().unwrap_or_default().to_string();
    store
        .set_analysis_status(account, digest, AnalysisStatus::Analyzing, None)
        .await
        .map_err(|e| fail(e.to_string()))?;

    let _ = store
        .record_step(&job.id, worker, "analyze", "running", None)
        .await;
    let source_ref = SourceRef::parse(&source).map_err(|e| fail(e.to_string()))?;
    let registry = crate::registry_options(state, account, &source_ref)
        .await
        .map_err(|e| fail(e.message))?;
    let malware = state.config.malware.clone();
    let sbom = tokio::task::spawn_blocking(move || {
        let options = AnalyzeOptions {
            facts: Some(customs_catalog_facts()),
            malware,
            open: customs_image::OpenOptions {
                registry,
                ..Default::default()
            },
            ..Default::default()
        };
        customs_engine::analyze(&source, &source_ref, &options, &Quiet).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| fail(format!("the analysis stopped: {e}")))?
    .map_err(|e| fail(format!("cannot analyse the image: {e}")))?;
    if sbom.subject_digest().map(|d| d.to_string()).as_deref() != Some(digest) {
        return Err(fail(format!(
            "the image now has the digest {}, not {digest}: its tag moved; add it again",
            sbom.subject_digest()
                .map(|d| d.to_string())
                .unwrap_or_default()
        )));
    }
    let _ = store
        .record_step(&job.id, worker, "analyze", "done", None)
        .await;

    let _ = store
        .record_step(&job.id, worker, "match", "running", None)
        .await;
    let context = crate::Context::of_stored(state, account, digest, &tag)
        .await
        .map_err(|e| fail(e.message))?;
    let assessment = crate::assess(state, account, &sbom, &tag, context)
        .await
        .map_err(|e| fail(e.message))?;
    let _ = store
        .record_step(&job.id, worker, "match", "done", None)
        .await;
    let _ = store
        .record_step(&job.id, worker, "store", "running", None)
        .await;
    crate::keep(
        state,
        account,
        digest,
        crate::Documents {
            sbom: Some(&sbom),
            report: assessment.report.as_ref(),
            evaluation: &assessment.evaluation,
        },
    )
    .await
    .map_err(|e| fail(e.message))?;
    crate::record_evaluation(state, account, digest, &tag, &assessment)
        .await
        .map_err(|e| fail(e.message))?;
    let _ = store
        .record_step(&job.id, worker, "store", "done", None)
        .await;
    Ok(())
}

/// What the server collects from every image besides its packages: retrieved files and
/// secrets (and malware, with `--clamd`).
fn customs_catalog_facts() -> customs_catalog::facts::FactsOptions {
    use customs_catalog::facts::{DEFAULT_RETRIEVED, FactsOptions, default_secret_rules};
    FactsOptions {
        retrieve: DEFAULT_RETRIEVED.iter().map(|s| s.to_string()).collect(),
        secrets: Some(default_secret_rules()),
        content: None,
        max_searched_size: 0,
    }
}

async fn finish(
    state: &AppState,
    worker: &str,
    job: &Job,
    outcome: Result<(), Failure>,
) -> Result<(), StoreError> {
    let store: &Arc<Store> = &state.store;
    let (account, digest) = (job.account.as_str(), job.subject.as_str());
    match outcome {
        Ok(()) => {
            // Completing first: a worker that lost its lease must not mark anything.
            store.complete(&job.id, worker).await?;
            store
                .set_analysis_status(account, digest, AnalysisStatus::Analyzed, None)
                .await?;
            store
                .add_event(&Event::new(
                    account,
                    "user.image.analysis.completed",
                    "INFO",
                    "image_digest",
                    digest,
                    json!({"tag": job.payload["tag"], "attempt": job.attempts}),
                ))
                .await?;
        }
        Err(failure) => {
            let state_after = store.fail(&job.id, worker, &failure.reason, true).await?;
            if state_after == customs_store::JobState::Failed {
                store
                    .set_analysis_status(
                        account,
                        digest,
                        AnalysisStatus::AnalysisFailed,
                        Some(&failure.reason),
                    )
                    .await?;
                store
                    .add_event(&Event::new(
                        account,
                        "user.image.analysis.failed",
                        "ERROR",
                        "image_digest",
                        digest,
                        json!({"tag": job.payload["tag"], "reason": failure.reason}),
                    ))
                    .await?;
            } else {
                store
                    .set_analysis_status(
                        account,
                        digest,
                        AnalysisStatus::NotAnalyzed,
                        Some(&format!(
                            "attempt {} failed, retrying: {}",
                            job.attempts, failure.reason
                        )),
                    )
                    .await?;
            }
        }
    }
    Ok(())
}
