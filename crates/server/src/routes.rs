//! The routes, shaped like Anchore's v2 API. Every route but `/health` takes a [`Principal`]
//! and checks its role; every image route reads only the principal's account.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use customs_image::SourceRef;
use customs_store::{AnalysisStatus, Event, EventFilter, Image};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Action, Principal, ROLES, hash_password, key_hash, new_key_secret};
use crate::error::{ApiError, ApiResult};

/// The largest request body taken (an SBOM upload).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// One operation of the API. The router and the OpenAPI document are both made from the
/// same list ([`api`]), so the document cannot leave a route out or name one that is not there.
pub(crate) struct Operation {
    pub(crate) method: axum::http::Method,
    pub(crate) path: &'static str,
    pub(crate) summary: &'static str,
    /// Answers without credentials (`/health`, the document itself).
    pub(crate) public: bool,
    /// The query parameters it reads.
    pub(crate) query: Vec<QueryParam>,
}

/// A query parameter of an operation, for the OpenAPI document.
pub(crate) struct QueryParam {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
    pub(crate) description: &'static str,
}

const fn param(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        required: false,
        description,
    }
}

const fn required(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        required: true,
        description,
    }
}

pub(crate) struct Api {
    router: Router<AppState>,
    pub(crate) operations: Vec<Operation>,
}

impl Api {
    fn op<H, T>(
        mut self,
        method: axum::http::Method,
        path: &'static str,
        summary: &'static str,
        handler: H,
    ) -> Api
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter = axum::routing::MethodFilter::try_from(method.clone())
            .expect("the API uses standard methods");
        self.router = self.router.route(path, axum::routing::on(filter, handler));
        self.operations.push(Operation {
            method,
            path,
            summary,
            public: false,
            query: Vec::new(),
        });
        self
    }

    /// The query parameters of the operation added last.
    fn query(mut self, params: Vec<QueryParam>) -> Api {
        if let Some(last) = self.operations.last_mut() {
            last.query = params;
        }
        self
    }

    fn public(mut self) -> Api {
        if let Some(last) = self.operations.last_mut() {
            last.public = true;
        }
        self
    }
}

/// Every operation of the API.
pub(crate) fn api() -> Api {
    use axum::http::Method as M;
    Api {
        router: Router::new(),
        operations: Vec::new(),
    }
    .op(
        M::GET,
        "/health",
        "Whether the server and its store answer",
        health,
    )
    .public()
    .op(
        M::GET,
        "/v2/openapi.json",
        "This document",
        openapi_document,
    )
    .public()
    .op(
        M::GET,
        "/v2/version",
        "The server's version and schema",
        version,
    )
    .op(
        M::GET,
        "/v2/images",
        "The account's images (filters: tag, analysis_status; paging: limit, offset)",
        list_images,
    )
    .query(vec![
        param("tag", "Only the image this tag points at now"),
        param("analysis_status", "not_analyzed, analyzing, analyzed or analysis_failed"),
        param("limit", "At most this many (default 100, at most 1000)"),
        param("offset", "Skip this many"),
    ])
    .op(
        M::POST,
        "/v2/images",
        "Add an image by tag or digest (source.tag.pullstring); queued for analysis",
        add_image,
    )
    .query(vec![param("force", "true: analyse it again even when it was")])
    .op(M::POST, "/v2/images/archive", "Upload an image archive (docker save or OCI archive; ?tag=) for analysis", upload_archive)
    .query(vec![
        param("tag", "The tag to keep it as (default: the archive's own)"),
        param("force", "true: analyse it again even when it was"),
    ])
    .op(
        M::GET,
        "/v2/images/{digest}",
        "An image, with its analysis history",
        get_image,
    )
    .op(
        M::DELETE,
        "/v2/images/{digest}",
        "Delete an image and its documents",
        delete_image,
    )
    .op(
        M::GET,
        "/v2/images/{digest}/vuln/{vtype}",
        "The image's vulnerabilities (os, non-os, all) with KEV and EPSS",
        image_vulns,
    )
    .op(
        M::GET,
        "/v2/images/{digest}/sboms/{format}",
        "The image's SBOM (native-json, cyclonedx-json, spdx-json)",
        image_sbom,
    )
    .op(
        M::GET,
        "/v2/images/{digest}/content/{ctype}",
        "The image's content of one type",
        image_content,
    )
    .op(
        M::GET,
        "/v2/images/{digest}/check",
        "Evaluate the image as a tag (?tag=) against the active policy",
        image_check,
    )
    .query(vec![
        required("tag", "The tag to evaluate the image as"),
        param("history", "true: also list the evaluations kept for this tag, newest first"),
    ])
    .op(
        M::GET,
        "/v2/images/{digest}/evaluations/{id}",
        "One evaluation from the image's history (ids from check?history=true), whole",
        past_evaluation,
    )
    .op(
        M::POST,
        "/v2/scan",
        "Stateless: an SBOM in, its vulnerabilities and evaluation out; nothing stored",
        scan,
    )
    .op(M::GET, "/v2/query/images/by-vulnerability", "The account's images affected by a vulnerability (?vulnerability_id=, an id or alias)", images_by_vulnerability)
    .query(vec![required("vulnerability_id", "A vulnerability id or alias")])
    .op(M::GET, "/v2/query/images/by-package", "The account's images that contain a package (?name=, optional version, package_type)", images_by_package)
    .query(vec![
        required("name", "The package's name"),
        param("version", "Only this version"),
        param("package_type", "Only this type (deb, apk, rpm, python, npm, java, go, ...)"),
    ])
    .op(
        M::GET,
        "/v2/policies",
        "The account's policies",
        list_policies,
    )
    .op(
        M::POST,
        "/v2/policies",
        "Add or replace a policy (Anchore v1 bundle or v2 policy)",
        add_policy,
    )
    .op(
        M::POST,
        "/v2/policies/validate",
        "Check a policy document without storing it: every problem, with where",
        validate_policy,
    )
    .op(
        M::GET,
        "/v2/policies/packs",
        "The built-in compliance packs",
        list_packs,
    )
    .op(
        M::GET,
        "/v2/policies/packs/{name}",
        "A built-in pack's policy document",
        get_pack,
    )
    .op(
        M::POST,
        "/v2/policies/packs/{name}",
        "Add a built-in pack to the account's policies (then activate it like any other)",
        add_pack,
    )
    .op(M::GET, "/v2/policies/{id}", "A policy", get_policy)
    .op(
        M::PUT,
        "/v2/policies/{id}",
        "Activate a policy (?active=true)",
        update_policy,
    )
    .query(vec![param("active", "true: make it the account's active policy")])
    .op(
        M::DELETE,
        "/v2/policies/{id}",
        "Delete a policy that is not active",
        delete_policy,
    )
    .op(
        M::GET,
        "/v2/events",
        "The account's events (filters: event_type prefix, level, resource_id)",
        list_events,
    )
    .query(vec![
        param("event_type", "Only types that start with this"),
        param("level", "INFO or ERROR"),
        param("resource_id", "Only events about this resource (an image digest, ...)"),
        param("limit", "At most this many (default 100, at most 1000)"),
        param("offset", "Skip this many"),
    ])
    .op(
        M::DELETE,
        "/v2/events",
        "Delete the account's events",
        delete_events,
    )
    .op(
        M::DELETE,
        "/v2/events/{id}",
        "Delete an event",
        delete_event,
    )
    .op(
        M::GET,
        "/v2/system/feeds",
        "The vulnerability feeds: records and ages",
        feeds,
    )
    .op(
        M::POST,
        "/v2/system/feeds",
        "Update the vulnerability database (from --feeds-from; else look for an update beside the server) and re-evaluate every image if it changed (admin)",
        check_feeds,
    )
    .op(
        M::GET,
        "/v2/system/policy-spec",
        "The gates, triggers and parameters policies can use",
        policy_spec,
    )
    .op(M::GET, "/v2/accounts", "Accounts (admin)", list_accounts)
    .op(
        M::POST,
        "/v2/accounts",
        "Add an account (admin)",
        add_account,
    )
    .op(
        M::PUT,
        "/v2/accounts/{account}/state",
        "Disable an account (its users are refused, its data kept) or enable it (admin)",
        set_account_state,
    )
    .op(
        M::GET,
        "/v2/accounts/{account}/users",
        "The users of an account (admin)",
        list_users,
    )
    .op(
        M::POST,
        "/v2/accounts/{account}/users",
        "Add a user to an account (admin)",
        add_user,
    )
    .op(
        M::DELETE,
        "/v2/accounts/{account}/users/{username}",
        "Delete a user and their API keys (admin)",
        delete_user,
    )
    .op(
        M::POST,
        "/v2/accounts/{account}/users/{username}/credentials",
        "Set a user's password (admin, or the user themself)",
        set_password,
    )
    .op(M::GET, "/v2/user", "The caller: username, account and role", whoami)
    .op(
        M::GET,
        "/v2/user/api-keys",
        "The caller's API keys (names and dates, never a secret)",
        list_api_keys,
    )
    .op(
        M::POST,
        "/v2/user/api-keys",
        "A new API key for the caller (its secret is shown once)",
        add_api_key,
    )
    .op(
        M::DELETE,
        "/v2/user/api-keys/{id}",
        "Revoke one of the caller's API keys",
        delete_api_key,
    )
    .op(M::GET, "/v2/registries", "The account's registry credentials (never the passwords)", list_registries)
    .op(M::POST, "/v2/registries", "Add or replace the credentials of a registry host", add_registry)
    .op(M::DELETE, "/v2/registries/{registry}", "Delete a registry's credentials", delete_registry)
    .op(
        M::GET,
        "/metrics",
        "Prometheus metrics: queue depth, analyses by outcome and duration, API requests and latency (admin)",
        metrics,
    )
}

