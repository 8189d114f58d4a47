//! `Live`: random change sequences applied to a live router give the Router a fresh full
//! build of the same objects gives (same outcomes on a fixed request set, same Report), and
//! readers on other threads only ever see answers of a version that was current during
//! their lookup.
//!
//! The concurrency test runs 1,000 change sets by default; `TRIEWAY_LIVE_CHANGES=100000 cargo
//! test -p trieway --release --test live concurrent` runs a long one.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use trieway::{
    Change, Config, Headers, Live, ObjectKey, Options, Outcome, Request, Router, Target,
};

/// The objects a change can name: `(kind, namespace, name)`.
const SLOTS: &[(&str, &str, &str)] = &[
    ("GatewayClass", "", "c"),
    ("Gateway", "default", "gw"),
    ("HTTPRoute", "default", "r0"),
    ("HTTPRoute", "default", "r1"),
    ("HTTPRoute", "default", "r2"),
    ("HTTPRoute", "ns1", "r3"),
    ("HTTPRoute", "ns1", "r4"),
    ("Service", "default", "s0"),
    ("Service", "ns1", "s1"),
    ("Service", "default", "s2"),
    ("ReferenceGrant", "ns1", "allow-default"),
    ("Namespace", "", "ns1"),
    ("ListenerSet", "default", "ls"),
    ("GRPCRoute", "default", "g0"),
    ("Secret", "default", "cert"),
    ("Ingress", "default", "ing"),
    ("ConfigMap", "default", "ca"),
    ("BackendTLSPolicy", "default", "tls"),
];

/// A self-signed certificate's PEM, generated once.
fn ca_pem() -> &'static str {
    static PEM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PEM.get_or_init(|| {
        rcgen::generate_simple_self_signed(vec!["s0.example.com".to_string()])
            .expect("a certificate")
            .cert
            .pem()
    })
}

const HOSTS: &[&str] = &[
    "web.example.com",
    "api.example.com",
    "*.example.com",
    "set.example.com",
];
const PATHS: &[&str] = &["/", "/api", "/api/v1", "/exact"];

fn pick<'a>(list: &[&'a str], v: u32) -> &'a str {
    list[v as usize % list.len()]
}

