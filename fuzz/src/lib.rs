//! Shared pieces of the trieway fuzz targets: a structured configuration generator (a small
//! dictionary of hostnames, paths, regexes and headers rendered as YAML or JSON), an arbitrary
//! request, a fixed rich configuration, and the invariants every lookup must keep.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use trieway::{
    Action, ActionKind, Config, Headers, Options, Outcome, RegexRank, RepeatedHeaders,
    Request, Router, Target,
};

// ---------------------------------------------------------------------------------------------
// Dictionaries: mostly valid values, a few that validation must refuse.

const HOSTNAMES: &[&str] = &[
    "example.com",
    "*.example.com",
    "a.example.com",
    "foo.bar.example.com",
    "*.bar.example.com",
    "EXAMPLE.org",
    "*",
    "",
    "a..b",
    "-bad.example.com",
    "127.0.0.1",
    "xn--bcher-kva.example",
    "*.*.example.com",
];
const PATHS: &[&str] = &[
    "/", "/a", "/a/", "/a/b", "/admin", "/public", "/api/v1/", "//", "/a%2Fb", "/é", "", "a",
    "/a?b", "/a#b", "/%", "/..", "/a/./b",
];
const REGEXES: &[&str] = &[
    "/re/[0-9]+",
    ".*",
    "(a|b)*c",
    "[",
    "(?i)/CASE",
    "/x{2,5}",
    "^/anch$",
    "\\",
    "(((a)))",
    "\\b/word\\b",
    "/(?P<n>[^/]+)/\\d*",
];
/// Regexes that hit (or approach) the 1 MiB compiled-size limit: compiling them takes
/// milliseconds, so they are picked rarely to keep the executions per second up.
const HEAVY_REGEXES: &[&str] = &["a{100000}", "(\\w{50}){50}", "\\p{L}+", "[a-z]{1,500}"];

fn regex_word(u: &mut Unstructured) -> Result<String> {
    if u.ratio(1, 32)? {
        Ok(u.choose(HEAVY_REGEXES)?.to_string())
    } else {
        word(u, REGEXES)
    }
}
const HEADER_NAMES: &[&str] = &[
    "x-a",
    "X-A",
    "version",
    "set-cookie",
    "Cookie",
    "host",
    ":authority",
    "bad name",
    "",
    "x-b",
];
const VALUES: &[&str] = &[
    "1", "two", "a,b", "", " ", "\u{1}", "é", "v2", "%20", "true",
];
const METHODS: &[&str] = &["GET", "POST", "HEAD", "DELETE", "get", "BREW", ""];
const SERVICES: &[&str] = &["svc-a", "svc-b", "missing", "store"];
const NAMESPACES: &[&str] = &["default", "infra", "other"];
const PORTS: &[i64] = &[80, 443, 8080, 0, 65535, 70000];

/// A dictionary word, or (rarely) an arbitrary short string.
fn word(u: &mut Unstructured, dict: &[&str]) -> Result<String> {
    if u.ratio(1, 16)? {
        let s: &str = u.arbitrary()?;
        Ok(s.chars().take(40).collect())
    } else {
        Ok(u.choose(dict)?.to_string())
    }
}

fn opt<T>(
    u: &mut Unstructured,
    f: impl FnOnce(&mut Unstructured) -> Result<T>,
) -> Result<Option<T>> {
    if u.arbitrary()? {
        Ok(Some(f(u)?))
    } else {
        Ok(None)
    }
}

fn list(
    u: &mut Unstructured,
    max: usize,
    mut f: impl FnMut(&mut Unstructured) -> Result<Value>,
) -> Result<Value> {
    let n = u.int_in_range(0..=max)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(f(u)?);
    }
    Ok(Value::Array(v))
}

fn num(u: &mut Unstructured, dict: &[i64]) -> Result<Value> {
    if u.ratio(1, 16)? {
        Ok(json!(u.arbitrary::<i64>()?))
    } else {
        Ok(json!(*u.choose(dict)?))
    }
}

