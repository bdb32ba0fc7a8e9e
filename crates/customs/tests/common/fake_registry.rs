//! A small registry over plain HTTP on 127.0.0.1 that serves the shared OCI layout through the
//! distribution API, with a bearer-token challenge, and can misbehave on purpose.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;

#[derive(Clone)]
pub enum Behaviour {
    /// Bearer auth: the token service wants these basic credentials (if any).
    Bearer {
        credentials: Option<(String, String)>,
    },
    /// Every request answers this status.
    Always(u16),
    /// Serves normally (no auth) but flips a byte of every layer blob.
    CorruptBlobs,
}

pub struct FakeRegistry {
    pub address: String,
}

const TOKEN: &str = "secret-token";

impl FakeRegistry {
    pub fn start(layout: PathBuf, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let state = Arc::new((layout, behaviour, address.clone()));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = state.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state.0, &state.1, &state.2);
                });
            }
        });
        FakeRegistry { address }
    }
}

struct Request {
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(Request { path, headers })
}

fn respond(
    mut stream: &TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

fn serve(
    stream: TcpStream,
    layout: &Path,
    behaviour: &Behaviour,
    address: &str,
) -> std::io::Result<()> {
    let request = read_request(&stream)?;
    let challenge = (
        "WWW-Authenticate",
        format!(r#"Bearer realm="http://{address}/token",service="fake-registry""#),
    );
    match behaviour {
        Behaviour::Always(status) => {
            let headers = if *status == 401 {
                vec![("WWW-Authenticate", r#"Basic realm="fake""#.to_string())]
            } else {
                vec![]
            };
            return respond(&stream, *status, &headers, b"{}");
        }
        Behaviour::Bearer { credentials } => {
            if request.path.starts_with("/token") {
                let ok = match credentials {
                    None => true,
                    Some((u, p)) => {
                        let expected = format!(
                            "Basic {}",
                            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
                        );
                        request.header("Authorization") == Some(expected.as_str())
                    }
                };
                if !ok || !request.path.contains("scope=repository") {
                    return respond(&stream, 401, &[], b"{\"errors\":[]}");
                }
                return respond(
                    &stream,
                    200,
                    &[("Content-Type", "application/json".into())],
                    format!("{{\"token\":\"{TOKEN}\"}}").as_bytes(),
                );
            }
            if request.header("Authorization") != Some(&format!("Bearer {TOKEN}")) {
                return respond(&stream, 401, &[challenge], b"{}");
            }
        }
        Behaviour::CorruptBlobs => {}
    }
    if request.path == "/v2/" {
        return respond(&stream, 200, &[], b"{}");
    }
    // /v2/<repo>/manifests/<ref> or /v2/<repo>/blobs/<digest>
    let rest = request.path.trim_start_matches("/v2/");
    let (kind, reference) = if let Some((_, r)) = rest.rsplit_once("/manifests/") {
        ("manifest", r)
    } else if let Some((_, r)) = rest.rsplit_once("/blobs/") {
        ("blob", r)
    } else {
        return respond(&stream, 404, &[], b"{}");
    };
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json"))?).unwrap();
    let (digest, media_type) = if reference.starts_with("sha256:") {
        let media = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["digest"] == reference)
            .map(|m| m["mediaType"].as_str().unwrap().to_string())
            .unwrap_or_else(|| "application/octet-stream".into());
        (reference.to_string(), media)
    } else {
        match index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == reference)
        {
            Some(m) => (
                m["digest"].as_str().unwrap().to_string(),
                m["mediaType"].as_str().unwrap().to_string(),
            ),
            None => return respond(&stream, 404, &[], b"{}"),
        }
    };
    let path = layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    let mut body = Vec::new();
    match std::fs::File::open(&path) {
        Ok(mut f) => f.read_to_end(&mut body)?,
        Err(_) => return respond(&stream, 404, &[], b"{}"),
    };
    if kind == "blob" && matches!(behaviour, Behaviour::CorruptBlobs) && body.len() > 100_000 {
        let mid = body.len() / 2;
        body[mid] ^= 0xff;
    }
    let mut headers = vec![("Docker-Content-Digest", digest.clone())];
    if kind == "manifest" {
        headers.push(("Content-Type", media_type));
    }
    respond(&stream, 200, &headers, &body)
}