/// The YAML of variant `v` of slot `slot`, and whether the object is valid (an invalid one
/// must be rejected, its previous version kept).
fn object(slot: usize, v: u32) -> (String, bool) {
    let (kind, ns, name) = SLOTS[slot];
    let meta = if ns.is_empty() {
        format!("metadata: {{name: {name}}}")
    } else {
        format!("metadata: {{name: {name}, namespace: {ns}}}")
    };
    let gw = "apiVersion: gateway.networking.k8s.io/v1";
    match kind {
        "GatewayClass" => (
            format!("{gw}\nkind: GatewayClass\n{meta}\nspec: {{controllerName: example.com/c{}}}\n", v % 2),
            true,
        ),
        "Gateway" => {
            let from = pick(&["All", "Same", "Selector"], v);
            let extra = match v / 3 % 3 {
                0 => "",
                1 => "\n  - {name: alt, port: 8080, protocol: HTTP, hostname: '*.example.com', allowedRoutes: {namespaces: {from: All}}}",
                _ => "\n  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}, allowedRoutes: {namespaces: {from: All}}}",
            };
            let text = format!(
                "{gw}\nkind: Gateway\n{meta}\nspec:\n  gatewayClassName: c\n  allowedListeners: {{namespaces: {{from: All}}}}\n  listeners:\n  - {{name: http, port: 80, protocol: HTTP, allowedRoutes: {{namespaces: {{from: {from}, selector: {{matchLabels: {{team: a}}}}}}}}}}{extra}\n"
            );
            match v % 11 {
                // An object-level error: a listener port out of range.
                5 => (text.replace("port: 80,", "port: 70000,"), false),
                _ => (text, true),
            }
        }
        "HTTPRoute" => {
            let hosts = match v % 4 {
                0 => String::new(),
                n => format!("  hostnames: ['{}']\n", pick(HOSTS, n + v / 4)),
            };
            let kind_ = pick(&["PathPrefix", "Exact", "RegularExpression"], v / 16);
            let path = match kind_ {
                "RegularExpression" => "/api/[a-z0-9]+".to_string(),
                _ => pick(PATHS, v / 48).to_string(),
            };
            let header = if v / 192 % 2 == 1 {
                ", headers: [{name: x-v, value: '1'}]"
            } else {
                ""
            };
            let backend = match v / 384 % 4 {
                0 => "{name: s0, port: 80}".to_string(),
                1 => "{name: s1, namespace: ns1, port: 80}".to_string(),
                2 => "{name: s2, port: 80, weight: 3}, {name: s0, port: 80, weight: 1}".to_string(),
                _ => "{name: s1, port: 80}".to_string(),
            };
            let section = match v / 1536 % 3 {
                0 => "",
                1 => ", sectionName: http",
                _ => ", sectionName: alt",
            };
            let parent = if ns == "default" {
                format!("{{name: gw{section}}}")
            } else {
                format!("{{name: gw, namespace: default{section}}}")
            };
            let valid = v % 13 != 7;
            let (kind_, path) = match valid {
                true => (kind_, path),
                // An object-level error (the CRD's pattern for a path prefix).
                false => ("PathPrefix", "no-slash".to_string()),
            };
            let text = format!(
                "{gw}\nkind: HTTPRoute\n{meta}\nspec:\n  parentRefs: [{parent}]\n{hosts}  rules:\n  - matches: [{{path: {{type: {kind_}, value: '{path}'}}{header}}}]\n    backendRefs: [{backend}]\n  - matches: [{{path: {{type: PathPrefix, value: /{name}}}}}]\n    backendRefs: [{{name: s0, port: 80}}]\n"
            );
            (text, valid)
        }
        "Service" => {
            let port = pick(&["80", "8080"], v);
            (format!("apiVersion: v1\nkind: Service\n{meta}\nspec: {{ports: [{{port: {port}}}]}}\n"), true)
        }
        "ReferenceGrant" => {
            let kind_ = pick(&["Service", "Secret"], v);
            (
                format!("{gw}\nkind: ReferenceGrant\n{meta}\nspec:\n  from: [{{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}}]\n  to: [{{group: '', kind: {kind_}}}]\n"),
                true,
            )
        }
        "Namespace" => {
            let team = pick(&["a", "b"], v);
            (format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{team: {team}}}}}\n"), true)
        }
        "ListenerSet" => {
            let host = pick(&["web.example.com", "set.example.com"], v);
            (
                format!("{gw}\nkind: ListenerSet\n{meta}\nspec:\n  parentRef: {{name: gw}}\n  listeners:\n  - {{name: extra, port: 80, protocol: HTTP, hostname: {host}, allowedRoutes: {{namespaces: {{from: All}}}}}}\n"),
                true,
            )
        }
        "GRPCRoute" => {
            let method = pick(&["Get", "Put"], v);
            (
                format!("{gw}\nkind: GRPCRoute\n{meta}\nspec:\n  parentRefs: [{{name: gw}}]\n  hostnames: [grpc.example.com]\n  rules:\n  - matches: [{{method: {{service: svc.Api, method: {method}}}}}]\n    backendRefs: [{{name: s0, port: 80}}]\n"),
                true,
            )
        }
        "Secret" => (
            format!("apiVersion: v1\nkind: Secret\n{meta}\ntype: kubernetes.io/tls\ndata: {{tls.crt: '', tls.key: ''}}\n"),
            true,
        ),
        "Ingress" => {
            let path = pick(PATHS, v);
            (
                format!("apiVersion: networking.k8s.io/v1\nkind: Ingress\n{meta}\nspec:\n  rules:\n  - http: {{paths: [{{path: '{path}', pathType: Prefix, backend: {{service: {{name: s0, port: {{number: 80}}}}}}}}]}}\n"),
                true,
            )
        }
        "ConfigMap" => {
            // A CA bundle, or text that is not PEM (the policy's ref is then invalid).
            let ca = match v % 2 {
                0 => ca_pem().to_string(),
                _ => "not a certificate".to_string(),
            };
            let value = serde_json::to_string(&ca).expect("a JSON string");
            (format!("apiVersion: v1\nkind: ConfigMap\n{meta}\ndata: {{ca.crt: {value}}}\n"), true)
        }
        "BackendTLSPolicy" => {
            let section = pick(&["", ", sectionName: http", ", sectionName: nope"], v);
            let validation = match v / 3 % 3 {
                0 => "{caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}], hostname: s0.example.com}",
                1 => "{wellKnownCACertificates: System, hostname: s0.example.com}",
                // Both at once: the CRD's CEL rule refuses it.
                _ => "{caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}], wellKnownCACertificates: System, hostname: s0.example.com}",
            };
            (
                format!("{gw}\nkind: BackendTLSPolicy\n{meta}\nspec:\n  targetRefs: [{{group: '', kind: Service, name: s0{section}}}]\n  validation: {validation}\n"),
                v / 3 % 3 != 2,
            )
        }
        _ => unreachable!(),
    }
}