/// Inserts `key` when `value` is `Some`.
fn put(m: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        m.insert(key.to_string(), v);
    }
}

fn header_match(u: &mut Unstructured) -> Result<Value> {
    let mut m = Map::new();
    let regex = u.ratio(1, 3)?;
    m.insert("name".into(), json!(word(u, HEADER_NAMES)?));
    if regex {
        m.insert("type".into(), json!("RegularExpression"));
        m.insert("value".into(), json!(regex_word(u)?));
    } else {
        put(
            &mut m,
            "type",
            opt(u, |u| Ok(json!(*u.choose(&["Exact", "Prefix"])?)))?,
        );
        m.insert("value".into(), json!(word(u, VALUES)?));
    }
    Ok(Value::Object(m))
}

fn http_match(u: &mut Unstructured) -> Result<Value> {
    let mut m = Map::new();
    put(
        &mut m,
        "path",
        opt(u, |u| {
            let kind = *u.choose(&["PathPrefix", "Exact", "RegularExpression", "Other"])?;
            let value = if kind == "RegularExpression" {
                regex_word(u)?
            } else {
                word(u, PATHS)?
            };
            Ok(json!({"type": kind, "value": value}))
        })?,
    );
    m.insert("headers".into(), list(u, 2, header_match)?);
    m.insert("queryParams".into(), list(u, 2, header_match)?);
    put(&mut m, "method", opt(u, |u| Ok(json!(word(u, METHODS)?)))?);
    Ok(Value::Object(m))
}

fn path_modifier(u: &mut Unstructured) -> Result<Value> {
    Ok(if u.arbitrary()? {
        json!({"type": "ReplacePrefixMatch", "replacePrefixMatch": word(u, PATHS)?})
    } else {
        json!({"type": "ReplaceFullPath", "replaceFullPath": word(u, PATHS)?})
    })
}

fn header_modifier(u: &mut Unstructured) -> Result<Value> {
    let kv = |u: &mut Unstructured| {
        Ok(json!({"name": word(u, HEADER_NAMES)?, "value": word(u, VALUES)?}))
    };
    Ok(json!({
        "set": list(u, 2, kv)?,
        "add": list(u, 2, kv)?,
        "remove": list(u, 2, |u| Ok(json!(word(u, HEADER_NAMES)?)))?,
    }))
}

fn backend_ref(u: &mut Unstructured) -> Result<Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(word(u, SERVICES)?));
    put(
        &mut m,
        "namespace",
        opt(u, |u| Ok(json!(word(u, NAMESPACES)?)))?,
    );
    put(
        &mut m,
        "kind",
        opt(u, |u| Ok(json!(*u.choose(&["Service", "Bucket"])?)))?,
    );
    put(&mut m, "port", opt(u, |u| num(u, &[80, 8080, 0]))?);
    Ok(Value::Object(m))
}

