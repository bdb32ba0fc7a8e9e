//! The work queue, in the same database: a job is claimed with a lease that its worker renews;
//! a job whose worker died is claimed again once the lease has expired (up to its attempt
//! limit); one active job per (account, kind, subject); the account with the fewest running
//! jobs goes first. A worker that lost its lease cannot complete the job, so a result is never
//! recorded twice.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Pool, Result, Store, StoreError, new_id, now_ms, with_pool};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<JobState> {
        Ok(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            other => {
                return Err(StoreError::Corrupt {
                    what: "job state".into(),
                    reason: format!("unknown state {other:?}"),
                });
            }
        })
    }
}

/// One step of a job (`pull`, `analyze`, `match`, `evaluate`), as its worker reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    /// `running`, `done` or `failed`.
    pub state: String,
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The attempt the step belongs to.
    pub attempt: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub account: String,
    pub kind: String,
    /// What the job is about (an image digest).
    pub subject: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub steps: Vec<Step>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, account, kind, subject, payload, state, attempts, max_attempts, lease_owner, lease_until, steps, error, created_at, updated_at";

fn job<R: Row>(r: &R) -> Result<Job>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let corrupt = |what: &str, e: serde_json::Error| StoreError::Corrupt {
        what: what.into(),
        reason: e.to_string(),
    };
    let payload: String = r.try_get("payload")?;
    let steps: String = r.try_get("steps")?;
    let state: String = r.try_get("state")?;
    Ok(Job {
        id: r.try_get("id")?,
        account: r.try_get("account")?,
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        payload: serde_json::from_str(&payload).map_err(|e| corrupt("job payload", e))?,
        state: JobState::parse(&state)?,
        attempts: r.try_get("attempts")?,
        max_attempts: r.try_get("max_attempts")?,
        lease_owner: r.try_get("lease_owner")?,
        lease_until: r.try_get("lease_until")?,
        steps: serde_json::from_str(&steps).map_err(|e| corrupt("job steps", e))?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Queues a job, unless one for the same (account, kind, subject) is queued or running:
    /// then that one is returned, with `false`.
    pub async fn enqueue(
        &self,
        account: &str,
        kind: &str,
        subject: &str,
        payload: &serde_json::Value,
        max_attempts: i64,
    ) -> Result<(Job, bool)> {
        let now = now_ms();
        let id = new_id();
        let sql = format!(
            "INSERT INTO jobs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, NULL, NULL, '[]', NULL, $7, $7) ON CONFLICT DO NOTHING"
        );
        let inserted = with_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&id).bind(account).bind(kind).bind(subject).bind(payload.to_string())
            .bind(max_attempts.max(1)).bind(now).execute(p).await.map(|r| r.rows_affected()))?
            == 1;
        if inserted {
            return Ok((self.job(&id).await?, true));
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE account = $1 AND kind = $2 AND subject = $3 AND state IN ('queued', 'running')"
        );
        let existing = with_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(account).bind(kind).bind(subject).fetch_optional(p).await?
            .map(|r| job(&r)).transpose())?;
        match existing {
            Some(j) => Ok((j, false)),
            // It finished between the two statements: queue it again.
            None => Box::pin(self.enqueue(account, kind, subject, payload, max_attempts)).await,
        }
    }

    pub async fn job(&self, id: &str) -> Result<Job> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let found = with_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await?
            .map(|r| job(&r)).transpose())?;
        found.ok_or_else(|| StoreError::NotFound(format!("job {id}")))
    }

    /// Jobs, oldest first, by account and state.
    pub async fn jobs(&self, account: Option<&str>, state: Option<JobState>) -> Result<Vec<Job>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE ($1 IS NULL OR account = $1) AND ($2 IS NULL OR state = $2) ORDER BY created_at, id"
        );
        with_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(account).bind(state.map(JobState::as_str))
            .fetch_all(p).await?.iter().map(job).collect())
    }

    /// Jobs waiting for a worker (queued, or running on an expired lease).
    pub async fn queue_depth(&self) -> Result<i64> {
        let now = now_ms();
        with_pool!(self, p => Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until < $1)")
            .bind(now).fetch_one(p).await?.try_get::<i64, _>("n")?))
    }

    /// Claims the next job for `worker`, holding it for `lease`. Jobs whose worker's lease
    /// expired are claimed again; one that used up its attempts is marked failed instead.
    pub async fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>> {
        let now = now_ms();
        let until = now + lease.as_millis() as i64;
        with_pool!(self, p => sqlx::query(
            "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_until = NULL, updated_at = $1, \
             error = 'its worker stopped answering on every attempt (lease expired)' \
             WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts")
            .bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        // The account with the fewest jobs running goes first, then the oldest job.
        let select = "SELECT j.id FROM jobs j WHERE j.state = 'queued' OR (j.state = 'running' AND j.lease_until < $1) \
             ORDER BY (SELECT COUNT(*) FROM jobs r WHERE r.account = j.account AND r.state = 'running' AND r.lease_until >= $1), \
             j.created_at, j.id LIMIT 1";
        let take = "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id = $4 AND (state = 'queued' OR (state = 'running' AND lease_until < $3))";
        for _ in 0..20 {
            let claimed: Option<String> = match &self.pool {
                Pool::Postgres(p) => {
                    // Row locks: concurrent claimers skip each other's candidates.
                    let mut tx = p.begin().await?;
                    let id: Option<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "{select} FOR UPDATE OF j SKIP LOCKED"
                    )))
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.get("id"));
                    if let Some(id) = &id {
                        sqlx::query(take)
                            .bind(worker)
                            .bind(until)
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    id
                }
                Pool::Sqlite(p) => {
                    // One writer at a time: the guarded update is the lock.
                    let Some(id) = sqlx::query(select)
                        .bind(now)
                        .fetch_optional(p)
                        .await?
                        .map(|r| r.get::<String, _>("id"))
                    else {
                        return Ok(None);
                    };
                    let taken = sqlx::query(take)
                        .bind(worker)
                        .bind(until)
                        .bind(now)
                        .bind(&id)
                        .execute(p)
                        .await?
                        .rows_affected()
                        == 1;
                    if !taken {
                        continue;
                    }
                    Some(id)
                }
            };
            return match claimed {
                Some(id) => Ok(Some(self.job(&id).await?)),
                None => Ok(None),
            };
        }
        Ok(None)
    }

    /// Renews the lease; fails with `LeaseLost` when another worker has the job now.
    pub async fn heartbeat(&self, id: &str, worker: &str, lease: Duration) -> Result<()> {
        let now = now_ms();
        let r = with_pool!(self, p => sqlx::query(
            "UPDATE jobs SET lease_until = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4 AND state = 'running'")
            .bind(now + lease.as_millis() as i64).bind(now).bind(id).bind(worker).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::LeaseLost(id.into()));
        }
        Ok(())
    }

    /// Records a step of the job (while the worker holds it).
    pub async fn record_step(
        &self,
        id: &str,
        worker: &str,
        name: &str,
        state: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        let job = self.job(id).await?;
        if job.state != JobState::Running || job.lease_owner.as_deref() != Some(worker) {
            return Err(StoreError::LeaseLost(id.into()));
        }
        let mut steps = job.steps;
        steps.push(Step {
            name: name.into(),
            state: state.into(),
            at: now_ms(),
            reason: reason.map(str::to_string),
            attempt: job.attempts,
        });
        let text = serde_json::to_string(&steps).expect("steps serialise");
        let r = with_pool!(self, p => sqlx::query(
            "UPDATE jobs SET steps = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4 AND state = 'running' AND attempts = $5")
            .bind(text).bind(now_ms()).bind(id).bind(worker).bind(job.attempts).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::LeaseLost(id.into()));
        }
        Ok(())
    }

    /// Marks the job done; `LeaseLost` when the worker no longer holds it (its result must
    /// then be dropped: the job's new holder records its own).
    pub async fn complete(&self, id: &str, worker: &str) -> Result<()> {
        let r = with_pool!(self, p => sqlx::query(
            "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, error = NULL, updated_at = $1 \
             WHERE id = $2 AND lease_owner = $3 AND state = 'running'")
            .bind(now_ms()).bind(id).bind(worker).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::LeaseLost(id.into()));
        }
        Ok(())
    }

    /// Records a failed attempt: queued again while attempts remain and `retry` is true, else
    /// failed for good. Returns the job's new state.
    pub async fn fail(
        &self,
        id: &str,
        worker: &str,
        reason: &str,
        retry: bool,
    ) -> Result<JobState> {
        let r = with_pool!(self, p => sqlx::query(
            "UPDATE jobs SET state = CASE WHEN $1 = 1 AND attempts < max_attempts THEN 'queued' ELSE 'failed' END, \
             lease_owner = NULL, lease_until = NULL, error = $2, updated_at = $3 \
             WHERE id = $4 AND lease_owner = $5 AND state = 'running'")
            .bind(i64::from(retry)).bind(reason).bind(now_ms()).bind(id).bind(worker).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::LeaseLost(id.into()));
        }
        Ok(self.job(id).await?.state)
    }

    /// Gives a job back without counting the attempt (a worker shutting down).
    pub async fn release(&self, id: &str, worker: &str) -> Result<()> {
        let r = with_pool!(self, p => sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_until = NULL, updated_at = $1 \
             WHERE id = $2 AND lease_owner = $3 AND state = 'running'")
            .bind(now_ms()).bind(id).bind(worker).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::LeaseLost(id.into()));
        }
        Ok(())
    }
}
