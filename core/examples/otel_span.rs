//! Records a match's OpenTelemetry attributes on a span: `http.route` (low cardinality: the
//! configured path, never the request's) and the `trieway.*` identifiers.
//!
//! ```sh
//! cargo run -p trieway --example otel_span
//! ```
//!
//! A real service installs an SDK tracer provider (`opentelemetry_sdk`) and an exporter; this
//! example uses the API only, with an in-memory span that keeps what it is given, so it runs
//! anywhere and checks the attributes it records.

use opentelemetry::trace::{Span, SpanContext, Status};
use opentelemetry::{KeyValue, Value};
use std::borrow::Cow;
use std::time::SystemTime;
use trieway::metrics::AttributeValue;
use trieway::{Options, Request, Router};

/// A span that keeps its attributes (what an SDK span would export).
#[derive(Default)]
struct Recorded {
    attributes: Vec<KeyValue>,
}

impl Span for Recorded {
    fn add_event_with_timestamp<T: Into<Cow<'static, str>>>(
        &mut self,
        _: T,
        _: SystemTime,
        _: Vec<KeyValue>,
    ) {
    }
    fn span_context(&self) -> &SpanContext {
        static NONE: std::sync::OnceLock<SpanContext> = std::sync::OnceLock::new();
        NONE.get_or_init(SpanContext::empty_context)
    }
    fn is_recording(&self) -> bool {
        true
    }
    fn set_attribute(&mut self, attribute: KeyValue) {
        self.attributes.push(attribute);
    }
    fn set_status(&mut self, _: Status) {}
    fn update_name<T: Into<Cow<'static, str>>>(&mut self, _: T) {}
    fn add_link(&mut self, _: SpanContext, _: Vec<KeyValue>) {}
    fn end_with_timestamp(&mut self, _: SystemTime) {}
}

/// Sets every attribute of the request's match on `span`.
fn record<S: Span>(router: &Router, req: &Request<'_>, span: &mut S) {
    if let Some(m) = router.route(req).matched() {
        for (key, value) in m.attributes() {
            let value = match value {
                AttributeValue::Str(s) => Value::from(s.to_string()),
                AttributeValue::Int(i) => Value::from(i),
                // A kind a later version adds: skipped here.
                _ => continue,
            };
            span.set_attribute(KeyValue::new(key, value));
        }
    }
}

fn main() {
    let yaml = include_str!("demo.yaml");
    let router = Router::from_yaml(yaml, Options::default()).expect("the demo configuration");
    let req = Request::new("GET", "blog.example.com", "/posts/42").port(443);
    let mut span = Recorded::default();
    record(&router, &req, &mut span);
    for kv in &span.attributes {
        println!("{} = {}", kv.key, kv.value);
    }
    let route = span
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "http.route")
        .map(|kv| kv.value.to_string());
    assert_eq!(route.as_deref(), Some("/posts/[0-9]+"));
}

#[cfg(test)]
mod tests {
    /// `cargo test` runs the example (`test = true` in Cargo.toml), asserting `http.route`.
    #[test]
    fn records_the_attributes() {
        super::main();
    }
}
