//! The index of what each analysed image holds (its packages) and what affects it (its
//! findings), so that "which images hold X" and "which images are affected by Y" are index
//! lookups rather than a read of every stored document.

use sqlx::Row;

use crate::{Result, Store, with_pool};

/// A package of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedPackage {
    pub name: String,
    pub version: String,
    pub package_type: String,
    pub purl: String,
}

/// A finding of an image: one vulnerability (by its id and aliases) in one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedFinding {
    pub id: String,
    pub aliases: Vec<String>,
    pub package_name: String,
    pub package_version: String,
    pub package_type: String,
    pub severity: String,
}

/// Rows per INSERT: well under both back-ends' limits on bound parameters (8 columns each).
const BATCH: usize = 500;

impl Store {
    /// Replaces what the index holds for an image: its packages when given, its findings when
    /// given (one is re-derived without the other when only the report changed). The image
    /// is marked indexed. All or nothing.
    pub async fn index_image(
        &self,
        account: &str,
        digest: &str,
        packages: Option<&[IndexedPackage]>,
        findings: Option<&[IndexedFinding]>,
    ) -> Result<()> {
        let identifiers: Option<Vec<(&str, &IndexedFinding)>> = findings.map(|findings| {
            let mut rows = Vec::new();
            for f in findings {
                let mut seen = vec![f.id.as_str()];
                rows.push((f.id.as_str(), f));
                for alias in &f.aliases {
                    if !seen.contains(&alias.as_str()) {
                        seen.push(alias);
                        rows.push((alias.as_str(), f));
                    }
                }
            }
            rows
        });
        with_pool!(self, p => {
            let mut tx = p.begin().await?;
            if let Some(packages) = packages {
                sqlx::query("DELETE FROM image_packages WHERE account = $1 AND digest = $2")
                    .bind(account).bind(digest).execute(&mut *tx).await?;
                for chunk in packages.chunks(BATCH) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO image_packages (account, digest, name, version, type, purl) ");
                    insert.push_values(chunk, |mut row, pkg| {
                        row.push_bind(account).push_bind(digest).push_bind(&pkg.name)
                            .push_bind(&pkg.version).push_bind(&pkg.package_type).push_bind(&pkg.purl);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
            }
            if let Some(rows) = &identifiers {
                sqlx::query("DELETE FROM image_vulnerabilities WHERE account = $1 AND digest = $2")
                    .bind(account).bind(digest).execute(&mut *tx).await?;
                for chunk in rows.chunks(BATCH) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO image_vulnerabilities (account, digest, vulnerability, finding_id, package_name, package_version, package_type, severity) ");
                    insert.push_values(chunk, |mut row, (vulnerability, f)| {
                        row.push_bind(account).push_bind(digest).push_bind(*vulnerability)
                            .push_bind(&f.id).push_bind(&f.package_name).push_bind(&f.package_version)
                            .push_bind(&f.package_type).push_bind(&f.severity);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
            }
            sqlx::query("UPDATE images SET indexed = 1 WHERE account = $1 AND digest = $2")
                .bind(account).bind(digest).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The account's images holding a package by name (optionally of one version and type),
    /// by digest, each with its matching packages.
    pub async fn images_with_package(
        &self,
        account: &str,
        name: &str,
        version: Option<&str>,
        package_type: Option<&str>,
    ) -> Result<Vec<(String, Vec<IndexedPackage>)>> {
        let rows = with_pool!(self, p => sqlx::query(
            "SELECT digest, name, version, type, purl FROM image_packages WHERE account = $1 AND name = $2 AND ($3 IS NULL OR version = $3) AND ($4 IS NULL OR type = $4) ORDER BY digest, version, type, purl")
            .bind(account).bind(name).bind(version).bind(package_type)
            .fetch_all(p).await?.iter().map(|r| (r.get::<String, _>("digest"), IndexedPackage {
                name: r.get("name"),
                version: r.get("version"),
                package_type: r.get("type"),
                purl: r.get("purl"),
            })).collect::<Vec<_>>());
        Ok(group(rows))
    }

    /// The account's images with a finding whose id or alias is `vulnerability`, by digest,
    /// each with those findings (aliases left empty: the query names the vulnerability).
    pub async fn images_with_vulnerability(
        &self,
        account: &str,
        vulnerability: &str,
    ) -> Result<Vec<(String, Vec<IndexedFinding>)>> {
        let rows = with_pool!(self, p => sqlx::query(
            "SELECT DISTINCT digest, finding_id, package_name, package_version, package_type, severity FROM image_vulnerabilities WHERE account = $1 AND vulnerability = $2 ORDER BY digest, package_name, package_version, finding_id")
            .bind(account).bind(vulnerability)
            .fetch_all(p).await?.iter().map(|r| (r.get::<String, _>("digest"), IndexedFinding {
                id: r.get("finding_id"),
                aliases: Vec::new(),
                package_name: r.get("package_name"),
                package_version: r.get("package_version"),
                package_type: r.get("package_type"),
                severity: r.get("severity"),
            })).collect::<Vec<_>>());
        Ok(group(rows))
    }

    /// Analysed images not yet in the index (stored before it existed): (account, digest).
    pub async fn unindexed_images(&self, limit: i64) -> Result<Vec<(String, String)>> {
        with_pool!(self, p => Ok(sqlx::query(
            "SELECT account, digest FROM images WHERE status = 'analyzed' AND indexed = 0 ORDER BY created_at LIMIT $1")
            .bind(limit).fetch_all(p).await?.iter()
            .map(|r| (r.get::<String, _>("account"), r.get::<String, _>("digest"))).collect()))
    }

    pub(crate) async fn delete_index(&self, account: &str, digest: &str) -> Result<()> {
        with_pool!(self, p => {
            sqlx::query("DELETE FROM image_packages WHERE account = $1 AND digest = $2")
                .bind(account).bind(digest).execute(p).await?;
            sqlx::query("DELETE FROM image_vulnerabilities WHERE account = $1 AND digest = $2")
                .bind(account).bind(digest).execute(p).await?;
        });
        Ok(())
    }
}

/// Rows sorted by digest, grouped per digest.
fn group<T>(rows: Vec<(String, T)>) -> Vec<(String, Vec<T>)> {
    let mut out: Vec<(String, Vec<T>)> = Vec::new();
    for (digest, item) in rows {
        match out.last_mut() {
            Some((last, items)) if *last == digest => items.push(item),
            _ => out.push((digest, vec![item])),
        }
    }
    out
}