/// One change: upsert variant `v` of a slot, or delete it.
#[derive(Debug, Clone)]
enum Step {
    Upsert(usize, u32),
    Delete(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..SLOTS.len(), any::<u32>()).prop_map(|(s, v)| Step::Upsert(s, v)),
        1 => (0..SLOTS.len()).prop_map(Step::Delete),
    ]
}

/// The objects serving in the order a full build reads them: replaced in place, appended
/// when new, removed keeping the order of the rest (what `Live` promises).
#[derive(Debug, Clone, Default)]
struct Model(Vec<(usize, String)>);

impl Model {
    fn initial() -> Model {
        let mut m = Model::default();
        for slot in 0..SLOTS.len() {
            // Valid variants with routes on several hostnames.
            let v = if SLOTS[slot].0 == "HTTPRoute" {
                [1, 2, 3, 5, 6][slot - 2]
            } else {
                0
            };
            let (text, valid) = object(slot, v);
            assert!(valid);
            m.0.push((slot, text));
        }
        m
    }

    fn apply(&mut self, step: &Step) {
        match *step {
            Step::Upsert(slot, v) => {
                let (text, valid) = object(slot, v);
                if !valid {
                    return;
                }
                match self.0.iter_mut().find(|(s, _)| *s == slot) {
                    Some(entry) => entry.1 = text,
                    None => self.0.push((slot, text)),
                }
            }
            Step::Delete(slot) => self.0.retain(|(s, _)| *s != slot),
        }
    }

    fn yaml(&self) -> String {
        self.0
            .iter()
            .map(|(_, t)| format!("---\n{t}"))
            .collect::<String>()
    }

    fn build(&self) -> Result<Router, trieway::Error> {
        let config = Config::from_str(&self.yaml());
        assert!(config.errors().is_empty(), "{:?}", config.errors());
        Router::new(&config, Options::default())
    }
}

fn change(step: &Step) -> Change {
    match *step {
        Step::Upsert(slot, v) => {
            let (text, _) = object(slot, v);
            let mut c = Change::parse(&text, &format!("slot{slot}.yaml")).expect("parses");
            assert_eq!(c.len(), 1);
            c.remove(0)
        }
        Step::Delete(slot) => {
            let (kind, ns, name) = SLOTS[slot];
            Change::delete(kind, ns, name)
        }
    }
}

/// One request of the fixed set: host, path, port, with the header `x-v: 1`, as gRPC.
type Probe = (&'static str, &'static str, Option<u16>, bool, bool);

