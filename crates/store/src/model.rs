//! The records the store keeps, and how rows of either back-end read into them.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub email: Option<String>,
    /// `enabled` or `disabled`.
    pub state: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub account: String,
    /// An argon2 PHC string; never leaves the server.
    pub password_hash: String,
    pub role: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub username: String,
    pub name: String,
    /// The SHA-256 of the key's secret, hex.
    pub key_hash: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// Where an image is in its analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisStatus {
    NotAnalyzed,
    Analyzing,
    Analyzed,
    AnalysisFailed,
}

impl AnalysisStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisStatus::NotAnalyzed => "not_analyzed",
            AnalysisStatus::Analyzing => "analyzing",
            AnalysisStatus::Analyzed => "analyzed",
            AnalysisStatus::AnalysisFailed => "analysis_failed",
        }
    }
}

impl std::str::FromStr for AnalysisStatus {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "not_analyzed" => AnalysisStatus::NotAnalyzed,
            "analyzing" => AnalysisStatus::Analyzing,
            "analyzed" => AnalysisStatus::Analyzed,
            "analysis_failed" => AnalysisStatus::AnalysisFailed,
            other => return Err(format!("unknown analysis status {other:?}")),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub account: String,
    pub digest: String,
    pub status: AnalysisStatus,
    /// Why the last analysis failed.
    pub reason: Option<String>,
    pub annotations: serde_json::Value,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: Option<AnalysisStatus>,
    pub to: AnalysisStatus,
    pub reason: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub account: String,
    /// `user.image.analysis.completed`, `system.feeds.sync.failed`, ...
    #[serde(rename = "type")]
    pub event_type: String,
    /// `INFO` or `ERROR`.
    pub level: String,
    pub resource_type: String,
    pub resource_id: String,
    pub details: serde_json::Value,
    pub created_at: i64,
}

impl Event {
    pub fn new(
        account: &str,
        event_type: &str,
        level: &str,
        resource_type: &str,
        resource_id: &str,
        details: serde_json::Value,
    ) -> Event {
        Event {
            id: crate::new_id(),
            account: account.into(),
            event_type: event_type.into(),
            level: level.into(),
            resource_type: resource_type.into(),
            resource_id: resource_id.into(),
            details,
            created_at: crate::now_ms(),
        }
    }
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// `user.image.` matches every image event.
    pub type_prefix: Option<String>,
    pub level: Option<String>,
    pub resource_id: Option<String>,
    /// Unix milliseconds.
    pub since: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRecord {
    pub account: String,
    pub id: String,
    pub name: String,
    pub document: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Credentials for one registry host, for one account.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryCredential {
    pub account: String,
    /// `host[:port]`.
    pub registry: String,
    pub username: String,
    pub password: String,
    /// Plain HTTP allowed.
    pub insecure: bool,
    pub created_at: i64,
}

impl std::fmt::Debug for RegistryCredential {
    /// The password stays out of every debug print and log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryCredential")
            .field("account", &self.account)
            .field("registry", &self.registry)
            .field("username", &self.username)
            .field("password", &"***")
            .field("insecure", &self.insecure)
            .finish()
    }
}

fn status(text: &str) -> Result<AnalysisStatus> {
    text.parse().map_err(|reason| StoreError::Corrupt {
        what: "analysis status".into(),
        reason,
    })
}

fn json(text: &str, what: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what: what.into(),
        reason: e.to_string(),
    })
}

// Rows of either back-end: the column types used (TEXT, BIGINT) decode the same way.

pub(crate) fn account<R: Row>(r: &R) -> Result<Account>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Account {
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        state: r.try_get("state")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn user<R: Row>(r: &R) -> Result<User>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(User {
        username: r.try_get("username")?,
        account: r.try_get("account")?,
        password_hash: r.try_get("password_hash")?,
        role: r.try_get("role")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn api_key<R: Row>(r: &R) -> Result<ApiKey>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ApiKey {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        name: r.try_get("name")?,
        key_hash: r.try_get("key_hash")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

pub(crate) fn image<R: Row>(r: &R) -> Result<Image>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let s: String = r.try_get("status")?;
    let a: String = r.try_get("annotations")?;
    Ok(Image {
        account: r.try_get("account")?,
        digest: r.try_get("digest")?,
        status: status(&s)?,
        reason: r.try_get("reason")?,
        annotations: json(&a, "image annotations")?,
        tags: Vec::new(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(crate) fn transition<R: Row>(r: &R) -> Result<Transition>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let from: Option<String> = r.try_get("from_status")?;
    let to: String = r.try_get("to_status")?;
    Ok(Transition {
        from: from.as_deref().map(status).transpose()?,
        to: status(&to)?,
        reason: r.try_get("reason")?,
        at: r.try_get("at")?,
    })
}

pub(crate) fn event<R: Row>(r: &R) -> Result<Event>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let details: String = r.try_get("details")?;
    Ok(Event {
        id: r.try_get("id")?,
        account: r.try_get("account")?,
        event_type: r.try_get("type")?,
        level: r.try_get("level")?,
        resource_type: r.try_get("resource_type")?,
        resource_id: r.try_get("resource_id")?,
        details: json(&details, "event details")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn policy<R: Row>(r: &R) -> Result<PolicyRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let active: i64 = r.try_get("active")?;
    Ok(PolicyRecord {
        account: r.try_get("account")?,
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        document: r.try_get("document")?,
        active: active == 1,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(crate) fn registry<R: Row>(r: &R) -> Result<RegistryCredential>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let insecure: i64 = r.try_get("insecure")?;
    Ok(RegistryCredential {
        account: r.try_get("account")?,
        registry: r.try_get("registry")?,
        username: r.try_get("username")?,
        password: r.try_get("password")?,
        insecure: insecure == 1,
        created_at: r.try_get("created_at")?,
    })
}
