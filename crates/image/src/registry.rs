//! Pulling an image over the OCI distribution API: manifests, configs and layer blobs, with
//! anonymous, basic and bearer-token authentication, and a digest check on everything.

use std::fmt;
use std::io::Read;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use customs_types::Digest;
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};

use crate::error::ImageError;
use crate::manifest::{
    DOCKER_LIST, DOCKER_MANIFEST, ImageConfig, ManifestDoc, OCI_INDEX, OCI_MANIFEST, parse_json,
    parse_manifest_doc, select_platform, verify_digest,
};
use crate::platform::Platform;
use crate::{ImageMetadata, LayerOpener, LayerSpec, Layers};

const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// `HOST/REPOSITORY:TAG` or `HOST/REPOSITORY@sha256:…`; Docker Hub when the host is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRef {
    pub host: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl RegistryRef {
    pub fn parse(input: &str) -> Result<Self, ImageError> {
        let bad =
            |why: &str| ImageError::Usage(format!("{input:?}: not an image reference: {why}"));
        let (name, digest) = match input.split_once('@') {
            Some((n, d)) => (
                n,
                Some(
                    d.parse::<Digest>()
                        .map_err(|e| ImageError::Usage(format!("{input:?}: {e}")))?,
                ),
            ),
            None => (input, None),
        };
        let (name, tag) = match name.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n, Some(t.to_string())),
            _ => (name, None),
        };
        let (host, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let repository = if host == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if repository.is_empty()
            || !repository
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
        {
            return Err(bad(
                "the repository must be lowercase letters, digits and ._-/",
            ));
        }
        let tag = match (&tag, &digest) {
            (None, None) => Some("latest".to_string()),
            _ => tag,
        };
        Ok(Self {
            host,
            repository,
            tag,
            digest,
        })
    }

    /// The manifest reference to ask for: the digest when given, else the tag.
    fn reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }

    fn api_host(&self) -> &str {
        if self.host == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.host
        }
    }
}

impl fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.host, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Credentials and transport settings for registry pulls.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Hosts (`host[:port]`) that may be reached over plain HTTP. Loopback hosts always may.
    pub insecure: Vec<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The Docker client configuration to read credentials from (default:
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
}

struct Credentials {
    username: String,
    password: String,
}

/// A manifest's bytes, its media type (from `Content-Type`) and its `Docker-Content-Digest`.
type FetchedManifest = (Vec<u8>, Option<String>, Option<Digest>);

pub(crate) struct RegistryClient {
    http: Client,
    base: String,
    registry: String,
    repository: String,
    credentials: Option<Credentials>,
    authorization: Mutex<Option<String>>,
}