/// The fixed request set.
fn probes() -> Vec<Probe> {
    let hosts = [
        "web.example.com",
        "api.example.com",
        "a.example.com",
        "set.example.com",
        "grpc.example.com",
        "other.org",
    ];
    let paths = [
        "/",
        "/api",
        "/api/v1",
        "/api/x9",
        "/exact",
        "/r0",
        "/r3/x",
        "/svc.Api/Get",
        "/svc.Api/Put",
    ];
    let mut out = Vec::new();
    for host in hosts {
        for path in paths {
            for port in [None, Some(8080), Some(443)] {
                for header in [false, true] {
                    out.push((host, path, port, header, false));
                    if path.starts_with("/svc") {
                        out.push((host, path, port, header, true));
                    }
                }
            }
        }
    }
    out
}

/// The answer of `router` to one probe, as text.
fn answer(router: &Router, &(host, path, port, header, grpc): &Probe) -> String {
    let headers = [("x-v", "1")];
    let headers = if header { &headers[..] } else { &[][..] };
    let mut req = Request::new("GET", host, path).headers(Headers::Pairs(headers));
    if let Some(p) = port {
        req = req.port(p);
    }
    match grpc {
        true => describe(router.route_grpc(&req)),
        false => describe(router.route(&req)),
    }
}

/// Every answer of `router` on the fixed request set, as text.
fn answers(router: &Router) -> Vec<String> {
    probes().iter().map(|p| answer(router, p)).collect()
}

fn describe(o: Outcome<'_>) -> String {
    match o {
        Outcome::Matched(m) => {
            let pick = |r| match m.pick(r) {
                Target::Backend(b) => format!("{}/{}", b.namespace(), b.name()),
                Target::Status(s) => s.to_string(),
                _ => "other".into(),
            };
            format!(
                "{} #{}.{} on {}:{} {} -> {} {}",
                m.route(),
                m.rule_index(),
                m.match_index(),
                m.listener(),
                m.port(),
                m.hostname(),
                pick(0),
                pick(u64::MAX)
            )
        }
        Outcome::NotFound => "404".into(),
        Outcome::Misdirected => "421".into(),
        _ => "other".into(),
    }
}

fn report(router: &Router) -> serde_json::Value {
    serde_json::to_value(router.report()).expect("serializes")
}

fn initial_live() -> Live {
    Live::new(
        Config::from_str(&Model::initial().yaml()),
        Options::default(),
    )
    .expect("builds")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// After every change set, the live Router answers as a fresh full build of the objects
    /// that should be serving, and reports the same statuses; rejected and failed changes
    /// keep what served before.
    #[test]
    fn live_equals_full_rebuild(sets in prop::collection::vec(prop::collection::vec(step(), 1..5), 1..8)) {
        let live = initial_live();
        let mut model = Model::initial();
        for set in &sets {
            let before = model.clone();
            for s in set {
                model.apply(s);
            }
            let result = live.apply(set.iter().map(change));
            let invalid = set.iter().filter(|s| matches!(s, Step::Upsert(slot, v) if !object(*slot, *v).1)).count();
            prop_assert_eq!(result.rejected.len(), invalid, "{}", result);
            let reference = match model.build() {
                Ok(r) => r,
                Err(e) => {
                    // The full build fails: so must the live one, keeping the previous objects.
                    prop_assert!(result.failed.is_some(), "reference failed ({}) but live: {}", e, result);
                    model = before;
                    model.build().expect("the previous configuration builds")
                }
            };
            let current = live.load();
            prop_assert_eq!(answers(&current), answers(&reference));
            prop_assert_eq!(report(&current), report(&reference));
            let keys: Vec<ObjectKey> = model.0.iter().map(|(s, _)| {
                let (k, n, m) = SLOTS[*s];
                ObjectKey::new(k, n, m)
            }).collect();
            let config = live.config();
            prop_assert_eq!(config.http_routes().len(), keys.iter().filter(|k| k.kind == "HTTPRoute").count());
        }
    }
}

