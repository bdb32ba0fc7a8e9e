//! Prometheus metrics at `/metrics` (text format 0.0.4): the queue's depth, analyses by
//! outcome and their durations, and every API operation's requests and latency by route
//! (the route's pattern, not the path, so digests do not make a series each).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (method, route, status) → count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → (seconds, count).
    latency: BTreeMap<(String, String), (f64, u64)>,
    /// outcome → count.
    analyses: BTreeMap<&'static str, u64>,
    analysis_seconds: (f64, u64),
}

impl Metrics {
    pub(crate) fn analysis(&self, outcome: &'static str, took: Duration) {
        let mut m = self.inner.lock().expect("no metrics panics");
        *m.analyses.entry(outcome).or_default() += 1;
        m.analysis_seconds.0 += took.as_secs_f64();
        m.analysis_seconds.1 += 1;
    }

    fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut m = self.inner.lock().expect("no metrics panics");
        *m.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let l = m
            .latency
            .entry((method.to_string(), route.to_string()))
            .or_default();
        l.0 += took.as_secs_f64();
        l.1 += 1;
    }

    pub(crate) fn render(&self, queue_depth: Option<i64>) -> String {
        let m = self.inner.lock().expect("no metrics panics");
        let mut out = String::new();
        if let Some(depth) = queue_depth {
            let _ = writeln!(
                out,
                "# HELP customs_queue_depth Jobs waiting for a worker.\n# TYPE customs_queue_depth gauge\ncustoms_queue_depth {depth}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP customs_analyses_total Analyses that ended, by outcome.\n# TYPE customs_analyses_total counter"
        );
        for outcome in ["completed", "retried", "failed", "lease_lost"] {
            let _ = writeln!(
                out,
                "customs_analyses_total{{outcome=\"{outcome}\"}} {}",
                m.analyses.get(outcome).copied().unwrap_or(0)
            );
        }
        let _ = writeln!(
            out,
            "# HELP customs_analysis_duration_seconds Time of the analyses.\n# TYPE customs_analysis_duration_seconds summary"
        );
        let _ = writeln!(
            out,
            "customs_analysis_duration_seconds_sum {}",
            m.analysis_seconds.0
        );
        let _ = writeln!(
            out,
            "customs_analysis_duration_seconds_count {}",
            m.analysis_seconds.1
        );
        let _ = writeln!(
            out,
            "# HELP customs_http_requests_total API requests by route and status.\n# TYPE customs_http_requests_total counter"
        );
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "customs_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP customs_http_request_duration_seconds API latency by route.\n# TYPE customs_http_request_duration_seconds summary"
        );
        for ((method, route), (seconds, n)) in &m.latency {
            let _ = writeln!(
                out,
                "customs_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {seconds}"
            );
            let _ = writeln!(
                out,
                "customs_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {n}"
            );
        }
        out
    }
}

/// Times every request.
pub(crate) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    tracing::info!(method = %method, route = %route, status, ms = took.as_secs_f64() * 1000.0, "request");
    state.metrics.request(&method, &route, status, took);
    response
}
