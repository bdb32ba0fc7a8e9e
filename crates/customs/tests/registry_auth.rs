//! Registry pulls through a bearer-token challenge, with credentials from flags or from a Docker
//! config file.

mod common;

use base64::Engine as _;
use common::fake_registry::{Behaviour, FakeRegistry};
use common::*;

#[test]
fn anonymous_bearer_token() {
    let registry = FakeRegistry::start(shared_layout(), Behaviour::Bearer { credentials: None });
    let sbom = sbom_json(
        &format!("registry:{}/example/alpine:alpine-3.12", registry.address),
        &[],
    );
    assert_eq!(names_versions(&sbom, "apk"), expected("alpine-3.12.txt"));
}

#[test]
fn bearer_token_with_credentials_from_flags_and_docker_config() {
    let creds = Some(("alice".to_string(), "s3cret".to_string()));
    let registry = FakeRegistry::start(shared_layout(), Behaviour::Bearer { credentials: creds });
    let source = format!("registry:{}/example/alpine:alpine-3.12", registry.address);

    let denied = run(customs().args(["sbom", &source, "-q"]));
    assert_eq!(denied.status.code(), Some(2));
    assert!(
        stderr(&denied).contains("token service"),
        "{}",
        stderr(&denied)
    );

    let wrong = run(customs().args([
        "sbom",
        &source,
        "-q",
        "--registry-username",
        "alice",
        "--registry-password",
        "nope",
    ]));
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("check the username and password"),
        "{}",
        stderr(&wrong)
    );

    let with_flags = sbom_json(
        &source,
        &[
            "--registry-username",
            "alice",
            "--registry-password",
            "s3cret",
        ],
    );
    assert_eq!(
        names_versions(&with_flags, "apk"),
        expected("alpine-3.12.txt")
    );

    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
            registry.address
        ),
    )
    .unwrap();
    let with_config = sbom_json(&source, &["--docker-config", config.to_str().unwrap()]);
    assert_eq!(
        names_versions(&with_config, "apk"),
        expected("alpine-3.12.txt")
    );
    // DOCKER_CONFIG names the directory, as for the docker client.
    let out = run(customs()
        .env("DOCKER_CONFIG", dir.path())
        .args(["sbom", &source, "-q", "-o", "json"]));
    assert!(out.status.success(), "{}", stderr(&out));
}
