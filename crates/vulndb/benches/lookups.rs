//! Times 10,000 random (ecosystem, package, version) lookups against a built database (the
//! candidates of the package, each checked against the version, the advisory read for each hit)
//! and prints the total. usage: cargo bench -p customs-vulndb --bench lookups -- DB_PATH
//! (`scripts/bench-db` builds the database from the shared mirror and runs this).

use std::time::Instant;

use customs_vulndb::Database;

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .expect("usage: lookups DB_PATH");
    let db = Database::open(std::path::Path::new(&path)).expect("the database opens");
    // Sample real keys from the database itself, plus misses, with a deterministic generator.
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    let mut stmt = conn
        .prepare("SELECT DISTINCT ecosystem, package FROM affected")
        .expect("query");
    let keys: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let queries: Vec<(String, String, String)> = (0..10_000)
        .map(|i| {
            let (eco, pkg) = &keys[(next() % keys.len() as u64) as usize];
            let version = format!("{}.{}.{}", next() % 5, next() % 20, next() % 30);
            if i % 10 == 0 {
                (eco.clone(), format!("{pkg}-no-such-package"), version)
            } else {
                (eco.clone(), pkg.clone(), version)
            }
        })
        .collect();
    // The same 10,000 lookups five times: the first pass pays for the pages the process has
    // not touched yet, the later ones show the steady state; both are printed.
    let passes: Vec<Pass> = (0..5).map(|_| lookup_all(&db, &queries)).collect();
    let first = &passes[0];
    let mut totals: Vec<std::time::Duration> = passes.iter().map(|p| p.total).collect();
    totals.sort();
    let median = totals[totals.len() / 2];
    let (lookups, reading, candidates, unreadable, hits) = (
        first.total,
        first.reading,
        first.candidates,
        first.unreadable,
        &first.hits,
    );
    // A finding then needs each hit's advisory (summary, aliases, CVSS).
    let started = Instant::now();
    for c in hits {
        db.advisory(c).expect("advisory");
    }
    let details = started.elapsed();
    println!(
        "10000 lookups ({} distinct keys in the database, 10% misses): {:.1} ms total in the first pass, {:.1} ms the median of 5 passes, {:.1} µs each (target: under 100 ms total)",
        keys.len(),
        lookups.as_secs_f64() * 1000.0,
        median.as_secs_f64() * 1000.0,
        median.as_secs_f64() * 1e6 / 10_000.0
    );
    println!(
        "  first pass: reading the candidates: {:.1} ms; checking the version against their ranges: {:.1} ms",
        reading.as_secs_f64() * 1000.0,
        (lookups - reading).as_secs_f64() * 1000.0
    );
    println!(
        "  {candidates} candidate advisories checked against the drawn version, {} affected it, {unreadable} ranges not in the ecosystem's version syntax",
        hits.len()
    );
    println!(
        "reading the {} affecting advisories (summary, aliases, CVSS) for findings: {:.1} ms",
        hits.len(),
        details.as_secs_f64() * 1000.0
    );
}

/// One pass over the queries.
struct Pass {
    total: std::time::Duration,
    reading: std::time::Duration,
    candidates: usize,
    unreadable: usize,
    hits: Vec<customs_vulndb::Candidate>,
}

/// A lookup: the package's candidate advisories, each checked against the version.
fn lookup_all(db: &Database, queries: &[(String, String, String)]) -> Pass {
    let started = Instant::now();
    let (mut candidates, mut unreadable) = (0usize, 0usize);
    let mut reading = std::time::Duration::ZERO;
    let mut hits = Vec::new();
    for (eco, pkg, version) in queries {
        let Some(scheme) = customs_vulndb::scheme_for(eco) else {
            continue;
        };
        let read_at = Instant::now();
        let found = db.candidates(eco, pkg).expect("lookup");
        reading += read_at.elapsed();
        for c in found {
            candidates += 1;
            match c.affected.affects(scheme, version) {
                Ok(Some(_)) => hits.push(c),
                Ok(None) => {}
                Err(_) => unreadable += 1,
            }
        }
    }
    Pass {
        total: started.elapsed(),
        reading,
        candidates,
        unreadable,
        hits,
    }
}
