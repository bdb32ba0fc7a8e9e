//! Migrations: SQL files compiled into the binary, applied in order, each in its own
//! transaction, recorded in `schema_migrations`. The same files serve both back-ends. A store
//! migrated by a newer customs is refused rather than misread.

use sqlx::Row;

use crate::{Result, Store, StoreError, now_ms, with_pool};

/// (version, name, SQL), in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "registries",
        include_str!("../migrations/0002_registries.sql"),
    ),
    (
        3,
        "image_index",
        include_str!("../migrations/0003_image_index.sql"),
    ),
    (
        4,
        "policy_evaluations",
        include_str!("../migrations/0004_policy_evaluations.sql"),
    ),
    (
        5,
        "query_indexes",
        include_str!("../migrations/0005_query_indexes.sql"),
    ),
];

/// The newest schema this build knows.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The statements of a migration file: split at `;` line ends, comments dropped.
fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        let line = line.split("--").next().unwrap_or("");
        if line.trim().is_empty() {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(current.trim().trim_end_matches(';').to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

pub(crate) async fn run(store: &Store) -> Result<()> {
    with_pool!(store, p => sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        .execute(p).await.map(|r| r.rows_affected()))?;
    let applied: Vec<i64> = with_pool!(store, p => sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(p).await?.iter().map(|r| r.get::<i64, _>("version")).collect());
    if let Some(newest) = applied.iter().max()
        && *newest > SCHEMA_VERSION
    {
        return Err(StoreError::NewerSchema {
            found: *newest,
            known: SCHEMA_VERSION,
        });
    }
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let fail = |e: sqlx::Error| StoreError::Migration {
            version: *version,
            reason: e.to_string(),
        };
        with_pool!(store, p => {
            let mut tx = p.begin().await.map_err(fail)?;
            for statement in statements(sql) {
                sqlx::query(sqlx::AssertSqlSafe(statement.as_str())).execute(&mut *tx).await.map_err(fail)?;
            }
            // Two servers starting at once: the second one's record conflicts and its
            // transaction rolls back, leaving the first one's work.
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(version).bind(name).bind(now_ms()).execute(&mut *tx).await.map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn statements_split_at_line_ends_and_drop_comments() {
        let s = super::statements(
            "-- a comment\nCREATE TABLE a (x TEXT); -- trailing\n\nCREATE INDEX i ON a (x)\n  WHERE x = 'y';\n",
        );
        assert_eq!(
            s,
            vec![
                "CREATE TABLE a (x TEXT)",
                "CREATE INDEX i ON a (x)\n  WHERE x = 'y'"
            ]
        );
        assert_eq!(super::statements(super::MIGRATIONS[0].2).len(), 14);
        assert_eq!(super::statements(super::MIGRATIONS[1].2).len(), 1);
        assert_eq!(super::statements(super::MIGRATIONS[2].2).len(), 7);
        assert_eq!(super::statements(super::MIGRATIONS[3].2).len(), 2);
        assert_eq!(super::statements(super::MIGRATIONS[4].2).len(), 6);
    }
}
