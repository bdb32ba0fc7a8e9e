//! What the customs server keeps: accounts, users and API keys; images with the history of
//! their analysis; the work queue (jobs claimed with leases, retried when a worker dies,
//! de-duplicated, fair between accounts); events; policies. One [`Store`], two back-ends: SQLite
//! in a data directory (the embedded default) and PostgreSQL, with the same migrations and the
//! same behaviour (the test suite runs against both).

mod evaluations;
mod index;
mod migrate;
mod model;
mod queue;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, Row, SqlitePool};

pub use evaluations::{EvaluationOutcome, EvaluationRecord};
pub use index::{IndexedFinding, IndexedPackage};
pub use model::{
    Account, AnalysisStatus, ApiKey, Event, EventFilter, Image, PolicyRecord, RegistryCredential,
    Transition, User,
};
pub use queue::{Job, JobState, Step};

/// The newest schema version this build migrates to.
pub const SCHEMA_VERSION: i64 = migrate::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {location}: {reason}")]
    Open { location: String, reason: String },
    #[error("the store's migration {version} failed: {reason}")]
    Migration { version: i64, reason: String },
    #[error(
        "the store's schema is version {found}, newer than this customs ({known}): upgrade customs"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("store: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("the lease on job {0} was lost (its lease expired and another worker took it)")]
    LeaseLost(String),
    #[error("stored {what} is not valid: {reason}")]
    Corrupt { what: String, reason: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the back-end's pool: the SQL is the same for both, the
/// types sqlx checks it with are not.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            crate::Pool::Sqlite($pool) => $body,
            crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// The store of one server (or of several, on one PostgreSQL database).
#[derive(Clone)]
pub struct Store {
    pool: Pool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.pool {
            Pool::Sqlite(_) => "Store(sqlite)",
            Pool::Postgres(_) => "Store(postgres)",
        })
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl Store {
    /// Opens (creating when needed) the SQLite store `customs.sqlite` in `data_dir`, migrated.
    pub async fn open_sqlite(data_dir: &std::path::Path) -> Result<Store> {
        let path = data_dir.join("customs.sqlite");
        let fail = |reason: String| StoreError::Open {
            location: path.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(data_dir).map_err(|e| fail(e.to_string()))?;
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let store = Store {
            pool: Pool::Sqlite(pool),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// Connects to PostgreSQL (`postgres://user@host:port/db`), migrated.
    pub async fn open_postgres(url: &str) -> Result<Store> {
        let shown = redact_url(url);
        let fail = |reason: String| StoreError::Open {
            location: shown.clone(),
            reason,
        };
        let options: PgConnectOptions =
            url.parse().map_err(|e: sqlx::Error| fail(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let store = Store {
            pool: Pool::Postgres(pool),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Whether the database answers (for health checks).
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        with_pool!(self, p => p.close().await);
    }

    // Accounts, users and API keys.

    pub async fn create_account(&self, name: &str, email: Option<&str>) -> Result<Account> {
        let now = now_ms();
        let result = with_pool!(self, p => sqlx::query(
            "INSERT INTO accounts (name, email, state, created_at) VALUES ($1, $2, 'enabled', $3) ON CONFLICT DO NOTHING")
            .bind(name).bind(email).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        if result == 0 {
            return Err(StoreError::Exists(format!("account {name:?}")));
        }
        Ok(Account {
            name: name.to_string(),
            email: email.map(str::to_string),
            state: "enabled".into(),
            created_at: now,
        })
    }

    pub async fn account(&self, name: &str) -> Result<Account> {
        let row = with_pool!(self, p => sqlx::query(
            "SELECT name, email, state, created_at FROM accounts WHERE name = $1")
            .bind(name).fetch_optional(p).await
            .map(|r| r.map(|r| model::account(&r)).transpose()))??;
        row.ok_or_else(|| StoreError::NotFound(format!("account {name:?}")))
    }

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        with_pool!(self, p => sqlx::query(
            "SELECT name, email, state, created_at FROM accounts ORDER BY name")
            .fetch_all(p).await?.iter().map(model::account).collect())
    }

    pub async fn set_account_state(&self, name: &str, state: &str) -> Result<()> {
        let r = with_pool!(self, p => sqlx::query("UPDATE accounts SET state = $1 WHERE name = $2")
            .bind(state).bind(name).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::NotFound(format!("account {name:?}")));
        }
        Ok(())
    }

    pub async fn create_user(
        &self,
        account: &str,
        username: &str,
        password_hash: &str,
        role: &str,
    ) -> Result<User> {
        self.account(account).await?;
        let now = now_ms();
        let r = with_pool!(self, p => sqlx::query(
            "INSERT INTO users (username, account, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
            .bind(username).bind(account).bind(password_hash).bind(role).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::Exists(format!("user {username:?}")));
        }
        Ok(User {
            username: username.into(),
            account: account.into(),
            password_hash: password_hash.into(),
            role: role.into(),
            created_at: now,
        })
    }

    pub async fn user(&self, username: &str) -> Result<User> {
        let row = with_pool!(self, p => sqlx::query(
            "SELECT username, account, password_hash, role, created_at FROM users WHERE username = $1")
            .bind(username).fetch_optional(p).await
            .map(|r| r.map(|r| model::user(&r)).transpose()))??;
        row.ok_or_else(|| StoreError::NotFound(format!("user {username:?}")))
    }

    pub async fn users(&self, account: &str) -> Result<Vec<User>> {
        with_pool!(self, p => sqlx::query(
            "SELECT username, account, password_hash, role, created_at FROM users WHERE account = $1 ORDER BY username")
            .bind(account).fetch_all(p).await?.iter().map(model::user).collect())
    }

    pub async fn set_password_hash(&self, username: &str, password_hash: &str) -> Result<()> {
        let r = with_pool!(self, p => sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(password_hash).bind(username).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::NotFound(format!("user {username:?}")));
        }
        Ok(())
    }

    pub async fn delete_user(&self, username: &str) -> Result<()> {
        with_pool!(self, p => {
            sqlx::query("DELETE FROM api_keys WHERE username = $1").bind(username).execute(p).await?;
            let r = sqlx::query("DELETE FROM users WHERE username = $1").bind(username).execute(p).await?.rows_affected();
            if r == 0 {
                return Err(StoreError::NotFound(format!("user {username:?}")));
            }
        });
        Ok(())
    }

    /// Stores an API key by the hash of its secret (the secret itself is never stored).
    pub async fn create_api_key(
        &self,
        username: &str,
        name: &str,
        key_hash: &str,
        expires_at: Option<i64>,
    ) -> Result<ApiKey> {
        self.user(username).await?;
        let key = ApiKey {
            id: new_id(),
            username: username.into(),
            name: name.into(),
            key_hash: key_hash.into(),
            created_at: now_ms(),
            expires_at,
        };
        with_pool!(self, p => sqlx::query(
            "INSERT INTO api_keys (id, username, name, key_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&key.id).bind(&key.username).bind(&key.name).bind(&key.key_hash)
            .bind(key.created_at).bind(key.expires_at).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(key)
    }

    /// The key with this hash, when it exists and has not expired.
    pub async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>> {
        let key = with_pool!(self, p => sqlx::query(
            "SELECT id, username, name, key_hash, created_at, expires_at FROM api_keys WHERE key_hash = $1")
            .bind(key_hash).fetch_optional(p).await
            .map(|r| r.map(|r| model::api_key(&r)).transpose()))??;
        let now = now_ms();
        Ok(key.filter(|k| k.expires_at.is_none_or(|e| e > now)))
    }

    pub async fn api_keys(&self, username: &str) -> Result<Vec<ApiKey>> {
        with_pool!(self, p => sqlx::query(
            "SELECT id, username, name, key_hash, created_at, expires_at FROM api_keys WHERE username = $1 ORDER BY created_at")
            .bind(username).fetch_all(p).await?.iter().map(model::api_key).collect())
    }

    pub async fn delete_api_key(&self, username: &str, id: &str) -> Result<()> {
        let r = with_pool!(self, p => sqlx::query("DELETE FROM api_keys WHERE username = $1 AND id = $2")
            .bind(username).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::NotFound(format!("API key {id:?}")));
        }
        Ok(())
    }

    // Images and their analysis.

    /// Adds an image (`not_analyzed`) or returns the one already there; tags are added to it.
    /// Returns the image and whether it was new.
    pub async fn add_image(
        &self,
        account: &str,
        digest: &str,
        tags: &[String],
        annotations: &serde_json::Value,
    ) -> Result<(Image, bool)> {
        let now = now_ms();
        let created = with_pool!(self, p => sqlx::query(
            "INSERT INTO images (account, digest, status, reason, annotations, created_at, updated_at) VALUES ($1, $2, 'not_analyzed', NULL, $3, $4, $4) ON CONFLICT DO NOTHING")
            .bind(account).bind(digest).bind(annotations.to_string()).bind(now).execute(p).await.map(|r| r.rows_affected()))?
            == 1;
        if created {
            self.record_transition(
                account,
                digest,
                None,
                AnalysisStatus::NotAnalyzed,
                None,
                now,
            )
            .await?;
        }
        for tag in tags {
            with_pool!(self, p => sqlx::query(
                "INSERT INTO image_tags (account, tag, digest, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(account).bind(tag).bind(digest).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok((self.image(account, digest).await?, created))
    }

    pub async fn image(&self, account: &str, digest: &str) -> Result<Image> {
        let row = with_pool!(self, p => sqlx::query(
            "SELECT account, digest, status, reason, annotations, created_at, updated_at FROM images WHERE account = $1 AND digest = $2")
            .bind(account).bind(digest).fetch_optional(p).await?
            .map(|r| model::image(&r)).transpose())?;
        let mut image = row.ok_or_else(|| StoreError::NotFound(format!("image {digest}")))?;
        image.tags = self.tags_of(account, digest).await?;
        Ok(image)
    }

    async fn tags_of(&self, account: &str, digest: &str) -> Result<Vec<String>> {
        with_pool!(self, p => Ok(sqlx::query(
            "SELECT tag FROM image_tags WHERE account = $1 AND digest = $2 ORDER BY added_at, tag")
            .bind(account).bind(digest).fetch_all(p).await?
            .iter().map(|r| r.get::<String, _>("tag")).collect()))
    }

    /// The images of an account, newest first, optionally by status; a page of them.
    pub async fn images(
        &self,
        account: &str,
        status: Option<AnalysisStatus>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Image>> {
        let rows = with_pool!(self, p => sqlx::query(
            "SELECT account, digest, status, reason, annotations, created_at, updated_at FROM images WHERE account = $1 AND ($2 IS NULL OR status = $2) ORDER BY created_at DESC, digest LIMIT $3 OFFSET $4")
            .bind(account).bind(status.map(|s| s.as_str())).bind(limit).bind(offset)
            .fetch_all(p).await?.iter().map(model::image).collect::<Result<Vec<_>>>())?;
        self.with_tags(account, rows).await
    }

    /// Fills in the tags of a page of images.
    async fn with_tags(&self, account: &str, mut images: Vec<Image>) -> Result<Vec<Image>> {
        let digests: Vec<&str> = images.iter().map(|i| i.digest.as_str()).collect();
        let mut tags = self.tags_of_images(account, &digests).await?;
        for image in &mut images {
            image.tags = tags.remove(&image.digest).unwrap_or_default();
        }
        Ok(images)
    }

    /// The tags of many images at once (oldest first for each), by digest.
    pub async fn tags_of_images(
        &self,
        account: &str,
        digests: &[&str],
    ) -> Result<std::collections::HashMap<String, Vec<String>>> {
        let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
        for chunk in digests.chunks(500) {
            let rows: Vec<(String, String)> = with_pool!(self, p => {
                let mut query = sqlx::QueryBuilder::new("SELECT digest, tag FROM image_tags WHERE account = ");
                query.push_bind(account).push(" AND digest IN (");
                let mut list = query.separated(", ");
                for digest in chunk {
                    list.push_bind(*digest);
                }
                query.push(") ORDER BY added_at, tag");
                query.build().fetch_all(p).await?.iter()
                    .map(|r| (r.get::<String, _>("digest"), r.get::<String, _>("tag"))).collect()
            });
            for (digest, tag) in rows {
                out.entry(digest).or_default().push(tag);
            }
        }
        Ok(out)
    }

    /// The digest a tag points at now (the one added last).
    pub async fn digest_of_tag(&self, account: &str, tag: &str) -> Result<Option<String>> {
        with_pool!(self, p => Ok(sqlx::query(
            "SELECT digest FROM image_tags WHERE account = $1 AND tag = $2 ORDER BY added_at DESC LIMIT 1")
            .bind(account).bind(tag).fetch_optional(p).await?
            .map(|r| r.get::<String, _>("digest"))))
    }

    /// The digest `tag` pointed at before `digest` took it (for `tag_drift`): the newest
    /// other image the tag was added to no later than to `digest`.
    pub async fn previous_digest_of_tag(
        &self,
        account: &str,
        tag: &str,
        digest: &str,
    ) -> Result<Option<String>> {
        with_pool!(self, p => Ok(sqlx::query(
            "SELECT t.digest FROM image_tags t, image_tags mine WHERE mine.account = $1 AND mine.tag = $2 AND mine.digest = $3 AND t.account = $1 AND t.tag = $2 AND t.digest <> $3 AND t.added_at <= mine.added_at ORDER BY t.added_at DESC, t.digest LIMIT 1")
            .bind(account).bind(tag).bind(digest).fetch_optional(p).await?
            .map(|r| r.get::<String, _>("digest"))))
    }

    pub async fn delete_image(&self, account: &str, digest: &str) -> Result<()> {
        self.delete_index(account, digest).await?;
        self.delete_evaluations(account, digest).await?;
        with_pool!(self, p => {
            sqlx::query("DELETE FROM image_tags WHERE account = $1 AND digest = $2")
                .bind(account).bind(digest).execute(p).await?;
            let r = sqlx::query("DELETE FROM images WHERE account = $1 AND digest = $2")
                .bind(account).bind(digest).execute(p).await?.rows_affected();
            if r == 0 {
                return Err(StoreError::NotFound(format!("image {digest}")));
            }
        });
        Ok(())
    }

    /// Moves an image to `to`, recording the transition (with the reason of a failure).
    pub async fn set_analysis_status(
        &self,
        account: &str,
        digest: &str,
        to: AnalysisStatus,
        reason: Option<&str>,
    ) -> Result<()> {
        let now = now_ms();
        let from = self.image(account, digest).await?.status;
        with_pool!(self, p => sqlx::query(
            "UPDATE images SET status = $1, reason = $2, updated_at = $3 WHERE account = $4 AND digest = $5")
            .bind(to.as_str()).bind(reason).bind(now).bind(account).bind(digest).execute(p).await.map(|r| r.rows_affected()))?;
        self.record_transition(account, digest, Some(from), to, reason, now)
            .await
    }

    async fn record_transition(
        &self,
        account: &str,
        digest: &str,
        from: Option<AnalysisStatus>,
        to: AnalysisStatus,
        reason: Option<&str>,
        at: i64,
    ) -> Result<()> {
        with_pool!(self, p => sqlx::query(
            "INSERT INTO analysis_history (id, account, digest, from_status, to_status, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(new_id()).bind(account).bind(digest).bind(from.map(|f| f.as_str()))
            .bind(to.as_str()).bind(reason).bind(at).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every status an image went through, oldest first.
    pub async fn analysis_history(&self, account: &str, digest: &str) -> Result<Vec<Transition>> {
        with_pool!(self, p => sqlx::query(
            "SELECT from_status, to_status, reason, at FROM analysis_history WHERE account = $1 AND digest = $2 ORDER BY at, id")
            .bind(account).bind(digest).fetch_all(p).await?.iter().map(model::transition).collect())
    }

    // Events.

    pub async fn add_event(&self, event: &Event) -> Result<()> {
        with_pool!(self, p => sqlx::query(
            "INSERT INTO events (id, account, type, level, resource_type, resource_id, details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&event.id).bind(&event.account).bind(&event.event_type).bind(&event.level)
            .bind(&event.resource_type).bind(&event.resource_id).bind(event.details.to_string())
            .bind(event.created_at).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// An account's events, newest first, filtered.
    pub async fn events(&self, account: &str, filter: &EventFilter) -> Result<Vec<Event>> {
        let type_prefix = filter
            .type_prefix
            .as_ref()
            .map(|t| format!("{}%", like_escape(t)));
        with_pool!(self, p => sqlx::query(
            "SELECT id, account, type, level, resource_type, resource_id, details, created_at FROM events \
             WHERE account = $1 AND ($2 IS NULL OR type LIKE $2 ESCAPE '\\') AND ($3 IS NULL OR level = $3) \
             AND ($4 IS NULL OR resource_id = $4) AND ($5 IS NULL OR created_at >= $5) \
             ORDER BY created_at DESC, id LIMIT $6 OFFSET $7")
            .bind(account).bind(type_prefix).bind(filter.level.clone()).bind(filter.resource_id.clone())
            .bind(filter.since).bind(filter.limit.unwrap_or(100)).bind(filter.offset.unwrap_or(0))
            .fetch_all(p).await?.iter().map(model::event).collect())
    }

    /// Deletes one event, or (with `id` None) every event of the account older than `before`.
    pub async fn delete_events(
        &self,
        account: &str,
        id: Option<&str>,
        before: Option<i64>,
    ) -> Result<u64> {
        let r = with_pool!(self, p => sqlx::query(
            "DELETE FROM events WHERE account = $1 AND ($2 IS NULL OR id = $2) AND ($3 IS NULL OR created_at < $3)")
            .bind(account).bind(id).bind(before).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(r)
    }

    // Registry credentials.

    /// Adds or replaces the credentials of a registry host for an account.
    pub async fn put_registry(
        &self,
        account: &str,
        registry: &str,
        username: &str,
        password: &str,
        insecure: bool,
    ) -> Result<()> {
        with_pool!(self, p => sqlx::query(
            "INSERT INTO registries (account, registry, username, password, insecure, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (account, registry) DO UPDATE SET username = excluded.username, password = excluded.password, insecure = excluded.insecure")
            .bind(account).bind(registry).bind(username).bind(password).bind(i64::from(insecure)).bind(now_ms())
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn registries(&self, account: &str) -> Result<Vec<RegistryCredential>> {
        with_pool!(self, p => sqlx::query(
            "SELECT account, registry, username, password, insecure, created_at FROM registries WHERE account = $1 ORDER BY registry")
            .bind(account).fetch_all(p).await?.iter().map(model::registry).collect())
    }

    pub async fn registry(
        &self,
        account: &str,
        registry: &str,
    ) -> Result<Option<RegistryCredential>> {
        with_pool!(self, p => sqlx::query(
            "SELECT account, registry, username, password, insecure, created_at FROM registries WHERE account = $1 AND registry = $2")
            .bind(account).bind(registry).fetch_optional(p).await?
            .map(|r| model::registry(&r)).transpose())
    }

    pub async fn delete_registry(&self, account: &str, registry: &str) -> Result<()> {
        let r = with_pool!(self, p => sqlx::query("DELETE FROM registries WHERE account = $1 AND registry = $2")
            .bind(account).bind(registry).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::NotFound(format!("registry {registry:?}")));
        }
        Ok(())
    }

    // Policies.

    pub async fn put_policy(
        &self,
        account: &str,
        id: &str,
        name: &str,
        document: &str,
    ) -> Result<()> {
        let now = now_ms();
        with_pool!(self, p => sqlx::query(
            "INSERT INTO policies (account, id, name, document, active, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) \
             ON CONFLICT (account, id) DO UPDATE SET name = excluded.name, document = excluded.document, updated_at = excluded.updated_at")
            .bind(account).bind(id).bind(name).bind(document).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn policies(&self, account: &str) -> Result<Vec<PolicyRecord>> {
        with_pool!(self, p => sqlx::query(
            "SELECT account, id, name, document, active, created_at, updated_at FROM policies WHERE account = $1 ORDER BY created_at, id")
            .bind(account).fetch_all(p).await?.iter().map(model::policy).collect())
    }

    pub async fn policy(&self, account: &str, id: &str) -> Result<PolicyRecord> {
        let row = with_pool!(self, p => sqlx::query(
            "SELECT account, id, name, document, active, created_at, updated_at FROM policies WHERE account = $1 AND id = $2")
            .bind(account).bind(id).fetch_optional(p).await?
            .map(|r| model::policy(&r)).transpose())?;
        row.ok_or_else(|| StoreError::NotFound(format!("policy {id:?}")))
    }

    pub async fn active_policy(&self, account: &str) -> Result<Option<PolicyRecord>> {
        with_pool!(self, p => sqlx::query(
            "SELECT account, id, name, document, active, created_at, updated_at FROM policies WHERE account = $1 AND active = 1")
            .bind(account).fetch_optional(p).await?
            .map(|r| model::policy(&r)).transpose())
    }

    /// Makes `id` the account's one active policy, in one transaction.
    pub async fn activate_policy(&self, account: &str, id: &str) -> Result<()> {
        self.policy(account, id).await?;
        with_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE policies SET active = 0 WHERE account = $1 AND active = 1")
                .bind(account).execute(&mut *tx).await?;
            sqlx::query("UPDATE policies SET active = 1 WHERE account = $1 AND id = $2")
                .bind(account).bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn delete_policy(&self, account: &str, id: &str) -> Result<()> {
        let r = with_pool!(self, p => sqlx::query("DELETE FROM policies WHERE account = $1 AND id = $2")
            .bind(account).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        if r == 0 {
            return Err(StoreError::NotFound(format!("policy {id:?}")));
        }
        Ok(())
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`: a password is never
/// printed in an error.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_urls_are_not_shown() {
        assert_eq!(
            super::redact_url("postgres://app:s3cret@db:5432/customs"),
            "postgres://app:***@db:5432/customs"
        );
        assert_eq!(
            super::redact_url("postgres://127.0.0.1/test"),
            "postgres://127.0.0.1/test"
        );
    }
}