fn filter(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=7)? {
        0 => json!({"type": "RequestHeaderModifier", "requestHeaderModifier": header_modifier(u)?}),
        1 => {
            json!({"type": "ResponseHeaderModifier", "responseHeaderModifier": header_modifier(u)?})
        }
        2 => {
            let mut r = Map::new();
            put(
                &mut r,
                "scheme",
                opt(u, |u| Ok(json!(*u.choose(&["http", "https", "ftp"])?)))?,
            );
            put(
                &mut r,
                "hostname",
                opt(u, |u| Ok(json!(word(u, HOSTNAMES)?)))?,
            );
            put(&mut r, "port", opt(u, |u| num(u, PORTS))?);
            put(
                &mut r,
                "statusCode",
                opt(u, |u| num(u, &[301, 302, 303, 307, 308, 200]))?,
            );
            put(&mut r, "path", opt(u, path_modifier)?);
            json!({"type": "RequestRedirect", "requestRedirect": r})
        }
        3 => {
            let mut r = Map::new();
            put(
                &mut r,
                "hostname",
                opt(u, |u| Ok(json!(word(u, HOSTNAMES)?)))?,
            );
            put(&mut r, "path", opt(u, path_modifier)?);
            json!({"type": "URLRewrite", "urlRewrite": r})
        }
        4 => {
            let mut r = Map::new();
            r.insert("backendRef".into(), backend_ref(u)?);
            if u.arbitrary()? {
                put(&mut r, "percent", opt(u, |u| num(u, &[0, 50, 100, 101]))?);
            } else {
                put(
                    &mut r,
                    "fraction",
                    opt(u, |u| {
                        Ok(
                            json!({"numerator": num(u, &[1, 0, 5])?, "denominator": num(u, &[3, 0, 100])?}),
                        )
                    })?,
                );
            }
            json!({"type": "RequestMirror", "requestMirror": r})
        }
        5 => json!({"type": "CORS", "cors": {
            "allowOrigins": list(u, 2, |u| Ok(json!(word(u, &["https://*.example.com", "*", "http://a.example.com:8080", "null"])?)))?,
            "allowCredentials": u.arbitrary::<bool>()?,
            "allowMethods": list(u, 2, |u| Ok(json!(word(u, &["GET", "POST", "*"])?)))?,
            "allowHeaders": list(u, 2, |u| Ok(json!(word(u, HEADER_NAMES)?)))?,
            "exposeHeaders": list(u, 1, |u| Ok(json!(word(u, HEADER_NAMES)?)))?,
            "maxAge": num(u, &[0, 60, -1])?,
        }}),
        6 => {
            json!({"type": "ExtensionRef", "extensionRef": {"group": "example.com", "kind": "Plugin", "name": word(u, &["p", ""])?}})
        }
        _ => json!({"type": word(u, &["Unknown", "requestHeaderModifier"])?}),
    })
}

fn rule(u: &mut Unstructured) -> Result<Value> {
    let mut r = Map::new();
    put(
        &mut r,
        "name",
        opt(u, |u| Ok(json!(word(u, &["r1", "r2", "Bad_Name"])?)))?,
    );
    r.insert("matches".into(), list(u, 3, http_match)?);
    r.insert("filters".into(), list(u, 3, filter)?);
    r.insert(
        "backendRefs".into(),
        list(u, 3, |u| {
            let mut b = backend_ref(u)?;
            let m = b.as_object_mut().expect("object");
            put(m, "weight", opt(u, |u| num(u, &[0, 1, 3, 1_000_000, -1]))?);
            if u.ratio(1, 4)? {
                m.insert("filters".into(), list(u, 2, filter)?);
            }
            Ok(b)
        })?,
    );
    if u.ratio(1, 4)? {
        r.insert(
            "timeouts".into(),
            json!({"request": word(u, &["10s", "1h30m", "0s", "500ms", "bad"])?}),
        );
    }
    Ok(Value::Object(r))
}

fn meta(u: &mut Unstructured, name: &str, namespace: Option<&str>) -> Result<Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    put(&mut m, "namespace", namespace.map(|n| json!(n)));
    if u.ratio(1, 8)? {
        m.insert(
            "creationTimestamp".into(),
            json!(word(
                u,
                &["2024-01-02T03:04:05Z", "2024-13-02T03:04:05Z", "x"]
            )?),
        );
    }
    Ok(Value::Object(m))
}

