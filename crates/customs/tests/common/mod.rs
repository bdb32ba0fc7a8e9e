//! Helpers shared by the integration tests: running the binary, the shared images, and the
//! external tools (skopeo, umoci, docker-registry, syft, the Python validators) CI installs.

#![allow(dead_code, unreachable_pub)]

pub mod clamd;
pub mod fake_registry;
pub mod image_builder;
pub mod static_server;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn customs() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_customs"));
    c.env("SOURCE_DATE_EPOCH", "1796318772");
    c.env_remove("CUSTOMS_REGISTRY_USERNAME");
    c.env_remove("CUSTOMS_REGISTRY_PASSWORD");
    c
}

/// `../shared` beside the repository.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

pub fn shared_layout() -> PathBuf {
    shared().join("images/oci")
}

/// Whether `tool` is on the PATH. In CI (`CI` set) a missing tool fails the test: CI installs
/// every tool the tests use, so a skip there would hide a broken setup.
pub fn require_tool(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI; .ci/run must install it"
        );
        eprintln!("skipping: {tool} is not installed");
    }
    found
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the customs binary runs")
}

/// Runs `cmd` with `input` on its standard input, capturing what it prints.
pub fn run_with_input(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("the command reads its input");
    child.wait_with_output().expect("the command ends")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `customs sbom SOURCE -o json` and returns the parsed SBOM.
pub fn sbom_json(source: &str, extra: &[&str]) -> serde_json::Value {
    let out = run(customs()
        .args(["sbom", source, "-o", "json", "-q"])
        .args(extra));
    assert!(
        out.status.success(),
        "customs sbom {source} failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("native JSON output parses")
}

/// `name version` of every package of `type`, sorted.
pub fn names_versions(sbom: &serde_json::Value, package_type: &str) -> Vec<String> {
    let mut v: Vec<String> = sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == package_type)
        .map(|p| {
            format!(
                "{} {}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

/// The expected `name version` lines, made with independent tools (see tests/expected/README.md).
pub fn expected(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut v: Vec<String> = text.lines().map(str::to_string).collect();
    v.sort();
    v
}

pub fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A scratch directory that lives as long as the test process.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// One database for every test of a test binary, built from the shared feeds.
pub fn shared_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let path = scratch().join("shared-feeds.db");
        let out = run(customs()
            .args(["db", "build", "--from"])
            .arg(shared().join("feeds"))
            .arg("--db")
            .arg(&path));
        assert!(out.status.success(), "{}", stderr(&out));
        path
    })
}

/// A shared image as an `oci-dir:` source.
pub fn shared_image(name: &str) -> String {
    format!("oci-dir:{}:{name}", shared_layout().display())
}

/// A real `docker-registry` (Debian package) serving plain HTTP on 127.0.0.1, stopped on drop.
pub struct Registry {
    child: Child,
    pub address: String,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn start_registry() -> Registry {
    let root = tempfile::tempdir().unwrap().keep();
    let port = free_port();
    let child = spawn_registry(&root, port);
    Registry {
        child,
        address: format!("127.0.0.1:{port}"),
    }
}

/// A `docker-registry` on 127.0.0.1:`port` keeping its data under `root`: started again on the
/// same root and port, it serves what it had (a test stops a registry and brings it back).
pub fn spawn_registry(root: &Path, port: u16) -> Child {
    let config = root.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            root.join("data").display()
        ),
    )
    .unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry starts");
    let address = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(&address).is_err() {
        assert!(Instant::now() < deadline, "docker-registry did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}
