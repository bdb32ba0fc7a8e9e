use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};

use crate::feeds::{self, FeedRead};
use crate::model::Advisory;

/// The version of the database layout; a database of another version is rebuilt, not read.
pub const SCHEMA_VERSION: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{path}: {message}")]
    Feed { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("vulnerability database {path}: {message}")]
    Database { path: PathBuf, message: String },
    #[error("{0}")]
    Missing(String),
}

/// One feed as the database records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedStatus {
    pub name: String,
    pub records: u64,
    pub skipped: u64,
    /// The newest date the feed's data carries.
    pub newest: Option<String>,
    /// A few of the skipped records, with why.
    pub skipped_examples: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub schema_version: u32,
    pub built: String,
    pub feeds: Vec<FeedStatus>,
}

const SCHEMA: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE feeds(name TEXT PRIMARY KEY, records INTEGER NOT NULL, skipped INTEGER NOT NULL,
                   newest TEXT, skipped_examples TEXT NOT NULL);
CREATE TABLE advisories(n INTEGER PRIMARY KEY, id TEXT NOT NULL, feed TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE affected(key INTEGER NOT NULL, advisory INTEGER NOT NULL, seq INTEGER NOT NULL,
                      ecosystem TEXT NOT NULL, package TEXT NOT NULL, id TEXT NOT NULL,
                      json TEXT NOT NULL, PRIMARY KEY(key, advisory, seq)) WITHOUT ROWID;
CREATE TABLE aliases(alias TEXT NOT NULL, advisory INTEGER NOT NULL);
CREATE TABLE lookup(key INTEGER PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE kev(cve TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE epss(cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL);
";

const INDEXES: &str = "
CREATE INDEX advisories_id ON advisories(id);
CREATE INDEX affected_advisory ON affected(advisory);
CREATE INDEX affected_package ON affected(package);
CREATE INDEX aliases_key ON aliases(alias);
";

/// The integer a package's rows are filed under: an integer key is searched faster than two
/// strings, and the rows of one package sit together. FNV-1a, which is stable across builds; a
/// collision only puts two packages' rows side by side, and the lookup compares the names.
fn package_key(ecosystem: &str, package: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in ecosystem.bytes().chain([0]).chain(package.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

fn read_file(path: &Path) -> Result<Vec<u8>, DbError> {
    std::fs::read(path).map_err(|source| DbError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn feed_error(path: &Path, message: String) -> DbError {
    DbError::Feed {
        path: path.to_path_buf(),
        message,
    }
}

/// Builds a database from a directory laid out like the upstream locations (`osv/ECO/all.zip`,
/// `alpine-secdb/vX.Y/*.json`, `debian/tracker.json`, `kev/…json`, `epss/…csv.gz`) into `out`.
/// The new database is written beside `out` and moved over it only when complete: a failed build
/// leaves the previous database as it was.
pub fn build_from_mirror(mirror: &Path, out: &Path, now: &str) -> Result<Status, DbError> {
    if !mirror.is_dir() {
        return Err(DbError::Missing(format!(
            "{}: no such directory (expected a mirror of the feeds)",
            mirror.display()
        )));
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let tmp = dir.join(format!(
        ".{}.building-{}",
        out.file_name().and_then(|n| n.to_str()).unwrap_or("vulndb"),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&tmp);
    let result = write_database(mirror, &tmp, now);
    match result {
        Ok(status) => {
            std::fs::rename(&tmp, out).map_err(|source| DbError::Io {
                path: out.to_path_buf(),
                source,
            })?;
            Ok(status)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn db_error(path: &Path) -> impl Fn(rusqlite::Error) -> DbError + '_ {
    move |e| DbError::Database {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn write_database(mirror: &Path, path: &Path, now: &str) -> Result<Status, DbError> {
    let err = db_error(path);
    let mut conn = Connection::open(path).map_err(&err)?;
    conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        .map_err(&err)?;
    conn.execute_batch(SCHEMA).map_err(&err)?;
    let tx = conn.transaction().map_err(&err)?;
    let mut feeds_done = Vec::new();

    // OSV, one archive per ecosystem.
    let osv_dir = mirror.join("osv");
    let mut ecosystems: Vec<PathBuf> = std::fs::read_dir(&osv_dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    ecosystems.sort();
    for eco in ecosystems {
        let zip = eco.join("all.zip");
        if !zip.is_file() {
            continue;
        }
        let name = format!(
            "osv:{}",
            eco.file_name().and_then(|n| n.to_str()).unwrap_or_default()
        );
        let read =
            feeds::osv::read_zip(&name, &read_file(&zip)?).map_err(|m| feed_error(&zip, m))?;
        feeds_done.push(store(&tx, &name, read, path)?);
    }

    // Alpine secdb, every release and repository into one feed.
    let alpine_dir = mirror.join("alpine-secdb");
    if alpine_dir.is_dir() {
        let mut releases: Vec<PathBuf> = std::fs::read_dir(&alpine_dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        releases.sort();
        let mut all = FeedRead::default();
        for release in releases {
            for repo in ["main.json", "community.json"] {
                let file = release.join(repo);
                if !file.is_file() {
                    continue;
                }
                let read =
                    feeds::alpine::read(&read_file(&file)?).map_err(|m| feed_error(&file, m))?;
                all.advisories.extend(read.advisories);
                all.skipped.extend(read.skipped);
            }
        }
        feeds_done.push(store(&tx, "alpine-secdb", all, path)?);
    }

    let tracker = mirror.join("debian/tracker.json");
    if tracker.is_file() {
        let read =
            feeds::debian::read(&read_file(&tracker)?).map_err(|m| feed_error(&tracker, m))?;
        feeds_done.push(store(&tx, "debian-tracker", read, path)?);
    }

    // Advisory repositories, as archives of the repository.
    for (name, file, reader) in [
        (
            "rubysec",
            "rubysec/ruby-advisory-db.tar.gz",
            feeds::rubysec::read as fn(&[u8]) -> Result<FeedRead, String>,
        ),
        (
            "friendsofphp",
            "friendsofphp/security-advisories.tar.gz",
            feeds::friendsofphp::read,
        ),
    ] {
        let file = mirror.join(file);
        if file.is_file() {
            let read = reader(&read_file(&file)?).map_err(|m| feed_error(&file, m))?;
            feeds_done.push(store(&tx, name, read, path)?);
        }
    }

    let kev_file = mirror.join("kev/known_exploited_vulnerabilities.json");
    if kev_file.is_file() {
        let (entries, released) =
            feeds::kev::read(&read_file(&kev_file)?).map_err(|m| feed_error(&kev_file, m))?;
        let mut insert = tx
            .prepare("INSERT OR REPLACE INTO kev(cve, json) VALUES (?1, ?2)")
            .map_err(&err)?;
        for e in &entries {
            let json = serde_json::to_string(e).expect("KEV entries serialise");
            insert.execute(params![e.cve, json]).map_err(&err)?;
        }
        feeds_done.push(FeedStatus {
            name: "kev".into(),
            records: entries.len() as u64,
            skipped: 0,
            newest: released.map(|d| d.chars().take(10).collect()),
            skipped_examples: Vec::new(),
        });
    }

    let epss_file = mirror.join("epss/epss_scores-current.csv.gz");
    if epss_file.is_file() {
        let (rows, date) =
            feeds::epss::read(&read_file(&epss_file)?).map_err(|m| feed_error(&epss_file, m))?;
        let mut insert = tx
            .prepare("INSERT OR REPLACE INTO epss(cve, score, percentile) VALUES (?1, ?2, ?3)")
            .map_err(&err)?;
        for (cve, score, pct) in &rows {
            insert.execute(params![cve, score, pct]).map_err(&err)?;
        }
        feeds_done.push(FeedStatus {
            name: "epss".into(),
            records: rows.len() as u64,
            skipped: 0,
            newest: date,
            skipped_examples: Vec::new(),
        });
    }

    if feeds_done.is_empty() {
        return Err(DbError::Missing(format!(
            "{}: no feed found (expected osv/, alpine-secdb/, debian/, rubysec/, friendsofphp/, kev/ or epss/)",
            mirror.display()
        )));
    }
    for f in &feeds_done {
        tx.execute(
            "INSERT INTO feeds(name, records, skipped, newest, skipped_examples) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                f.name,
                f.records,
                f.skipped,
                f.newest,
                serde_json::to_string(&f.skipped_examples).expect("strings serialise")
            ],
        )
        .map_err(&err)?;
    }
    write_lookup(&tx, path)?;
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('schema_version', ?1), ('built', ?2)",
        params![SCHEMA_VERSION.to_string(), now],
    )
    .map_err(&err)?;
    tx.commit().map_err(&err)?;
    conn.execute_batch(INDEXES).map_err(&err)?;
    conn.execute_batch("ANALYZE;").map_err(&err)?;
    Ok(Status {
        schema_version: SCHEMA_VERSION,
        built: now.to_string(),
        feeds: feeds_done,
    })
}

/// Packs each package key's candidates into one row of `lookup` (see `packed`).
fn write_lookup(tx: &rusqlite::Transaction<'_>, path: &Path) -> Result<(), DbError> {
    let err = db_error(path);
    let mut rows = tx
        .prepare(
            "SELECT key, advisory, id, json FROM affected
             ORDER BY key, ecosystem, package, advisory, seq",
        )
        .map_err(&err)?;
    let mut insert = tx
        .prepare("INSERT INTO lookup(key, record) VALUES (?1, ?2)")
        .map_err(&err)?;
    let mut writer = crate::packed::Writer::default();
    let mut cursor = rows.query([]).map_err(&err)?;
    while let Some(row) = cursor.next().map_err(&err)? {
        let key: i64 = row.get(0).map_err(&err)?;
        let advisory: i64 = row.get(1).map_err(&err)?;
        let id: String = row.get(2).map_err(&err)?;
        let json: String = row.get(3).map_err(&err)?;
        let mut affected: crate::model::Affected =
            serde_json::from_str(&json).expect("entries written by this build read back");
        drop_listed_versions_in_ranges(&mut affected);
        if let Some((key, record)) = writer.add(key, advisory, &id, &affected) {
            insert.execute(params![key, record]).map_err(&err)?;
        }
    }
    if let Some((key, record)) = writer.finish() {
        insert.execute(params![key, record]).map_err(&err)?;
    }
    Ok(())
}

/// OSV records often list every affected version besides the ranges that hold them. A listed
/// version that the ranges already hold adds nothing to a match (an installed version equal to it
/// is in the same range), so the lookup record keeps only the listed versions outside the ranges;
/// the advisory itself keeps them all.
fn drop_listed_versions_in_ranges(affected: &mut crate::model::Affected) {
    if affected.ranges.is_empty() || affected.versions.is_empty() {
        return;
    }
    let Some(scheme) = crate::affects::scheme_for(&affected.ecosystem) else {
        return;
    };
    let ranges_only = crate::model::Affected {
        versions: Vec::new(),
        ..affected.clone()
    };
    affected
        .versions
        .retain(|v| !matches!(ranges_only.affects(scheme, v), Ok(Some(_))));
}

fn store(
    tx: &rusqlite::Transaction<'_>,
    name: &str,
    read: FeedRead,
    path: &Path,
) -> Result<FeedStatus, DbError> {
    let err = db_error(path);
    let mut insert = tx
        .prepare("INSERT INTO advisories(id, feed, json) VALUES (?1, ?2, ?3)")
        .map_err(&err)?;
    let mut affected = tx
        .prepare(
            "INSERT INTO affected(key, advisory, seq, ecosystem, package, id, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(&err)?;
    let mut alias = tx
        .prepare("INSERT INTO aliases(alias, advisory) VALUES (?1, ?2)")
        .map_err(&err)?;
    let records = read.advisories.len() as u64;
    for mut a in read.advisories {
        // The advisory is stored without its affected packages; each of those is a row of its
        // own, so a lookup reads only what concerns the package it asks about.
        let entries = std::mem::take(&mut a.affected);
        let json = serde_json::to_string(&a).expect("advisories serialise");
        insert.execute(params![a.id, name, json]).map_err(&err)?;
        let n = tx.last_insert_rowid();
        for (seq, af) in entries.iter().enumerate() {
            let af_json = serde_json::to_string(af).expect("affected entries serialise");
            affected
                .execute(params![
                    package_key(&af.ecosystem, &af.package),
                    n,
                    seq,
                    af.ecosystem,
                    af.package,
                    a.id,
                    af_json
                ])
                .map_err(&err)?;
        }
        for al in &a.aliases {
            alias.execute(params![al, n]).map_err(&err)?;
        }
    }
    Ok(FeedStatus {
        name: name.to_string(),
        records,
        skipped: read.skipped.len() as u64,
        newest: read.newest,
        skipped_examples: read.skipped.into_iter().take(5).collect(),
    })
}

/// An advisory that names a package, before its versions are checked.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The advisory's row, for [`Database::advisory`].
    advisory: i64,
    pub id: String,
    pub affected: crate::model::Affected,
}

/// An open database, read-only.
pub struct Database {
    conn: Connection,
    path: PathBuf,
}

impl Database {
    pub fn open(path: &Path) -> Result<Self, DbError> {
        if !path.is_file() {
            return Err(DbError::Missing(format!(
                "no vulnerability database at {} (build one with `customs db build --from DIR`)",
                path.display()
            )));
        }
        let err = db_error(path);
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(&err)?;
        // Lookups jump around the file: map it, and keep what was read. A database file is
        // never written in place (builds and imports rename a new file over it), so one shared
        // lock held for the connection's life is enough: without it every query takes and drops
        // a file lock and revalidates the page cache, which is most of a lookup's time.
        conn.execute_batch(
            "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536; PRAGMA locking_mode = EXCLUSIVE;",
        )
        .map_err(&err)?;
        let db = Database {
            conn,
            path: path.to_path_buf(),
        };
        let version: String = db
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| DbError::Database {
                path: path.to_path_buf(),
                message: format!("not a customs vulnerability database ({e})"),
            })?;
        if version != SCHEMA_VERSION.to_string() {
            return Err(DbError::Database {
                path: path.to_path_buf(),
                message: format!(
                    "schema version {version}, this customs reads {SCHEMA_VERSION}: rebuild it"
                ),
            });
        }
        Ok(db)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> DbError + '_ {
        db_error(&self.path)
    }

    /// Whether any advisory is filed under `ecosystem` (`debian:12`, `alpine:3.12`): a
    /// distribution release the feeds do not cover cannot be judged.
    pub fn covers(&self, ecosystem: &str) -> Result<bool, DbError> {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM affected WHERE ecosystem = ?1)",
                [ecosystem],
                |r| r.get(0),
            )
            .map_err(self.err())
    }

    pub fn status(&self) -> Result<Status, DbError> {
        let built: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'built'", [], |r| {
                r.get(0)
            })
            .map_err(self.err())?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, records, skipped, newest, skipped_examples FROM feeds ORDER BY name",
            )
            .map_err(self.err())?;
        let feeds = stmt
            .query_map([], |r| {
                let examples: String = r.get(4)?;
                Ok(FeedStatus {
                    name: r.get(0)?,
                    records: r.get(1)?,
                    skipped: r.get(2)?,
                    newest: r.get(3)?,
                    skipped_examples: serde_json::from_str(&examples).unwrap_or_default(),
                })
            })
            .map_err(self.err())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(Status {
            schema_version: SCHEMA_VERSION,
            built,
            feeds,
        })
    }

    fn corrupt(&self, e: impl std::fmt::Display) -> DbError {
        DbError::Database {
            path: self.path.clone(),
            message: format!("corrupt advisory record: {e}"),
        }
    }

    /// Advisories by row number, each with every package it affects.
    fn whole(&self, rows: &[i64]) -> Result<Vec<Advisory>, DbError> {
        let mut header = self
            .conn
            .prepare_cached("SELECT json FROM advisories WHERE n = ?1")
            .map_err(self.err())?;
        let mut entries = self
            .conn
            .prepare_cached("SELECT json FROM affected WHERE advisory = ?1 ORDER BY seq")
            .map_err(self.err())?;
        let mut out = Vec::new();
        for n in rows {
            let json: String = header.query_row([n], |r| r.get(0)).map_err(self.err())?;
            let mut advisory: Advisory =
                serde_json::from_str(&json).map_err(|e| self.corrupt(e))?;
            let affected = entries
                .query_map([n], |r| r.get::<_, String>(0))
                .map_err(self.err())?
                .collect::<Result<Vec<_>, _>>()
                .map_err(self.err())?;
            for af in affected {
                advisory
                    .affected
                    .push(serde_json::from_str(&af).map_err(|e| self.corrupt(e))?);
            }
            out.push(advisory);
        }
        Ok(out)
    }

    fn row_numbers(&self, sql: &str, arg: &str) -> Result<Vec<i64>, DbError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let rows = stmt
            .query_map([arg], |r| r.get::<_, i64>(0))
            .map_err(self.err())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(rows)
    }

    /// What a matcher needs first: every advisory id that names `package` in `ecosystem`, with
    /// that package's affected entry, decoded from the package's one packed lookup record. The
    /// rest of an advisory is read with [`Database::advisory`] only when a version is affected.
    pub fn candidates(&self, ecosystem: &str, package: &str) -> Result<Vec<Candidate>, DbError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT record FROM lookup WHERE key = ?1")
            .map_err(self.err())?;
        let mut rows = stmt
            .query([package_key(ecosystem, package)])
            .map_err(self.err())?;
        let Some(row) = rows.next().map_err(self.err())? else {
            return Ok(Vec::new());
        };
        let record = row.get_ref(0).map_err(self.err())?;
        let bytes = record
            .as_blob()
            .map_err(|e| self.corrupt(format!("lookup record: {e}")))?;
        let packed = crate::packed::decode(bytes, ecosystem, package).ok_or_else(|| {
            self.corrupt(format!(
                "the lookup record of {ecosystem}/{package} is damaged"
            ))
        })?;
        Ok(packed
            .into_iter()
            .map(|p| Candidate {
                advisory: p.advisory,
                id: p.id,
                affected: p.affected,
            })
            .collect())
    }

    /// An advisory's own fields (id, aliases, summary, severity, CVSS), without its affected
    /// packages.
    pub fn advisory(&self, candidate: &Candidate) -> Result<Advisory, DbError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT json FROM advisories WHERE n = ?1")
            .map_err(self.err())?;
        let json: String = stmt
            .query_row([candidate.advisory], |r| r.get(0))
            .map_err(self.err())?;
        serde_json::from_str(&json).map_err(|e| self.corrupt(e))
    }

    /// Every advisory that names `package` in `ecosystem`, with only that package's affected
    /// entries.
    pub fn lookup(&self, ecosystem: &str, package: &str) -> Result<Vec<Advisory>, DbError> {
        let mut out: Vec<Advisory> = Vec::new();
        for c in self.candidates(ecosystem, package)? {
            let mut advisory = self.advisory(&c)?;
            advisory.affected.push(c.affected);
            out.push(advisory);
        }
        out.sort_by(|a, b| (&a.id, &a.feed).cmp(&(&b.id, &b.feed)));
        Ok(out)
    }

    /// Advisories by id or alias (`CVE-…`, `GHSA-…`), else by package name in any ecosystem.
    pub fn search(&self, query: &str) -> Result<Vec<Advisory>, DbError> {
        let mut rows = self.row_numbers(
            "SELECT n FROM advisories WHERE id = ?1
             UNION SELECT advisory FROM aliases WHERE alias = ?1",
            query,
        )?;
        if rows.is_empty() {
            rows = self.row_numbers(
                "SELECT DISTINCT advisory FROM affected WHERE package = ?1",
                query,
            )?;
        }
        rows.sort_unstable();
        rows.dedup();
        self.whole(&rows)
    }

    pub fn kev(&self, cve: &str) -> Result<Option<crate::KevEntry>, DbError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT json FROM kev WHERE cve = ?1", [cve], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(self.err())?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// EPSS probability and percentile.
    pub fn epss(&self, cve: &str) -> Result<Option<(f64, f64)>, DbError> {
        self.conn
            .query_row(
                "SELECT score, percentile FROM epss WHERE cve = ?1",
                [cve],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(self.err())
    }
}

#[cfg(test)]
mod lookup_tests {
    use crate::model::{Affected, Event, FixState, Range};

    #[test]
    fn listed_versions_inside_the_ranges_are_left_out_of_lookups() {
        let mut affected = Affected {
            ecosystem: "PyPI".into(),
            package: "django".into(),
            state: FixState::Fixed,
            ranges: vec![Range {
                kind: "ECOSYSTEM".into(),
                events: vec![
                    Event::Introduced("2.0".into()),
                    Event::Fixed("2.2.28".into()),
                ],
            }],
            // 1.11.29 is outside the range and must stay; "not a version" cannot be placed.
            versions: vec![
                "2.0".into(),
                "2.2.27".into(),
                "1.11.29".into(),
                "not a version".into(),
            ],
            severity: None,
        };
        super::drop_listed_versions_in_ranges(&mut affected);
        assert_eq!(affected.versions, vec!["1.11.29", "not a version"]);
        let scheme = crate::affects::scheme_for("PyPI").unwrap();
        assert!(affected.affects(scheme, "2.2.27").unwrap().is_some());
        assert!(affected.affects(scheme, "1.11.29").unwrap().is_some());
        assert!(affected.affects(scheme, "1.11.30").unwrap().is_none());
    }
}
