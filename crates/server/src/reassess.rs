//! When the vulnerability database changes (a `customs db update`, `db build` or `db import`
//! renames a new file over it), every analysed image is matched again from its stored SBOM —
//! nothing is pulled again — and evaluated again. An image whose findings changed gets a
//! `user.checks.tag.vulnerabilities.update` event with what was added, removed and updated; a
//! tag whose verdict changed gets `user.checks.tag.policy_evaluation.update`.

use std::collections::BTreeMap;
use std::time::Duration;

use customs_store::{AnalysisStatus, Event};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::AppState;
use crate::error::ApiError;

/// What identifies one version of the database: its build time and the file's modification
/// time (two builds in one second, or with a fixed SOURCE_DATE_EPOCH, share a build time).
async fn built(state: &AppState) -> Option<String> {
    let path = state.config.vulndb.clone();
    tokio::task::spawn_blocking(move || {
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        let nanos = modified
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        customs_vulndb::Database::open(&path)
            .and_then(|db| db.status())
            .ok()
            .map(|s| format!("{} {nanos}", s.built))
    })
    .await
    .ok()
    .flatten()
}

/// Watches the database until `stop`; also runs when `kick` is signalled (`POST /v2/system/feeds`).
pub(crate) async fn run(
    state: AppState,
    mut stop: watch::Receiver<bool>,
    mut kick: watch::Receiver<u64>,
) {
    if let Err(e) = index_backlog(&state).await {
        tracing::error!(error = %e.message, "indexing the images stored before the index failed");
    }
    let mut seen = built(&state).await;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(state.config.feed_check_interval) => {}
            _ = kick.changed() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        let now = built(&state).await;
        if now.is_none() || now == seen {
            continue;
        }
        match reassess_all(&state, now.as_deref().unwrap_or_default()).await {
            Ok(()) => seen = now,
            Err(e) => {
                tracing::error!(error = %e.message, "re-evaluation after the feed update failed");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Indexes the analysed images stored before the cross-image index existed, from their
/// stored documents. A document that is missing or no longer reads indexes as empty (and is
/// logged) rather than being retried for ever.
async fn index_backlog(state: &AppState) -> Result<(), ApiError> {
    let mut indexed = 0usize;
    loop {
        let batch = state.store.unindexed_images(100).await?;
        if batch.is_empty() {
            break;
        }
        for (account, digest) in batch {
            let sbom: Option<customs_sbom::Sbom> =
                stored_document(state, &account, &digest, "sbom").await?;
            let report: Option<customs_matcher::Report> =
                stored_document(state, &account, &digest, "vulnerabilities").await?;
            let packages = sbom
                .as_ref()
                .map(crate::indexed_packages)
                .unwrap_or_default();
            let findings = report
                .as_ref()
                .map(crate::indexed_findings)
                .unwrap_or_default();
            state
                .store
                .index_image(&account, &digest, Some(&packages), Some(&findings))
                .await?;
            indexed += 1;
        }
    }
    if indexed > 0 {
        tracing::info!(
            images = indexed,
            "indexed the images stored before the index"
        );
    }
    Ok(())
}

/// A stored document, or None when it is missing or no longer reads (logged).
async fn stored_document<T: serde::de::DeserializeOwned>(
    state: &AppState,
    account: &str,
    digest: &str,
    name: &str,
) -> Result<Option<T>, ApiError> {
    let bytes = state
        .objects
        .get(account, digest, name)
        .await
        .map_err(|e| ApiError::internal(format!("cannot read the {name} of {digest}: {e}")))?;
    Ok(bytes.and_then(|b| match serde_json::from_slice(&b) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(%account, %digest, document = name, error = %e, "a stored document does not read");
            None
        }
    }))
}

/// The identity of a finding across two reports: vulnerability and package.
fn key(f: &Value) -> String {
    format!(
        "{}+{}@{}",
        f["id"].as_str().unwrap_or(""),
        f["package"]["name"].as_str().unwrap_or(""),
        f["package"]["version"].as_str().unwrap_or("")
    )
}

/// What about a finding can change with new data.
fn essence(f: &Value) -> Value {
    json!({"severity": f["severity"], "fix_state": f["fix_state"], "fixed_in": f["fixed_in"], "kev": f["kev"], "suppressed": f["suppressed"].is_null()})
}

fn findings_by_key(report: &Value) -> BTreeMap<String, Value> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (key(f), f.clone()))
        .collect()
}

/// The difference between two reports: (added, removed, updated) keys.
pub(crate) fn diff(before: &Value, after: &Value) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (b, a) = (findings_by_key(before), findings_by_key(after));
    let added = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    let removed = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
    let updated = a
        .iter()
        .filter(|(k, f)| b.get(*k).is_some_and(|old| essence(old) != essence(f)))
        .map(|(k, _)| k.clone())
        .collect();
    (added, removed, updated)
}

