//! One suite, run against both back-ends: SQLite in a temporary data directory and PostgreSQL
//! on 127.0.0.1:5432 (a database made for the run and dropped after). In CI a PostgreSQL that
//! does not answer fails the test; elsewhere its half is skipped with a message.

use std::collections::BTreeSet;
use std::time::Duration;

use customs_store::{
    AnalysisStatus, Event, EventFilter, IndexedFinding, IndexedPackage, JobState, Store, StoreError,
};
use serde_json::json;

const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh PostgreSQL database for one test, dropped when the guard goes.
struct PgDatabase {
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create() -> Option<PgDatabase> {
        let admin = match sqlx::PgPool::connect(ADMIN_URL).await {
            Ok(p) => p,
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "PostgreSQL must answer at {ADMIN_URL} in CI (.ci/run starts it): {e}"
                );
                eprintln!("skipping the PostgreSQL half: {e}");
                return None;
            }
        };
        let name = format!("customs_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        Some(PgDatabase {
            url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
            name,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // A runtime of its own: the test's runtime may be shutting down.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(admin) = sqlx::PgPool::connect(ADMIN_URL).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&admin)
                    .await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// Runs `check` against a SQLite store and a PostgreSQL store.
macro_rules! both {
    ($name:ident, $check:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let store = customs_store::Store::open_sqlite(dir.path()).await.unwrap();
                super::$check(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let Some(db) = super::PgDatabase::create().await else {
                    return;
                };
                let store = customs_store::Store::open_postgres(&db.url).await.unwrap();
                super::$check(&store).await;
                store.close().await;
            }
        }
    };
}

both!(accounts_users_and_keys, accounts_users_and_keys_check);
both!(images_and_their_analysis, images_check);
both!(queue_leases_and_retries, queue_check);
both!(queue_fairness_and_dedup, fairness_check);
both!(concurrent_claims_take_each_job_once, concurrency_check);
both!(events_and_policies, events_policies_check);
both!(image_index, index_check);
both!(evaluation_history_and_tag_moves, evaluations_check);

async fn accounts_users_and_keys_check(store: &Store) {
    store
        .create_account("alpha", Some("ops@alpha.example"))
        .await
        .unwrap();
    assert!(matches!(
        store.create_account("alpha", None).await,
        Err(StoreError::Exists(_))
    ));
    store.create_account("beta", None).await.unwrap();
    let names: Vec<String> = store
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, vec!["alpha", "beta"]);
    assert!(matches!(
        store.account("gamma").await,
        Err(StoreError::NotFound(_))
    ));

    store
        .create_user("alpha", "ann", "$argon2id$hash", "read-only")
        .await
        .unwrap();
    assert!(matches!(
        store.create_user("beta", "ann", "x", "read-only").await,
        Err(StoreError::Exists(_))
    ));
    assert!(matches!(
        store.create_user("gamma", "bob", "x", "read-only").await,
        Err(StoreError::NotFound(_))
    ));
    let ann = store.user("ann").await.unwrap();
    assert_eq!(
        (ann.account.as_str(), ann.role.as_str()),
        ("alpha", "read-only")
    );
    store
        .set_password_hash("ann", "$argon2id$other")
        .await
        .unwrap();
    assert_eq!(
        store.user("ann").await.unwrap().password_hash,
        "$argon2id$other"
    );

    let key = store
        .create_api_key("ann", "ci", "hash-1", None)
        .await
        .unwrap();
    store
        .create_api_key("ann", "old", "hash-2", Some(customs_store::now_ms() - 1))
        .await
        .unwrap();
    assert_eq!(
        store.api_key_by_hash("hash-1").await.unwrap().unwrap().id,
        key.id
    );
    assert!(
        store.api_key_by_hash("hash-2").await.unwrap().is_none(),
        "expired"
    );
    assert!(store.api_key_by_hash("nope").await.unwrap().is_none());
    assert_eq!(store.api_keys("ann").await.unwrap().len(), 2);
    store.delete_api_key("ann", &key.id).await.unwrap();
    assert!(store.api_key_by_hash("hash-1").await.unwrap().is_none());
    store.delete_user("ann").await.unwrap();
    assert!(matches!(
        store.user("ann").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.api_keys("ann").await.unwrap().is_empty());
    store.ping().await.unwrap();
}

