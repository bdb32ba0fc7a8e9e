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

/// Where the server is and who is asking.
#[derive(Debug, Args, Clone)]
pub(crate) struct Connection {
    /// The server's URL.
    #[arg(
        long,
        env = "CUSTOMS_URL",
        default_value = "http://127.0.0.1:8228",
        value_name = "URL",
        global = true
    )]
    url: String,

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
}

struct Client {
    http: reqwest::blocking::Client,
    conn: Connection,
}

impl Client {
    fn new(conn: &Connection) -> Result<Client> {
        if conn.api_key.is_none() && (conn.username.is_none() || conn.password.is_none()) {
            bail!(
                "no credentials: give --username and --password (or CUSTOMS_USERNAME and CUSTOMS_PASSWORD), or --api-key (CUSTOMS_API_KEY)"
            );
        }
        Ok(Client {
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(300))
                .build()
                .context("cannot make an HTTP client")?,
            conn: conn.clone(),
        })
    }

    /// Sends a request and returns the JSON answer, or the server's message as an error.
    fn call(&self, method: &str, path: &str, body: Option<Vec<u8>>) -> Result<Value> {
        let url = format!("{}{path}", self.conn.url.trim_end_matches('/'));
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
            .with_context(|| format!("cannot reach the server at {}", self.conn.url))?;
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
    },
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
        } => {
            let mut notes = serde_json::Map::new();
            for a in annotations {
                let (k, v) = a
                    .split_once('=')
                    .with_context(|| format!("--annotation {a:?} is not KEY=VALUE"))?;
                notes.insert(k.to_string(), Value::String(v.to_string()));
            }
            let body = json!({"source": {"tag": {"pullstring": reference}}, "annotations": notes});
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
                &format!("/v2/images/{digest}/check?tag={}", encode(&tag)),
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
    /// Upload a policy document to the server.
    Add {
        file: std::path::PathBuf,
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
        ServerPolicyCommand::Add { file, conn } => {
            let body =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            print_json(&Client::new(&conn)?.call("POST", "/v2/policies", Some(body))?)?;
        }
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
    Feeds,
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
        SystemCommand::Feeds => {
            print_json(&Client::new(&args.conn)?.call("GET", "/v2/system/feeds", None)?)?
        }
        SystemCommand::Wait { timeout } => {
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?;
            let url = format!("{}/health", args.conn.url.trim_end_matches('/'));
            let started = Instant::now();
            loop {
                if http.get(&url).send().is_ok_and(|r| r.status().is_success()) {
                    eprintln!("{} is up", args.conn.url);
                    break;
                }
                if started.elapsed() > Duration::from_secs(timeout) {
                    bail!(
                        "the server at {} did not answer within {timeout} s",
                        args.conn.url
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
}

pub(crate) fn account(args: AccountArgs) -> Result<ExitCode> {
    let client = Client::new(&args.conn)?;
    match args.command {
        AccountCommand::List => print_json(&client.call("GET", "/v2/accounts", None)?)?,
        AccountCommand::Add { name, email } => {
            let body = json!({"name": name, "email": email});
            print_json(&client.call("POST", "/v2/accounts", Some(serde_json::to_vec(&body)?))?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
    /// Make an API key for yourself; its secret is printed once.
    ApiKey {
        name: String,
        /// Unix seconds after which the key stops working.
        #[arg(long)]
        expires_at: Option<i64>,
    },
}

pub(crate) fn user(args: UserArgs) -> Result<ExitCode> {
    let client = Client::new(&args.conn)?;
    match args.command {
        UserCommand::Add {
            new_user,
            to_account,
            role,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the new user's password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                bail!("give the new user's password on standard input");
            }
            let body = json!({"username": new_user, "password": password, "role": role});
            print_json(&client.call(
                "POST",
                &format!("/v2/accounts/{}/users", encode(&to_account)),
                Some(serde_json::to_vec(&body)?),
            )?)?;
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
