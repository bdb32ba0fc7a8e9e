//! The command line as a client of `customs serve`, like AnchoreCTL: `customs image ...`,
//! `customs policy add|list|get|activate|delete`, `customs event list`, `customs system ...`.
//! Two calls gate a pipeline: `customs image add REF --wait`, then
//! `customs image check REF --fail-on-stop`.

use std::io::Read as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// The server a client command talks to when neither `--url` nor `CUSTOMS_URL` says.
const DEFAULT_URL: &str = "http://127.0.0.1:8228";

/// Where the server is and who is asking: flags, else environment variables, else the client
/// configuration file, else the default URL.
#[derive(Debug, Args, Clone)]
pub(crate) struct Connection {
    /// The server's URL [default: http://127.0.0.1:8228].
    #[arg(long, env = "CUSTOMS_URL", value_name = "URL", global = true)]
    url: Option<String>,

    #[arg(long, env = "CUSTOMS_USERNAME", value_name = "USER", global = true)]
    username: Option<String>,

    #[arg(
        long,
        env = "CUSTOMS_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD",
        global = true
    )]
    password: Option<String>,

    /// An API key (instead of a username and password).
    #[arg(
        long,
        env = "CUSTOMS_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        global = true
    )]
    api_key: Option<String>,

    /// Act in this account (admins only).
    #[arg(long, env = "CUSTOMS_ACCOUNT", value_name = "ACCOUNT", global = true)]
    account: Option<String>,

    /// A YAML file with url, username, password, api_key and account, for what no flag or
    /// environment variable gives [default: $XDG_CONFIG_HOME/customs/client.yaml, else
    /// ~/.config/customs/client.yaml, when it exists].
    #[arg(
        long,
        env = "CUSTOMS_CLIENT_CONFIG",
        value_name = "FILE",
        global = true
    )]
    client_config: Option<std::path::PathBuf>,
}

/// The client configuration file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientFile {
    url: Option<String>,
    username: Option<String>,
    password: Option<String>,
    api_key: Option<String>,
    account: Option<String>,
}

impl Connection {
    /// The file to read: the one named, else the default one when it exists.
    fn config_path(&self) -> Option<(std::path::PathBuf, bool)> {
        if let Some(path) = &self.client_config {
            return Some((path.clone(), true));
        }
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".config"))
            })?;
        let path = base.join("customs").join("client.yaml");
        path.exists().then_some((path, false))
    }

    /// Flags and environment, with what they leave open taken from the configuration file.
    fn resolved(&self) -> Result<Connection> {
        let mut c = self.clone();
        if let Some((path, named)) = self.config_path() {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if !named && e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot read the client configuration {}", path.display())
                    });
                }
            };
            let file: ClientFile = if text.trim().is_empty() {
                ClientFile::default()
            } else {
                serde_yaml_ng::from_str(&text).with_context(|| {
                    format!(
                        "the client configuration {} is not valid (keys: url, username, password, api_key, account)",
                        path.display()
                    )
                })?
            };
            if file.password.is_some() || file.api_key.is_some() {
                warn_if_readable_by_others(&path);
            }
            c.url = c.url.or(file.url);
            c.username = c.username.or(file.username);
            c.password = c.password.or(file.password);
            c.api_key = c.api_key.or(file.api_key);
            c.account = c.account.or(file.account);
        }
        c.url.get_or_insert_with(|| DEFAULT_URL.to_string());
        Ok(c)
    }

    fn url(&self) -> &str {
        self.url.as_deref().unwrap_or(DEFAULT_URL)
    }
}

/// A file holding a password or a key should be its owner's alone.
fn warn_if_readable_by_others(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            eprintln!(
                "customs: warning: {} holds credentials and others may read it (chmod 600 it)",
                path.display()
            );
        }
    }
}

struct Client {
    http: reqwest::blocking::Client,
    conn: Connection,
}