pub(crate) fn router(state: AppState) -> Router {
    api()
        .router
        // SBOMs with every file of a large image run to tens of megabytes.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
}

/// The images a cross-image query found, each with its tags and, under `key`, what it found
/// in it, in the query's order.
async fn found_images<T>(
    state: &AppState,
    account: &str,
    found: &[(String, Vec<T>)],
    key: &str,
    item: impl Fn(&T) -> Value,
) -> ApiResult<Vec<Value>> {
    let digests: Vec<&str> = found.iter().map(|(d, _)| d.as_str()).collect();
    let mut tags = state.store.tags_of_images(account, &digests).await?;
    Ok(found
        .iter()
        .map(|(digest, items)| {
            let mut image =
                json!({"imageDigest": digest, "tags": tags.remove(digest).unwrap_or_default()});
            image[key] = items.iter().map(&item).collect();
            image
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct ByVulnerability {
    vulnerability_id: String,
}

async fn images_by_vulnerability(
    principal: Principal,
    State(state): State<AppState>,
    Query(q): Query<ByVulnerability>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let id = q.vulnerability_id.trim();
    let found = state
        .store
        .images_with_vulnerability(&principal.account, id)
        .await?;
    let images = found_images(&state, &principal.account, &found, "affected_packages", |f| {
        json!({"name": f.package_name, "version": f.package_version, "type": f.package_type, "severity": f.severity, "vulnerability_id": f.id})
    })
    .await?;
    Ok(Json(json!({"vulnerability_id": id, "images": images})))
}

#[derive(Debug, Deserialize)]
struct ByPackage {
    name: String,
    version: Option<String>,
    package_type: Option<String>,
}

async fn images_by_package(
    principal: Principal,
    State(state): State<AppState>,
    Query(q): Query<ByPackage>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let found = state
        .store
        .images_with_package(
            &principal.account,
            &q.name,
            q.version.as_deref(),
            q.package_type.as_deref(),
        )
        .await?;
    let images = found_images(
        &state,
        &principal.account,
        &found,
        "packages",
        |p| json!({"name": p.name, "version": p.version, "type": p.package_type, "purl": p.purl}),
    )
    .await?;
    Ok(Json(json!({"images": images})))
}

fn registry_json(r: &customs_store::RegistryCredential) -> Value {
    json!({"registry": r.registry, "registry_user": r.username, "registry_verify": !r.insecure,
           "created_at": customs_sbom::Timestamp::from_unix(r.created_at / 1000).as_str()})
}

async fn list_registries(
    principal: Principal,
    State(state): State<AppState>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let list = state.store.registries(&principal.account).await?;
    Ok(Json(Value::Array(list.iter().map(registry_json).collect())))
}

#[derive(Deserialize)]
struct RegistryRequest {
    registry: String,
    registry_user: String,
    registry_pass: String,
    #[serde(default = "yes")]
    registry_verify: bool,
}

fn yes() -> bool {
    true
}

async fn add_registry(
    principal: Principal,
    State(state): State<AppState>,
    Json(r): Json<RegistryRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::WriteImages)?;
    let host_ok = !r.registry.is_empty()
        && r.registry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    if !host_ok {
        return Err(ApiError::bad_request(format!(
            "{:?} is not a registry host[:port]",
            r.registry
        )));
    }
    state
        .store
        .put_registry(
            &principal.account,
            &r.registry,
            &r.registry_user,
            &state.sealer.seal(&r.registry_pass),
            !r.registry_verify,
        )
        .await?;
    let stored = state
        .store
        .registry(&principal.account, &r.registry)
        .await?
        .ok_or_else(|| ApiError::internal("the registry was not stored"))?;
    Ok((StatusCode::CREATED, Json(registry_json(&stored))))
}

async fn delete_registry(
    principal: Principal,
    State(state): State<AppState>,
    Path(registry): Path<String>,
) -> ApiResult<StatusCode> {
    principal.require(Action::WriteImages)?;
    state
        .store
        .delete_registry(&principal.account, &registry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn metrics(principal: Principal, State(state): State<AppState>) -> ApiResult<Response> {
    principal.require(Action::Administer)?;
    let depth = state.store.queue_depth().await.ok();
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(depth),
    )
        .into_response())
}

/// The OpenAPI 3 document of [`api`].
pub(crate) fn openapi() -> Value {
    let mut paths = serde_json::Map::new();
    for op in api().operations {
        let parameters: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .chain(op.query.iter().map(|q| json!({"name": q.name, "in": "query", "required": q.required, "description": q.description, "schema": {"type": "string"}})))
            .collect();
        let mut responses = json!({
            "200": {"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
        });
        if !op.public {
            responses["401"] = json!({"$ref": "#/components/responses/Error"});
            responses["403"] = json!({"$ref": "#/components/responses/Error"});
        }
        let mut operation = json!({
            "summary": op.summary,
            "operationId": format!("{}{}", op.method.as_str().to_ascii_lowercase(), op.path.replace(['/', '{', '}', '.', '-'], "_")),
            "parameters": parameters,
            "responses": responses,
        });
        if op.public {
            operation["security"] = json!([]);
        }
        if matches!(op.method.as_str(), "POST" | "PUT") {
            operation["requestBody"] = json!({"required": false, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("path items are objects")
            .insert(op.method.as_str().to_ascii_lowercase(), operation);
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "customs", "version": env!("CARGO_PKG_VERSION"),
                 "description": "SBOMs, vulnerabilities and policy for container images. Shaped like Anchore's v2 API."},
        "paths": paths,
        "security": [{"basic": []}, {"apiKey": []}, {"bearer": []}],
        "components": {
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API key"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
            },
            "responses": {"Error": {"description": "An error", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "httpcode": {"type": "integer"},
                               "detail": {"type": "object", "properties": {"error_codes": {"type": "array", "items": {"type": "string"}}}}}
            }}}}}
        }
    })
}