/// The proptest's universe is not trivial: the fixed request set sees several routes and
/// statuses, and changes move answers.
#[test]
fn universe_answers_vary() {
    let live = initial_live();
    let first = answers(&live.load());
    let distinct: std::collections::BTreeSet<&String> = first.iter().collect();
    assert!(distinct.len() >= 5, "{distinct:?}");
    let r = live.apply([change(&Step::Upsert(2, 2 + 16))]);
    assert!(r.is_clean() && r.published, "{r}");
    assert_ne!(answers(&live.load()), first);
}

/// Readers on several threads route the fixed request set while a writer applies random
/// change sets; every answer equals the answer of a version that was current at some time
/// during that lookup (the versions published between the reader's loads before and after).
#[test]
fn concurrent_readers_see_only_published_versions() {
    let strategy = prop::collection::vec(step(), 1..4).boxed();
    concurrent_readers(Model::initial(), strategy, "every kind");
}

/// The same with change sets of routes, Services, grants and Namespaces on objects without
/// the BackendTLSPolicy: most versions are built incrementally, sharing tables with the
/// version readers hold.
#[test]
fn concurrent_readers_see_only_published_incremental_versions() {
    let slots = slots_of(&["HTTPRoute", "Service", "ReferenceGrant", "Namespace"]);
    let step = prop_oneof![
        4 => (prop::sample::select(slots.clone()), any::<u32>()).prop_map(|(s, v)| Step::Upsert(s, v)),
        1 => prop::sample::select(slots).prop_map(Step::Delete),
    ];
    let mut model = Model::initial();
    model.0.retain(|(s, _)| SLOTS[*s].0 != "BackendTLSPolicy");
    let incremental = concurrent_readers(
        model,
        prop::collection::vec(step, 1..4).boxed(),
        "routes, Services, grants, Namespaces",
    );
    assert!(incremental > 0);
}