async fn images_check(store: &Store) {
    store.create_account("alpha", None).await.unwrap();
    store.create_account("beta", None).await.unwrap();
    let digest = "sha256:aaaa";
    let (image, new) = store
        .add_image(
            "alpha",
            digest,
            &["docker.io/library/app:1".into()],
            &json!({"team": "web"}),
        )
        .await
        .unwrap();
    assert!(new);
    assert_eq!(image.status, AnalysisStatus::NotAnalyzed);
    let (image, new) = store
        .add_image(
            "alpha",
            digest,
            &["docker.io/library/app:latest".into()],
            &json!({}),
        )
        .await
        .unwrap();
    assert!(!new, "the same digest is one image");
    assert_eq!(image.tags.len(), 2);
    assert_eq!(image.annotations, json!({"team": "web"}));

    store
        .set_analysis_status("alpha", digest, AnalysisStatus::Analyzing, None)
        .await
        .unwrap();
    store
        .set_analysis_status(
            "alpha",
            digest,
            AnalysisStatus::AnalysisFailed,
            Some("registry down"),
        )
        .await
        .unwrap();
    store
        .set_analysis_status("alpha", digest, AnalysisStatus::Analyzing, None)
        .await
        .unwrap();
    store
        .set_analysis_status("alpha", digest, AnalysisStatus::Analyzed, None)
        .await
        .unwrap();
    let history: Vec<(Option<AnalysisStatus>, AnalysisStatus)> = store
        .analysis_history("alpha", digest)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.from, t.to))
        .collect();
    use AnalysisStatus::*;
    assert_eq!(
        history,
        vec![
            (None, NotAnalyzed),
            (Some(NotAnalyzed), Analyzing),
            (Some(Analyzing), AnalysisFailed),
            (Some(AnalysisFailed), Analyzing),
            (Some(Analyzing), Analyzed),
        ]
    );
    let failed = store.analysis_history("alpha", digest).await.unwrap();
    assert_eq!(failed[2].reason.as_deref(), Some("registry down"));

    // Another account sees none of it, even by digest.
    assert!(matches!(
        store.image("beta", digest).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.images("beta", None, 10, 0).await.unwrap().is_empty());
    store
        .add_image("beta", digest, &[], &json!({}))
        .await
        .unwrap();
    assert_eq!(
        store.image("beta", digest).await.unwrap().status,
        NotAnalyzed
    );

    for i in 0..5 {
        store
            .add_image("alpha", &format!("sha256:b{i}"), &[], &json!({}))
            .await
            .unwrap();
    }
    let page1 = store.images("alpha", None, 4, 0).await.unwrap();
    let page2 = store.images("alpha", None, 4, 4).await.unwrap();
    assert_eq!((page1.len(), page2.len()), (4, 2));
    let all: BTreeSet<String> = page1
        .iter()
        .chain(&page2)
        .map(|i| i.digest.clone())
        .collect();
    assert_eq!(all.len(), 6);
    let analyzed = store.images("alpha", Some(Analyzed), 10, 0).await.unwrap();
    assert_eq!(analyzed.len(), 1);
    assert_eq!(
        store
            .digest_of_tag("alpha", "docker.io/library/app:1")
            .await
            .unwrap()
            .as_deref(),
        Some(digest)
    );
    store.delete_image("alpha", digest).await.unwrap();
    assert!(matches!(
        store.image("alpha", digest).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        store.image("beta", digest).await.is_ok(),
        "beta's copy stays"
    );
}

async fn queue_check(store: &Store) {
    let lease = Duration::from_millis(400);
    let (job, new) = store
        .enqueue("alpha", "analyze", "sha256:1", &json!({"tag": "app:1"}), 2)
        .await
        .unwrap();
    assert!(new);
    assert_eq!(job.state, JobState::Queued);
    let a = store
        .claim("worker-a", lease)
        .await
        .unwrap()
        .expect("a job to claim");
    assert_eq!((a.id.as_str(), a.attempts), (job.id.as_str(), 1));
    assert!(
        store.claim("worker-b", lease).await.unwrap().is_none(),
        "held by a"
    );
    store
        .record_step(&a.id, "worker-a", "pull", "done", None)
        .await
        .unwrap();
    store.heartbeat(&a.id, "worker-a", lease).await.unwrap();

    // Worker a dies: its lease runs out, b takes the job over, and a's late result is refused.
    tokio::time::sleep(lease + Duration::from_millis(150)).await;
    assert_eq!(store.queue_depth().await.unwrap(), 1);
    let b = store
        .claim("worker-b", lease)
        .await
        .unwrap()
        .expect("the expired job");
    assert_eq!((b.id.as_str(), b.attempts), (job.id.as_str(), 2));
    assert!(matches!(
        store.complete(&a.id, "worker-a").await,
        Err(StoreError::LeaseLost(_))
    ));
    assert!(matches!(
        store.heartbeat(&a.id, "worker-a", lease).await,
        Err(StoreError::LeaseLost(_))
    ));
    store
        .record_step(&b.id, "worker-b", "pull", "done", None)
        .await
        .unwrap();
    store.complete(&b.id, "worker-b").await.unwrap();
    let done = store.job(&job.id).await.unwrap();
    assert_eq!(done.state, JobState::Done);
    let steps: Vec<(String, i64)> = done
        .steps
        .iter()
        .map(|s| (s.name.clone(), s.attempt))
        .collect();
    assert_eq!(
        steps,
        vec![("pull".to_string(), 1), ("pull".to_string(), 2)]
    );

    // A failure with attempts left is queued again, with its reason; the last one fails.
    let (job, _) = store
        .enqueue("alpha", "analyze", "sha256:2", &json!({}), 2)
        .await
        .unwrap();
    let c = store.claim("worker-c", lease).await.unwrap().unwrap();
    assert_eq!(
        store
            .fail(&c.id, "worker-c", "registry down", true)
            .await
            .unwrap(),
        JobState::Queued
    );
    assert_eq!(
        store.job(&job.id).await.unwrap().error.as_deref(),
        Some("registry down")
    );
    let c = store.claim("worker-c", lease).await.unwrap().unwrap();
    assert_eq!(
        store
            .fail(&c.id, "worker-c", "registry down again", true)
            .await
            .unwrap(),
        JobState::Failed
    );
    // A job whose worker keeps dying fails once its attempts are used up.
    let (job, _) = store
        .enqueue("alpha", "analyze", "sha256:3", &json!({}), 1)
        .await
        .unwrap();
    store.claim("worker-d", lease).await.unwrap().unwrap();
    tokio::time::sleep(lease + Duration::from_millis(150)).await;
    assert!(store.claim("worker-e", lease).await.unwrap().is_none());
    let gone = store.job(&job.id).await.unwrap();
    assert_eq!(gone.state, JobState::Failed);
    assert!(gone.error.unwrap().contains("lease expired"));
    // A worker shutting down gives its job back without spending an attempt.
    let (job, _) = store
        .enqueue("alpha", "analyze", "sha256:4", &json!({}), 1)
        .await
        .unwrap();
    let f = store.claim("worker-f", lease).await.unwrap().unwrap();
    store.release(&f.id, "worker-f").await.unwrap();
    let back = store.job(&job.id).await.unwrap();
    assert_eq!((back.state, back.attempts), (JobState::Queued, 0));
}

async fn fairness_check(store: &Store) {
    let lease = Duration::from_secs(30);
    for i in 0..3 {
        let (_, new) = store
            .enqueue("big", "analyze", &format!("sha256:big{i}"), &json!({}), 3)
            .await
            .unwrap();
        assert!(new);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // The same image again: one active job.
    let (again, new) = store
        .enqueue("big", "analyze", "sha256:big0", &json!({}), 3)
        .await
        .unwrap();
    assert!(!new);
    assert_eq!(again.subject, "sha256:big0");
    store
        .enqueue("small", "analyze", "sha256:small0", &json!({}), 3)
        .await
        .unwrap();
    assert_eq!(
        store
            .jobs(None, Some(JobState::Queued))
            .await
            .unwrap()
            .len(),
        4
    );
    // big's first job is oldest; then small goes before big's second (big has one running).
    let order: Vec<String> = {
        let mut v = Vec::new();
        for w in 0..4 {
            let j = store.claim(&format!("w{w}"), lease).await.unwrap().unwrap();
            v.push(j.subject);
        }
        v
    };
    assert_eq!(
        order,
        vec!["sha256:big0", "sha256:small0", "sha256:big1", "sha256:big2"]
    );
    // Once done, the same image can be queued again.
    let j = store
        .jobs(Some("big"), Some(JobState::Running))
        .await
        .unwrap();
    let first = j.iter().find(|j| j.subject == "sha256:big0").unwrap();
    store
        .complete(&first.id, first.lease_owner.as_deref().unwrap())
        .await
        .unwrap();
    let (_, new) = store
        .enqueue("big", "analyze", "sha256:big0", &json!({}), 3)
        .await
        .unwrap();
    assert!(new);
}

async fn concurrency_check(store: &Store) {
    for i in 0..40 {
        store
            .enqueue(
                &format!("acct{}", i % 3),
                "analyze",
                &format!("sha256:{i}"),
                &json!({}),
                3,
            )
            .await
            .unwrap();
    }
    let mut handles = Vec::new();
    for w in 0..6 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let worker = format!("worker-{w}");
            while let Some(job) = store.claim(&worker, Duration::from_secs(30)).await.unwrap() {
                store.complete(&job.id, &worker).await.unwrap();
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 40, "every job claimed");
    assert_eq!(distinct.len(), 40, "no job claimed twice");
    assert_eq!(
        store.jobs(None, Some(JobState::Done)).await.unwrap().len(),
        40
    );
}

async fn events_policies_check(store: &Store) {
    store.create_account("alpha", None).await.unwrap();
    let e1 = Event::new(
        "alpha",
        "user.image.analysis.completed",
        "INFO",
        "image",
        "sha256:1",
        json!({"tag": "app:1"}),
    );
    let e2 = Event::new(
        "alpha",
        "user.image.analysis.failed",
        "ERROR",
        "image",
        "sha256:2",
        json!({"reason": "x"}),
    );
    let e3 = Event::new(
        "alpha",
        "system.feeds.sync.completed",
        "INFO",
        "feeds",
        "all",
        json!({}),
    );
    let other = Event::new(
        "beta",
        "user.image.analysis.completed",
        "INFO",
        "image",
        "sha256:1",
        json!({}),
    );
    for e in [&e1, &e2, &e3, &other] {
        store.add_event(e).await.unwrap();
    }
    let types = |events: Vec<Event>| -> Vec<String> {
        let mut v: Vec<String> = events.into_iter().map(|e| e.event_type).collect();
        v.sort();
        v
    };
    let all = store
        .events("alpha", &EventFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3, "beta's event is not alpha's");
    let image_events = store
        .events(
            "alpha",
            &EventFilter {
                type_prefix: Some("user.image.".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        types(image_events),
        vec![
            "user.image.analysis.completed",
            "user.image.analysis.failed"
        ]
    );
    let errors = store
        .events(
            "alpha",
            &EventFilter {
                level: Some("ERROR".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(errors[0].details, json!({"reason": "x"}));
    // A `_` in a prefix is literal, not a wildcard.
    let none = store
        .events(
            "alpha",
            &EventFilter {
                type_prefix: Some("user_image".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(
        store
            .delete_events("alpha", Some(&e1.id), None)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .delete_events("alpha", None, Some(customs_store::now_ms() + 1))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .events("beta", &EventFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );

    store
        .put_policy("alpha", "p1", "First", "{}")
        .await
        .unwrap();
    store
        .put_policy("alpha", "p2", "Second", "{}")
        .await
        .unwrap();
    assert!(store.active_policy("alpha").await.unwrap().is_none());
    store.activate_policy("alpha", "p1").await.unwrap();
    store.activate_policy("alpha", "p2").await.unwrap();
    let active: Vec<String> = store
        .policies("alpha")
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.active)
        .map(|p| p.id)
        .collect();
    assert_eq!(active, vec!["p2"], "one active policy per account");
    store
        .put_policy("alpha", "p2", "Second, renamed", "{\"v\": 2}")
        .await
        .unwrap();
    let p2 = store.policy("alpha", "p2").await.unwrap();
    assert!(p2.active, "an update keeps the activation");
    assert_eq!(p2.name, "Second, renamed");
    assert!(matches!(
        store.activate_policy("alpha", "p9").await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_policy("alpha", "p1").await.unwrap();
    assert_eq!(store.policies("alpha").await.unwrap().len(), 1);

    // Registry credentials, per account; a debug print never shows the password.
    store
        .put_registry("alpha", "registry.example:5000", "ci", "hunter2", false)
        .await
        .unwrap();
    store
        .put_registry("alpha", "registry.example:5000", "ci", "hunter3", true)
        .await
        .unwrap();
    let r = store
        .registry("alpha", "registry.example:5000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((r.password.as_str(), r.insecure), ("hunter3", true));
    assert!(!format!("{r:?}").contains("hunter3"));
    assert!(
        store
            .registry("beta", "registry.example:5000")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.registries("alpha").await.unwrap().len(), 1);
    store
        .delete_registry("alpha", "registry.example:5000")
        .await
        .unwrap();
    assert!(matches!(
        store
            .delete_registry("alpha", "registry.example:5000")
            .await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn migrations_run_once_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(dir.path()).await.unwrap();
    store.create_account("alpha", None).await.unwrap();
    store.close().await;
    // Opening again keeps the data and applies nothing twice.
    let store = Store::open_sqlite(dir.path()).await.unwrap();
    assert_eq!(store.accounts().await.unwrap().len(), 1);
    store.close().await;
    // A store a newer customs migrated is refused, not misread.
    let path = dir.path().join("customs.sqlite");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let e = Store::open_sqlite(dir.path()).await.unwrap_err();
    assert!(
        matches!(e, StoreError::NewerSchema { found: 999, .. }),
        "{e}"
    );
    // A file that is not a database.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("customs.sqlite"),
        b"not a database at all, just text",
    )
    .unwrap();
    let e = Store::open_sqlite(bad.path()).await.unwrap_err();
    assert!(e.to_string().contains("customs.sqlite"), "{e}");
}

#[tokio::test]
async fn a_postgres_that_is_down_is_a_clear_error_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://app:s3cret@127.0.0.1:{port}/customs");
    let e = Store::open_postgres(&url).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with("cannot open the store at postgres://app:***@127.0.0.1"),
        "{text}"
    );
    assert!(!text.contains("s3cret"));
}

fn package(name: &str, version: &str) -> IndexedPackage {
    IndexedPackage {
        name: name.into(),
        version: version.into(),
        package_type: "npm".into(),
        purl: format!("pkg:npm/{name}@{version}"),
    }
}

fn finding(id: &str, aliases: &[&str], name: &str, version: &str) -> IndexedFinding {
    IndexedFinding {
        id: id.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        package_name: name.into(),
        package_version: version.into(),
        package_type: "npm".into(),
        severity: "high".into(),
    }
}

async fn index_check(store: &Store) {
    store.create_account("alpha", None).await.unwrap();
    store.create_account("beta", None).await.unwrap();
    for (account, digest, tag) in [
        ("alpha", "sha256:01", "app:1"),
        ("alpha", "sha256:02", "app:2"),
        ("beta", "sha256:01", "other:1"),
    ] {
        store
            .add_image(account, digest, &[tag.into()], &json!({}))
            .await
            .unwrap();
        store
            .set_analysis_status(account, digest, AnalysisStatus::Analyzed, None)
            .await
            .unwrap();
    }
    // Nothing indexed yet: all three are the backlog.
    assert_eq!(store.unindexed_images(10).await.unwrap().len(), 3);

    // More rows than one INSERT batch holds, to cross the batch boundary.
    let mut many: Vec<IndexedPackage> = (0..1203)
        .map(|i| package(&format!("p{i}"), "1.0.0"))
        .collect();
    many.push(package("minimist", "1.2.5"));
    let findings = vec![
        finding(
            "GHSA-xvch-5gv4-984h",
            &["CVE-2021-44906"],
            "minimist",
            "1.2.5",
        ),
        // An alias repeated and equal to the id: one row each, no duplicate answers.
        finding(
            "CVE-2020-0001",
            &["CVE-2020-0001", "GHSA-aaaa", "GHSA-aaaa"],
            "p1",
            "1.0.0",
        ),
    ];
    store
        .index_image("alpha", "sha256:01", Some(&many), Some(&findings))
        .await
        .unwrap();
    store
        .index_image(
            "alpha",
            "sha256:02",
            Some(&[package("minimist", "1.2.6")]),
            Some(&[]),
        )
        .await
        .unwrap();
    store
        .index_image(
            "beta",
            "sha256:01",
            Some(&[package("minimist", "1.2.5")]),
            Some(&[finding(
                "GHSA-xvch-5gv4-984h",
                &["CVE-2021-44906"],
                "minimist",
                "1.2.5",
            )]),
        )
        .await
        .unwrap();
    assert!(store.unindexed_images(10).await.unwrap().is_empty());

    let found = store
        .images_with_package("alpha", "minimist", None, None)
        .await
        .unwrap();
    let digests: Vec<&str> = found.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        digests,
        ["sha256:01", "sha256:02"],
        "account beta's image must not show"
    );
    let found = store
        .images_with_package("alpha", "minimist", Some("1.2.6"), Some("npm"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, vec![package("minimist", "1.2.6")]);
    assert!(
        store
            .images_with_package("alpha", "minimist", None, Some("apk"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .images_with_package("alpha", "p1200", None, None)
            .await
            .unwrap()
            .len(),
        1
    );

    // By id or by alias, the same finding.
    for id in ["GHSA-xvch-5gv4-984h", "CVE-2021-44906"] {
        let found = store.images_with_vulnerability("alpha", id).await.unwrap();
        assert_eq!(found.len(), 1, "{id}");
        assert_eq!(found[0].0, "sha256:01");
        assert_eq!(found[0].1.len(), 1);
        assert_eq!(found[0].1[0].id, "GHSA-xvch-5gv4-984h");
        assert_eq!(found[0].1[0].package_version, "1.2.5");
    }
    let found = store
        .images_with_vulnerability("alpha", "GHSA-aaaa")
        .await
        .unwrap();
    assert_eq!(found[0].1.len(), 1, "{found:?}");

    // A new report replaces the findings and keeps the packages.
    store
        .index_image("alpha", "sha256:01", None, Some(&[]))
        .await
        .unwrap();
    assert!(
        store
            .images_with_vulnerability("alpha", "CVE-2021-44906")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .images_with_vulnerability("beta", "CVE-2021-44906")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .images_with_package("alpha", "minimist", Some("1.2.5"), None)
            .await
            .unwrap()
            .len(),
        1
    );

    // Tags of many images at once, and deleting an image drops its rows.
    let tags = store
        .tags_of_images("alpha", &["sha256:01", "sha256:02", "sha256:99"])
        .await
        .unwrap();
    assert_eq!(tags["sha256:01"], vec!["app:1".to_string()]);
    assert_eq!(tags["sha256:02"], vec!["app:2".to_string()]);
    assert!(!tags.contains_key("sha256:99"));
    store.delete_image("alpha", "sha256:01").await.unwrap();
    assert!(
        store
            .images_with_package("alpha", "p1200", None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .images_with_package("beta", "minimist", None, None)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn evaluations_check(store: &Store) {
    use customs_store::EvaluationOutcome;
    store.create_account("alpha", None).await.unwrap();
    store.create_account("beta", None).await.unwrap();
    let tag = "registry.example/app:1";
    let outcome = |action: &'static str, db: &'static str| EvaluationOutcome {
        policy_id: "secure",
        policy_digest: "d1",
        vulnerability_db: db,
        final_action: action,
        final_action_reason: "policy_evaluation",
    };
    let first = store
        .record_evaluation("alpha", "sha256:aaaa", tag, &outcome("stop", "db1"))
        .await
        .unwrap()
        .expect("the first evaluation is recorded");
    // The same inputs to the same verdict: nothing new.
    assert!(
        store
            .record_evaluation("alpha", "sha256:aaaa", tag, &outcome("stop", "db1"))
            .await
            .unwrap()
            .is_none()
    );
    // A new database that changes nothing else is still a new input.
    let second = store
        .record_evaluation("alpha", "sha256:aaaa", tag, &outcome("stop", "db2"))
        .await
        .unwrap()
        .unwrap();
    let third = store
        .record_evaluation("alpha", "sha256:aaaa", tag, &outcome("go", "db3"))
        .await
        .unwrap()
        .unwrap();
    store
        .record_evaluation("alpha", "sha256:aaaa", "other:2", &outcome("go", "db3"))
        .await
        .unwrap()
        .unwrap();
    let history = store
        .evaluations("alpha", "sha256:aaaa", Some(tag), 100)
        .await
        .unwrap();
    let ids: Vec<&str> = history.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![third.id.as_str(), &second.id, &first.id],
        "newest first"
    );
    assert_eq!(history[0].final_action, "go");
    assert_eq!(history[2].vulnerability_db, "db1");
    assert_eq!(
        store
            .evaluations("alpha", "sha256:aaaa", None, 100)
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        store
            .evaluations("alpha", "sha256:aaaa", None, 2)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        store
            .evaluations("beta", "sha256:aaaa", None, 100)
            .await
            .unwrap()
            .is_empty(),
        "another account sees none"
    );

    // A tag that moved: the image it pointed at before.
    for digest in ["sha256:aaaa", "sha256:bbbb", "sha256:cccc"] {
        store
            .add_image("alpha", digest, &[tag.to_string()], &json!({}))
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    store
        .add_image("beta", "sha256:dddd", &[tag.to_string()], &json!({}))
        .await
        .unwrap();
    let previous = |digest: &'static str| store.previous_digest_of_tag("alpha", tag, digest);
    assert_eq!(previous("sha256:aaaa").await.unwrap(), None);
    assert_eq!(
        previous("sha256:bbbb").await.unwrap().as_deref(),
        Some("sha256:aaaa")
    );
    assert_eq!(
        previous("sha256:cccc").await.unwrap().as_deref(),
        Some("sha256:bbbb")
    );
    assert_eq!(
        store
            .previous_digest_of_tag("beta", tag, "sha256:dddd")
            .await
            .unwrap(),
        None,
        "tags are per account"
    );

    // Deleting the image deletes its history.
    store.delete_image("alpha", "sha256:aaaa").await.unwrap();
    assert!(
        store
            .evaluations("alpha", "sha256:aaaa", None, 100)
            .await
            .unwrap()
            .is_empty()
    );
}