async fn openapi_document() -> Json<Value> {
    Json(openapi())
}

async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(json!({"status": "ok", "store": state.store.backend()})).into_response(),
        Err(e) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORE_UNAVAILABLE",
            format!("the store is not available: {e}"),
        )
        .into_response(),
    }
}

async fn version(_: Principal) -> Json<Value> {
    Json(json!({
        "service": {"name": "customs", "version": env!("CARGO_PKG_VERSION")},
        "api": {"version": "2"},
        "db": {"schema_version": customs_store::SCHEMA_VERSION},
    }))
}

/// An image as Anchore's API shows it.
fn image_json(image: &Image) -> Value {
    let details: Vec<Value> = image
        .tags
        .iter()
        .map(|t| {
            let (repo, tag) = t.rsplit_once(':').unwrap_or((t, "latest"));
            let (registry, repo) = repo.split_once('/').unwrap_or(("", repo));
            json!({"fulltag": t, "fulldigest": format!("{repo}@{}", image.digest), "registry": registry, "repo": repo, "tag": tag})
        })
        .collect();
    json!({
        "imageDigest": image.digest,
        "account_name": image.account,
        "analysis_status": image.status,
        "image_status": "active",
        "reason": image.reason,
        "annotations": image.annotations,
        "image_detail": details,
        "created_at": customs_sbom::Timestamp::from_unix(image.created_at / 1000).as_str(),
        "last_updated": customs_sbom::Timestamp::from_unix(image.updated_at / 1000).as_str(),
    })
}

#[derive(Debug, Deserialize)]
struct AddImageRequest {
    source: ImageSource,
    #[serde(default)]
    annotations: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ImageSource {
    Tag {
        pullstring: String,
        /// The image's Dockerfile, base64 (as Anchore takes it), for the `dockerfile` gate.
        #[serde(default)]
        dockerfile: Option<String>,
    },
    Digest {
        pullstring: String,
        #[serde(default)]
        dockerfile: Option<String>,
    },
    /// A customs SBOM of an image, kept without pulling it.
    Sbom {
        document: Value,
        #[serde(default)]
        tag: Option<String>,
        #[serde(default)]
        dockerfile: Option<String>,
    },
}

/// The largest Dockerfile taken.
const MAX_DOCKERFILE: usize = 1024 * 1024;

/// A Dockerfile as a request sends it: base64 of UTF-8 text.
fn decode_dockerfile(encoded: Option<String>) -> ApiResult<Option<String>> {
    use base64::Engine as _;
    let Some(encoded) = encoded else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| ApiError::bad_request(format!("dockerfile is not base64: {e}")))?;
    if bytes.len() > MAX_DOCKERFILE {
        return Err(ApiError::bad_request(format!(
            "dockerfile has {} bytes; at most {MAX_DOCKERFILE} are taken",
            bytes.len()
        )));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ApiError::bad_request("dockerfile is not UTF-8 text"))
}

/// Keeps the Dockerfile an image was added with, for its evaluations.
async fn keep_dockerfile(
    state: &AppState,
    account: &str,
    digest: &str,
    dockerfile: Option<String>,
) -> ApiResult<()> {
    let Some(text) = dockerfile else {
        return Ok(());
    };
    state
        .objects
        .put(
            account,
            digest,
            crate::DOCKERFILE,
            serde_json::to_vec(&text).expect("strings serialise"),
        )
        .await
        .map_err(|e| ApiError::internal(format!("cannot keep the Dockerfile of {digest}: {e}")))
}

#[derive(Debug, Deserialize, Default)]
struct ForceQuery {
    #[serde(default)]
    force: Option<bool>,
}

async fn add_image(
    principal: Principal,
    State(state): State<AppState>,
    Query(q): Query<ForceQuery>,
    Json(request): Json<AddImageRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::WriteImages)?;
    let annotations = request.annotations.unwrap_or_else(|| json!({}));
    let (pullstring, dockerfile) = match request.source {
        ImageSource::Tag {
            pullstring,
            dockerfile,
        }
        | ImageSource::Digest {
            pullstring,
            dockerfile,
        } => (pullstring, decode_dockerfile(dockerfile)?),
        ImageSource::Sbom {
            document,
            tag,
            dockerfile,
        } => {
            let dockerfile = decode_dockerfile(dockerfile)?;
            return import_sbom(&state, &principal, document, tag, annotations, dockerfile).await;
        }
    };
    let source = SourceRef::parse(&pullstring)
        .map_err(|e| ApiError::bad_request(format!("pullstring {pullstring:?}: {e}")))?;
    // Paths on the server's own disk are the operator's: a tenant reads registries and the
    // archives it uploads, never another tenant's files.
    if !matches!(source, SourceRef::Registry(_)) && !principal.is_admin() {
        return Err(ApiError::forbidden(
            "only registry images can be added by reference; upload an archive to POST /v2/images/archive",
        ));
    }
    add_source(
        &state,
        &principal,
        &pullstring,
        source,
        Addition {
            annotations,
            force: q.force == Some(true),
            tag: None,
            dockerfile,
        },
    )
    .await
}

