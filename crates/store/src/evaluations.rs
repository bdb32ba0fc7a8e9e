//! The history of an image's policy evaluations, per tag. A row is kept each time a verdict
//! is computed from inputs that differ from the last row's for that tag, so that asking for
//! the same check again adds nothing, and an auditor sees every change: the policy (its id
//! and the digest of its text), the vulnerability database, and the verdict.

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, new_id, now_ms, with_pool};

/// One evaluation of an image as one tag. The whole document is kept elsewhere (the object
/// store) under `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationRecord {
    pub id: String,
    #[serde(skip)]
    pub account: String,
    pub digest: String,
    pub tag: String,
    pub policy_id: String,
    /// The SHA-256 of the policy's text: a policy edited under the same id is another input.
    pub policy_digest: String,
    /// Which vulnerability database the verdict was computed with (its build), or empty.
    pub vulnerability_db: String,
    pub final_action: String,
    pub final_action_reason: String,
    pub created_at: i64,
}

/// What an evaluation was computed from and what it decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationOutcome<'a> {
    pub policy_id: &'a str,
    pub policy_digest: &'a str,
    pub vulnerability_db: &'a str,
    pub final_action: &'a str,
    pub final_action_reason: &'a str,
}

impl EvaluationRecord {
    fn same_as(&self, o: &EvaluationOutcome<'_>) -> bool {
        self.policy_id == o.policy_id
            && self.policy_digest == o.policy_digest
            && self.vulnerability_db == o.vulnerability_db
            && self.final_action == o.final_action
            && self.final_action_reason == o.final_action_reason
    }
}

fn record<R: Row>(r: &R) -> Result<EvaluationRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(EvaluationRecord {
        id: r.try_get("id")?,
        account: r.try_get("account")?,
        digest: r.try_get("digest")?,
        tag: r.try_get("tag")?,
        policy_id: r.try_get("policy_id")?,
        policy_digest: r.try_get("policy_digest")?,
        vulnerability_db: r.try_get("vulnerability_db")?,
        final_action: r.try_get("final_action")?,
        final_action_reason: r.try_get("final_action_reason")?,
        created_at: r.try_get("created_at")?,
    })
}

const COLUMNS: &str = "id, account, digest, tag, policy_id, policy_digest, vulnerability_db, final_action, final_action_reason, created_at";

impl Store {
    /// Records an evaluation of `digest` as `tag` unless the newest one recorded for that tag
    /// came from the same inputs to the same verdict. Returns the new record, or `None` when
    /// nothing changed.
    pub async fn record_evaluation(
        &self,
        account: &str,
        digest: &str,
        tag: &str,
        outcome: &EvaluationOutcome<'_>,
    ) -> Result<Option<EvaluationRecord>> {
        let newest = self.evaluations(account, digest, Some(tag), 1).await?;
        if newest.first().is_some_and(|r| r.same_as(outcome)) {
            return Ok(None);
        }
        let created_at = match newest.first() {
            // Newest first must stay so within one millisecond too.
            Some(last) => now_ms().max(last.created_at + 1),
            None => now_ms(),
        };
        let r = EvaluationRecord {
            id: new_id(),
            account: account.into(),
            digest: digest.into(),
            tag: tag.into(),
            policy_id: outcome.policy_id.into(),
            policy_digest: outcome.policy_digest.into(),
            vulnerability_db: outcome.vulnerability_db.into(),
            final_action: outcome.final_action.into(),
            final_action_reason: outcome.final_action_reason.into(),
            created_at,
        };
        with_pool!(self, p => sqlx::query(
            "INSERT INTO policy_evaluations (id, account, digest, tag, policy_id, policy_digest, vulnerability_db, final_action, final_action_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(&r.id).bind(&r.account).bind(&r.digest).bind(&r.tag).bind(&r.policy_id)
            .bind(&r.policy_digest).bind(&r.vulnerability_db).bind(&r.final_action)
            .bind(&r.final_action_reason).bind(r.created_at)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(Some(r))
    }

    /// The evaluations recorded for an image (as one tag, or as any), newest first.
    pub async fn evaluations(
        &self,
        account: &str,
        digest: &str,
        tag: Option<&str>,
        limit: i64,
    ) -> Result<Vec<EvaluationRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM policy_evaluations WHERE account = $1 AND digest = $2 AND ($3 IS NULL OR tag = $3) ORDER BY created_at DESC, id LIMIT $4"
        );
        with_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(account).bind(digest).bind(tag).bind(limit)
            .fetch_all(p).await?.iter().map(record).collect())
    }

    /// One recorded evaluation of an image, by its id.
    pub async fn evaluation(
        &self,
        account: &str,
        digest: &str,
        id: &str,
    ) -> Result<EvaluationRecord> {
        let sql = format!(
            "SELECT {COLUMNS} FROM policy_evaluations WHERE account = $1 AND digest = $2 AND id = $3"
        );
        let row = with_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(account).bind(digest).bind(id)
            .fetch_optional(p).await?.map(|r| record(&r)).transpose())?;
        row.ok_or_else(|| crate::StoreError::NotFound(format!("evaluation {id} of image {digest}")))
    }

    pub(crate) async fn delete_evaluations(&self, account: &str, digest: &str) -> Result<()> {
        with_pool!(self, p => sqlx::query("DELETE FROM policy_evaluations WHERE account = $1 AND digest = $2")
            .bind(account).bind(digest).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
