//! Load + validate + attach + compile from arbitrary bytes.
//!
//! * Input starting with byte 0: the rest drives a structured generator (dictionaries of
//!   hostnames, paths, regexes, headers, filters) that renders a GatewayClass + Gateway +
//!   Services + HTTPRoutes configuration both as block YAML and as JSON. Both renderings must
//!   load to the same objects and the same messages; every served Gateway is compiled and a
//!   few arbitrary requests are routed and applied.
//! * Any other input: raw YAML / JSON text (the seeds are real configurations).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use trieway::{Action, Config};
use trieway_fuzz::{exercise, load, objects, render, routers, Req};

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0, rest)) => structured(rest),
        _ => raw(data),
    }
});

fn raw(data: &[u8]) {
    let mut c = Config::builder()
        .with_max_bytes(1 << 20)
        .with_max_objects(500);
    c.add_bytes(data, "fuzz");
    let c = c.finish();
    for e in c.errors().iter().chain(c.warnings()) {
        let _ = e.to_string();
    }
    let _ = c.is_valid();
    for router in routers(&c, data.len() as u8) {
        let _ = router.route(&trieway::Request::new("GET", "example.com", "/"));
    }
}

/// What must not depend on the rendering (YAML or JSON).
fn summary(c: &Config) -> (Vec<usize>, Vec<String>) {
    let counts = vec![
        c.gateway_classes().len(),
        c.gateways().len(),
        c.http_routes().len(),
        c.services().len(),
        c.secrets().len(),
        c.namespaces().len(),
        c.reference_grants().len(),
    ];
    let mut messages: Vec<String> = c
        .errors()
        .iter()
        .map(|e| format!("{} {} {} {}", e.kind, e.object, e.field, e.message))
        .collect();
    messages.sort();
    (counts, messages)
}

fn structured(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(docs) = objects(&mut u) else { return };
    let yaml = render(&docs, true);
    let json = render(&docs, false);
    let config = load(&yaml);
    let from_json = load(&json);
    assert_eq!(
        summary(&config),
        summary(&from_json),
        "YAML:\n{yaml}\nJSON:\n{json}"
    );
    let variant: u8 = u.arbitrary().unwrap_or(0);
    for router in routers(&config, variant) {
        let mut action = Action::new();
        for _ in 0..3 {
            match Req::arbitrary(&mut u) {
                Ok(r) => exercise(&router, &r, &mut action),
                Err(_) => break,
            }
        }
    }
}