/// Builds a Gateway API configuration (GatewayClass, Gateway `infra/gw`, Services, a Secret,
/// HTTPRoutes, sometimes a ReferenceGrant) from the dictionaries, as a list of objects.
pub fn objects(u: &mut Unstructured) -> Result<Vec<Value>> {
    let mut docs = vec![json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": {"name": "fuzz"},
        "spec": {"controllerName": "example.com/gateway-under-test"},
    })];
    for ns in NAMESPACES {
        docs.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"team": ns}}}));
        for svc in &SERVICES[..2] {
            docs.push(json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": svc, "namespace": ns},
                "spec": {"ports": [{"port": 80}, {"port": 8080}]},
            }));
        }
    }
    docs.push(json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": "cert", "namespace": "infra"},
    }));
    let n_listeners = u.int_in_range(1..=3)?;
    let mut listeners = Vec::new();
    for i in 0..n_listeners {
        let protocol = *u.choose(&["HTTP", "HTTPS", "HTTP", "TLS"])?;
        let mut l = Map::new();
        l.insert("name".into(), json!(format!("l{i}")));
        l.insert("port".into(), num(u, &[80, 443, 8080])?);
        l.insert("protocol".into(), json!(protocol));
        put(
            &mut l,
            "hostname",
            opt(u, |u| Ok(json!(word(u, HOSTNAMES)?)))?,
        );
        if protocol != "HTTP" {
            l.insert(
                "tls".into(),
                json!({"mode": if protocol == "TLS" { "Passthrough" } else { "Terminate" },
                       "certificateRefs": [{"name": "cert"}]}),
            );
        }
        let from = *u.choose(&["All", "Same", "Selector"])?;
        let ns = if from == "Selector" {
            json!({"from": from, "selector": {"matchLabels": {"team": "default"}}})
        } else {
            json!({"from": from})
        };
        l.insert("allowedRoutes".into(), json!({"namespaces": ns}));
        listeners.push(Value::Object(l));
    }
    docs.push(json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "gw", "namespace": "infra"},
        "spec": {"gatewayClassName": "fuzz", "listeners": listeners},
    }));
    let n_routes = u.int_in_range(1..=3)?;
    for i in 0..n_routes {
        let ns = *u.choose(NAMESPACES)?;
        let mut parent = Map::new();
        parent.insert("name".into(), json!("gw"));
        parent.insert("namespace".into(), json!("infra"));
        put(
            &mut parent,
            "sectionName",
            opt(u, |u| Ok(json!(*u.choose(&["l0", "l1", "l9"])?)))?,
        );
        put(&mut parent, "port", opt(u, |u| num(u, &[80, 443, 8080]))?);
        let spec = json!({
            "parentRefs": [parent],
            "hostnames": list(u, 3, |u| Ok(json!(word(u, HOSTNAMES)?)))?,
            "rules": list(u, 4, rule)?,
        });
        docs.push(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": meta(u, &format!("r{i}"), Some(ns))?,
            "spec": spec,
        }));
    }
    if u.ratio(1, 4)? {
        docs.push(json!({
            "apiVersion": "gateway.networking.k8s.io/v1beta1",
            "kind": "ReferenceGrant",
            "metadata": {"name": "grant", "namespace": "other"},
            "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": word(u, NAMESPACES)?}],
                     "to": [{"group": "", "kind": "Service"}]},
        }));
    }
    Ok(docs)
}

// ---------------------------------------------------------------------------------------------
// Rendering.

/// Renders objects as JSON (an array) or as multi-document block YAML.
pub fn render(docs: &[Value], yaml: bool) -> String {
    if !yaml {
        return serde_json::to_string(docs).expect("JSON");
    }
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        yaml_node(d, 0, &mut out);
    }
    out
}

fn yaml_scalar(v: &Value, out: &mut String) {
    match v {
        Value::String(s) if plain_ok(s) => out.push_str(s),
        Value::String(s) => yaml_quoted(s, out),
        // JSON numbers, booleans and null read the same in YAML.
        _ => out.push_str(&serde_json::to_string(v).expect("JSON")),
    }
}