/// Readers on 3 threads route the fixed request set while this thread applies
/// `TRIEWAY_LIVE_CHANGES` (default 1,000) change sets drawn from `strategy` to a Live
/// starting from `initial`; every answer must be that of a version current during the
/// lookup. Returns how many versions were built incrementally.
fn concurrent_readers(
    initial: Model,
    strategy: proptest::strategy::BoxedStrategy<Vec<Step>>,
    what: &str,
) -> usize {
    let changes: usize = std::env::var("TRIEWAY_LIVE_CHANGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let live =
        Arc::new(Live::new(Config::from_str(&initial.yaml()), Options::default()).expect("builds"));
    // Version -> its answers, filled by the writer before it publishes the next version.
    let answers_of = Arc::new(std::sync::RwLock::new(vec![
        Vec::new(),
        answers(&live.load()),
    ]));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|t| {
            let (live, done) = (live.clone(), done.clone());
            std::thread::spawn(move || {
                let probes = probes();
                // (version before, version after, probe, answer id), answers interned.
                let mut seen: Vec<(u64, u64, u32, u32)> = Vec::new();
                let mut ids: std::collections::HashMap<String, u32> = Default::default();
                let mut i = t;
                // One lookup per record: the version before, the snapshot, the answer, the
                // version after. Every `stride`-th lookup is kept; past 1,000,000 records half
                // are dropped and the stride doubles, so records span the whole run.
                let (mut n, mut stride) = (0u64, 1u64);
                while !done.load(Ordering::Relaxed) || seen.len() < 100 {
                    i = (i + 7) % probes.len();
                    let before = live.version();
                    let snapshot = live.load();
                    let answer = answer(&snapshot, &probes[i]);
                    let after = live.version();
                    assert!((before..=after).contains(&snapshot.version()));
                    drop(snapshot);
                    n += 1;
                    if n % stride != 0 {
                        continue;
                    }
                    let next = ids.len() as u32;
                    let id = *ids.entry(answer).or_insert(next);
                    seen.push((before, after, i as u32, id));
                    if seen.len() >= 1_000_000 {
                        let mut k = 0;
                        seen.retain(|_| {
                            k += 1;
                            k % 2 == 0
                        });
                        stride *= 2;
                    }
                }
                let mut names = vec![String::new(); ids.len()];
                for (answer, id) in ids {
                    names[id as usize] = answer;
                }
                (seen, names, n)
            })
        })
        .collect();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut published, mut incremental) = (0, 0);
    for _ in 0..changes {
        let set = strategy.new_tree(&mut runner).expect("value").current();
        // Recorded before the store, so a reader that sees the version finds its answers.
        let result = {
            let mut table = answers_of.write().expect("lock");
            let result = live.apply(set.iter().map(change));
            let version = live.version() as usize;
            if table.len() <= version {
                table.push(answers(&live.load()));
            }
            result
        };
        published += usize::from(result.published);
        incremental += usize::from(result.incremental);
    }
    done.store(true, Ordering::Relaxed);
    let table = answers_of.read().expect("lock");
    let (mut lookups, mut checked) = (0, 0);
    for r in readers {
        let (seen, names, n) = r.join().expect("reader");
        lookups += n;
        for (before, after, i, id) in seen {
            checked += 1;
            let answer = &names[id as usize];
            let ok = (before..=after).any(|v| table[v as usize][i as usize] == *answer);
            assert!(
                ok,
                "answer {answer:?} of request {i} is not that of versions {before}..={after}"
            );
        }
    }
    assert!(
        published > changes / 4,
        "only {published} of {changes} change sets published"
    );
    eprintln!(
        "concurrency ({what}): {changes} change sets, {published} published \
         ({incremental} incrementally), {lookups} lookups, {checked} checked"
    );
    incremental
}

/// Writers are serialized: two threads applying change sets at once lose nothing, and every
/// publication gets its own version.
#[test]
fn concurrent_writers_are_serialized() {
    let live = Arc::new(initial_live());
    let writers: Vec<_> = (0..2)
        .map(|t| {
            let live = live.clone();
            std::thread::spawn(move || {
                let mut versions = Vec::new();
                for k in 0..25 {
                    let text = format!(
                        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: w{t}-{k}, namespace: default}}\nspec:\n  parentRefs: [{{name: gw}}]\n  hostnames: [w{t}-{k}.example.com]\n  rules: [{{backendRefs: [{{name: s0, port: 80}}]}}]\n"
                    );
                    let r = live.apply(Change::parse(&text, "w.yaml").expect("parses"));
                    assert!(r.is_clean() && r.published, "{r}");
                    versions.push(r.version);
                }
                versions
            })
        })
        .collect();
    let mut versions: Vec<u64> = writers
        .into_iter()
        .flat_map(|w| w.join().expect("writer"))
        .collect();
    versions.sort_unstable();
    assert_eq!(versions, (2..52).collect::<Vec<u64>>());
    assert_eq!(live.version(), 51);
    let names: std::collections::BTreeSet<String> = live
        .config()
        .http_routes()
        .iter()
        .map(|r| r.meta.name.clone())
        .filter(|n| n.starts_with('w'))
        .collect();
    assert_eq!(names.len(), 50);
    let snapshot = live.load();
    for t in 0..2 {
        for k in 0..25 {
            let host = format!("w{t}-{k}.example.com");
            let o = snapshot.route(&Request::new("GET", &host, "/"));
            assert!(matches!(o, Outcome::Matched(m) if m.route().name == format!("w{t}-{k}")));
        }
    }
}