impl Client {
    fn new(conn: &Connection) -> Result<Client> {
        let conn = conn.resolved()?;
        if conn.api_key.is_none() && (conn.username.is_none() || conn.password.is_none()) {
            bail!(
                "no credentials: give --username and --password (or CUSTOMS_USERNAME and CUSTOMS_PASSWORD), or --api-key (CUSTOMS_API_KEY), or put them in the client configuration (--client-config)"
            );
        }
        Ok(Client {
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(300))
                .build()
                .context("cannot make an HTTP client")?,
            conn,
        })
    }

    /// Sends a request and returns the JSON answer, or the server's message as an error.
    fn call(&self, method: &str, path: &str, body: Option<Vec<u8>>) -> Result<Value> {
        let url = format!("{}{path}", self.conn.url().trim_end_matches('/'));
        let mut request = self
            .http
            .request(method.parse().expect("methods are literals"), &url);
        request = match (&self.conn.api_key, &self.conn.username) {
            (Some(key), _) => request.header("x-api-key", key),
            (None, Some(user)) => request.basic_auth(user, self.conn.password.as_deref()),
            (None, None) => request,
        };
        if let Some(account) = &self.conn.account {
            request = request.header("x-anchore-account", account);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request
            .send()
            .with_context(|| format!("cannot reach the server at {}", self.conn.url()))?;
        let status = response.status();
        let mut text = String::new();
        response
            .take(512 * 1024 * 1024)
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read the answer of {url}"))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if !status.is_success() {
            let message = value["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            bail!("the server answered {}: {message}", status.as_u16());
        }
        Ok(value)
    }

    /// The digest `reference` names: a digest as is, else the image a tag points at.
    fn digest_of(&self, reference: &str) -> Result<String> {
        if reference.starts_with("sha256:") {
            return Ok(reference.to_string());
        }
        let list = self.call(
            "GET",
            &format!("/v2/images?tag={}", encode(reference)),
            None,
        )?;
        list["images"][0]["imageDigest"]
            .as_str()
            .map(str::to_string)
            .with_context(|| {
                format!(
                    "no image is tagged {reference} on the server (add it with `customs image add`)"
                )
            })
    }
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn print_json(v: &Value) -> Result<()> {
    crate::output::write(None, &(serde_json::to_string_pretty(v)? + "\n"))
}

#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    #[command(subcommand)]
    command: ImageCommand,
    #[command(flatten)]
    conn: Connection,
}

#[derive(Debug, Subcommand)]
enum ImageCommand {
    /// Add an image for analysis (a registry reference, or an image path the server can read).
    Add {
        reference: String,
        /// Wait until the analysis has finished (exit 2 if it failed).
        #[arg(long)]
        wait: bool,
        /// How long --wait waits, in seconds.
        #[arg(long, default_value_t = 1800)]
        timeout: u64,
        /// KEY=VALUE, repeatable.
        #[arg(long = "annotation", value_name = "KEY=VALUE")]
        annotations: Vec<String>,
        /// Analyse it again even when it was.
        #[arg(long)]
        force: bool,
        /// The Dockerfile the image was built from, for the policy's dockerfile gate (else
        /// the image's history stands in for it).
        #[arg(long, value_name = "FILE")]
        dockerfile: Option<std::path::PathBuf>,
    },
    /// List the account's images.
    List,
    /// Show an image (by tag or digest).
    Get { reference: String },
    /// Delete an image and its stored documents.
    Delete { reference: String },
    /// The image's vulnerabilities.
    Vulns {
        reference: String,
        /// os, non-os or all.
        #[arg(long = "type", default_value = "all")]
        vtype: String,
    },
    /// The image's content of one type (os, python, npm, java, go, rust, gem, nuget, binary, files, secrets, malware, retrieved_files).
    Content {
        reference: String,
        content_type: String,
    },
    /// The image's SBOM (native-json, cyclonedx-json or spdx-json).
    Sbom {
        reference: String,
        #[arg(short = 'o', long = "output", default_value = "cyclonedx-json")]
        format: String,
    },
    /// Evaluate the image against the account's active policy.
    ///
    /// Exit codes: 0 pass, 1 STOP with --fail-on-stop, 2 an error.
    Check {
        reference: String,
        /// The tag to evaluate as (default: REFERENCE when it is a tag, else the image's first tag).
        #[arg(long)]
        tag: Option<String>,
        /// Print every finding, not only the verdict.
        #[arg(long)]
        detail: bool,
        #[arg(long)]
        fail_on_stop: bool,
        /// Print Anchore's evaluation document.
        #[arg(long)]
        json: bool,
        /// Also list the evaluations kept for the tag, newest first.
        #[arg(long)]
        history: bool,
    },
}

/// The largest Dockerfile `image add --dockerfile` sends (the server's limit too).
const MAX_DOCKERFILE: u64 = 1024 * 1024;