/// A YAML double-quoted scalar: like JSON, but every character outside YAML's printable set
/// (C0 and C1 controls, DEL, U+FEFF, U+FFFE, U+FFFF) and the Unicode line separators is escaped, since YAML refuses it raw.
fn yaml_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether a string can be written as a plain YAML scalar that reads back as the same string.
fn plain_ok(s: &str) -> bool {
    let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"];
    !s.is_empty()
        && s.as_bytes()[0].is_ascii_alphabetic()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_'))
        && !reserved.iter().any(|r| r.eq_ignore_ascii_case(s))
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn yaml_node(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                out.push_str(&pad);
                yaml_scalar(&Value::String(k.clone()), out);
                out.push(':');
                if is_block(v) {
                    out.push('\n');
                    yaml_node(v, indent + 2, out);
                } else {
                    out.push(' ');
                    yaml_flow(v, out);
                    out.push('\n');
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for v in a {
                out.push_str(&pad);
                out.push('-');
                if is_block(v) {
                    out.push('\n');
                    yaml_node(v, indent + 2, out);
                } else {
                    out.push(' ');
                    yaml_flow(v, out);
                    out.push('\n');
                }
            }
        }
        _ => {
            out.push_str(&pad);
            yaml_flow(v, out);
            out.push('\n');
        }
    }
}

fn yaml_flow(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        _ => yaml_scalar(v, out),
    }
}

/// Loads a generated configuration with small limits.
pub fn load(text: &str) -> Config {
    let mut c = Config::builder()
        .with_max_bytes(1 << 20)
        .with_max_objects(1000);
    c.add_str(text, "fuzz");
    c.finish()
}

// ---------------------------------------------------------------------------------------------
// Requests.

/// An arbitrary request: dictionary-biased strings and raw header bytes.
#[derive(Debug)]
pub struct Req {
    pub method: String,
    pub host: String,
    pub target: String,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub port: Option<u16>,
    pub sni: Option<String>,
    pub scheme: Option<String>,
    pub random: u64,
}

const REQ_HOSTS: &[&str] = &[
    "store.example.com",
    "blog.example.com",
    "alice.pages.example.com",
    "rich.example.com",
    "x.wild.example.com",
    "RICH.Example.COM.:443",
    "plain.example.net",
    "a.example.com",
    "foo.bar.example.com",
    "example.com",
    "[::1]:80",
    "",
    "a:b:c",
];
const REQ_PATHS: &[&str] = &[
    "/",
    "/exact",
    "/split/x",
    "/zero",
    "/re/42/x",
    "/case/abc",
    "/hdr",
    "/q",
    "/rewrite/a/b",
    "/full",
    "/prefix/one/two",
    "/redirect/x",
    "/redirect-full",
    "/mirror",
    "/cors",
    "/ext",
    "/policies",
    "/api/items",
    "/cart/checkout",
    "/healthz",
    "/posts/12",
    "/admin/x",
    "/public/..%2Fadmin",
    "",
    "*",
];
const REQ_QUERIES: &[&str] = &[
    "",
    "?a=1&b=22",
    "?preview=true",
    "?a",
    "?%20=%20",
    "?a=1&a=2",
    "?",
];
const REQ_HEADER_NAMES: &[&[u8]] = &[
    b"x-exact",
    b"X-RE",
    b"set-cookie",
    b"cookie",
    b"x-api-version",
    b"origin",
    b"access-control-request-method",
    b"access-control-request-headers",
    b"host",
    b"x-a",
];
const REQ_HEADER_VALUES: &[&[u8]] = &[
    b"yes",
    b"v1",
    b"v2",
    b"a=1",
    b"session=abc; x=y",
    b"https://a.example.com",
    b"GET",
    b"x-a",
    b"\xff\xfe",
    b"",
    b"http://app.example.org:8080",
];

fn bytes_word(u: &mut Unstructured, dict: &[&[u8]]) -> Result<Vec<u8>> {
    if u.ratio(1, 8)? {
        let b: &[u8] = u.arbitrary()?;
        Ok(b.iter().copied().take(64).collect())
    } else {
        Ok(u.choose(dict)?.to_vec())
    }
}