pub(crate) fn open(
    reference: &RegistryRef,
    options: &RegistryOptions,
    platform: &Platform,
) -> Result<(ImageMetadata, Layers), ImageError> {
    let client = Arc::new(RegistryClient::connect(reference, options)?);
    let registry = reference.host.clone();
    let mut manifest_ref = reference.reference();
    let mut expected = reference.digest.clone();
    for _ in 0..4 {
        let (bytes, media_type, header_digest) = client.get_manifest(&manifest_ref)?;
        let what = format!("{reference}: manifest {manifest_ref}");
        let manifest_digest = match &expected {
            Some(d) => {
                verify_digest(&bytes, d, &what)?;
                d.clone()
            }
            None => {
                let computed = crate::layer::sha256_digest(&bytes);
                if let Some(h) =
                    header_digest.filter(|h| h.algorithm() == "sha256" && *h != computed)
                {
                    return Err(ImageError::DigestMismatch {
                        what,
                        expected: h.to_string(),
                        actual: computed.to_string(),
                    });
                }
                computed
            }
        };
        match parse_manifest_doc(&bytes, media_type.as_deref(), &what)? {
            ManifestDoc::Index(index) => {
                let chosen = select_platform(&index, platform, &what)?;
                manifest_ref = chosen.digest.to_string();
                expected = Some(chosen.digest.clone());
            }
            ManifestDoc::Image(manifest) => {
                let config_bytes = client.get_blob_bytes(&manifest.config.digest)?;
                let config_what = format!("{reference}: config {}", manifest.config.digest);
                verify_digest(&config_bytes, &manifest.config.digest, &config_what)?;
                let config: ImageConfig = parse_json(&config_bytes, &config_what)?;
                let diff_ids: Vec<Option<Digest>> = match config.rootfs.as_ref() {
                    Some(r) if r.diff_ids.len() == manifest.layers.len() => {
                        r.diff_ids.iter().cloned().map(Some).collect()
                    }
                    Some(r) if !r.diff_ids.is_empty() => {
                        return Err(ImageError::invalid(
                            config_what,
                            "the config's diff_ids do not match the manifest's layers",
                        ));
                    }
                    _ => vec![None; manifest.layers.len()],
                };
                let specs: Vec<LayerSpec> = manifest
                    .layers
                    .iter()
                    .zip(diff_ids)
                    .map(|(d, diff_id)| LayerSpec {
                        locator: d.digest.to_string(),
                        digest: Some(d.digest.clone()),
                        diff_id,
                        media_type: d.media_type.clone(),
                        size: d.size,
                    })
                    .collect();
                let tags = reference
                    .tag
                    .iter()
                    .map(|t| format!("{}/{}:{t}", reference.host, reference.repository))
                    .collect();
                let metadata = crate::local::metadata(
                    "registry",
                    Some(manifest_digest),
                    manifest.media_type.or(media_type),
                    manifest.config.digest.clone(),
                    &config,
                    tags,
                    &specs,
                );
                return Ok((metadata, Layers::with_opener(client, specs)));
            }
        }
    }
    Err(ImageError::Registry {
        registry,
        message: "image indexes nested too deeply".into(),
    })
}

fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl RegistryClient {
    fn connect(reference: &RegistryRef, options: &RegistryOptions) -> Result<Self, ImageError> {
        let http = Client::builder()
            .user_agent(concat!("customs/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .timeout(None)
            .build()
            .map_err(|e| ImageError::Registry {
                registry: reference.host.clone(),
                message: format!("cannot set up HTTP client: {e}"),
            })?;
        let host = reference.api_host().to_string();
        let plain_http_allowed =
            is_loopback(&host) || options.insecure.iter().any(|h| h == &reference.host);
        let credentials = match (&options.username, &options.password) {
            (Some(u), Some(p)) => Some(Credentials {
                username: u.clone(),
                password: p.clone(),
            }),
            _ => docker_config_credentials(&reference.host, options.docker_config.as_ref()),
        };
        let mut client = Self {
            http,
            base: format!("https://{host}"),
            registry: reference.host.clone(),
            repository: reference.repository.clone(),
            credentials,
            authorization: Mutex::new(None),
        };
        // Find out which scheme answers: HTTPS first, plain HTTP only where it is allowed.
        match client.http.get(format!("{}/v2/", client.base)).send() {
            Ok(_) => {}
            Err(e) if plain_http_allowed => {
                let http_base = format!("http://{host}");
                match client.http.get(format!("{http_base}/v2/")).send() {
                    Ok(_) => client.base = http_base,
                    Err(e2) => {
                        return Err(client.error(format!(
                            "cannot reach the registry over HTTPS ({}) or HTTP ({})",
                            root_cause(&e),
                            root_cause(&e2)
                        )));
                    }
                }
            }
            Err(e) => {
                return Err(client.error(format!(
                    "cannot reach the registry over HTTPS: {} (plain HTTP is allowed only for \
                     loopback hosts or with --insecure-registry {})",
                    root_cause(&e),
                    reference.host
                )));
            }
        }
        Ok(client)
    }

    fn error(&self, message: impl Into<String>) -> ImageError {
        ImageError::Registry {
            registry: self.registry.clone(),
            message: message.into(),
        }
    }

    /// Sends a request, answering one authentication challenge if the registry asks.
    fn send(
        &self,
        url: &str,
        build: &dyn Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response, ImageError> {
        let request = |auth: Option<&str>| {
            let mut r = build(self.http.get(url));
            if let Some(a) = auth {
                r = r.header(AUTHORIZATION, a);
            }
            r.send()
                .map_err(|e| self.error(format!("GET {url}: {}", root_cause(&e))))
        };
        let current = self.authorization.lock().expect("lock").clone();
        let response = request(current.as_deref())?;
        let response = if response.status() == StatusCode::UNAUTHORIZED {
            let challenge = response
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let auth = self.authorize(&challenge)?;
            *self.authorization.lock().expect("lock") = Some(auth.clone());
            request(Some(&auth))?
        } else {
            response
        };
        match response.status() {
            s if s.is_success() => Ok(response),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(self.error(format!(
                "access to {} denied ({}){}",
                self.repository,
                response.status(),
                if self.credentials.is_some() {
                    ": check the username and password"
                } else {
                    ": no credentials given (use --registry-username/--registry-password or docker login)"
                }
            ))),
            StatusCode::NOT_FOUND => Err(ImageError::NotFound(format!(
                "registry {}: GET {url}: not found (404)",
                self.registry
            ))),
            status => Err(self.error(format!("GET {url}: the registry answered {status}"))),
        }
    }

    /// Turns a `WWW-Authenticate` challenge into an `Authorization` header value.
    fn authorize(&self, challenge: &str) -> Result<String, ImageError> {
        let (scheme, params) = parse_challenge(challenge);
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => {
                let creds = self.credentials.as_ref().ok_or_else(|| {
                    self.error(format!(
                        "{} requires a login (401); use --registry-username/--registry-password \
                         or docker login",
                        self.repository
                    ))
                })?;
                Ok(basic(creds))
            }
            "bearer" => {
                let realm = params
                    .iter()
                    .find(|(k, _)| k == "realm")
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| self.error("bearer challenge without a realm"))?;
                let mut query: Vec<(String, String)> = params
                    .iter()
                    .filter(|(k, _)| k == "service" || k == "scope")
                    .cloned()
                    .collect();
                if !query.iter().any(|(k, _)| k == "scope") {
                    query.push((
                        "scope".into(),
                        format!("repository:{}:pull", self.repository),
                    ));
                }
                let url = reqwest::Url::parse_with_params(&realm, &query)
                    .map_err(|e| self.error(format!("bad token realm {realm:?}: {e}")))?;
                let mut request = self.http.get(url);
                if let Some(c) = &self.credentials {
                    request = request.header(AUTHORIZATION, basic(c));
                }
                let response = request.send().map_err(|e| {
                    self.error(format!("token service {realm}: {}", root_cause(&e)))
                })?;
                if !response.status().is_success() {
                    return Err(self.error(format!(
                        "token service {realm} refused ({}){}",
                        response.status(),
                        if self.credentials.is_some() {
                            ": check the username and password"
                        } else {
                            ""
                        }
                    )));
                }
                let text = response
                    .text()
                    .map_err(|e| self.error(format!("token service {realm}: {e}")))?;
                let body: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| self.error(format!("token service {realm}: bad answer: {e}")))?;
                let token = body
                    .get("token")
                    .or_else(|| body.get("access_token"))
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| self.error(format!("token service {realm} sent no token")))?;
                Ok(format!("Bearer {token}"))
            }
            _ => Err(self.error(format!(
                "{} requires authentication with an unsupported challenge {challenge:?}",
                self.repository
            ))),
        }
    }

    fn get_manifest(&self, reference: &str) -> Result<FetchedManifest, ImageError> {
        let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repository);
        let accept = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(", ");
        let response = self.send(&url, &|r| r.header(ACCEPT, accept.as_str()))?;
        let media_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_string());
        let header_digest = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let mut bytes = Vec::new();
        response
            .take(64 * 1024 * 1024)
            .read_to_end(&mut bytes)
            .map_err(|e| self.error(format!("GET {url}: {e}")))?;
        Ok((bytes, media_type, header_digest))
    }

    fn get_blob(&self, digest: &Digest) -> Result<Response, ImageError> {
        let url = format!("{}/v2/{}/blobs/{digest}", self.base, self.repository);
        self.send(&url, &|r| r)
    }

    fn get_blob_bytes(&self, digest: &Digest) -> Result<Vec<u8>, ImageError> {
        let mut bytes = Vec::new();
        self.get_blob(digest)?
            .take(64 * 1024 * 1024)
            .read_to_end(&mut bytes)
            .map_err(|e| self.error(format!("blob {digest}: {e}")))?;
        Ok(bytes)
    }
}

