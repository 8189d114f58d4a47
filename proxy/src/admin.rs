//! The admin port: `/metrics` (the engine's rule and listener counters, then the proxy's
//! latency histograms, Prometheus text), `/ready` (200 once every listener is bound and
//! while not shutting down, else 503), `/config` (the current `Report`, the status a
//! controller would write, as JSON, with the configuration version).

use crate::http::{answer, Body};
use crate::server::Shared;
use bytes::Bytes;
use http::{header, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

fn text(status: u16, content_type: &'static str, body: String) -> Response<Body> {
    let mut r = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never: Infallible| match never {})
            .boxed(),
    );
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Answers one admin request.
pub fn respond(shared: &Shared, req: &Request<Incoming>) -> Response<Body> {
    match req.uri().path() {
        "/metrics" => {
            let snapshot = shared.live.load();
            let mut body = snapshot
                .router()
                .stats()
                .map(|s| trieway::metrics::prometheus_text(&s))
                .unwrap_or_default();
            body.push_str(&shared.metrics.text());
            text(200, "text/plain; version=0.0.4; charset=utf-8", body)
        }
        "/ready" => {
            if shared.ready.load(Ordering::SeqCst) {
                let last = shared
                    .last_reload
                    .lock()
                    .map(|l| l.clone())
                    .unwrap_or_default();
                text(
                    200,
                    "text/plain; charset=utf-8",
                    format!("ready: version {}: {last}\n", shared.live.version()),
                )
            } else {
                answer(503, "not ready")
            }
        }
        "/config" => {
            let snapshot = shared.live.load();
            let value = serde_json::json!({
                "version": snapshot.version(),
                "gateway": snapshot.router().gateway(),
                "report": snapshot.router().report(),
            });
            text(
                200,
                "application/json",
                serde_json::to_string_pretty(&value).unwrap_or_default(),
            )
        }
        _ => answer(404, "admin: /metrics, /ready, /config"),
    }
}

/// Serves the admin port until `stop`.
pub async fn admin_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let stream = tokio::select! {
            _ = stop.changed() => return,
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(_) => continue,
            },
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let r = respond(&shared, &req);
                async move { Ok::<_, Infallible>(r) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