/// What comes with an image added by reference or upload.
struct Addition {
    annotations: Value,
    /// Analyse it again even when it was.
    force: bool,
    /// The tag to keep it as, instead of the one its reference or archive names.
    tag: Option<String>,
    dockerfile: Option<String>,
}

/// Adds the image `source` names (its digest read now) and queues its analysis.
async fn add_source(
    state: &AppState,
    principal: &Principal,
    pullstring: &str,
    source: SourceRef,
    addition: Addition,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Addition {
        annotations,
        force,
        tag: tag_override,
        dockerfile,
    } = addition;
    if matches!(source, SourceRef::Dir { .. }) {
        return Err(ApiError::bad_request(
            "a directory has no digest to keep it by; send an image (registry, OCI or docker archive)",
        ));
    }
    // The digest first: it names the image, and a registry that refuses is said now.
    let registry = crate::registry_options(state, &principal.account, &source).await?;
    let source_for_open = source.clone();
    let metadata = tokio::task::spawn_blocking(move || {
        customs_image::open(
            &source_for_open,
            &customs_image::OpenOptions {
                registry,
                ..Default::default()
            },
        )
        .map(|i| i.metadata().clone())
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "IMAGE_UNAVAILABLE",
            format!("cannot read {pullstring}: {e}"),
        )
    })?;
    // A `docker save` archive has no manifest digest: its image id (the config's digest)
    // names it, as the SBOM's subject does.
    let digest = metadata
        .manifest_digest
        .or(metadata.config_digest)
        .map(|d| d.to_string())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{pullstring} has neither a manifest nor a config digest"
            ))
        })?;
    let tag = match (tag_override, &source) {
        (Some(t), _) => t,
        (None, SourceRef::Registry(_)) => pullstring
            .strip_prefix("registry:")
            .unwrap_or(pullstring)
            .to_string(),
        (None, _) => metadata
            .tags
            .first()
            .cloned()
            .unwrap_or_else(|| pullstring.to_string()),
    };
    let (image, created) = state
        .store
        .add_image(
            &principal.account,
            &digest,
            std::slice::from_ref(&tag),
            &annotations,
        )
        .await?;
    // Before the job is queued, so that its analysis evaluates with it.
    keep_dockerfile(state, &principal.account, &digest, dockerfile).await?;
    let needs_analysis = created || force || image.status == AnalysisStatus::AnalysisFailed;
    if needs_analysis {
        state
            .store
            .enqueue(
                &principal.account,
                crate::worker::ANALYZE,
                &digest,
                &json!({"source": pullstring, "tag": tag}),
                3,
            )
            .await?;
        if !created {
            state
                .store
                .set_analysis_status(
                    &principal.account,
                    &digest,
                    AnalysisStatus::NotAnalyzed,
                    None,
                )
                .await?;
        }
    }
    let image = state.store.image(&principal.account, &digest).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!([image_json(&image)]))))
}

/// An SBOM made elsewhere (`customs sbom -o json` of an image) kept as an image: matched and
/// evaluated now, nothing pulled.
async fn import_sbom(
    state: &AppState,
    principal: &Principal,
    document: Value,
    tag: Option<String>,
    annotations: Value,
    dockerfile: Option<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let sbom: customs_sbom::Sbom = serde_json::from_value(document).map_err(|e| {
        ApiError::bad_request(format!(
            "source.sbom is not a customs SBOM (customs sbom -o json): {e}"
        ))
    })?;
    let digest = sbom
        .subject_digest()
        .map(|d| d.to_string())
        .ok_or_else(|| ApiError::bad_request("the SBOM describes no image digest (an SBOM of a directory cannot be kept as an image)"))?;
    check_digest(&digest)?;
    let tag = tag.unwrap_or_else(|| sbom.subject_name());
    let account = principal.account.as_str();
    let (_, created) = state
        .store
        .add_image(account, &digest, std::slice::from_ref(&tag), &annotations)
        .await?;
    keep_dockerfile(state, account, &digest, dockerfile).await?;
    let context = crate::Context::of_stored(state, account, &digest, &tag).await?;
    let assessment = crate::assess(state, account, &sbom, &tag, context).await?;
    crate::keep(
        state,
        account,
        &digest,
        crate::Documents {
            sbom: Some(&sbom),
            report: assessment.report.as_ref(),
            evaluation: &assessment.evaluation,
        },
    )
    .await?;
    crate::record_evaluation(state, account, &digest, &tag, &assessment).await?;
    state
        .store
        .set_analysis_status(
            account,
            &digest,
            AnalysisStatus::Analyzed,
            Some("imported SBOM"),
        )
        .await?;
    state
        .store
        .add_event(&Event::new(
            account,
            "user.image.analysis.completed",
            "INFO",
            "image_digest",
            &digest,
            json!({"tag": tag, "imported": true}),
        ))
        .await?;
    let image = state.store.image(account, &digest).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!([image_json(&image)]))))
}

#[derive(Debug, Deserialize, Default)]
struct ArchiveQuery {
    tag: Option<String>,
    #[serde(default)]
    force: Option<bool>,
}

/// An image archive (`docker save`, OCI archive; gzip or not) in the request body, kept in
/// the data directory and analysed like a pulled image.
async fn upload_archive(
    principal: Principal,
    State(state): State<AppState>,
    Query(q): Query<ArchiveQuery>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::WriteImages)?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the request body is empty: send the image archive",
        ));
    }
    let dir = state
        .config
        .data_dir
        .join("uploads")
        .join(&principal.account);
    let path = dir.join(format!("{}.tar", customs_store::now_ms()));
    let write_path = path.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(write_path.parent().expect("uploads have a parent"))?;
        let tmp = write_path.with_extension("part");
        std::fs::write(&tmp, &body)?;
        std::fs::rename(&tmp, &write_path)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::internal(format!("cannot keep the upload: {e}")))?;
    let pullstring = path.display().to_string();
    let source = match SourceRef::parse(&pullstring) {
        Ok(s @ (SourceRef::DockerArchive { .. } | SourceRef::OciArchive { .. })) => s,
        Ok(_) | Err(_) => {
            let _ = std::fs::remove_file(&path);
            return Err(ApiError::bad_request(
                "the body is not an image archive (docker save or OCI archive)",
            ));
        }
    };
    let result = add_source(
        &state,
        &principal,
        &pullstring,
        source,
        Addition {
            annotations: json!({}),
            force: q.force == Some(true),
            tag: q.tag,
            dockerfile: None,
        },
    )
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&path);
    }
    result
}

