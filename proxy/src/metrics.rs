//! The proxy's own metrics (request latency histograms, upstream failures), next to the
//! engine's rule and listener counters (`trieway::metrics::prometheus_text`).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Duration;

type Labels = Vec<(&'static str, String)>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The proxy's registry.
#[derive(Debug)]
pub struct ProxyMetrics {
    registry: Registry,
    latency: Family<Labels, Histogram, fn() -> Histogram>,
    upstream_errors: Family<Labels, Counter>,
    reloads: Counter,
    connections: Gauge,
    client_certificates: Family<Labels, Counter>,
}

impl Default for ProxyMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ProxyMetrics {
    /// A registry with the proxy's metrics.
    pub fn new() -> ProxyMetrics {
        let mut registry = Registry::with_prefix("trieway_proxy");
        let latency: Family<Labels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let upstream_errors = Family::<Labels, Counter>::default();
        let reloads = Counter::default();
        let connections = Gauge::default();
        registry.register(
            "request_duration_seconds",
            "HTTP request latency by listener port, answer status and route kind",
            latency.clone(),
        );
        registry.register(
            "upstream_errors",
            "Upstream attempts that failed, by cause (refused, timeout, failed), and mirrors dropped (mirror_dropped)",
            upstream_errors.clone(),
        );
        registry.register("reloads", "Configuration reloads applied", reloads.clone());
        registry.register(
            "open_connections",
            "Client connections currently open",
            connections.clone(),
        );
        let client_certificates = Family::<Labels, Counter>::default();
        registry.register(
            "client_certificate_outcomes",
            "TLS connections on ports with client-certificate validation that were not simply accepted, by outcome (rejected, insecure_fallback)",
            client_certificates.clone(),
        );
        ProxyMetrics {
            registry,
            client_certificates,
            latency,
            upstream_errors,
            reloads,
            connections,
        }
    }

    /// Records one answered request.
    pub fn observe(&self, port: u16, status: u16, matched: bool, elapsed: Duration) {
        let labels = vec![
            ("port", port.to_string()),
            ("status", status.to_string()),
            ("matched", matched.to_string()),
        ];
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a failed upstream attempt.
    pub fn upstream_error(&self, cause: &'static str) {
        self.upstream_errors
            .get_or_create(&vec![("cause", cause.to_string())])
            .inc();
    }

    /// Counts a connection rejected or served unauthenticated by client-certificate
    /// validation.
    pub fn client_certificate(&self, outcome: &'static str) {
        self.client_certificates
            .get_or_create(&vec![("outcome", outcome.to_string())])
            .inc();
    }

    /// Counts a reload.
    pub fn reloaded(&self) {
        self.reloads.inc();
    }

    /// The open-connections gauge.
    pub fn connections(&self) -> &Gauge {
        &self.connections
    }

    /// The registry in the Prometheus text format.
    pub fn text(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