async fn reassess_all(state: &AppState, built: &str) -> Result<(), ApiError> {
    let mut images = 0usize;
    let mut changed = 0usize;
    for account in state.store.accounts().await? {
        let mut offset = 0;
        loop {
            let page = state
                .store
                .images(&account.name, Some(AnalysisStatus::Analyzed), 200, offset)
                .await?;
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            for image in page {
                images += 1;
                if reassess(state, &account.name, &image).await? {
                    changed += 1;
                }
            }
        }
    }
    tracing::info!(
        images,
        changed,
        built,
        "re-evaluated every image after a feed update"
    );
    state
        .store
        .add_event(&Event::new(
            crate::auth::ADMIN_ACCOUNT,
            "system.feeds.sync.completed",
            "INFO",
            "feeds",
            "vulnerabilities",
            json!({"built": built, "images_checked": images, "images_changed": changed}),
        ))
        .await?;
    Ok(())
}

/// Matches and evaluates one image again; true when its findings changed.
async fn reassess(
    state: &AppState,
    account: &str,
    image: &customs_store::Image,
) -> Result<bool, ApiError> {
    let digest = image.digest.as_str();
    let read = |name: &'static str| async move {
        state
            .objects
            .get(account, digest, name)
            .await
            .map_err(|e| ApiError::internal(format!("cannot read the {name} of {digest}: {e}")))
            .map(|b| b.and_then(|b| serde_json::from_slice::<Value>(&b).ok()))
    };
    let Some(sbom_json) = read("sbom").await? else {
        return Ok(false);
    };
    let sbom: customs_sbom::Sbom = serde_json::from_value(sbom_json)
        .map_err(|e| ApiError::internal(format!("the stored SBOM of {digest} is damaged: {e}")))?;
    let before_report = read("vulnerabilities")
        .await?
        .unwrap_or_else(|| json!({"findings": []}));
    let before_eval = read("evaluation").await?;
    let tag = image.tags.first().cloned().unwrap_or_default();
    let context = crate::Context::of_stored(state, account, digest, &tag).await?;
    let assessment = crate::assess(state, account, &sbom, &tag, context).await?;
    let after_report = serde_json::to_value(&assessment.report).expect("reports serialise");
    let (added, removed, updated) = diff(&before_report, &after_report);
    let vulns_changed = !(added.is_empty() && removed.is_empty() && updated.is_empty());
    let action = |e: &Value| {
        e["evaluations"][0]["final_action"]
            .as_str()
            .map(str::to_string)
    };
    let after_eval = serde_json::to_value(&assessment.evaluation).expect("evaluations serialise");
    let (old, new) = (before_eval.as_ref().and_then(action), action(&after_eval));
    crate::keep(
        state,
        account,
        digest,
        crate::Documents {
            sbom: None,
            report: assessment.report.as_ref().filter(|_| vulns_changed),
            evaluation: &assessment.evaluation,
        },
    )
    .await?;
    crate::record_evaluation(state, account, digest, &tag, &assessment).await?;
    if vulns_changed {
        state
            .store
            .add_event(&Event::new(
                account,
                "user.checks.tag.vulnerabilities.update",
                "INFO",
                "image_digest",
                digest,
                json!({"tags": image.tags, "added": added, "removed": removed, "updated": updated}),
            ))
            .await?;
    }
    if old != new {
        state
            .store
            .add_event(&Event::new(
                account,
                "user.checks.tag.policy_evaluation.update",
                "INFO",
                "image_digest",
                digest,
                json!({"tag": tag, "previous": old, "current": new}),
            ))
            .await?;
    }
    Ok(vulns_changed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn diffs_name_what_was_added_removed_and_updated() {
        let f = |id: &str, pkg: &str, sev: &str| json!({"id": id, "package": {"name": pkg, "version": "1"}, "severity": sev, "fix_state": "fixed", "fixed_in": ["2"], "kev": false});
        let before = json!({"findings": [f("CVE-1", "a", "high"), f("CVE-2", "b", "low")]});
        let after = json!({"findings": [f("CVE-1", "a", "critical"), f("CVE-3", "c", "low")]});
        let (added, removed, updated) = super::diff(&before, &after);
        assert_eq!(added, vec!["CVE-3+c@1"]);
        assert_eq!(removed, vec!["CVE-2+b@1"]);
        assert_eq!(updated, vec!["CVE-1+a@1"]);
        assert_eq!(super::diff(&before, &before), (vec![], vec![], vec![]));
    }
}