#[derive(Debug, Deserialize)]
struct ListImagesQuery {
    /// Only the image this tag points at now.
    tag: Option<String>,
    analysis_status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list_images(
    principal: Principal,
    State(state): State<AppState>,
    Query(q): Query<ListImagesQuery>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let status = q
        .analysis_status
        .as_deref()
        .map(|s| s.parse::<AnalysisStatus>().map_err(ApiError::bad_request))
        .transpose()?;
    if let Some(tag) = &q.tag {
        let images = match state.store.digest_of_tag(&principal.account, tag).await? {
            Some(digest) => vec![state.store.image(&principal.account, &digest).await?],
            None => Vec::new(),
        };
        return Ok(Json(
            json!({"images": images.iter().map(image_json).collect::<Vec<_>>()}),
        ));
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let images = state
        .store
        .images(
            &principal.account,
            status,
            limit,
            q.offset.unwrap_or(0).max(0),
        )
        .await?;
    Ok(Json(
        json!({"images": images.iter().map(image_json).collect::<Vec<_>>()}),
    ))
}

fn check_digest(digest: &str) -> ApiResult<()> {
    let ok = digest.split_once(':').is_some_and(|(alg, hex)| {
        !alg.is_empty()
            && alg.chars().all(|c| c.is_ascii_alphanumeric())
            && !hex.is_empty()
            && hex.chars().all(|c| c.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{digest:?} is not a digest (sha256:HEX)"
        )))
    }
}

async fn get_image(
    principal: Principal,
    State(state): State<AppState>,
    Path(digest): Path<String>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    check_digest(&digest)?;
    let image = state.store.image(&principal.account, &digest).await?;
    let history = state
        .store
        .analysis_history(&principal.account, &digest)
        .await?;
    let mut v = image_json(&image);
    v["analysis_history"] = serde_json::to_value(history).expect("transitions serialise");
    Ok(Json(v))
}

async fn delete_image(
    principal: Principal,
    State(state): State<AppState>,
    Path(digest): Path<String>,
) -> ApiResult<StatusCode> {
    principal.require(Action::WriteImages)?;
    check_digest(&digest)?;
    state
        .store
        .delete_image(&principal.account, &digest)
        .await?;
    state
        .objects
        .delete_image(&principal.account, &digest)
        .await
        .map_err(|e| ApiError::internal(format!("cannot delete the image's documents: {e}")))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stored document of an analysed image.
async fn document(
    state: &AppState,
    principal: &Principal,
    digest: &str,
    name: &str,
) -> ApiResult<Value> {
    check_digest(digest)?;
    let image = state.store.image(&principal.account, digest).await?;
    if image.status != AnalysisStatus::Analyzed {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_ANALYZED",
            format!(
                "image {digest} is {}, not analysed yet",
                image.status.as_str()
            ),
        ));
    }
    let bytes = state
        .objects
        .get(&principal.account, digest, name)
        .await
        .map_err(|e| ApiError::internal(format!("cannot read the {name}: {e}")))?
        .ok_or_else(|| ApiError::not_found(format!("the {name} of {digest}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::internal(format!("the stored {name} is damaged: {e}")))
}

async fn image_vulns(
    principal: Principal,
    State(state): State<AppState>,
    Path((digest, vtype)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    if !matches!(vtype.as_str(), "os" | "non-os" | "all") {
        return Err(ApiError::bad_request(format!(
            "vulnerability type {vtype:?} is not os, non-os or all"
        )));
    }
    let report = match document(&state, &principal, &digest, "vulnerabilities").await {
        Ok(r) => r,
        Err(e) if e.code == "NOT_FOUND" => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "NO_VULNERABILITY_DATA",
                "no vulnerability database was available when the image was analysed",
            ));
        }
        Err(e) => return Err(e),
    };
    let os_types = ["deb", "apk", "rpm"];
    let vulnerabilities: Vec<Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["suppressed"].is_null())
        .filter(|f| {
            let t = f["package"]["type"].as_str().unwrap_or("");
            match vtype.as_str() {
                "os" => os_types.contains(&t),
                "non-os" => !os_types.contains(&t),
                _ => true,
            }
        })
        .map(|f| {
            json!({
                "vuln": f["id"],
                "aliases": f["aliases"],
                "severity": f["severity"],
                "package": format!("{}-{}", f["package"]["name"].as_str().unwrap_or(""), f["package"]["version"].as_str().unwrap_or("")),
                "package_name": f["package"]["name"],
                "package_version": f["package"]["version"],
                "package_type": f["package"]["type"],
                "package_path": f["package"]["locations"].get(0),
                "purl": f["package"]["purl"],
                "fix": f["fixed_in"].as_array().map(|v| v.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",")).filter(|s| !s.is_empty()).unwrap_or_else(|| "None".into()),
                "will_not_fix": f["fix_state"] == "wont_fix",
                "is_kev": f["kev"],
                "epss": f["epss"],
                "cvss": f["cvss"],
            })
        })
        .collect();
    Ok(Json(
        json!({"imageDigest": digest, "vulnerability_type": vtype, "vulnerabilities": vulnerabilities}),
    ))
}

async fn image_sbom(
    principal: Principal,
    State(state): State<AppState>,
    Path((digest, format)): Path<(String, String)>,
) -> ApiResult<Response> {
    principal.require(Action::ReadImages)?;
    let format = match format.as_str() {
        "native-json" | "native" => customs_sbom::Format::Json,
        "cyclonedx-json" => customs_sbom::Format::CycloneDxJson,
        "spdx-json" => customs_sbom::Format::SpdxJson,
        other => {
            return Err(ApiError::bad_request(format!(
                "SBOM format {other:?} is not native-json, cyclonedx-json or spdx-json"
            )));
        }
    };
    let value = document(&state, &principal, &digest, "sbom").await?;
    let sbom: customs_sbom::Sbom = serde_json::from_value(value)
        .map_err(|e| ApiError::internal(format!("the stored SBOM is damaged: {e}")))?;
    let text = customs_sbom::encode(&sbom, format);
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response())
}