/// `Live::empty`: version 0 answers 404 to everything until the first change set builds a
/// Router (version 1); a change set that cannot build one (no Gateway) publishes nothing.
#[test]
fn an_empty_live_routes_nothing_until_a_gateway_arrives() {
    let live = Live::empty(Options::default());
    assert_eq!(live.version(), 0);
    let request = Request::new("GET", "store.example.com", "/");
    assert!(matches!(live.load().route(&request), Outcome::NotFound));
    assert!(live.load().report().routes.is_empty());
    // Services alone: no Gateway, nothing published.
    let service = Change::parse(
        "apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: default}\n\
         spec: {ports: [{port: 80}]}\n",
        "s.yaml",
    )
    .unwrap();
    let result = live.apply(service);
    assert!(result.failed.is_some() && !result.published, "{result}");
    assert_eq!(live.version(), 0);
    let demo = Change::parse(include_str!("../examples/demo.yaml"), "demo.yaml").unwrap();
    let result = live.apply(demo);
    assert!(result.is_clean() && result.published, "{result}");
    assert_eq!(live.version(), 1);
    let full =
        Router::from_yaml(include_str!("../examples/demo.yaml"), Options::default()).unwrap();
    assert_eq!(answers(&live.router()), answers(&full));
    assert!(!matches!(live.load().route(&request), Outcome::NotFound));
}

/// The slots of the kinds `kinds`.
fn slots_of(kinds: &[&str]) -> Vec<usize> {
    (0..SLOTS.len())
        .filter(|&s| kinds.contains(&SLOTS[s].0))
        .collect()
}

/// Random change sets of objects of `kinds` (with or without the GRPCRoute) on the initial objects
/// without the BackendTLSPolicy (whose status depends on every route: a full build each
/// time): each update must give the full build's Router (same answers, same report).
/// Returns how many updates were incremental and why the others were not.
fn route_only_updates(kinds: &[&str]) -> (u32, Vec<String>) {
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};
    let cases: u32 = std::env::var("TRIEWAY_LIVE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let slots = slots_of(kinds);
    let grpc = kinds.contains(&"GRPCRoute");
    let step = prop_oneof![
        4 => (prop::sample::select(slots.clone()), any::<u32>()).prop_map(|(s, v)| Step::Upsert(s, v)),
        1 => prop::sample::select(slots).prop_map(Step::Delete),
    ];
    let sets = prop::collection::vec(prop::collection::vec(step, 1..4), 1..10);
    let incremental = std::cell::Cell::new(0u32);
    let full = std::cell::RefCell::new(Vec::new());
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        ..RunnerConfig::default()
    });
    runner
        .run(&sets, |sets| {
            let mut model = Model::initial();
            model.0.retain(|(s, _)| {
                SLOTS[*s].0 != "BackendTLSPolicy" && (grpc || SLOTS[*s].0 != "GRPCRoute")
            });
            let live =
                Live::new(Config::from_str(&model.yaml()), Options::default()).expect("builds");
            for set in &sets {
                for s in set {
                    model.apply(s);
                }
                let result = live.apply(set.iter().map(change));
                let reference = model.build().expect("routes alone never fail a build");
                if result.published {
                    match &result.full_build {
                        None => incremental.set(incremental.get() + 1),
                        Some(why) => full.borrow_mut().push(why.clone()),
                    }
                    prop_assert_eq!(result.incremental, result.full_build.is_none());
                }
                let current = live.load();
                prop_assert_eq!(answers(&current), answers(&reference), "{}", result);
                prop_assert_eq!(report(&current), report(&reference), "{}", result);
            }
            Ok(())
        })
        .expect("incremental updates equal full builds");
    (incremental.get(), full.into_inner())
}

/// Without a GRPCRoute, every change set of HTTPRoutes is applied incrementally (issue #18)
/// and equals a full build.
#[test]
fn http_route_changes_are_incremental_and_equal_a_full_rebuild() {
    let (incremental, full) = route_only_updates(&["HTTPRoute"]);
    eprintln!(
        "HTTPRoute updates: {incremental} incremental, {} full builds",
        full.len()
    );
    assert!(incremental > 0);
    assert!(full.is_empty(), "{full:?}");
}