fn read_dockerfile(path: &std::path::Path) -> Result<String> {
    use base64::Engine as _;
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read the Dockerfile {}", path.display()))?
        .len();
    if size > MAX_DOCKERFILE {
        bail!(
            "the Dockerfile {} has {size} bytes; at most {MAX_DOCKERFILE} are taken",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the Dockerfile {} as text", path.display()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(text))
}

pub(crate) fn image(args: ImageArgs) -> Result<ExitCode> {
    let client = Client::new(&args.conn)?;
    match args.command {
        ImageCommand::Add {
            reference,
            wait,
            timeout,
            annotations,
            force,
            dockerfile,
        } => {
            let mut notes = serde_json::Map::new();
            for a in annotations {
                let (k, v) = a
                    .split_once('=')
                    .with_context(|| format!("--annotation {a:?} is not KEY=VALUE"))?;
                notes.insert(k.to_string(), Value::String(v.to_string()));
            }
            let mut source = json!({"pullstring": reference});
            if let Some(path) = &dockerfile {
                source["dockerfile"] = Value::String(read_dockerfile(path)?);
            }
            let body = json!({"source": {"tag": source}, "annotations": notes});
            let path = if force {
                "/v2/images?force=true"
            } else {
                "/v2/images"
            };
            let added = client.call("POST", path, Some(serde_json::to_vec(&body)?))?;
            let digest = added[0]["imageDigest"]
                .as_str()
                .context("the server returned no digest")?
                .to_string();
            eprintln!(
                "{reference}: {digest} ({})",
                added[0]["analysis_status"].as_str().unwrap_or("?")
            );
            if !wait {
                print_json(&added[0])?;
                return Ok(ExitCode::SUCCESS);
            }
            let started = Instant::now();
            loop {
                let image = client.call("GET", &format!("/v2/images/{digest}"), None)?;
                match image["analysis_status"].as_str().unwrap_or("") {
                    "analyzed" => {
                        print_json(&image)?;
                        return Ok(ExitCode::SUCCESS);
                    }
                    "analysis_failed" => bail!(
                        "the analysis of {reference} failed: {}",
                        image["reason"].as_str().unwrap_or("no reason given")
                    ),
                    _ => {}
                }
                if started.elapsed() > Duration::from_secs(timeout) {
                    bail!(
                        "{reference} was not analysed within {timeout} s (it stays queued on the server)"
                    );
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
        ImageCommand::List => {
            let list = client.call("GET", "/v2/images", None)?;
            let mut out = String::new();
            for i in list["images"].as_array().into_iter().flatten() {
                let tags: Vec<&str> = i["image_detail"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d["fulltag"].as_str())
                    .collect();
                out.push_str(&format!(
                    "{}  {:<15}  {}\n",
                    i["imageDigest"].as_str().unwrap_or(""),
                    i["analysis_status"].as_str().unwrap_or(""),
                    tags.join(", ")
                ));
            }
            crate::output::write(None, &out)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Get { reference } => {
            let digest = client.digest_of(&reference)?;
            print_json(&client.call("GET", &format!("/v2/images/{digest}"), None)?)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Delete { reference } => {
            let digest = client.digest_of(&reference)?;
            client.call("DELETE", &format!("/v2/images/{digest}"), None)?;
            eprintln!("deleted {digest}");
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Vulns { reference, vtype } => {
            let digest = client.digest_of(&reference)?;
            let v = client.call("GET", &format!("/v2/images/{digest}/vuln/{vtype}"), None)?;
            let mut out = String::new();
            for f in v["vulnerabilities"].as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "{:<20} {:<9} {:<30} {:<20} {}\n",
                    f["vuln"].as_str().unwrap_or(""),
                    f["severity"].as_str().unwrap_or(""),
                    f["package_name"].as_str().unwrap_or(""),
                    f["package_version"].as_str().unwrap_or(""),
                    f["fix"].as_str().unwrap_or("")
                ));
            }
            crate::output::write(None, &out)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Content {
            reference,
            content_type,
        } => {
            let digest = client.digest_of(&reference)?;
            print_json(&client.call(
                "GET",
                &format!("/v2/images/{digest}/content/{content_type}"),
                None,
            )?)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Sbom { reference, format } => {
            let digest = client.digest_of(&reference)?;
            print_json(&client.call(
                "GET",
                &format!("/v2/images/{digest}/sboms/{format}"),
                None,
            )?)?;
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Check {
            reference,
            tag,
            detail,
            fail_on_stop,
            json,
            history,
        } => {
            let digest = client.digest_of(&reference)?;
            let tag = match tag {
                Some(t) => t,
                None if !reference.starts_with("sha256:") => reference.clone(),
                None => client.call("GET", &format!("/v2/images/{digest}"), None)?["image_detail"]
                    [0]["fulltag"]
                    .as_str()
                    .context("the image has no tag; give --tag")?
                    .to_string(),
            };
            let evaluation = client.call(
                "GET",
                &format!(
                    "/v2/images/{digest}/check?tag={}{}",
                    encode(&tag),
                    if history { "&history=true" } else { "" }
                ),
                None,
            )?;
            let entry = &evaluation["evaluations"][0];
            let action = entry["final_action"]
                .as_str()
                .unwrap_or("")
                .to_ascii_uppercase();
            if json {
                print_json(&evaluation)?;
            } else {
                let mut out = format!(
                    "{tag} ({digest}): {action} ({}, policy {})\n",
                    entry["final_action_reason"].as_str().unwrap_or(""),
                    entry["details"]["policy"]["name"].as_str().unwrap_or("")
                );
                if detail {
                    for f in entry["details"]["findings"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        out.push_str(&format!(
                            "  {:<5} {}/{}  {}\n",
                            f["action"].as_str().unwrap_or("").to_ascii_uppercase(),
                            f["gate"].as_str().unwrap_or(""),
                            f["trigger"].as_str().unwrap_or(""),
                            f["message"].as_str().unwrap_or("")
                        ));
                    }
                }
                if history {
                    out.push_str("history (newest first):\n");
                    for h in evaluation["history"].as_array().into_iter().flatten() {
                        out.push_str(&format!(
                            "  {}  {:<4}  policy {}  database {}  {}\n",
                            h["evaluated_at"].as_str().unwrap_or(""),
                            h["final_action"]
                                .as_str()
                                .unwrap_or("")
                                .to_ascii_uppercase(),
                            h["policy_id"].as_str().unwrap_or(""),
                            h["vulnerability_db_built"].as_str().unwrap_or("none"),
                            h["evaluation_id"].as_str().unwrap_or("")
                        ));
                    }
                }
                crate::output::write(None, &out)?;
            }
            if fail_on_stop && action == "STOP" {
                eprintln!("customs: {tag}: policy STOP");
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `customs policy add|list|get|activate|delete` against the server.
#[derive(Debug, Subcommand)]
pub(crate) enum ServerPolicyCommand {
    /// Upload a policy document to the server, or add one of its built-in packs.
    Add {
        #[arg(required_unless_present = "pack", conflicts_with = "pack")]
        file: Option<std::path::PathBuf>,
        /// A built-in pack (secure, fedramp, nist-800-53, nist-800-190, cis-docker, disa).
        #[arg(long, value_name = "NAME")]
        pack: Option<String>,
        #[command(flatten)]
        conn: Connection,
    },
    /// List the account's policies on the server.
    List {
        #[command(flatten)]
        conn: Connection,
    },
    /// Print a policy stored on the server.
    Get {
        id: String,
        #[command(flatten)]
        conn: Connection,
    },
    /// Make a stored policy the account's active one.
    Activate {
        id: String,
        #[command(flatten)]
        conn: Connection,
    },
    /// Delete a stored policy (not the active one).
    Delete {
        id: String,
        #[command(flatten)]
        conn: Connection,
    },
}

pub(crate) fn policy(command: ServerPolicyCommand) -> Result<ExitCode> {
    match command {
        ServerPolicyCommand::Add {
            file: Some(file),
            conn,
            ..
        } => {
            let body =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            print_json(&Client::new(&conn)?.call("POST", "/v2/policies", Some(body))?)?;
        }
        ServerPolicyCommand::Add {
            pack: Some(pack),
            conn,
            ..
        } => print_json(&Client::new(&conn)?.call(
            "POST",
            &format!("/v2/policies/packs/{}", encode(&pack)),
            None,
        )?)?,
        ServerPolicyCommand::Add { .. } => bail!("give a policy FILE or --pack NAME"),
        ServerPolicyCommand::List { conn } => {
            print_json(&Client::new(&conn)?.call("GET", "/v2/policies", None)?)?
        }
        ServerPolicyCommand::Get { id, conn } => print_json(&Client::new(&conn)?.call(
            "GET",
            &format!("/v2/policies/{}", encode(&id)),
            None,
        )?)?,
        ServerPolicyCommand::Activate { id, conn } => print_json(&Client::new(&conn)?.call(
            "PUT",
            &format!("/v2/policies/{}?active=true", encode(&id)),
            None,
        )?)?,
        ServerPolicyCommand::Delete { id, conn } => {
            Client::new(&conn)?.call("DELETE", &format!("/v2/policies/{}", encode(&id)), None)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct EventArgs {
    #[command(subcommand)]
    command: EventCommand,
    #[command(flatten)]
    conn: Connection,
}

#[derive(Debug, Subcommand)]
enum EventCommand {
    /// The account's events, newest first.
    List {
        /// Only events whose type starts with this (user.image.analysis).
        #[arg(long = "type")]
        event_type: Option<String>,
        /// INFO or ERROR.
        #[arg(long)]
        level: Option<String>,
    },
}

pub(crate) fn event(args: EventArgs) -> Result<ExitCode> {
    let client = Client::new(&args.conn)?;
    match args.command {
        EventCommand::List { event_type, level } => {
            let mut query = Vec::new();
            if let Some(t) = event_type {
                query.push(format!("event_type={}", encode(&t)));
            }
            if let Some(l) = level {
                query.push(format!("level={}", encode(&l)));
            }
            let v = client.call("GET", &format!("/v2/events?{}", query.join("&")), None)?;
            print_json(&v["results"])?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct SystemArgs {
    #[command(subcommand)]
    command: SystemCommand,
    #[command(flatten)]
    conn: Connection,
}

#[derive(Debug, Subcommand)]
enum SystemCommand {
    /// The server's version and whether its store answers.
    Status,
    /// The vulnerability feeds the server matches with.
    Feeds {
        /// Update them first (from the server's --feeds-from; admin), then re-evaluate every
        /// image that the update changes.
        #[arg(long)]
        update: bool,
    },
    /// Wait until the server answers (for scripts that start it).
    Wait {
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
}

pub(crate) fn system(args: SystemArgs) -> Result<ExitCode> {
    match args.command {
        SystemCommand::Status => {
            print_json(&Client::new(&args.conn)?.call("GET", "/v2/version", None)?)?
        }
        SystemCommand::Feeds { update } => {
            let client = Client::new(&args.conn)?;
            if update {
                let updated = client.call("POST", "/v2/system/feeds", None)?;
                eprintln!(
                    "{}",
                    match updated["status"].as_str() {
                        Some("updated") => format!(
                            "updated from {} (built {})",
                            updated["from"].as_str().unwrap_or(""),
                            updated["built"].as_str().unwrap_or("")
                        ),
                        _ => "the server looks for a database updated beside it (it has no --feeds-from)".to_string(),
                    }
                );
            }
            print_json(&client.call("GET", "/v2/system/feeds", None)?)?
        }
        SystemCommand::Wait { timeout } => {
            let conn = args.conn.resolved()?;
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?;
            let url = format!("{}/health", conn.url().trim_end_matches('/'));
            let started = Instant::now();
            loop {
                if http.get(&url).send().is_ok_and(|r| r.status().is_success()) {
                    eprintln!("{} is up", conn.url());
                    break;
                }
                if started.elapsed() > Duration::from_secs(timeout) {
                    bail!(
                        "the server at {} did not answer within {timeout} s",
                        conn.url()
                    );
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct AccountArgs {
    #[command(subcommand)]
    command: AccountCommand,
    #[command(flatten)]
    conn: Connection,
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// The server's accounts (admin).
    List,
    /// Add an account (admin).
    Add {
        name: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// Disable an account: its users are refused, its images and policies kept (admin).
    Disable { name: String },
    /// Enable a disabled account again (admin).
    Enable { name: String },
}

pub(crate) fn account(args: AccountArgs) -> Result<ExitCode> {
    let client = Client::new(&args.conn)?;
    match args.command {
        AccountCommand::List => print_json(&client.call("GET", "/v2/accounts", None)?)?,
        AccountCommand::Add { name, email } => {
            let body = json!({"name": name, "email": email});
            print_json(&client.call("POST", "/v2/accounts", Some(serde_json::to_vec(&body)?))?)?;
        }
        AccountCommand::Disable { name } => set_account_state(&client, &name, "disabled")?,
        AccountCommand::Enable { name } => set_account_state(&client, &name, "enabled")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn set_account_state(client: &Client, name: &str, state: &str) -> Result<()> {
    let body = json!({"state": state});
    print_json(&client.call(
        "PUT",
        &format!("/v2/accounts/{}/state", encode(name)),
        Some(serde_json::to_vec(&body)?),
    )?)
}

#[derive(Debug, Args)]
pub(crate) struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    conn: Connection,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user to an account (admin); the password is read from standard input, never
    /// from the command line.
    Add {
        /// The new user's name (an argument of its own: `username` names the caller).
        #[arg(value_name = "USERNAME")]
        new_user: String,
        #[arg(long = "to-account", value_name = "ACCOUNT")]
        to_account: String,
        /// full-control, read-write, read-only, policy-editor or image-analyzer.
        #[arg(long, default_value = "read-write")]
        role: String,
    },
    /// The users of an account (admin).
    List {
        #[arg(value_name = "ACCOUNT")]
        of_account: String,
    },
    /// Delete a user and their API keys (admin).
    Delete {
        #[arg(value_name = "USERNAME")]
        old_user: String,
        #[arg(long = "from-account", value_name = "ACCOUNT")]
        from_account: String,
    },
    /// Set a user's password (yours, or as an admin anyone's); read from standard input.
    Password {
        /// The user (default: you).
        #[arg(value_name = "USERNAME")]
        of_user: Option<String>,
        /// The user's account (default: yours).
        #[arg(long = "in-account", value_name = "ACCOUNT")]
        in_account: Option<String>,
    },
    /// Who you are on the server: username, account and role.
    Whoami,
    /// Make an API key for yourself; its secret is printed once.
    ApiKey {
        name: String,
        /// Unix seconds after which the key stops working.
        #[arg(long)]
        expires_at: Option<i64>,
    },
    /// Your API keys (names, ids and dates; never a secret).
    ApiKeys,
    /// Revoke one of your API keys by its id.
    RevokeApiKey { id: String },
}

/// A password from standard input (one line), never from the command line.
fn password_from_stdin(whose: &str) -> Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .with_context(|| format!("cannot read {whose} password from standard input"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!("give {whose} password on standard input");
    }
    Ok(password.to_string())
}

pub(crate) fn user(args: UserArgs) -> Result<ExitCode> {
    let client = Client::new(&args.conn)?;
    match args.command {
        UserCommand::Add {
            new_user,
            to_account,
            role,
        } => {
            let password = password_from_stdin("the new user's")?;
            let body = json!({"username": new_user, "password": password, "role": role});
            print_json(&client.call(
                "POST",
                &format!("/v2/accounts/{}/users", encode(&to_account)),
                Some(serde_json::to_vec(&body)?),
            )?)?;
        }
        UserCommand::List { of_account } => print_json(&client.call(
            "GET",
            &format!("/v2/accounts/{}/users", encode(&of_account)),
            None,
        )?)?,
        UserCommand::Delete {
            old_user,
            from_account,
        } => {
            client.call(
                "DELETE",
                &format!(
                    "/v2/accounts/{}/users/{}",
                    encode(&from_account),
                    encode(&old_user)
                ),
                None,
            )?;
            eprintln!("deleted the user {old_user} of {from_account}");
        }
        UserCommand::Password {
            of_user,
            in_account,
        } => {
            let me = client.call("GET", "/v2/user", None)?;
            let username = match of_user {
                Some(u) => u,
                None => me["username"].as_str().unwrap_or_default().to_string(),
            };
            let account = match in_account {
                Some(a) => a,
                None => me["account_name"].as_str().unwrap_or_default().to_string(),
            };
            let password = password_from_stdin("the")?;
            let body = json!({"password": password});
            client.call(
                "POST",
                &format!(
                    "/v2/accounts/{}/users/{}/credentials",
                    encode(&account),
                    encode(&username)
                ),
                Some(serde_json::to_vec(&body)?),
            )?;
            eprintln!("the password of {username} is set");
        }
        UserCommand::Whoami => print_json(&client.call("GET", "/v2/user", None)?)?,
        UserCommand::ApiKeys => print_json(&client.call("GET", "/v2/user/api-keys", None)?)?,
        UserCommand::RevokeApiKey { id } => {
            client.call(
                "DELETE",
                &format!("/v2/user/api-keys/{}", encode(&id)),
                None,
            )?;
            eprintln!("revoked the API key {id}");
        }
        UserCommand::ApiKey { name, expires_at } => {
            let body = json!({"name": name, "expires_at": expires_at});
            print_json(&client.call(
                "POST",
                "/v2/user/api-keys",
                Some(serde_json::to_vec(&body)?),
            )?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