async fn image_content(
    principal: Principal,
    State(state): State<AppState>,
    Path((digest, ctype)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let sbom = document(&state, &principal, &digest, "sbom").await?;
    let packages = sbom["packages"].as_array().cloned().unwrap_or_default();
    let of_types = |types: &[&str]| -> Vec<Value> {
        packages
            .iter()
            .filter(|p| types.contains(&p["type"].as_str().unwrap_or("")))
            .map(|p| {
                json!({"package": p["name"], "version": p["version"], "type": p["type"],
                       "licenses": p["licenses"], "location": p["locations"].get(0).map(|l| &l["path"]), "purl": p["purl"]})
            })
            .collect()
    };
    let content: Value = match ctype.as_str() {
        "os" => of_types(&["deb", "apk", "rpm"]).into(),
        "python" => of_types(&["python"]).into(),
        "npm" => of_types(&["npm"]).into(),
        "java" => of_types(&["java"]).into(),
        "go" => of_types(&["go-module"]).into(),
        "rust" => of_types(&["rust-crate"]).into(),
        "gem" => of_types(&["gem"]).into(),
        "nuget" => of_types(&["nuget"]).into(),
        "binary" => of_types(&["binary"]).into(),
        "files" => sbom["files"].clone(),
        "secrets" => sbom["facts"]["secret_scan"]["matches"].clone(),
        "malware" => sbom["facts"]["malware_scan"].clone(),
        "retrieved_files" => sbom["facts"]["retrieved_files"].clone(),
        other => {
            return Err(ApiError::bad_request(format!(
                "content type {other:?} is not one of os, python, npm, java, go, rust, gem, nuget, binary, files, secrets, malware, retrieved_files"
            )));
        }
    };
    Ok(Json(
        json!({"imageDigest": digest, "content_type": ctype, "content": content}),
    ))
}

#[derive(Debug, Deserialize)]
struct CheckQuery {
    tag: Option<String>,
    /// Also list the evaluations kept for this tag, newest first.
    #[serde(default)]
    history: Option<bool>,
}

fn evaluation_record_json(r: &customs_store::EvaluationRecord) -> Value {
    json!({
        "evaluation_id": r.id,
        "evaluated_at": customs_sbom::Timestamp::from_unix(r.created_at / 1000).as_str(),
        "tag": r.tag,
        "policy_id": r.policy_id,
        "policy_digest": format!("sha256:{}", r.policy_digest),
        "vulnerability_db_built": r.vulnerability_db,
        "final_action": r.final_action,
        "final_action_reason": r.final_action_reason,
        "status": if r.final_action == "stop" { "fail" } else { "pass" },
    })
}

async fn image_check(
    principal: Principal,
    State(state): State<AppState>,
    Path(digest): Path<String>,
    Query(q): Query<CheckQuery>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let tag = q.tag.ok_or_else(|| {
        ApiError::bad_request("the tag query parameter is required (?tag=REGISTRY/REPO:TAG)")
    })?;
    let image = state.store.image(&principal.account, &digest).await?;
    if !image.tags.contains(&tag) {
        return Err(ApiError::bad_request(format!(
            "{tag} is not a tag of image {digest}"
        )));
    }
    // Evaluated now, with the active policy and the database as they are, and kept in the
    // tag's history when that makes a new entry.
    let value = document(&state, &principal, &digest, "sbom").await?;
    let sbom: customs_sbom::Sbom = serde_json::from_value(value)
        .map_err(|e| ApiError::internal(format!("the stored SBOM is damaged: {e}")))?;
    let account = principal.account.as_str();
    let context = crate::Context::of_stored(&state, account, &digest, &tag).await?;
    let assessment = crate::assess(&state, account, &sbom, &tag, context).await?;
    crate::record_evaluation(&state, account, &digest, &tag, &assessment).await?;
    let mut answer = serde_json::to_value(&assessment.evaluation).expect("evaluations serialise");
    if q.history == Some(true) {
        let history = state
            .store
            .evaluations(account, &digest, Some(&tag), 1000)
            .await?;
        answer["history"] = history.iter().map(evaluation_record_json).collect();
    }
    Ok(Json(answer))
}

/// One evaluation from an image's history, whole, as it was when it was made.
async fn past_evaluation(
    principal: Principal,
    State(state): State<AppState>,
    Path((digest, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    check_digest(&digest)?;
    let account = principal.account.as_str();
    let record = state.store.evaluation(account, &digest, &id).await?;
    let bytes = state
        .objects
        .get(account, &digest, &crate::evaluation_document(&record.id))
        .await
        .map_err(|e| ApiError::internal(format!("cannot read evaluation {id}: {e}")))?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "the document of evaluation {id} (its record is kept, its document was not)"
            ))
        })?;
    let document: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::internal(format!("the stored evaluation {id} is damaged: {e}")))?;
    Ok(Json(
        json!({"record": evaluation_record_json(&record), "evaluation": document}),
    ))
}

/// Stateless: an SBOM in, its vulnerabilities (and the evaluation, for a customs SBOM) out.
async fn scan(
    principal: Principal,
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let sbom: Option<customs_sbom::Sbom> = serde_json::from_slice(&body).ok();
    match sbom {
        Some(sbom) => {
            let assessment = crate::assess(
                &state,
                &principal.account,
                &sbom,
                "",
                crate::Context::default(),
            )
            .await?;
            Ok(Json(
                json!({"vulnerabilities": assessment.report, "policy_evaluation": assessment.evaluation}),
            ))
        }
        None => {
            let (packages, distro) = customs_matcher::read_sbom_document(&body).map_err(|e| {
                ApiError::bad_request(format!("the body is not an SBOM this server reads: {e}"))
            })?;
            let vulndb = state.config.vulndb.clone();
            let report = tokio::task::spawn_blocking(move || -> ApiResult<_> {
                let db = customs_vulndb::Database::open(&vulndb).map_err(|e| {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "NO_VULNERABILITY_DATA",
                        e.to_string(),
                    )
                })?;
                let mut r = customs_matcher::match_packages(&packages, distro.as_ref(), &db)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                r.sort();
                Ok(r)
            })
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
            Ok(Json(
                json!({"vulnerabilities": report, "policy_evaluation": null}),
            ))
        }
    }
}

async fn list_policies(
    principal: Principal,
    State(state): State<AppState>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadPolicies)?;
    let policies = state.store.policies(&principal.account).await?;
    Ok(Json(Value::Array(
        policies
            .iter()
            .map(|p| json!({"policy_id": p.id, "name": p.name, "active": p.active, "account_name": p.account}))
            .collect(),
    )))
}

async fn add_policy(
    principal: Principal,
    State(state): State<AppState>,
    body: String,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::WritePolicies)?;
    let policy = customs_policy::read_policy("the request body", &body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_POLICY", e.to_string()))?;
    state
        .store
        .put_policy(&principal.account, policy.id(), policy.name(), &body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"policy_id": policy.id(), "name": policy.name(), "active": false})),
    ))
}