impl LayerOpener for RegistryClient {
    fn open_layer(&self, spec: &LayerSpec) -> Result<Box<dyn Read + Send>, ImageError> {
        let digest = spec
            .digest
            .as_ref()
            .ok_or_else(|| self.error("layer without a digest"))?;
        Ok(Box::new(self.get_blob(digest)?))
    }
}

fn basic(c: &Credentials) -> String {
    let raw = format!("{}:{}", c.username, c.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// `Bearer realm="https://auth",service="registry",scope="repository:x:pull"` →
/// (`Bearer`, [(realm, …), (service, …), (scope, …)]).
fn parse_challenge(header: &str) -> (String, Vec<(String, String)>) {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.push((key.trim().to_ascii_lowercase(), value));
    }
    (scheme.to_string(), params)
}

fn docker_config_credentials(host: &str, explicit: Option<&PathBuf>) -> Option<Credentials> {
    let path = explicit.cloned().or_else(|| {
        std::env::var_os("DOCKER_CONFIG")
            .map(|d| PathBuf::from(d).join("config.json"))
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
            })
    })?;
    let text = std::fs::read(path).ok()?;
    let config: serde_json::Value = serde_json::from_slice(&text).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let keys: Vec<String> = if host == DOCKER_HUB {
        vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
        ]
    } else {
        vec![
            host.to_string(),
            format!("https://{host}"),
            format!("http://{host}"),
        ]
    };
    let entry = keys.iter().find_map(|k| auths.get(k))?;
    if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth)
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (u, p) = decoded.split_once(':')?;
        return Some(Credentials {
            username: u.to_string(),
            password: p.to_string(),
        });
    }
    let username = entry.get("username")?.as_str()?.to_string();
    let password = entry.get("password")?.as_str()?.to_string();
    Some(Credentials { username, password })
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = RegistryRef::parse("127.0.0.1:5000/example/lang:1").unwrap();
        assert_eq!(r.host, "127.0.0.1:5000");
        assert_eq!(r.repository, "example/lang");
        assert_eq!(r.tag.as_deref(), Some("1"));
        let r = RegistryRef::parse("alpine").unwrap();
        assert_eq!(r.host, "docker.io");
        assert_eq!(r.repository, "library/alpine");
        assert_eq!(r.tag.as_deref(), Some("latest"));
        let d = "sha256:4de02a229367368a83e9547a03725bd95ceb01c336090ec4a269d487575ea651";
        let r = RegistryRef::parse(&format!("localhost/x@{d}")).unwrap();
        assert_eq!(r.reference(), d);
        assert!(RegistryRef::parse("Host.example/UPPER:1").is_err());
    }

    #[test]
    fn parses_bearer_challenges() {
        let (scheme, params) = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#,
        );
        assert_eq!(scheme, "Bearer");
        assert_eq!(
            params[0],
            ("realm".into(), "https://auth.example/token".into())
        );
        assert_eq!(params[2], ("scope".into(), "repository:a/b:pull".into()));
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("registry.example:5000"));
    }
}
