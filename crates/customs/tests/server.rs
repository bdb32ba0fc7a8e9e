//! `customs serve` as a client sees it, on SQLite and on PostgreSQL: images added through the
//! API are analysed by the workers; vulnerabilities, content, SBOMs and the policy check come
//! back; every route wants credentials; roles and accounts are kept apart; SIGTERM stops it
//! cleanly.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

const ADMIN_PASSWORD: &str = "admin-test-password";

/// A running server: one this test started (stopped on drop), or one it only talks to.
struct Server {
    child: Option<Child>,
    base: String,
    _data: Option<tempfile::TempDir>,
    /// Where its standard error goes: a file, so that a chatty log never fills a pipe.
    log: Option<std::path::PathBuf>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Server {
    /// `customs serve` on `data`, matching with `db`, with `extra` flags; returns once it
    /// answers.
    fn spawn(data: &std::path::Path, db: &std::path::Path, extra: &[&str]) -> Server {
        Server::spawn_with_env(data, db, extra, &[])
    }

    /// [`Server::spawn`] with more environment variables.
    fn spawn_with_env(
        data: &std::path::Path,
        db: &std::path::Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let port = free_port();
        let log = data.join(format!("server-{port}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_customs"))
            .args(["serve", "--data-dir"])
            .arg(data)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--db"])
            .arg(db)
            .args(extra)
            .env("CUSTOMS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env_remove("CUSTOMS_DATABASE_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("customs serve starts");
        let server = Server {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            _data: None,
            log: Some(log),
        };
        let started = Instant::now();
        loop {
            if let Ok(r) = client().get(server.url("/health")).send()
                && r.status().is_success()
            {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not come up: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A server on a data directory of its own, on SQLite or on `database_url`.
    fn start(database_url: Option<&str>) -> Server {
        let data = tempfile::tempdir().unwrap();
        let extra: Vec<&str> = database_url.map_or(Vec::new(), |u| vec!["--database-url", u]);
        let mut server = Server::spawn(data.path(), shared_db(), &extra);
        server._data = Some(data);
        server
    }

    /// What it wrote on standard error so far.
    fn log(&self) -> String {
        self.log
            .as_ref()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A request as `user`.
fn call(
    server: &Server,
    method: &str,
    path: &str,
    user: (&str, &str),
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = client()
        .request(method.parse().unwrap(), server.url(path))
        .basic_auth(user.0, Some(user.1));
    if let Some(b) = body {
        r = r
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&b).unwrap());
    }
    let resp = r.send().unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

const ADMIN: (&str, &str) = ("admin", ADMIN_PASSWORD);

fn add(server: &Server, user: (&str, &str), image: &str) -> (u16, String) {
    let (status, body) = call(
        server,
        "POST",
        "/v2/images",
        user,
        Some(
            json!({"source": {"tag": {"pullstring": shared_image(image)}}, "annotations": {"team": "web"}}),
        ),
    );
    let digest = body[0]["imageDigest"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (status, digest)
}

fn wait_analyzed(server: &Server, user: (&str, &str), digest: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, image) = call(server, "GET", &format!("/v2/images/{digest}"), user, None);
        assert_eq!(status, 200, "{image}");
        match image["analysis_status"].as_str().unwrap() {
            "analyzed" => return image,
            "analysis_failed" => panic!("analysis failed: {image}"),
            _ => {}
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not analysed in time: {image}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Every operation of the server's own OpenAPI document, with its path parameters filled
/// in: none but the public ones answers without credentials, or with wrong ones.
fn every_operation_wants_credentials(server: &Server) {
    let document: Value = serde_json::from_str(
        &client()
            .get(server.url("/v2/openapi.json"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let mut walked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let concrete = path
                .replace("{digest}", "sha256:00")
                .split('/')
                .map(|seg| if seg.starts_with('{') { "x1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let public = operation["security"] == json!([]);
            let send = |auth: Option<(&str, &str)>| {
                let mut r = client().request(
                    method.to_uppercase().parse().unwrap(),
                    server.url(&concrete),
                );
                if let Some((u, p)) = auth {
                    r = r.basic_auth(u, Some(p));
                }
                if matches!(method.as_str(), "post" | "put") {
                    r = r.header("content-type", "application/json").body("{}");
                }
                r.send().unwrap().status().as_u16()
            };
            if public {
                assert_eq!(send(None), 200, "{method} {path} is public");
                continue;
            }
            assert_eq!(send(None), 401, "{method} {path} without credentials");
            assert_eq!(
                send(Some(("admin", "not-the-password"))),
                401,
                "{method} {path} with a wrong password"
            );
            assert_eq!(
                send(Some(("nobody-at-all", "not-the-password"))),
                401,
                "{method} {path} as a user that does not exist"
            );
            walked += 1;
        }
    }
    assert!(walked >= 44, "only {walked} operations in the document");
}

fn end_to_end(server: &Server) {
    every_operation_wants_credentials(server);

    let (status, lang) = add(server, ADMIN, "lang");
    assert_eq!(status, 201);
    let (status, alpine) = add(server, ADMIN, "alpine-3.12");
    assert_eq!(status, 201);
    // Adding the same image again queues nothing new.
    let (status, again) = add(server, ADMIN, "lang");
    assert_eq!((status, again.as_str()), (200, lang.as_str()));
    let image = wait_analyzed(server, ADMIN, &lang);
    let steps: Vec<&str> = image["analysis_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["to"].as_str().unwrap())
        .collect();
    assert_eq!(steps, vec!["not_analyzed", "analyzing", "analyzed"]);
    assert_eq!(image["annotations"], json!({"team": "web"}));
    wait_analyzed(server, ADMIN, &alpine);

    let (status, vulns) = call(
        server,
        "GET",
        &format!("/v2/images/{lang}/vuln/non-os"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200);
    let ids: Vec<String> = vulns["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{}+{}",
                v["vuln"].as_str().unwrap(),
                v["package_name"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        ids.contains(&"CVE-2021-44906+minimist".to_string()),
        "{ids:?}"
    );
    let (_, os) = call(
        server,
        "GET",
        &format!("/v2/images/{alpine}/vuln/os"),
        ADMIN,
        None,
    );
    assert!(
        os["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vuln"] == "CVE-2022-37434" && v["package_name"] == "zlib")
    );

    let (status, content) = call(
        server,
        "GET",
        &format!("/v2/images/{lang}/content/python"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200);
    assert!(
        content["content"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["package"] == "Django" && p["version"] == "2.2")
    );
    let (status, sbom) = call(
        server,
        "GET",
        &format!("/v2/images/{lang}/sboms/cyclonedx-json"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    assert!(sbom["components"].as_array().unwrap().len() > 150);

    let (status, check) = call(
        server,
        "GET",
        &format!("/v2/images/{alpine}/check?tag=alpine-3.12"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200, "{check}");
    assert_eq!(
        check["evaluations"][0]["final_action"], "stop",
        "the secure pack by default"
    );
    let (status, _) = call(
        server,
        "GET",
        &format!("/v2/images/{alpine}/check?tag=other:1"),
        ADMIN,
        None,
    );
    assert_eq!(status, 400);

    let (_, events) = call(
        server,
        "GET",
        "/v2/events?event_type=user.image.analysis",
        ADMIN,
        None,
    );
    let completed = events["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "user.image.analysis.completed")
        .count();
    assert_eq!(completed, 2);

    // Queries across the account's images.
    let (_, by_vuln) = call(
        server,
        "GET",
        "/v2/query/images/by-vulnerability?vulnerability_id=CVE-2022-37434",
        ADMIN,
        None,
    );
    let found: Vec<&str> = by_vuln["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["imageDigest"].as_str().unwrap())
        .collect();
    assert_eq!(found, vec![alpine.as_str()], "{by_vuln}");
    let (_, by_alias) = call(
        server,
        "GET",
        "/v2/query/images/by-vulnerability?vulnerability_id=GHSA-xvch-5gv4-984h",
        ADMIN,
        None,
    );
    let found: Vec<&str> = by_alias["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["imageDigest"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        vec![lang.as_str()],
        "minimist's GHSA, by alias: {by_alias}"
    );
    let (_, by_package) = call(
        server,
        "GET",
        "/v2/query/images/by-package?name=lodash",
        ADMIN,
        None,
    );
    let mut found: Vec<String> = by_package["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["imageDigest"].as_str().unwrap(),
                i["packages"][0]["version"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![format!("{alpine} 4.17.21"), format!("{lang} 4.17.15")];
    expected.sort();
    assert_eq!(found, expected);

    // A policy of the account's own, activated, decides the check.
    let policy = json!({"id": "allow-all", "name": "Allow all", "version": "2",
        "rule_sets": [{"id": "rs", "name": "rs", "version": "2", "rules": []}],
        "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"}, "rule_set_ids": ["rs"], "allowlist_ids": []}]});
    assert_eq!(
        call(server, "POST", "/v2/policies", ADMIN, Some(policy)).0,
        201
    );
    assert_eq!(
        call(
            server,
            "PUT",
            "/v2/policies/allow-all?active=true",
            ADMIN,
            None
        )
        .0,
        200
    );
    let (_, check) = call(
        server,
        "GET",
        &format!("/v2/images/{alpine}/check?tag=alpine-3.12"),
        ADMIN,
        None,
    );
    assert_eq!(check["evaluations"][0]["final_action"], "go");
    assert_eq!(
        call(server, "DELETE", "/v2/policies/allow-all", ADMIN, None).0,
        409,
        "active"
    );
    let (status, invalid) = call(
        server,
        "POST",
        "/v2/policies",
        ADMIN,
        Some(json!({"version": "2", "rule_sets": [{"rules": [{"gate": "nope"}]}]})),
    );
    assert_eq!(status, 400);
    assert!(
        invalid["message"].as_str().unwrap().contains("problems"),
        "{invalid}"
    );

    // Roles and accounts.
    assert_eq!(
        call(
            server,
            "POST",
            "/v2/accounts",
            ADMIN,
            Some(json!({"name": "team-b"}))
        )
        .0,
        201
    );
    let user =
        |name: &str, role: &str| json!({"username": name, "password": "password-1", "role": role});
    assert_eq!(
        call(
            server,
            "POST",
            "/v2/accounts/admin/users",
            ADMIN,
            Some(user("reader", "read-only"))
        )
        .0,
        201
    );
    assert_eq!(
        call(
            server,
            "POST",
            "/v2/accounts/team-b/users",
            ADMIN,
            Some(user("bob", "full-control"))
        )
        .0,
        201
    );
    let reader = ("reader", "password-1");
    assert_eq!(
        call(server, "GET", &format!("/v2/images/{lang}"), reader, None).0,
        200
    );
    assert_eq!(
        add(server, reader, "debian-base").0,
        403,
        "read-only cannot add"
    );
    assert_eq!(
        call(
            server,
            "POST",
            "/v2/accounts",
            reader,
            Some(json!({"name": "x1"}))
        )
        .0,
        403
    );
    let bob = ("bob", "password-1");
    assert_eq!(
        call(server, "GET", &format!("/v2/images/{lang}"), bob, None).0,
        404,
        "another account's image"
    );
    assert_eq!(
        call(
            server,
            "GET",
            &format!("/v2/images/{lang}/vuln/all"),
            bob,
            None
        )
        .0,
        404
    );
    let (_, list) = call(server, "GET", "/v2/images", bob, None);
    assert!(list["images"].as_array().unwrap().is_empty());
    assert_eq!(
        call(
            server,
            "POST",
            "/v2/accounts",
            bob,
            Some(json!({"name": "x2"}))
        )
        .0,
        403,
        "not the admin account"
    );

    // An API key works as a bearer token and in X-Api-Key; its secret is shown once.
    let (status, key) = call(
        server,
        "POST",
        "/v2/user/api-keys",
        bob,
        Some(json!({"name": "ci"})),
    );
    assert_eq!(status, 201);
    let secret = key["key"].as_str().unwrap();
    let bearer = client()
        .get(server.url("/v2/images"))
        .bearer_auth(secret)
        .send()
        .unwrap();
    assert_eq!(bearer.status().as_u16(), 200);
    let header = client()
        .get(server.url("/v2/images"))
        .header("x-api-key", secret)
        .send()
        .unwrap();
    assert_eq!(header.status().as_u16(), 200);
    let wrong = client()
        .get(server.url("/v2/images"))
        .bearer_auth("cus_not-a-key")
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);

    // The stateless scan: an SBOM in, vulnerabilities out, nothing stored.
    let (_, sbom) = call(
        server,
        "GET",
        &format!("/v2/images/{lang}/sboms/native-json"),
        ADMIN,
        None,
    );
    let (status, scanned) = call(server, "POST", "/v2/scan", bob, Some(sbom));
    assert_eq!(status, 200);
    assert!(
        scanned["vulnerabilities"]["findings"]
            .as_array()
            .unwrap()
            .len()
            > 100
    );
    assert_eq!(
        call(server, "GET", "/v2/images", bob, None).1["images"],
        json!([])
    );

    // Metrics for Prometheus (admin only): the analyses and the API's requests by route.
    let (status, _) = call(server, "GET", "/metrics", bob, None);
    assert_eq!(status, 403);
    let (status, metrics) = call(server, "GET", "/metrics", ADMIN, None);
    assert_eq!(status, 200);
    let metrics = metrics.as_str().unwrap().to_string();
    assert!(
        metrics.contains("customs_analyses_total{outcome=\"completed\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains("customs_queue_depth 0"), "{metrics}");
    assert!(
        metrics.contains("route=\"/v2/images/{digest}\",status=\"200\""),
        "{metrics}"
    );

    // Bad input gets a clear answer.
    let (status, body) = call(
        server,
        "POST",
        "/v2/images",
        ADMIN,
        Some(json!({"source": {"tag": {"pullstring": "registry:127.0.0.1:1/nothing:1"}}})),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("cannot read"),
        "{body}"
    );
    assert_eq!(
        call(server, "GET", "/v2/images/not-a-digest", ADMIN, None).0,
        400
    );
    let (status, _) = call(
        server,
        "DELETE",
        &format!("/v2/images/{alpine}"),
        ADMIN,
        None,
    );
    assert_eq!(status, 204);
    assert_eq!(
        call(server, "GET", &format!("/v2/images/{alpine}"), ADMIN, None).0,
        404
    );
}

#[test]
fn end_to_end_on_sqlite() {
    let mut server = Server::start(None);
    end_to_end(&server);
    // SIGTERM: the server stops cleanly.
    let child = server.child.as_mut().unwrap();
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status:?}");
    let err = server.log();
    assert!(err.contains("stopping"), "{err}");
    // Not a terminal: one JSON object per line, requests with their route pattern and status.
    let lines: Vec<Value> = err
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}"))
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["route"] == "/v2/images/{digest}" && l["fields"]["status"] == 200),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "analysis completed"),
        "{err}"
    );
    assert!(
        !err.contains(ADMIN_PASSWORD),
        "the admin password is never printed"
    );
}

#[test]
fn end_to_end_on_postgres() {
    let admin_url = "postgres://postgres@127.0.0.1:5432/postgres";
    let name = format!("customs_server_test_{}", std::process::id());
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
    };
    match psql(&format!("CREATE DATABASE {name}")) {
        Ok(o) if o.status.success() => {}
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL must answer at {admin_url} in CI: {other:?}"
            );
            eprintln!("skipping: PostgreSQL is not reachable ({other:?})");
            return;
        }
    }
    {
        let server = Server::start(Some(&format!("postgres://postgres@127.0.0.1:5432/{name}")));
        end_to_end(&server);
    }
    let _ = psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

/// `customs serve` on `data` with `args`, which must refuse to start (exit 2); what it said.
fn serve_refused(data: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_customs"))
        .args(["serve", "--data-dir"])
        .arg(data)
        .args(args)
        .envs(env.iter().copied())
        .env("CUSTOMS_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_store_that_cannot_be_reached_is_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("postgres://app:s3cret@127.0.0.1:{port}/customs");
    let err = serve_refused(
        data.path(),
        &["--listen", "127.0.0.1:0", "--database-url", &url],
        &[],
    );
    assert!(
        err.contains("cannot open the store at postgres://app:***@"),
        "{err}"
    );
    assert!(!err.contains("s3cret"));
}

/// `customs` as the client of a server, with the environment a pipeline sets.
fn cli(server: &Server, user: (&str, &str)) -> Command {
    let mut c = customs();
    c.env("CUSTOMS_URL", &server.base)
        .env("CUSTOMS_USERNAME", user.0)
        .env("CUSTOMS_PASSWORD", user.1)
        .env_remove("CUSTOMS_API_KEY");
    c
}

#[test]
fn a_pipeline_gates_with_two_calls_on_images_from_a_registry() {
    if !require_tool("docker-registry") || !require_tool("skopeo") {
        return;
    }
    let registry = start_registry();
    for image in ["debian-base", "lang", "alpine-3.12"] {
        sh(&format!(
            "skopeo copy -q --dest-tls-verify=false oci:{}:{image} docker://{}/team/{image}:1",
            shared_layout().display(),
            registry.address
        ));
    }
    let server = Server::start(None);
    for image in ["debian-base", "lang", "alpine-3.12"] {
        let out = run(cli(&server, ADMIN).args([
            "image",
            "add",
            &format!("registry:{}/team/{image}:1", registry.address),
            "--wait",
        ]));
        assert!(out.status.success(), "{image}: {}", stderr(&out));
        let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(shown["analysis_status"], "analyzed");
    }
    let alpine = format!("{}/team/alpine-3.12:1", registry.address);
    // Call two: the secure pack stops alpine 3.12 (exit 1), and says why with --detail.
    let out =
        run(cli(&server, ADMIN).args(["image", "check", &alpine, "--fail-on-stop", "--detail"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("STOP") && text.contains("CVE-2022-37434"),
        "{text}"
    );
    let out = run(cli(&server, ADMIN).args(["image", "vulns", &alpine, "--type", "os"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CVE-2022-37434"));
    let out = run(cli(&server, ADMIN).args([
        "image",
        "content",
        &format!("{}/team/lang:1", registry.address),
        "npm",
    ]));
    let content: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        content["content"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["package"] == "minimist")
    );
    let out = run(cli(&server, ADMIN).args(["image", "sbom", &alpine, "-o", "spdx-json"]));
    let spdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    let out = run(cli(&server, ADMIN).args(["image", "list"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);

    // A policy that lets everything pass, uploaded and activated with the CLI.
    let policy = scratch().join("allow.json");
    std::fs::write(&policy, r#"{"id": "allow", "name": "Allow", "version": "2",
        "rule_sets": [{"id": "rs", "name": "rs", "version": "2", "rules": []}],
        "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"}, "rule_set_ids": ["rs"], "allowlist_ids": []}]}"#).unwrap();
    assert!(
        run(cli(&server, ADMIN).args(["policy", "add"]).arg(&policy))
            .status
            .success()
    );
    assert!(
        run(cli(&server, ADMIN).args(["policy", "activate", "allow"]))
            .status
            .success()
    );
    let out = run(cli(&server, ADMIN).args(["image", "check", &alpine, "--fail-on-stop"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out =
        run(cli(&server, ADMIN).args(["event", "list", "--type", "user.image.analysis.completed"]));
    let events: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 3);
    assert!(
        run(cli(&server, ADMIN).args(["system", "status"]))
            .status
            .success()
    );
    // Administration from the CLI: an account, a read-only user (password on stdin), a key.
    assert!(
        run(cli(&server, ADMIN).args(["account", "add", "qa"]))
            .status
            .success()
    );
    let mut add_user = cli(&server, ADMIN);
    add_user.args([
        "user",
        "add",
        "quinn",
        "--to-account",
        "qa",
        "--role",
        "read-only",
    ]);
    let out = run_with_input(&mut add_user, b"quinn-password\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(cli(&server, ("quinn", "quinn-password")).args(["user", "api-key", "ci"]));
    let key: Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = run(customs()
        .env("CUSTOMS_URL", &server.base)
        .env("CUSTOMS_API_KEY", key["key"].as_str().unwrap())
        .env_remove("CUSTOMS_USERNAME")
        .args(["image", "list"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "qa has no images");
    let out = run(customs()
        .env("CUSTOMS_URL", &server.base)
        .env("CUSTOMS_API_KEY", key["key"].as_str().unwrap())
        .args([
            "image",
            "add",
            &format!("registry:{}/team/lang:1", registry.address),
        ]));
    assert_eq!(out.status.code(), Some(2), "read-only");
    assert!(stderr(&out).contains("403"), "{}", stderr(&out));

    // Wrong credentials, a server that is not there, an image the registry does not have.
    let out = run(cli(&server, ("admin", "wrong-password")).args(["image", "list"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
    let out = run(customs()
        .env("CUSTOMS_URL", format!("http://127.0.0.1:{}", free_port()))
        .env("CUSTOMS_USERNAME", "admin")
        .env("CUSTOMS_PASSWORD", "x")
        .args(["image", "list"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot reach the server"),
        "{}",
        stderr(&out)
    );
    let out = run(cli(&server, ADMIN).args([
        "image",
        "add",
        &format!("registry:{}/team/missing:1", registry.address),
        "--wait",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}

/// A copy of the shared mirror (links) whose PyPI archive has one more advisory: Django
/// before 2.2.99, which only `lang` has.
fn mirror_with_one_more_advisory() -> std::path::PathBuf {
    let mirror = scratch().join("mirror-plus-one");
    let feeds = shared().join("feeds");
    std::fs::create_dir_all(mirror.join("osv/PyPI")).unwrap();
    let link_all_but = |from: &std::path::Path, to: &std::path::Path, except: &str| {
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            if entry.file_name() != except {
                std::os::unix::fs::symlink(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    };
    link_all_but(&feeds, &mirror, "osv");
    link_all_but(&feeds.join("osv"), &mirror.join("osv"), "PyPI");
    // The upstream archive (copied writable), with one entry added.
    let zip_path = mirror.join("osv/PyPI/all.zip");
    std::fs::write(
        &zip_path,
        std::fs::read(feeds.join("osv/PyPI/all.zip")).unwrap(),
    )
    .unwrap();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&zip_path)
        .unwrap();
    let mut archive = zip::ZipWriter::new_append(file).unwrap();
    use std::io::Write;
    archive
        .start_file(
            "CUSTOMS-TEST-2026-0001.json",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    archive
        .write_all(
            json!({
                "schema_version": "1.6.0",
                "id": "CUSTOMS-TEST-2026-0001",
                "modified": "2026-12-01T00:00:00Z",
                "published": "2026-12-01T00:00:00Z",
                "summary": "A test advisory: Django before 2.2.99",
                "affected": [{"package": {"ecosystem": "PyPI", "name": "django"},
                              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.2.99"}]}]}]
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap();
    archive.finish().unwrap();
    mirror
}

#[test]
fn a_database_update_re_evaluates_exactly_the_affected_images() {
    let db = scratch().join("reassess.sqlite");
    std::fs::copy(shared_db(), &db).unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = Server::spawn(data.path(), &db, &["--feed-check-seconds", "3600"]);
    let mut digests = std::collections::BTreeMap::new();
    for image in ["debian-base", "lang", "alpine-3.12"] {
        let (_, digest) = add(&server, ADMIN, image);
        digests.insert(image, digest);
    }
    for digest in digests.values() {
        wait_analyzed(&server, ADMIN, digest);
    }
    let (_, before) = call(
        &server,
        "GET",
        &format!("/v2/images/{}/vuln/all", digests["lang"]),
        ADMIN,
        None,
    );

    // The new database replaces the old file, as `db build` and `db import` do.
    let out = run(customs()
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["db", "build", "--from"])
        .arg(mirror_with_one_more_advisory())
        .arg("--db")
        .arg(&db));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        call(&server, "POST", "/v2/system/feeds", ADMIN, None).0,
        202
    );
    let started = Instant::now();
    loop {
        let (_, events) = call(
            &server,
            "GET",
            "/v2/events?event_type=system.feeds.sync.completed",
            ADMIN,
            None,
        );
        if let Some(e) = events["results"].as_array().unwrap().first() {
            assert_eq!(e["details"]["images_checked"], 3);
            assert_eq!(e["details"]["images_changed"], 1);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no re-evaluation"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let (_, events) = call(
        &server,
        "GET",
        "/v2/events?event_type=user.checks.tag.vulnerabilities.update",
        ADMIN,
        None,
    );
    let updates = events["results"].as_array().unwrap();
    assert_eq!(updates.len(), 1, "{updates:#?}");
    assert_eq!(
        updates[0]["resource_id"].as_str(),
        Some(digests["lang"].as_str())
    );
    assert_eq!(
        updates[0]["details"]["added"],
        json!(["CUSTOMS-TEST-2026-0001+Django@2.2"])
    );
    assert_eq!(updates[0]["details"]["removed"], json!([]));
    // The stored report has it now, without a new analysis.
    let (_, after) = call(
        &server,
        "GET",
        &format!("/v2/images/{}/vuln/non-os", digests["lang"]),
        ADMIN,
        None,
    );
    assert!(
        after["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vuln"] == "CUSTOMS-TEST-2026-0001")
    );
    assert!(
        !before["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vuln"] == "CUSTOMS-TEST-2026-0001")
    );
    let (_, lang) = call(
        &server,
        "GET",
        &format!("/v2/images/{}", digests["lang"]),
        ADMIN,
        None,
    );
    assert_eq!(
        lang["analysis_history"].as_array().unwrap().len(),
        3,
        "not analysed again"
    );
}

/// A server process on `data` (SQLite), one worker, two-second leases.
fn start_on(data: &std::path::Path) -> Server {
    Server::spawn(
        data,
        shared_db(),
        &["--workers", "1", "--lease-seconds", "2"],
    )
}

#[test]
fn a_worker_killed_mid_analysis_is_taken_over_and_nothing_is_duplicated() {
    let data = tempfile::tempdir().unwrap();
    let mut server = start_on(data.path());
    let mut digests = Vec::new();
    for image in ["lang", "debian-base", "alpine-3.12"] {
        digests.push(add(&server, ADMIN, image).1);
    }
    // SIGKILL the moment an analysis is under way.
    let started = Instant::now();
    let victim = loop {
        let analyzing = digests.iter().find(|d| {
            call(&server, "GET", &format!("/v2/images/{d}"), ADMIN, None).1["analysis_status"]
                == "analyzing"
        });
        if let Some(d) = analyzing {
            let first = server.child.as_mut().unwrap();
            first.kill().unwrap();
            first.wait().unwrap();
            break d.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no analysis started"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // Another server process on the same store takes the job over once the lease runs out.
    let server = start_on(data.path());
    for d in &digests {
        wait_analyzed(&server, ADMIN, d);
    }
    let (_, image) = call(&server, "GET", &format!("/v2/images/{victim}"), ADMIN, None);
    let analyzing = image["analysis_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["to"] == "analyzing")
        .count();
    assert_eq!(analyzing, 2, "analysed again after the kill: {image}");
    let (_, events) = call(
        &server,
        "GET",
        "/v2/events?event_type=user.image.analysis.completed",
        ADMIN,
        None,
    );
    let mut completed: Vec<String> = events["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource_id"].as_str().unwrap().to_string())
        .collect();
    completed.sort();
    let mut expected = digests.clone();
    expected.sort();
    assert_eq!(completed, expected, "one completion per image");
    let (_, list) = call(&server, "GET", "/v2/images", ADMIN, None);
    assert_eq!(list["images"].as_array().unwrap().len(), 3);
}

#[test]
fn the_openapi_document_in_the_docs_is_current() {
    let out = run(customs().args(["serve", "--print-openapi"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    assert_eq!(
        std::fs::read_to_string(docs).unwrap_or_default(),
        String::from_utf8_lossy(&out.stdout),
        "docs/openapi.json is out of date: run scripts/update-docs"
    );
    // And it is a valid OpenAPI 3 document (the openapi-spec-validator package CI installs).
    let check = run_with_input(
        Command::new("python3").args(["-c", "import json,sys; from openapi_spec_validator import validate; validate(json.load(sys.stdin))"]),
        &out.stdout,
    );
    let missing = String::from_utf8_lossy(&check.stderr).contains("No module named");
    if missing {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs openapi-spec-validator"
        );
        eprintln!("skipping the OpenAPI validation: openapi-spec-validator is not installed");
        return;
    }
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn registry_credentials_are_per_account_and_never_shown() {
    use common::fake_registry::{Behaviour, FakeRegistry};
    const PASSWORD: &str = "registry-pass-7f3a";
    let registry = FakeRegistry::start(
        shared_layout(),
        Behaviour::Bearer {
            credentials: Some(("ci".into(), PASSWORD.into())),
        },
    );
    let server = Server::start(None);
    let source = format!("registry:{}/example/alpine:alpine-3.12", registry.address);
    let body = json!({"source": {"tag": {"pullstring": source}}});
    // Without credentials the registry refuses, and the answer says so.
    let (status, refused) = call(&server, "POST", "/v2/images", ADMIN, Some(body.clone()));
    assert_eq!(status, 400, "{refused}");
    let credentials =
        json!({"registry": registry.address, "registry_user": "ci", "registry_pass": PASSWORD});
    assert_eq!(
        call(&server, "POST", "/v2/registries", ADMIN, Some(credentials)).0,
        201
    );
    let (status, added) = call(&server, "POST", "/v2/images", ADMIN, Some(body.clone()));
    assert_eq!(status, 201, "{added}");
    let digest = added[0]["imageDigest"].as_str().unwrap().to_string();
    wait_analyzed(&server, ADMIN, &digest);
    let (_, listed) = call(&server, "GET", "/v2/registries", ADMIN, None);
    assert_eq!(listed[0]["registry_user"], "ci");
    // Another account does not get this account's credentials.
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts",
            ADMIN,
            Some(json!({"name": "other"}))
        )
        .0,
        201
    );
    let user = json!({"username": "olga", "password": "password-1", "role": "full-control"});
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts/other/users",
            ADMIN,
            Some(user)
        )
        .0,
        201
    );
    let (status, _) = call(
        &server,
        "POST",
        "/v2/images",
        ("olga", "password-1"),
        Some(body),
    );
    assert_eq!(status, 400);
    // Nor in the store's files: it is sealed with the server's key.
    let data = server._data.as_ref().unwrap().path();
    for file in ["customs.sqlite", "customs.sqlite-wal"] {
        if let Ok(bytes) = std::fs::read(data.join(file)) {
            assert!(
                !bytes
                    .windows(PASSWORD.len())
                    .any(|w| w == PASSWORD.as_bytes()),
                "{file} holds the registry password in clear"
            );
        }
    }
    // The password is in no answer and no log line.
    let mut everything = String::new();
    for path in [
        "/v2/registries",
        &format!("/v2/images/{digest}"),
        "/v2/events",
        "/metrics",
    ] {
        everything.push_str(&call(&server, "GET", path, ADMIN, None).1.to_string());
    }
    everything.push_str(&server.log());
    assert!(
        !everything.contains(PASSWORD),
        "the registry password leaked"
    );
}

#[test]
fn a_registry_that_goes_down_fails_the_analysis_with_the_reason_and_a_retry_succeeds() {
    if !require_tool("docker-registry") || !require_tool("skopeo") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut registry = spawn_registry(root.path(), port);
    sh(&format!(
        "skopeo copy -q --dest-tls-verify=false oci:{}:alpine-3.12 docker://127.0.0.1:{port}/team/alpine:1",
        shared_layout().display()
    ));
    // An API-only node takes the image (the registry answers with its digest) ...
    let data = tempfile::tempdir().unwrap();
    let server = Server::spawn(data.path(), shared_db(), &["--workers", "0"]);
    let pull = json!({"source": {"tag": {"pullstring": format!("registry:127.0.0.1:{port}/team/alpine:1")}}});
    let (status, added) = call(&server, "POST", "/v2/images", ADMIN, Some(pull.clone()));
    assert_eq!(status, 201, "{added}");
    let digest = added[0]["imageDigest"].as_str().unwrap().to_string();
    // ... then the registry goes down before a worker pulls the layers.
    registry.kill().unwrap();
    registry.wait().unwrap();
    let _worker = start_on(data.path());
    let started = Instant::now();
    let failed = loop {
        let (_, image) = call(&server, "GET", &format!("/v2/images/{digest}"), ADMIN, None);
        if image["analysis_status"] == "analysis_failed" {
            break image;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "{image}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.contains("cannot reach the registry"), "{reason}");
    let (_, events) = call(
        &server,
        "GET",
        "/v2/events?event_type=user.image.analysis.failed",
        ADMIN,
        None,
    );
    assert_eq!(events["results"].as_array().unwrap().len(), 1);
    // The registry is back: adding the image again retries it, and it succeeds.
    let _registry = Server {
        child: Some(spawn_registry(root.path(), port)),
        base: String::new(),
        _data: None,
        log: None,
    };
    let (status, _) = call(&server, "POST", "/v2/images", ADMIN, Some(pull));
    assert_eq!(status, 200);
    wait_analyzed(&server, ADMIN, &digest);
}

#[test]
fn images_come_as_uploaded_archives_and_sboms_and_tenants_cannot_read_server_paths() {
    if !require_tool("skopeo") {
        return;
    }
    let server = Server::start(None);
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts",
            ADMIN,
            Some(json!({"name": "tenant"}))
        )
        .0,
        201
    );
    let user = json!({"username": "tina", "password": "password-1", "role": "read-write"});
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts/tenant/users",
            ADMIN,
            Some(user)
        )
        .0,
        201
    );
    let tina = ("tina", "password-1");
    // A path on the server's disk is the operator's, not a tenant's.
    let (status, body) = add(&server, tina, "lang");
    assert_eq!(status, 403);
    let _ = body;

    // An archive made by `docker save` (here skopeo), uploaded.
    let archive = scratch().join("debian.docker.tar");
    sh(&format!(
        "skopeo copy -q oci:{}:debian-base docker-archive:{}:example/debian:12",
        shared_layout().display(),
        archive.display()
    ));
    let upload = |bytes: Vec<u8>| {
        let r = client()
            .post(server.url("/v2/images/archive?tag=example/debian:12"))
            .basic_auth(tina.0, Some(tina.1))
            .body(bytes)
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (
            status,
            serde_json::from_str::<Value>(&r.text().unwrap()).unwrap_or(Value::Null),
        )
    };
    let (status, added) = upload(std::fs::read(&archive).unwrap());
    assert_eq!(status, 201, "{added}");
    let digest = added[0]["imageDigest"].as_str().unwrap().to_string();
    let image = wait_analyzed(&server, tina, &digest);
    assert_eq!(image["image_detail"][0]["fulltag"], "example/debian:12");
    let (_, content) = call(
        &server,
        "GET",
        &format!("/v2/images/{digest}/content/os"),
        tina,
        None,
    );
    assert_eq!(
        content["content"].as_array().unwrap().len(),
        88,
        "debian-base's 88 packages"
    );
    let (status, refused) = upload(b"not an archive at all".to_vec());
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("not an image archive")
    );

    // An SBOM made elsewhere, kept as an image without pulling anything.
    let sbom = sbom_json(&shared_image("alpine-3.12"), &[]);
    let (status, imported) = call(
        &server,
        "POST",
        "/v2/images",
        tina,
        Some(json!({"source": {"sbom": {"document": sbom, "tag": "example/alpine:3.12"}}})),
    );
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported[0]["analysis_status"], "analyzed");
    let digest = imported[0]["imageDigest"].as_str().unwrap();
    let (_, vulns) = call(
        &server,
        "GET",
        &format!("/v2/images/{digest}/vuln/os"),
        tina,
        None,
    );
    assert!(
        vulns["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vuln"] == "CVE-2022-37434")
    );
    let dir = tempfile::tempdir().unwrap();
    let dir_sbom = sbom_json(&format!("dir:{}", dir.path().display()), &[]);
    let (status, refused) = call(
        &server,
        "POST",
        "/v2/images",
        tina,
        Some(json!({"source": {"sbom": {"document": dir_sbom}}})),
    );
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no image digest")
    );
}

#[test]
fn the_settings_reference_in_the_docs_is_current() {
    let out = run(customs().args(["serve", "--help"]));
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/server.md"),
    )
    .unwrap();
    let block = format!(
        "<!-- serve-help:start -->\n```text\n{}\n```\n<!-- serve-help:end -->",
        help.trim_end()
    );
    assert!(
        docs.contains(&block),
        "docs/server.md's settings are out of date: run scripts/update-docs"
    );
}

#[test]
fn settings_come_from_a_configuration_file_and_flags_win() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = data.path().join("serve.yaml");
    std::fs::write(
        &config,
        format!(
            "data_dir: {}\nlisten: 127.0.0.1:{port}\nworkers: 0\n",
            data.path().display()
        ),
    )
    .unwrap();
    let log = data.path().join("server.log");
    let child = Command::new(env!("CARGO_BIN_EXE_customs"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("CUSTOMS_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env_remove("CUSTOMS_DATA_DIR")
        .env_remove("CUSTOMS_LISTEN")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let server = Server {
        child: Some(child),
        base: format!("http://127.0.0.1:{port}"),
        _data: None,
        log: Some(log),
    };
    let started = Instant::now();
    while client().get(server.url("/health")).send().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the configured address does not answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        data.path().join("customs.sqlite").exists(),
        "the configured data directory is used"
    );
    let log = server.log();
    assert!(log.contains("\"workers\":0"), "{log}");
    // A key the server does not know is an error, not ignored.
    std::fs::write(&config, "data_dir: /tmp\nworker: 3\n").unwrap();
    let out = run(customs().args(["serve", "--config"]).arg(&config));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown field"), "{}", stderr(&out));
    // No data directory anywhere.
    let out = run(customs().env_remove("CUSTOMS_DATA_DIR").args(["serve"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no data directory"),
        "{}",
        stderr(&out)
    );
}

/// moto's S3 server on a free port, stopped when dropped.
struct S3Service {
    child: Child,
    endpoint: String,
}

impl Drop for S3Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Service {
    fn start() -> S3Service {
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let service = S3Service {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while client().get(&service.endpoint).send().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not come up"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        service
    }

    fn create_bucket(&self, bucket: &str) {
        let r = client()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().unwrap());
    }

    /// The keys under `prefix` in `bucket`.
    fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let listing = client()
            .get(format!(
                "{}/{bucket}?list-type=2&prefix={prefix}",
                self.endpoint
            ))
            .send()
            .unwrap()
            .text()
            .unwrap();
        listing
            .split("<Key>")
            .skip(1)
            .map(|k| k.split("</Key>").next().unwrap().to_string())
            .collect()
    }

    /// What a server needs to reach it.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "customs-test".into()),
            ("AWS_SECRET_ACCESS_KEY", "customs-test-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

#[test]
fn documents_go_to_an_s3_bucket_when_configured() {
    if !require_tool("moto_server") {
        return;
    }
    let s3 = S3Service::start();
    s3.create_bucket("customs-docs");
    let env = s3.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let data = tempfile::tempdir().unwrap();
    let server = Server::spawn_with_env(
        data.path(),
        shared_db(),
        &[
            "--object-store",
            "s3://customs-docs/team-a",
            "--workers",
            "0",
        ],
        &env,
    );
    let sbom = sbom_json(&shared_image("alpine-3.12"), &[]);
    let (status, imported) = call(
        &server,
        "POST",
        "/v2/images",
        ADMIN,
        Some(json!({"source": {"sbom": {"document": sbom, "tag": "example/alpine:3.12"}}})),
    );
    assert_eq!(status, 201, "{imported}");
    let digest = imported[0]["imageDigest"].as_str().unwrap().to_string();
    let folder = format!("team-a/admin/{}/", digest.replace(':', "_"));
    let mut keys = s3.keys("customs-docs", &folder);
    keys.sort();
    // The latest evaluation, and the first entry of the tag's evaluation history.
    let history: Vec<&String> = keys
        .iter()
        .filter(|k| k.starts_with(&format!("{folder}evaluation-")))
        .collect();
    assert_eq!(history.len(), 1, "{keys:?}");
    let history = history[0].clone();
    assert_eq!(
        keys,
        [
            history,
            format!("{folder}evaluation.json"),
            format!("{folder}sbom.json"),
            format!("{folder}vulnerabilities.json")
        ]
    );
    assert!(
        !data.path().join("objects").exists(),
        "nothing is kept on the local disk"
    );
    // Read back through the API, and found by the index.
    let (status, vulns) = call(
        &server,
        "GET",
        &format!("/v2/images/{digest}/vuln/os"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200, "{vulns}");
    assert!(
        vulns["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vuln"] == "CVE-2022-37434")
    );
    let (status, sbom) = call(
        &server,
        "GET",
        &format!("/v2/images/{digest}/sboms/native-json"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200);
    assert!(!sbom["packages"].as_array().unwrap().is_empty());
    let (_, found) = call(
        &server,
        "GET",
        "/v2/query/images/by-vulnerability?vulnerability_id=CVE-2022-37434",
        ADMIN,
        None,
    );
    assert_eq!(
        found["images"][0]["imageDigest"],
        digest.as_str(),
        "{found}"
    );
    assert_eq!(found["images"][0]["tags"][0], "example/alpine:3.12");

    // Deleting the image deletes its documents.
    assert_eq!(
        call(
            &server,
            "DELETE",
            &format!("/v2/images/{digest}"),
            ADMIN,
            None
        )
        .0,
        204
    );
    assert!(s3.keys("customs-docs", &folder).is_empty());
    drop(server);

    // A bucket that does not exist stops the server at start, saying which.
    let listen = ["--listen", "127.0.0.1:0", "--object-store"];
    let err = serve_refused(
        data.path(),
        &[&listen[..], &["s3://no-such-bucket"]].concat(),
        &env,
    );
    assert!(
        err.contains("the object store s3://no-such-bucket"),
        "{err}"
    );
    assert!(!err.contains("customs-test-secret"), "{err}");

    // So does a service that is down, within the bounded retries.
    drop(s3);
    let started = Instant::now();
    let err = serve_refused(
        data.path(),
        &[&listen[..], &["s3://customs-docs"]].concat(),
        &env,
    );
    assert!(err.contains("the object store s3://customs-docs"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );

    // A scheme that is not a store is refused before anything starts.
    let err = serve_refused(data.path(), &["--object-store", "gs://bucket"], &[]);
    assert!(err.contains("not gs://"), "{err}");
}

#[test]
fn images_stored_before_the_index_are_indexed_at_start() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::spawn(data.path(), shared_db(), &["--workers", "0"]);
    let sbom = sbom_json(&shared_image("alpine-3.12"), &[]);
    let (status, imported) = call(
        &server,
        "POST",
        "/v2/images",
        ADMIN,
        Some(json!({"source": {"sbom": {"document": sbom, "tag": "example/alpine:3.12"}}})),
    );
    assert_eq!(status, 201, "{imported}");
    let digest = imported[0]["imageDigest"].as_str().unwrap().to_string();
    let by_package = "/v2/query/images/by-package?name=zlib&package_type=apk";
    let (_, found) = call(&server, "GET", by_package, ADMIN, None);
    assert_eq!(
        found["images"][0]["imageDigest"],
        digest.as_str(),
        "{found}"
    );
    drop(server);

    // The store as a customs from before the index left it: rows gone, the image unmarked.
    let db = rusqlite::Connection::open(data.path().join("customs.sqlite")).unwrap();
    db.execute_batch(
        "DELETE FROM image_packages; DELETE FROM image_vulnerabilities; UPDATE images SET indexed = 0;",
    )
    .unwrap();
    drop(db);

    let server = Server::spawn(data.path(), shared_db(), &["--workers", "0"]);
    let started = Instant::now();
    loop {
        let (_, found) = call(&server, "GET", by_package, ADMIN, None);
        if found["images"][0]["imageDigest"] == digest.as_str() {
            assert_eq!(found["images"][0]["packages"][0]["name"], "zlib");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the backlog was not indexed: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, found) = call(
        &server,
        "GET",
        "/v2/query/images/by-vulnerability?vulnerability_id=CVE-2022-37434",
        ADMIN,
        None,
    );
    assert_eq!(
        found["images"][0]["imageDigest"],
        digest.as_str(),
        "{found}"
    );
    assert!(
        server
            .log()
            .contains("indexed the images stored before the index")
    );
}

/// A policy that says where the verdict came from: STOP when no Dockerfile was given, STOP
/// when the given one exposes port 22, WARN when the tag's image gained packages.
fn provenance_policy() -> Value {
    json!({"id": "provenance", "name": "Provenance", "version": "2",
        "rule_sets": [{"id": "rs", "name": "rs", "version": "2", "rules": [
            {"id": "r1", "gate": "dockerfile", "trigger": "no_dockerfile_provided", "action": "stop", "params": []},
            {"id": "r2", "gate": "dockerfile", "trigger": "exposed_ports", "action": "stop",
             "params": [{"name": "ports", "value": "22"}, {"name": "type", "value": "denylist"},
                        {"name": "actual_dockerfile_only", "value": "true"}]},
            {"id": "r3", "gate": "tag_drift", "trigger": "packages_added", "action": "warn", "params": []}
        ]}],
        "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"}, "rule_set_ids": ["rs"], "allowlist_ids": []}]})
}

fn triggers(check: &Value) -> Vec<String> {
    let mut t: Vec<String> = check["evaluations"][0]["details"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["gate"].as_str().unwrap(),
                f["trigger"].as_str().unwrap()
            )
        })
        .collect();
    t.sort();
    t.dedup();
    t
}

fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn policies_packs_dockerfiles_tag_drift_and_the_evaluation_history() {
    let server = Server::start(None);
    let tag = "registry.example/team/app:1";

    // Validation stores nothing and lists every problem.
    let (status, valid) = call(
        &server,
        "POST",
        "/v2/policies/validate",
        ADMIN,
        Some(provenance_policy()),
    );
    assert_eq!(status, 200);
    assert_eq!(valid["valid"], true, "{valid}");
    let (_, invalid) = call(
        &server,
        "POST",
        "/v2/policies/validate",
        ADMIN,
        Some(
            json!({"version": "2", "rule_sets": [{"rules": [{"gate": "nope"}, {"gate": "vulnerabilities", "trigger": "nope"}]}]}),
        ),
    );
    assert_eq!(invalid["valid"], false);
    assert!(
        invalid["problems"].as_array().unwrap().len() >= 2,
        "{invalid}"
    );
    assert_eq!(
        call(&server, "GET", "/v2/policies", ADMIN, None).1,
        json!([])
    );

    // The packs: listed, readable, added as a policy of the account.
    let (_, packs) = call(&server, "GET", "/v2/policies/packs", ADMIN, None);
    let names: Vec<&str> = packs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "secure",
            "fedramp",
            "nist-800-53",
            "nist-800-190",
            "cis-docker",
            "disa"
        ]
    );
    let (status, fedramp) = call(&server, "GET", "/v2/policies/packs/fedramp", ADMIN, None);
    assert_eq!(status, 200);
    let fedramp_id = fedramp["policy"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        call(&server, "GET", "/v2/policies/packs/nope", ADMIN, None).0,
        404
    );
    let (status, added) = call(&server, "POST", "/v2/policies/packs/fedramp", ADMIN, None);
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["policy_id"], fedramp_id.as_str());

    // An SBOM imported as the tag, with no Dockerfile, then the same tag on a newer image
    // with one package more and a Dockerfile that exposes port 22.
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/policies",
            ADMIN,
            Some(provenance_policy())
        )
        .0,
        201
    );
    assert_eq!(
        call(
            &server,
            "PUT",
            "/v2/policies/provenance?active=true",
            ADMIN,
            None
        )
        .0,
        200
    );
    let first = sbom_json(
        &format!("oci-dir:{}:alpine-3.12", shared_layout().display()),
        &[],
    );
    let first_digest = first["source"]["image"]["manifest_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = call(
        &server,
        "POST",
        "/v2/images",
        ADMIN,
        Some(json!({"source": {"sbom": {"document": first, "tag": tag}}})),
    );
    assert_eq!(status, 201);
    let mut second = first.clone();
    let second_digest = format!("sha256:{}", "5".repeat(64));
    second["source"]["image"]["manifest_digest"] = json!(second_digest);
    let mut extra = second["packages"][0].clone();
    extra["id"] = json!("0123456789abcdef");
    extra["name"] = json!("added-later");
    extra["purl"] = json!("pkg:apk/alpine/added-later@1.0-r0");
    second["packages"].as_array_mut().unwrap().push(extra);
    let dockerfile = "FROM alpine:3.12\nEXPOSE 22 8080\nUSER nobody\n";
    let (status, body) = call(
        &server,
        "POST",
        "/v2/images",
        ADMIN,
        Some(
            json!({"source": {"sbom": {"document": second, "tag": tag, "dockerfile": base64(dockerfile)}}}),
        ),
    );
    assert_eq!(status, 201, "{body}");

    let check = |digest: &str, history: bool| {
        let (status, check) = call(
            &server,
            "GET",
            &format!(
                "/v2/images/{digest}/check?tag={tag}{}",
                if history { "&history=true" } else { "" }
            ),
            ADMIN,
            None,
        );
        assert_eq!(status, 200, "{check}");
        check
    };
    let old = check(&first_digest, false);
    assert_eq!(
        triggers(&old),
        ["dockerfile/no_dockerfile_provided"],
        "{old}"
    );
    let new = check(&second_digest, false);
    assert_eq!(
        triggers(&new),
        ["dockerfile/exposed_ports", "tag_drift/packages_added"],
        "the Dockerfile it was added with, and the image the tag was on before: {new}"
    );
    assert!(new.to_string().contains("added-later"), "{new}");

    // The history: the import's evaluation, and no new entry for a check from the same inputs.
    let h = check(&second_digest, true);
    let history = h["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{h}");
    assert_eq!(history[0]["policy_id"], "provenance");
    assert_eq!(history[0]["final_action"], "stop");
    assert!(
        history[0]["policy_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let first_entry = history[0]["evaluation_id"].as_str().unwrap().to_string();
    // Another active policy: a new entry, newest first; the old one is still readable whole.
    assert_eq!(
        call(
            &server,
            "PUT",
            &format!("/v2/policies/{fedramp_id}?active=true"),
            ADMIN,
            None
        )
        .0,
        200
    );
    let h = check(&second_digest, true);
    let history = h["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{h}");
    assert_eq!(history[0]["policy_id"], fedramp_id.as_str());
    assert_eq!(history[1]["evaluation_id"], first_entry.as_str());
    let (status, past) = call(
        &server,
        "GET",
        &format!("/v2/images/{second_digest}/evaluations/{first_entry}"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200, "{past}");
    assert_eq!(past["evaluation"]["policy_id"], "provenance");
    assert_eq!(past["record"]["final_action"], "stop");
    assert_eq!(
        call(
            &server,
            "GET",
            &format!("/v2/images/{first_digest}/evaluations/{first_entry}"),
            ADMIN,
            None
        )
        .0,
        404,
        "an evaluation is read through its own image"
    );
    // Another account sees neither the image nor its history.
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts",
            ADMIN,
            Some(json!({"name": "team-c"}))
        )
        .0,
        201
    );
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts/team-c/users",
            ADMIN,
            Some(json!({"username": "carol", "password": "password-3", "role": "full-control"}))
        )
        .0,
        201
    );
    let carol = ("carol", "password-3");
    assert_eq!(
        call(
            &server,
            "GET",
            &format!("/v2/images/{second_digest}/evaluations/{first_entry}"),
            carol,
            None
        )
        .0,
        404
    );
    // Bad input.
    let (status, body) = call(
        &server,
        "POST",
        "/v2/images",
        ADMIN,
        Some(
            json!({"source": {"sbom": {"document": first_digest, "dockerfile": "%%% not base64"}}}),
        ),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("base64"),
        "{body}"
    );
    // Deleting the image deletes its history.
    assert_eq!(
        call(
            &server,
            "DELETE",
            &format!("/v2/images/{second_digest}"),
            ADMIN,
            None
        )
        .0,
        204
    );
    assert_eq!(
        call(
            &server,
            "GET",
            &format!("/v2/images/{second_digest}/evaluations/{first_entry}"),
            ADMIN,
            None
        )
        .0,
        404
    );
}

#[test]
fn users_keys_and_accounts_are_administered_through_the_api() {
    let server = Server::start(None);
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts",
            ADMIN,
            Some(json!({"name": "team-d"}))
        )
        .0,
        201
    );
    for (name, role) in [("dora", "full-control"), ("dan", "read-only")] {
        assert_eq!(
            call(
                &server,
                "POST",
                "/v2/accounts/team-d/users",
                ADMIN,
                Some(json!({"username": name, "password": "password-4", "role": role}))
            )
            .0,
            201
        );
    }
    let dora = ("dora", "password-4");
    let (_, me) = call(&server, "GET", "/v2/user", dora, None);
    assert_eq!(
        (
            me["username"].as_str(),
            me["account_name"].as_str(),
            me["role"].as_str()
        ),
        (Some("dora"), Some("team-d"), Some("full-control"))
    );
    let (status, users) = call(&server, "GET", "/v2/accounts/team-d/users", ADMIN, None);
    assert_eq!(status, 200);
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dan", "dora"]);
    assert!(
        !users.to_string().contains("argon2"),
        "no password hash in an answer: {users}"
    );
    assert_eq!(
        call(&server, "GET", "/v2/accounts/team-d/users", dora, None).0,
        403,
        "not the admin account"
    );
    assert_eq!(
        call(&server, "GET", "/v2/accounts/nope/users", ADMIN, None).0,
        404
    );

    // A password: one's own, or anyone's as an admin; never someone else's otherwise.
    let set = |who: (&str, &str), user: &str, password: &str| {
        call(
            &server,
            "POST",
            &format!("/v2/accounts/team-d/users/{user}/credentials"),
            who,
            Some(json!({"password": password})),
        )
        .0
    };
    assert_eq!(set(("dan", "password-4"), "dora", "stolen-pass"), 403);
    assert_eq!(set(dora, "dora", "short"), 400);
    assert_eq!(set(dora, "dora", "dora-new-pass"), 204);
    assert_eq!(
        call(&server, "GET", "/v2/images", dora, None).0,
        401,
        "the old password"
    );
    let dora = ("dora", "dora-new-pass");
    assert_eq!(call(&server, "GET", "/v2/images", dora, None).0, 200);
    assert_eq!(set(ADMIN, "dan", "dan-new-pass"), 204);
    let dan = ("dan", "dan-new-pass");
    assert_eq!(call(&server, "GET", "/v2/images", dan, None).0, 200);
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts/admin/users/dora/credentials",
            ADMIN,
            Some(json!({"password": "whatever-1"}))
        )
        .0,
        404,
        "a user is reached through their own account"
    );

    // API keys: listed without their secret, revoked by id, only by their owner.
    let (status, key) = call(
        &server,
        "POST",
        "/v2/user/api-keys",
        dora,
        Some(json!({"name": "ci"})),
    );
    assert_eq!(status, 201);
    let (secret, id) = (
        key["key"].as_str().unwrap().to_string(),
        key["id"].as_str().unwrap().to_string(),
    );
    let with_key = |secret: &str| {
        client()
            .get(server.url("/v2/images"))
            .bearer_auth(secret)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(with_key(&secret), 200);
    let (_, keys) = call(&server, "GET", "/v2/user/api-keys", dora, None);
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(keys[0]["name"], "ci");
    assert_eq!(keys[0]["expired"], false);
    assert!(!keys.to_string().contains(&secret), "{keys}");
    assert!(!keys.to_string().contains(&secret[4..20]), "{keys}");
    assert_eq!(
        call(
            &server,
            "DELETE",
            &format!("/v2/user/api-keys/{id}"),
            dan,
            None
        )
        .0,
        404,
        "dan's keys only"
    );
    assert_eq!(with_key(&secret), 200);
    assert_eq!(
        call(
            &server,
            "DELETE",
            &format!("/v2/user/api-keys/{id}"),
            dora,
            None
        )
        .0,
        204
    );
    assert_eq!(with_key(&secret), 401, "revoked");
    // An expired key is refused.
    let (_, expired) = call(
        &server,
        "POST",
        "/v2/user/api-keys",
        dora,
        Some(json!({"name": "old", "expires_at": 1})),
    );
    assert_eq!(with_key(expired["key"].as_str().unwrap()), 401);
    let (_, keys) = call(&server, "GET", "/v2/user/api-keys", dora, None);
    assert_eq!(keys[0]["expired"], true);

    // Disabling an account refuses its users and keeps its data; enabling lets them in again.
    let (_, key) = call(
        &server,
        "POST",
        "/v2/user/api-keys",
        dora,
        Some(json!({"name": "ci2"})),
    );
    let secret = key["key"].as_str().unwrap().to_string();
    let (status, account) = call(
        &server,
        "PUT",
        "/v2/accounts/team-d/state",
        ADMIN,
        Some(json!({"state": "disabled"})),
    );
    assert_eq!((status, account["state"].as_str()), (200, Some("disabled")));
    assert_eq!(call(&server, "GET", "/v2/images", dora, None).0, 403);
    assert_eq!(with_key(&secret), 403);
    assert_eq!(
        call(
            &server,
            "PUT",
            "/v2/accounts/team-d/state",
            ADMIN,
            Some(json!({"state": "enabled"}))
        )
        .0,
        200
    );
    assert_eq!(call(&server, "GET", "/v2/images", dora, None).0, 200);
    assert_eq!(with_key(&secret), 200);
    assert_eq!(
        call(
            &server,
            "PUT",
            "/v2/accounts/team-d/state",
            ADMIN,
            Some(json!({"state": "asleep"}))
        )
        .0,
        400
    );
    assert_eq!(
        call(
            &server,
            "PUT",
            "/v2/accounts/admin/state",
            ADMIN,
            Some(json!({"state": "disabled"}))
        )
        .0,
        409
    );
    assert_eq!(
        call(
            &server,
            "PUT",
            "/v2/accounts/team-d/state",
            dora,
            Some(json!({"state": "disabled"}))
        )
        .0,
        403
    );

    // Deleting a user deletes their keys; nobody deletes themself.
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/v2/accounts/team-d/users/dora",
            dan,
            None
        )
        .0,
        403
    );
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/v2/accounts/admin/users/admin",
            ADMIN,
            None
        )
        .0,
        409
    );
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/v2/accounts/admin/users/dora",
            ADMIN,
            None
        )
        .0,
        404
    );
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/v2/accounts/team-d/users/dora",
            ADMIN,
            None
        )
        .0,
        204
    );
    assert_eq!(call(&server, "GET", "/v2/images", dora, None).0, 401);
    assert_eq!(with_key(&secret), 401, "the deleted user's key");
}

#[test]
fn the_cli_administers_reads_its_configuration_file_and_sends_a_dockerfile() {
    let server = Server::start(None);
    let home = tempfile::tempdir().unwrap();
    // A configuration file instead of flags or environment variables.
    let config = home.path().join("client.yaml");
    std::fs::write(
        &config,
        format!(
            "url: {}\nusername: admin\npassword: {ADMIN_PASSWORD}\n",
            server.base
        ),
    )
    .unwrap();
    let bare = || {
        let mut c = customs();
        for v in [
            "CUSTOMS_URL",
            "CUSTOMS_USERNAME",
            "CUSTOMS_PASSWORD",
            "CUSTOMS_API_KEY",
            "CUSTOMS_ACCOUNT",
            "CUSTOMS_CLIENT_CONFIG",
        ] {
            c.env_remove(v);
        }
        c.env("XDG_CONFIG_HOME", home.path().join("xdg"));
        c
    };
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(bare()
        .args(["user", "whoami", "--client-config"])
        .arg(&config));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"full-control\""));
    assert!(
        stderr(&out).contains("chmod 600"),
        "a readable file with a password is warned about: {}",
        stderr(&out)
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(bare()
        .args(["user", "whoami"])
        .env("CUSTOMS_CLIENT_CONFIG", &config));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("chmod"), "{}", stderr(&out));
    // The default place, and flags over the file.
    std::fs::create_dir_all(home.path().join("xdg/customs")).unwrap();
    std::fs::copy(&config, home.path().join("xdg/customs/client.yaml")).unwrap();
    let out = run(bare().args(["user", "whoami"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(bare().args(["user", "whoami", "--password", "not-the-password"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
    // A file that is wrong says so.
    let bad = home.path().join("bad.yaml");
    std::fs::write(&bad, "url: http://x\npasword: typo\n").unwrap();
    let out = run(bare().args(["user", "whoami", "--client-config"]).arg(&bad));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.yaml") && stderr(&out).contains("pasword"),
        "{}",
        stderr(&out)
    );
    let out = run(bare()
        .args(["user", "whoami", "--client-config"])
        .arg(home.path().join("missing.yaml")));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.yaml"), "{}", stderr(&out));

    // Accounts and users.
    let admin = || {
        let mut c = bare();
        c.env("CUSTOMS_CLIENT_CONFIG", &config);
        c
    };
    assert!(
        run(admin().args(["account", "add", "team-e"]))
            .status
            .success()
    );
    let mut add = admin();
    add.args([
        "user",
        "add",
        "eve",
        "--to-account",
        "team-e",
        "--role",
        "read-only",
    ]);
    let out = run_with_input(&mut add, b"eve-pass-1\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(admin().args(["user", "list", "team-e"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"eve\""));
    let mut password = cli(&server, ("eve", "eve-pass-1"));
    password.args(["user", "password"]);
    let out = run_with_input(&mut password, b"eve-pass-2\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        run(cli(&server, ("eve", "eve-pass-2")).args(["user", "whoami"]))
            .status
            .success()
    );
    let out = run(cli(&server, ("eve", "eve-pass-2")).args(["user", "api-key", "laptop"]));
    let key: Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = run(cli(&server, ("eve", "eve-pass-2")).args(["user", "api-keys"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("laptop"));
    let id = key["id"].as_str().unwrap();
    assert!(
        run(cli(&server, ("eve", "eve-pass-2")).args(["user", "revoke-api-key", id]))
            .status
            .success()
    );
    let out = run(cli(&server, ("eve", "eve-pass-2")).args(["user", "revoke-api-key", id]));
    assert_eq!(out.status.code(), Some(2), "already revoked");
    assert!(
        run(admin().args(["account", "disable", "team-e"]))
            .status
            .success()
    );
    let out = run(cli(&server, ("eve", "eve-pass-2")).args(["user", "whoami"]));
    assert!(stderr(&out).contains("disabled"), "{}", stderr(&out));
    assert!(
        run(admin().args(["account", "enable", "team-e"]))
            .status
            .success()
    );
    assert!(
        run(admin().args(["user", "delete", "eve", "--from-account", "team-e"]))
            .status
            .success()
    );
    assert_eq!(
        run(cli(&server, ("eve", "eve-pass-2")).args(["user", "whoami"]))
            .status
            .code(),
        Some(2)
    );

    // A pack as the active policy, and an image added with its Dockerfile, analysed by a
    // worker: the Dockerfile reaches the dockerfile gate.
    let out = run(admin().args(["policy", "add", "--pack", "cis-docker"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let policy = home.path().join("provenance.json");
    std::fs::write(&policy, provenance_policy().to_string()).unwrap();
    assert!(
        run(admin().args(["policy", "add"]).arg(&policy))
            .status
            .success()
    );
    assert!(
        run(admin().args(["policy", "activate", "provenance"]))
            .status
            .success()
    );
    let dockerfile = home.path().join("Dockerfile");
    std::fs::write(&dockerfile, "FROM alpine:3.12\nEXPOSE 22\n").unwrap();
    let source = format!("oci-dir:{}:alpine-3.12", shared_layout().display());
    let out = run(admin()
        .args(["image", "add", &source, "--wait", "--dockerfile"])
        .arg(&dockerfile));
    assert!(out.status.success(), "{}", stderr(&out));
    let image: Value = serde_json::from_slice(&out.stdout).unwrap();
    let digest = image["imageDigest"].as_str().unwrap();
    let out = run(admin().args([
        "image",
        "check",
        digest,
        "--detail",
        "--history",
        "--fail-on-stop",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("dockerfile/exposed_ports"), "{text}");
    assert!(!text.contains("no_dockerfile_provided"), "{text}");
    assert!(
        text.contains("history (newest first):") && text.contains("policy provenance"),
        "{text}"
    );
    let big = home.path().join("Dockerfile.big");
    std::fs::write(&big, "#".repeat(1024 * 1024 + 1)).unwrap();
    let out = run(admin()
        .args(["image", "add", &source, "--dockerfile"])
        .arg(&big));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("at most"), "{}", stderr(&out));
}

/// Waits until the image's analysis has ended, either way.
fn wait_finished(server: &Server, digest: &str) -> Value {
    let started = Instant::now();
    loop {
        let (_, image) = call(server, "GET", &format!("/v2/images/{digest}"), ADMIN, None);
        if matches!(
            image["analysis_status"].as_str(),
            Some("analyzed" | "analysis_failed")
        ) {
            return image;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{image}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_server_scans_every_image_for_malware_with_clamd() {
    use common::clamd::{infected_image, start_clamd};
    let Some(clamd) = start_clamd() else { return };
    let data = tempfile::tempdir().unwrap();
    let socket = clamd.socket.display().to_string();
    let server = Server::spawn(data.path(), shared_db(), &["--clamd", &socket]);
    assert!(
        server.log().contains("malware scans with clamd"),
        "{}",
        server.log()
    );
    let add = |server: &Server| {
        let (status, added) = call(
            server,
            "POST",
            "/v2/images",
            ADMIN,
            Some(json!({"source": {"tag": {"pullstring": infected_image()}}})),
        );
        assert!(status == 201 || status == 200, "{added}");
        added[0]["imageDigest"].as_str().unwrap().to_string()
    };
    let digest = add(&server);
    let image = wait_finished(&server, &digest);
    assert_eq!(image["analysis_status"], "analyzed", "{image}");
    let (status, malware) = call(
        &server,
        "GET",
        &format!("/v2/images/{digest}/content/malware"),
        ADMIN,
        None,
    );
    assert_eq!(status, 200, "{malware}");
    let found: Vec<(&str, &str)> = malware["content"]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{malware}"))
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["signature"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("/usr/local/bin/tool", "Customs.Test.Planted.UNOFFICIAL")]
    );
    // The malware gate sees the scan: DISA's SI-3 rule stops the image.
    assert_eq!(
        call(&server, "POST", "/v2/policies/packs/disa", ADMIN, None).0,
        201
    );
    let (_, packs) = call(&server, "GET", "/v2/policies/packs/disa", ADMIN, None);
    let disa = packs["policy"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        call(
            &server,
            "PUT",
            &format!("/v2/policies/{disa}?active=true"),
            ADMIN,
            None
        )
        .0,
        200
    );
    let tag = image["image_detail"][0]["fulltag"].as_str().unwrap();
    let (_, check) = call(
        &server,
        "GET",
        &format!("/v2/images/{digest}/check?tag={tag}"),
        ADMIN,
        None,
    );
    assert!(
        triggers(&check).contains(&"malware/scans".to_string()),
        "{check}"
    );
    assert!(
        !triggers(&check).contains(&"malware/scan_not_run".to_string()),
        "{check}"
    );
    drop(server);

    // A clamd that is not there: said at start, and the analysis fails with the reason.
    let data = tempfile::tempdir().unwrap();
    let missing = data.path().join("no-clamd.sock").display().to_string();
    let server = Server::spawn(data.path(), shared_db(), &["--clamd", &missing]);
    assert!(
        server.log().contains("clamd does not answer yet"),
        "{}",
        server.log()
    );
    let digest = add(&server);
    let image = wait_finished(&server, &digest);
    assert_eq!(image["analysis_status"], "analysis_failed", "{image}");
    assert!(
        image["reason"]
            .as_str()
            .unwrap()
            .contains("cannot reach clamd"),
        "{image}"
    );
    let err = serve_refused(data.path(), &["--clamd", "nowhere"], &[]);
    assert!(err.contains("not a clamd address"), "{err}");
}

/// A mirror of the shared feeds made of links, with one file of it replaced when asked.
fn linked_mirror(name: &str, broken: Option<(&str, &[u8])>) -> std::path::PathBuf {
    let mirror = scratch().join(name);
    let _ = std::fs::remove_dir_all(&mirror);
    let feeds = shared().join("feeds");
    std::fs::create_dir_all(&mirror).unwrap();
    for entry in std::fs::read_dir(&feeds).unwrap().flatten() {
        std::os::unix::fs::symlink(entry.path(), mirror.join(entry.file_name())).unwrap();
    }
    if let Some((dir, bytes)) = broken {
        // The feed's folder copied as links, with its first file replaced by `bytes`.
        let target = mirror.join(dir);
        std::fs::remove_file(&target).unwrap();
        std::fs::create_dir_all(&target).unwrap();
        let mut files: Vec<_> = std::fs::read_dir(feeds.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for (i, f) in files.iter().enumerate() {
            let to = target.join(f.file_name().unwrap());
            if i == 0 {
                std::fs::write(to, bytes).unwrap();
            } else {
                std::os::unix::fs::symlink(f, to).unwrap();
            }
        }
    }
    mirror
}

fn feeds_update_from(from: &str, db: &std::path::Path) -> (Server, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let server = Server::spawn(
        data.path(),
        db,
        &["--feeds-from", from, "--feed-check-seconds", "3600"],
    );
    (server, data)
}

#[test]
fn the_server_updates_its_database_from_a_mirror_and_keeps_the_old_one_on_failure() {
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("vulndb.sqlite");
    let mirror = linked_mirror("feeds-mirror-ok", None);
    let (server, _data) = feeds_update_from(&mirror.display().to_string(), &db);
    // No database yet: the feeds say so, and an imported image has no vulnerability data.
    assert_eq!(call(&server, "GET", "/v2/system/feeds", ADMIN, None).0, 503);
    let sbom = sbom_json(&shared_image("alpine-3.12"), &[]);
    let (status, added) = call(
        &server,
        "POST",
        "/v2/images",
        ADMIN,
        Some(json!({"source": {"sbom": {"document": sbom, "tag": "example/alpine:3.12"}}})),
    );
    assert_eq!(status, 201, "{added}");
    let digest = added[0]["imageDigest"].as_str().unwrap().to_string();
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/accounts/admin/users",
            ADMIN,
            Some(json!({"username": "ro", "password": "password-5", "role": "read-only"}))
        )
        .0,
        201
    );
    assert_eq!(
        call(
            &server,
            "POST",
            "/v2/system/feeds",
            ("ro", "password-5"),
            None
        )
        .0,
        403
    );

    // The update builds it; every image is matched again from its stored SBOM.
    let (status, updated) = call(&server, "POST", "/v2/system/feeds", ADMIN, None);
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["status"], "updated");
    assert!(
        updated["feeds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "alpine-secdb" && f["records"].as_u64() > Some(0)),
        "{updated}"
    );
    let (status, feeds) = call(&server, "GET", "/v2/system/feeds", ADMIN, None);
    assert_eq!(status, 200);
    let built = feeds["built"].clone();
    let started = Instant::now();
    loop {
        let (_, events) = call(
            &server,
            "GET",
            "/v2/events?event_type=user.checks.tag.vulnerabilities.update",
            ADMIN,
            None,
        );
        if let Some(e) = events["results"].as_array().unwrap().first() {
            assert_eq!(e["resource_id"], digest.as_str());
            assert!(
                e["details"]["added"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k.as_str().unwrap().starts_with("CVE-2022-37434+zlib")),
                "{e}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no re-evaluation: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(server);

    // A mirror with a feed that does not read: the update fails with where, the previous
    // database stays in use, and the failure is an event.
    let broken = linked_mirror("feeds-mirror-broken", Some(("kev", b"{ not json")));
    let (server, _data) = feeds_update_from(&broken.display().to_string(), &db);
    let (status, failed) = call(&server, "POST", "/v2/system/feeds", ADMIN, None);
    assert_eq!(status, 502, "{failed}");
    let message = failed["message"].as_str().unwrap();
    assert!(
        message.contains("previous database stays") && message.contains("kev"),
        "{message}"
    );
    let (status, feeds) = call(&server, "GET", "/v2/system/feeds", ADMIN, None);
    assert_eq!((status, &feeds["built"]), (200, &built));
    let (_, events) = call(
        &server,
        "GET",
        "/v2/events?event_type=system.feeds.sync.failed",
        ADMIN,
        None,
    );
    assert_eq!(events["results"].as_array().unwrap().len(), 1, "{events}");
    drop(server);

    // A mirror served over HTTP that is down: the same.
    let port = free_port();
    let (server, _data) = feeds_update_from(&format!("http://127.0.0.1:{port}"), &db);
    let (status, failed) = call(&server, "POST", "/v2/system/feeds", ADMIN, None);
    assert_eq!(status, 502, "{failed}");
    assert!(
        failed["message"].as_str().unwrap().contains("cannot fetch"),
        "{failed}"
    );
    assert_eq!(
        call(&server, "GET", "/v2/system/feeds", ADMIN, None).1["built"],
        built
    );
    // And served over HTTP, up: updated (the CLI's call).
    let web = common::static_server::StaticServer::start(
        mirror,
        common::static_server::Misbehaviour::None,
    );
    let (server, _data) = feeds_update_from(&web.url, &db);
    let out = run(cli(&server, ADMIN).args(["system", "feeds", "--update"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("updated from {}", web.url)),
        "{}",
        stderr(&out)
    );
}