async fn get_policy(
    principal: Principal,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadPolicies)?;
    let p = state.store.policy(&principal.account, &id).await?;
    let document: Value = serde_json::from_str(&p.document).unwrap_or(Value::Null);
    Ok(Json(
        json!({"policy_id": p.id, "name": p.name, "active": p.active, "policy": document}),
    ))
}

#[derive(Debug, Deserialize)]
struct ActivateQuery {
    active: Option<bool>,
}

async fn update_policy(
    principal: Principal,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ActivateQuery>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::WritePolicies)?;
    if q.active == Some(true) {
        state.store.activate_policy(&principal.account, &id).await?;
        state
            .store
            .add_event(&Event::new(
                &principal.account,
                "user.policy.active.updated",
                "INFO",
                "policy",
                &id,
                json!({}),
            ))
            .await?;
    }
    let p = state.store.policy(&principal.account, &id).await?;
    Ok(Json(
        json!({"policy_id": p.id, "name": p.name, "active": p.active}),
    ))
}

async fn delete_policy(
    principal: Principal,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    principal.require(Action::WritePolicies)?;
    if state.store.policy(&principal.account, &id).await?.active {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "POLICY_ACTIVE",
            "the active policy cannot be deleted; activate another first",
        ));
    }
    state.store.delete_policy(&principal.account, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    event_type: Option<String>,
    level: Option<String>,
    resource_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list_events(
    principal: Principal,
    State(state): State<AppState>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadEvents)?;
    let events = state
        .store
        .events(
            &principal.account,
            &EventFilter {
                type_prefix: q.event_type,
                level: q.level,
                resource_id: q.resource_id,
                since: None,
                limit: Some(q.limit.unwrap_or(100).clamp(1, 1000)),
                offset: q.offset,
            },
        )
        .await?;
    Ok(Json(json!({"results": events})))
}

async fn delete_events(
    principal: Principal,
    State(state): State<AppState>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::WriteEvents)?;
    let n = state
        .store
        .delete_events(&principal.account, None, None)
        .await?;
    Ok(Json(json!({"deleted": n})))
}

async fn delete_event(
    principal: Principal,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    principal.require(Action::WriteEvents)?;
    if state
        .store
        .delete_events(&principal.account, Some(&id), None)
        .await?
        == 0
    {
        return Err(ApiError::not_found(format!("event {id}")));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn feeds(principal: Principal, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadImages)?;
    let path = state.config.vulndb.clone();
    let status = tokio::task::spawn_blocking(move || {
        customs_vulndb::Database::open(&path).and_then(|db| db.status())
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    match status {
        Ok(s) => Ok(Json(serde_json::to_value(s).expect("status serialises"))),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "NO_VULNERABILITY_DATA",
            e.to_string(),
        )),
    }
}

/// Updates the vulnerability database from `--feeds-from` when the server has one, else looks
/// at it now (after a `customs db update` or `db import` beside the server); when it changed,
/// every image is re-evaluated and the outcome arrives as events.
async fn check_feeds(
    principal: Principal,
    State(state): State<AppState>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::Administer)?;
    let Some(from) = state.config.feeds_from.clone() else {
        state.kick.send_modify(|n| *n += 1);
        return Ok((
            StatusCode::ACCEPTED,
            Json(
                json!({"status": "checking", "events": "system.feeds.sync.completed, user.checks.tag.vulnerabilities.update"}),
            ),
        ));
    };
    let _one_at_a_time = state.updating.lock().await;
    let db = state.config.vulndb.clone();
    let now = customs_sbom::Timestamp::now_or_source_date_epoch();
    let started = std::time::Instant::now();
    let shown = from.to_string();
    let outcome =
        tokio::task::spawn_blocking(move || crate::feeds::update(&from, &db, now.as_str()))
            .await
            .map_err(|e| ApiError::internal(format!("the update stopped: {e}")))?;
    match outcome {
        Ok(updated) => {
            tracing::info!(from = %shown, built = %updated.status.built, seconds = started.elapsed().as_secs_f64(), "vulnerability database updated");
            state.kick.send_modify(|n| *n += 1);
            Ok((
                StatusCode::OK,
                Json(json!({
                    "status": "updated",
                    "from": shown,
                    "built": updated.status.built,
                    "feeds": updated.status.feeds,
                    "missing": updated.missing,
                    "events": "system.feeds.sync.completed, user.checks.tag.vulnerabilities.update",
                })),
            ))
        }
        Err(e) => {
            let reason = e.to_string();
            tracing::error!(from = %shown, error = %reason, "the vulnerability database update failed; the previous one stays");
            state
                .store
                .add_event(&Event::new(
                    crate::auth::ADMIN_ACCOUNT,
                    "system.feeds.sync.failed",
                    "ERROR",
                    "feeds",
                    "vulnerabilities",
                    json!({"from": shown, "reason": reason}),
                ))
                .await?;
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "FEED_UPDATE_FAILED",
                format!(
                    "the update from {shown} failed (the previous database stays in use): {reason}"
                ),
            ))
        }
    }
}

async fn policy_spec(principal: Principal) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadPolicies)?;
    Ok(Json(customs_policy::spec()))
}

async fn list_accounts(
    principal: Principal,
    State(state): State<AppState>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::Administer)?;
    Ok(Json(
        serde_json::to_value(state.store.accounts().await?).expect("accounts serialise"),
    ))
}

#[derive(Debug, Deserialize)]
struct AccountRequest {
    name: String,
    email: Option<String>,
}

fn check_name(name: &str) -> ApiResult<()> {
    let ok = (2..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@.-_".contains(c))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{name:?} is not a valid name (2-128 letters, digits, @ . - _)"
        )))
    }
}

async fn add_account(
    principal: Principal,
    State(state): State<AppState>,
    Json(r): Json<AccountRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::Administer)?;
    check_name(&r.name)?;
    let account = state
        .store
        .create_account(&r.name, r.email.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(account).expect("accounts serialise")),
    ))
}

#[derive(Debug, Deserialize)]
struct UserRequest {
    username: String,
    password: String,
    #[serde(default = "default_role")]
    role: String,
}

fn default_role() -> String {
    "read-write".into()
}

async fn add_user(
    principal: Principal,
    State(state): State<AppState>,
    Path(account): Path<String>,
    Json(r): Json<UserRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::Administer)?;
    check_name(&r.username)?;
    if !ROLES.contains(&r.role.as_str()) {
        return Err(ApiError::bad_request(format!(
            "role {:?} is not one of {}",
            r.role,
            ROLES.join(", ")
        )));
    }
    check_password(&r.password)?;
    let password = r.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let user = state
        .store
        .create_user(&account, &r.username, &hash, &r.role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"username": user.username, "account_name": user.account, "role": user.role})),
    ))
}

