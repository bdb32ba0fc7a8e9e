//! PostgreSQL stopped and started again while the server is under load: requests during the outage fail
//! cleanly (503, the store named as the cause), and the server recovers by itself. Its own
//! test binary, so that no other test is using PostgreSQL while it restarts. Needs root (to
//! restart the cluster) and a local cluster; skipped elsewhere, required in CI.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;

fn cluster() -> Option<(String, String)> {
    let out = Command::new("pg_lsclusters").arg("-h").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some("5432"))?;
    let mut parts = line.split_whitespace();
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

#[test]
fn the_server_rides_out_a_postgres_outage() {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let Some((version, name)) = cluster().filter(|_| is_root) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root with a local PostgreSQL cluster"
        );
        eprintln!("skipping: needs root and a local PostgreSQL cluster on 5432");
        return;
    };
    let db = format!("customs_restart_{}", std::process::id());
    let psql = |sql: &str| {
        Command::new("psql")
            .args([
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                sql,
            ])
            .output()
            .unwrap()
    };
    assert!(psql(&format!("CREATE DATABASE {db}")).status.success());
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_customs"))
        .args(["serve", "--workers", "1", "--data-dir"])
        .arg(data.path())
        .args(["--listen", &format!("127.0.0.1:{port}"), "--database-url"])
        .arg(format!("postgres://postgres@127.0.0.1:5432/{db}"))
        .env("CUSTOMS_ADMIN_PASSWORD", "restart-test")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    while http.get(format!("{base}/health")).send().is_err() {
        assert!(started.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(100));
    }
    // Load: four clients listing images as fast as they can.
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, unavailable, other) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (stop, ok, unavailable, other, base, http) = (
            stop.clone(),
            ok.clone(),
            unavailable.clone(),
            other.clone(),
            base.clone(),
            http.clone(),
        );
        clients.push(std::thread::spawn(move || {
            let mut others = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                match http
                    .get(format!("{base}/v2/images"))
                    .basic_auth("admin", Some("restart-test"))
                    .send()
                {
                    Ok(r) if r.status().is_success() => ok.fetch_add(1, Ordering::SeqCst),
                    Ok(r) if r.status().as_u16() == 503 => {
                        let body = r.text().unwrap_or_default();
                        assert!(body.contains("STORE_UNAVAILABLE"), "{body}");
                        unavailable.fetch_add(1, Ordering::SeqCst)
                    }
                    Ok(r) => {
                        others.push(format!("{} {}", r.status(), r.text().unwrap_or_default()));
                        other.fetch_add(1, Ordering::SeqCst)
                    }
                    Err(e) => {
                        others.push(e.to_string());
                        other.fetch_add(1, Ordering::SeqCst)
                    }
                };
                std::thread::sleep(Duration::from_millis(20));
            }
            others
        }));
    }
    std::thread::sleep(Duration::from_secs(1));
    let before = ok.load(Ordering::SeqCst);
    assert!(before > 0, "the load is running");
    // Down for longer than a request waits for a connection (10 s), then up again.
    let ctl = |action: &str| {
        let status = Command::new("pg_ctlcluster")
            .args([&version, &name, action])
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctlcluster {action}");
    };
    ctl("stop");
    std::thread::sleep(Duration::from_secs(13));
    let health_down = http
        .get(format!("{base}/health"))
        .send()
        .map(|r| r.status().as_u16());
    ctl("start");
    // After the restart the same server answers again, without being restarted itself.
    let started = Instant::now();
    let recovered = loop {
        let r = http
            .get(format!("{base}/v2/images"))
            .basic_auth("admin", Some("restart-test"))
            .send();
        if r.is_ok_and(|r| r.status().is_success()) {
            break true;
        }
        if started.elapsed() > Duration::from_secs(60) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::SeqCst);
    let mut others = Vec::new();
    for c in clients {
        others.extend(c.join().unwrap());
    }
    let alive = server.try_wait().unwrap().is_none();
    let _ = server.kill();
    let _ = server.wait();
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    assert!(
        recovered,
        "the server did not recover after PostgreSQL came back"
    );
    assert_eq!(health_down.ok(), Some(503), "health says the store is down");
    assert!(
        unavailable.load(Ordering::SeqCst) > 0,
        "requests during the outage were refused"
    );
    assert!(alive, "the server process survived the restart");
    assert!(
        ok.load(Ordering::SeqCst) > before,
        "requests succeed again after the restart"
    );
    // Every failure during the outage was a clean 503 naming the store, nothing else.
    assert!(others.is_empty(), "unclean failures: {others:?}");
    eprintln!(
        "{} requests answered, {} refused with 503 during the restart",
        ok.load(Ordering::SeqCst),
        unavailable.load(Ordering::SeqCst)
    );
}