impl<'a> Arbitrary<'a> for Req {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let method = word(u, &["GET", "POST", "HEAD", "OPTIONS", "DELETE", "get", ""])?;
        let host = word(u, REQ_HOSTS)?;
        let mut target = word(u, REQ_PATHS)?;
        if u.ratio(1, 4)? {
            // Extra segments, sometimes hostile ones.
            target.push_str(&word(
                u,
                &["/", "//", "/.", "/..", "/%2e%2E", "/%2F", "\\", "/x", "/é"],
            )?);
        }
        target.push_str(&word(u, REQ_QUERIES)?);
        let n = u.int_in_range(0..=4)?;
        let mut headers = Vec::with_capacity(n);
        for _ in 0..n {
            headers.push((
                bytes_word(u, REQ_HEADER_NAMES)?,
                bytes_word(u, REQ_HEADER_VALUES)?,
            ));
        }
        let port = match u.int_in_range(0..=4)? {
            0 => None,
            1 => Some(80),
            2 => Some(443),
            3 => Some(8080),
            _ => Some(u.arbitrary()?),
        };
        let sni = opt(u, |u| word(u, REQ_HOSTS))?;
        let scheme = opt(u, |u| word(u, &["http", "https", "HTTPS", "ftp"]))?;
        let random = u.arbitrary()?;
        Ok(Req {
            method,
            host,
            target,
            headers,
            port,
            sni,
            scheme,
            random,
        })
    }
}

/// Routes `req`, applies the winner's filters into `action` and checks the invariants that
/// hold for every configuration and request.
pub fn exercise<'r>(router: &'r Router, r: &Req, action: &mut Action<'r>) {
    let pairs: Vec<(&[u8], &[u8])> = r.headers.iter().map(|(n, v)| (&n[..], &v[..])).collect();
    let mut req = Request::new(&r.method, &r.host, &r.target).headers(Headers::Bytes(&pairs));
    req.port = r.port;
    req.sni = r.sni.as_deref();
    req.scheme = r.scheme.as_deref();

    let outcome = router.route(&req);
    // Deterministic.
    let again = router.route(&req);
    assert_eq!(describe(&outcome), describe(&again));
    // Over-long paths never match.
    if req.path.len() > router.options().max_path_len {
        assert!(matches!(outcome, Outcome::NotFound));
    }
    let status = outcome.status(r.random);
    assert!((100..=599).contains(&status), "status {status}");
    // The explanation never panics on hostile input and names the match the lookup returned
    // (Ingress routers explain the outcome only).
    let e = router.explain(&req);
    let winner = e.winner().map(|w| {
        let id = &w.id;
        (id.namespace.clone(), id.name.clone(), id.rule, id.match_index)
    });
    let matched = outcome.matched().map(|m| {
        let r = m.route();
        (r.namespace.to_string(), r.name.to_string(), m.rule_index(), m.match_index())
    });
    if !e.listener.reason.starts_with("Ingress router") {
        assert_eq!(winner, matched, "{e:#?}");
    }
    let Outcome::Matched(m) = outcome else { return };
    let _ = (
        m.route(),
        m.rule_index(),
        m.rule_name(),
        m.path_match(),
        m.hostname(),
    );
    let _ = (
        m.backends(),
        m.total_weight(),
        m.policies(),
        m.listener(),
        m.port(),
    );
    if let Target::Backend(b) = m.pick(r.random) {
        assert!(m.backends().iter().any(|x| std::ptr::eq(x, b)));
    }
    m.apply(&req, r.random, action);
    match action.kind {
        ActionKind::Forward => assert!(action.backend.is_some(), "forward without a backend"),
        ActionKind::Redirect => {
            assert!(
                matches!(action.status, 301 | 302 | 303 | 307 | 308),
                "{}",
                action.status
            );
            assert!(!action.location.is_empty());
        }
        ActionKind::Respond => assert!((100..=599).contains(&action.status)),
        _ => {}
    }
    // No request byte puts CR, LF or NUL into a header value the engine builds from the
    // request: the redirect's Location (configured path values are escaped too), the upstream
    // Host (request authority only when it is a valid host; configured rewrites are
    // validated hostnames) and the CORS origin echo.
    let clean = |v: &str| !v.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
    assert!(clean(&action.location), "Location {:?}", action.location);
    assert!(clean(&action.authority), "authority {:?}", action.authority);
    if action.kind == ActionKind::Redirect {
        let host = action.location.split_once("://").map(|(_, rest)| rest);
        let host = host.map(|h| &h[..h.find('/').unwrap_or(h.len())]);
        assert!(
            host.is_some_and(|h| !h.is_empty() && !h.starts_with(':')
                && !h.bytes().any(|b| b" \t#?@\\".contains(&b))),
            "Location authority {:?}",
            action.location
        );
    }
    for e in &action.response_headers {
        if e.name.eq_ignore_ascii_case("access-control-allow-origin") {
            assert!(clean(&e.value), "{}: {:?}", e.name, e.value);
        }
    }
    for &(_, percent) in &action.mirrors {
        assert!((0.0..=100.0).contains(&percent), "{percent}");
    }
    // Applying again into the same (reused) Action gives the same result.
    let first = (
        action.kind,
        action.status,
        action.path_and_query.clone(),
        action.location.clone(),
    );
    m.apply(&req, r.random, action);
    assert_eq!(
        first,
        (
            action.kind,
            action.status,
            action.path_and_query.clone(),
            action.location.clone()
        )
    );
    let lines = vec![("x-a".to_string(), "1".to_string())];
    let _ = Action::edit_headers(&action.request_headers, &lines);
}