#[derive(Debug, Deserialize)]
struct KeyRequest {
    name: String,
    /// Unix seconds.
    expires_at: Option<i64>,
}

/// A new API key for the caller; its secret is in this answer only.
async fn add_api_key(
    principal: Principal,
    State(state): State<AppState>,
    Json(r): Json<KeyRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let secret = new_key_secret();
    let key = state
        .store
        .create_api_key(
            &principal.username,
            &r.name,
            &key_hash(&secret),
            r.expires_at.map(|s| s * 1000),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": key.id, "name": key.name, "key": secret, "expires_at": r.expires_at})),
    ))
}

/// Checks a policy document without storing it: every problem, with where.
async fn validate_policy(principal: Principal, body: String) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadPolicies)?;
    Ok(Json(
        match customs_policy::read_policy("the request body", &body) {
            Ok(policy) => {
                json!({"valid": true, "policy_id": policy.id(), "name": policy.name(), "problems": []})
            }
            Err(e) => json!({"valid": false, "problems": e.problems}),
        },
    ))
}

async fn list_packs(principal: Principal) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadPolicies)?;
    Ok(Json(Value::Array(
        customs_policy::packs()
            .iter()
            .map(|p| json!({"name": p.name, "title": p.title}))
            .collect(),
    )))
}

fn find_pack(name: &str) -> ApiResult<&'static customs_policy::Pack> {
    customs_policy::packs()
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = customs_policy::packs().iter().map(|p| p.name).collect();
            ApiError::not_found(format!(
                "no built-in pack is named {name:?} (there are {})",
                names.join(", ")
            ))
        })
}

async fn get_pack(principal: Principal, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    principal.require(Action::ReadPolicies)?;
    let pack = find_pack(&name)?;
    let document: Value = serde_json::from_str(pack.text).expect("the packs are JSON");
    Ok(Json(
        json!({"name": pack.name, "title": pack.title, "policy": document}),
    ))
}

/// Adds a built-in pack to the account's policies (under the pack's own policy id), to be
/// activated like any other.
async fn add_pack(
    principal: Principal,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    principal.require(Action::WritePolicies)?;
    let pack = find_pack(&name)?;
    let policy = customs_policy::pack(pack.name).expect("found above");
    state
        .store
        .put_policy(&principal.account, policy.id(), policy.name(), pack.text)
        .await?;
    let stored = state.store.policy(&principal.account, policy.id()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"policy_id": stored.id, "name": stored.name, "active": stored.active})),
    ))
}

/// The caller: who they are, in which account, with which role.
async fn whoami(principal: Principal, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let user = state.store.user(&principal.username).await?;
    Ok(Json(json!({
        "username": user.username,
        "account_name": user.account,
        "role": user.role,
        "acting_in_account": principal.account,
        "created_at": customs_sbom::Timestamp::from_unix(user.created_at / 1000).as_str(),
    })))
}

fn user_json(user: &customs_store::User) -> Value {
    json!({
        "username": user.username,
        "account_name": user.account,
        "role": user.role,
        "created_at": customs_sbom::Timestamp::from_unix(user.created_at / 1000).as_str(),
    })
}

async fn list_users(
    principal: Principal,
    State(state): State<AppState>,
    Path(account): Path<String>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::Administer)?;
    state.store.account(&account).await?;
    let users = state.store.users(&account).await?;
    Ok(Json(Value::Array(users.iter().map(user_json).collect())))
}

/// A user of `account`, or not found: a user is only ever reached through their account.
async fn user_in(
    state: &AppState,
    account: &str,
    username: &str,
) -> ApiResult<customs_store::User> {
    let user = state.store.user(username).await?;
    if user.account != account {
        return Err(ApiError::not_found(format!(
            "user {username:?} not found in account {account:?}"
        )));
    }
    Ok(user)
}

async fn delete_user(
    principal: Principal,
    State(state): State<AppState>,
    Path((account, username)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    principal.require(Action::Administer)?;
    user_in(&state, &account, &username).await?;
    if username == principal.username {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "SELF_DELETE",
            "you cannot delete yourself; another admin can",
        ));
    }
    state.store.delete_user(&username).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct CredentialRequest {
    password: String,
}

fn check_password(password: &str) -> ApiResult<()> {
    if (6..=128).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(ApiError::bad_request("a password has 6 to 128 characters"))
    }
}

/// Sets a user's password: an admin for any user, anyone for themselves.
async fn set_password(
    principal: Principal,
    State(state): State<AppState>,
    Path((account, username)): Path<(String, String)>,
    Json(r): Json<CredentialRequest>,
) -> ApiResult<StatusCode> {
    let own = username == principal.username && account == principal.home_account;
    if !own {
        principal.require(Action::Administer)?;
    }
    user_in(&state, &account, &username).await?;
    check_password(&r.password)?;
    let password = r.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    state.store.set_password_hash(&username, &hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct AccountStateRequest {
    state: String,
}

/// Disables an account (its users are refused, its images kept) or enables it again.
async fn set_account_state(
    principal: Principal,
    State(state): State<AppState>,
    Path(account): Path<String>,
    Json(r): Json<AccountStateRequest>,
) -> ApiResult<Json<Value>> {
    principal.require(Action::Administer)?;
    if !matches!(r.state.as_str(), "enabled" | "disabled") {
        return Err(ApiError::bad_request(format!(
            "state {:?} is not enabled or disabled",
            r.state
        )));
    }
    if account == crate::auth::ADMIN_ACCOUNT && r.state == "disabled" {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "ADMIN_ACCOUNT",
            "the admin account cannot be disabled",
        ));
    }
    state.store.set_account_state(&account, &r.state).await?;
    Ok(Json(
        serde_json::to_value(state.store.account(&account).await?).expect("accounts serialise"),
    ))
}

/// The caller's API keys: names and dates, never a secret (nor its hash).
async fn list_api_keys(
    principal: Principal,
    State(state): State<AppState>,
) -> ApiResult<Json<Value>> {
    let now = customs_store::now_ms();
    let keys = state.store.api_keys(&principal.username).await?;
    Ok(Json(Value::Array(
        keys.iter()
            .map(|k| {
                json!({
                    "id": k.id,
                    "name": k.name,
                    "created_at": customs_sbom::Timestamp::from_unix(k.created_at / 1000).as_str(),
                    "expires_at": k.expires_at.map(|e| e / 1000),
                    "expired": k.expires_at.is_some_and(|e| e <= now),
                })
            })
            .collect(),
    )))
}

async fn delete_api_key(
    principal: Principal,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.store.delete_api_key(&principal.username, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