/// With a GRPCRoute on the listener of HTTPRoutes whose hostnames may overlap its own, an
/// update that may change a SPEC §2.4 conflict builds in full (and says so); the others are
/// incremental; all equal a full build.
#[test]
fn route_changes_near_a_grpc_route_equal_a_full_rebuild() {
    let (incremental, full) = route_only_updates(&["HTTPRoute", "GRPCRoute"]);
    eprintln!(
        "route updates: {incremental} incremental, {} full builds",
        full.len()
    );
    assert!(incremental > 0);
    assert!(full.iter().all(|why| why.contains("SPEC §2.4")), "{full:?}");
}

/// Changes of Services, ReferenceGrants and Namespaces re-attach the routes they affect
/// incrementally, with the same result as a full build. Full builds remain for what an
/// incremental update does not cover here: a Namespace with ListenerSets in the
/// configuration, a ReferenceGrant to Secrets, the first Service or the last one.
#[test]
fn service_grant_and_namespace_changes_equal_a_full_rebuild() {
    let (incremental, full) =
        route_only_updates(&["HTTPRoute", "Service", "ReferenceGrant", "Namespace"]);
    eprintln!(
        "updates: {incremental} incremental, {} full builds",
        full.len()
    );
    assert!(incremental > 0);
    let expected = [
        "ListenerSets",
        "ReferenceGrants to Services",
        "first Service",
    ];
    assert!(
        full.iter()
            .all(|why| expected.iter().any(|e| why.contains(e))),
        "{full:?}"
    );
}

/// Which rule the Router's regex budget drops depends on every route compiled before it: an
/// update of a Router that dropped one is a full build (and says so), so the dropped rule comes
/// back when the route holding the budget leaves, as in a fresh build.
#[test]
fn a_rule_dropped_for_the_regex_budget_comes_back_when_the_budget_frees() {
    let route = |name: &str, path: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  parentRefs: [{{name: gw}}]\n  rules:\n  - matches: [{{path: {{type: RegularExpression, value: '{path}'}}}}]\n    backendRefs: [{{name: s0, port: 80}}]\n"
        )
    };
    let gateway = "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c}\nspec: {controllerName: example.com/c}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\nspec:\n  gatewayClassName: c\n  listeners: [{name: http, port: 80, protocol: HTTP}]\n";
    let (a, b) = (route("a", "/a/[a-z]{300}x"), route("b", "/b/[a-z]{300}y"));
    let one = Router::new(
        &Config::from_str(&format!("{gateway}---\n{a}")),
        Options::default(),
    )
    .expect("builds");
    // Room for one of the two (same-sized) regexes, not both.
    let options = Options {
        regex_router_budget: one.regex_memory() * 3 / 2,
        ..Options::default()
    };
    let live = Live::new(
        Config::from_str(&format!("{gateway}---\n{a}---\n{b}")),
        options.clone(),
    )
    .expect("builds");
    let b_path = format!("/b/{}y", "q".repeat(300));
    let hit = |live: &Live| matches!(live.load().route(&Request::new("GET", "h", &b_path)), Outcome::Matched(m) if m.route().name == "b");
    assert!(!hit(&live), "b's rule is dropped while a holds the budget");
    let r = live.apply([Change::delete("HTTPRoute", "default", "a")]);
    assert!(r.published && !r.incremental, "{r}");
    assert!(
        r.full_build
            .as_deref()
            .unwrap_or_default()
            .contains("regex budget"),
        "{r}"
    );
    assert!(hit(&live), "b's rule is back");
    let fresh =
        Router::new(&Config::from_str(&format!("{gateway}---\n{b}")), options).expect("builds");
    assert_eq!(report(&live.load()), report(&fresh));
}