fn describe(o: &Outcome<'_>) -> String {
    match o {
        Outcome::Matched(m) => format!("{}#{}/{}", m.route(), m.rule_index(), m.match_index()),
        Outcome::NotFound => "404".into(),
        Outcome::Misdirected => "421".into(),
        _ => "other".into(),
    }
}

/// Every Router the configuration yields: one per served Gateway (at most 3), under a few
/// option sets chosen by `variant`.
pub fn routers(config: &Config, variant: u8) -> Vec<Router> {
    let mut out = Vec::new();
    for g in config.gateways().iter().take(3) {
        let options = options(
            variant,
            Some(format!("{}/{}", g.meta.namespace, g.meta.name)),
        );
        if let Ok(r) = Router::new(config, options) {
            let _ = r.report();
            out.push(r);
        }
    }
    out
}

/// Option sets: the default and the non-default choices.
pub fn options(variant: u8, gateway: Option<String>) -> Options {
    let mut o = Options {
        gateway,
        ..Options::default()
    };
    if variant & 1 != 0 {
        o.host_isolation = true;
    }
    if variant & 2 != 0 {
        o.listener_isolation = false;
    }
    if variant & 4 != 0 {
        o.regex_rank = RegexRank::BelowPrefix;
    }
    o.repeated_headers = match (variant >> 3) % 3 {
        0 => RepeatedHeaders::Join,
        1 => RepeatedHeaders::First,
        _ => RepeatedHeaders::Any,
    };
    if variant & 32 != 0 {
        o.max_path_len = 8;
    }
    if variant & 64 != 0 {
        o.counters = true;
    }
    o
}

/// The fixed rich configuration: `examples/demo.yaml` plus `src/extra.yaml`.
pub fn fixed_text() -> String {
    format!(
        "{}\n{}",
        include_str!("../../examples/demo.yaml"),
        include_str!("extra.yaml")
    )
}

/// Routers over the fixed configuration, one per option variant used by the targets.
pub fn fixed_routers() -> &'static [Router] {
    static ROUTERS: OnceLock<Vec<Router>> = OnceLock::new();
    ROUTERS.get_or_init(|| {
        let config = Config::from_str(&fixed_text());
        assert!(
            config.errors().is_empty(),
            "fixed config: {:#?}",
            config.errors()
        );
        [0u8, 1, 2, 4, 8, 16, 32]
            .iter()
            .map(|&v| Router::new(&config, options(v, None)).expect("fixed router"))
            .collect()
    })
}
