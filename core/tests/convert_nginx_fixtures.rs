//! ingress2gateway's ingress-nginx cases, transcribed as facts: the Ingresses of each case of
//! its end-to-end suite (`e2e/provider_ingressnginx_test.go`, which sends real requests
//! through ingress-nginx's conversion) and the answers it expects, checked against trieway's
//! conversion (`ConvertOptions { nginx: true, .. }`, as the ingress-nginx provider assumes
//! ingress-nginx's defaults). `verify` runs on every case and must explain every difference.
//! Cases where trieway's conversion differs by a documented choice assert that difference.

use trieway::convert::{ingress_to_gateway, verify, ConvertOptions};
use trieway::{Action, ActionKind, Config, Headers, Options, Outcome, Request, Router};

const CLASS: &str = "apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nginx}
spec: {controllerName: example.com/gateway-under-test}
";

fn nginx() -> ConvertOptions {
    ConvertOptions {
        nginx: true,
        ..ConvertOptions::default()
    }
}

/// An Ingress `name` in namespace `e2e`, class nginx, one rule for `host`, with extra
/// annotations and paths `(path, pathType, service)`, optionally TLS with `secret`.
fn ingress(
    name: &str,
    host: &str,
    annotations: &[(&str, &str)],
    paths: &[(&str, &str, &str)],
    tls: Option<&str>,
) -> String {
    let mut y = format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: e2e\n"
    );
    if !annotations.is_empty() {
        y.push_str("  annotations:\n");
        for (k, v) in annotations {
            y.push_str(&format!("    nginx.ingress.kubernetes.io/{k}: {v:?}\n"));
        }
    }
    y.push_str("spec:\n  ingressClassName: nginx\n");
    if let Some(s) = tls {
        y.push_str(&format!("  tls: [{{hosts: [{host}], secretName: {s}}}]\n"));
    }
    y.push_str(&format!(
        "  rules:\n  - host: {host}\n    http:\n      paths:\n"
    ));
    for (p, t, svc) in paths {
        y.push_str(&format!(
            "      - {{path: {p:?}, pathType: {t}, backend: {{service: {{name: {svc}, port: {{number: 80}}}}}}}}\n"
        ));
    }
    y
}

/// `BasicIngress()` of the e2e framework: path `/` Prefix to dummy-app1.
fn basic(name: &str, host: &str, annotations: &[(&str, &str)]) -> String {
    ingress(
        name,
        host,
        annotations,
        &[("/", "Prefix", "dummy-app1")],
        None,
    )
}

/// Converts `yaml` and returns the router of the converted Gateway.
fn converted(yaml: &str, options: &ConvertOptions) -> Router {
    let config = Config::from_str(yaml);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    let conversion = ingress_to_gateway(&config, options);
    assert!(conversion.errors.is_empty(), "{:#?}", conversion.errors);
    let mut b = Config::builder();
    b.add_str(CLASS, "class");
    for (i, v) in conversion.objects.iter().enumerate() {
        b.add_value(v.clone(), "converted", i);
    }
    let c = b.finish();
    assert!(
        c.errors().is_empty(),
        "{:#?}\n{}",
        c.errors(),
        conversion.to_yaml()
    );
    let v = verify(&config, options);
    assert!(v.is_ok(), "{}", v.report());
    Router::new(&c, Options::default()).expect("one Gateway")
}

/// What the converted configuration answers to `GET http://host/path` with `headers`:
/// `service`, `split a=80 b=20`, `service path=/x`, `redirect 301 <location>`, `status N`.
fn answer(r: &Router, host: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let req = Request::new("GET", host, path)
        .port(80)
        .headers(Headers::Pairs(headers));
    let Outcome::Matched(m) = r.route(&req) else {
        return "status 404".into();
    };
    let mut a = Action::new();
    m.apply(&req, 0, &mut a);
    match a.kind {
        ActionKind::Redirect => format!("redirect {} {}", a.status, a.location),
        ActionKind::Forward if m.backends().len() > 1 => {
            let parts: Vec<String> = m
                .backends()
                .iter()
                .map(|b| format!("{}={}", b.name(), b.weight()))
                .collect();
            format!("split {}", parts.join(" "))
        }
        ActionKind::Forward => match a.backend {
            Some(b) if a.path_and_query != path => {
                format!("{} path={}", b.name(), a.path_and_query)
            }
            Some(b) => b.name().to_string(),
            None => format!("status {}", a.status),
        },
        _ => format!("status {}", a.status),
    }
}

const H: &str = "h.example.com";

#[test]
fn canary_weight() {
    // "base canary": 10–30 % of 200 requests reach dummy-app2.
    let yaml = basic("foo1", H, &[])
        + &ingress(
            "foo2",
            H,
            &[("canary", "true"), ("canary-weight", "20")],
            &[("/", "Prefix", "dummy-app2")],
            None,
        );
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, H, "/hostname", &[]),
        "split dummy-app1=80 dummy-app2=20"
    );
}

#[test]
fn canary_by_header_at_path() {
    let yaml = ingress(
        "main",
        H,
        &[],
        &[("/hostname", "Prefix", "dummy-app1")],
        None,
    ) + &ingress(
        "canary-header",
        H,
        &[("canary", "true"), ("canary-by-header", "X-Canary")],
        &[("/hostname", "Prefix", "dummy-app2")],
        None,
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, H, "/hostname", &[("X-Canary", "always")]),
        "dummy-app2"
    );
    assert_eq!(answer(&r, H, "/hostname", &[]), "dummy-app1");
}

#[test]
fn canary_weight_and_header_combined() {
    let yaml = basic("prod", H, &[])
        + &ingress(
            "canary-combined",
            H,
            &[
                ("canary", "true"),
                ("canary-weight", "20"),
                ("canary-by-header", "X-Canary"),
            ],
            &[("/", "Prefix", "dummy-app2")],
            None,
        );
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, H, "/hostname", &[("X-Canary", "always")]),
        "dummy-app2"
    );
    assert_eq!(
        answer(&r, H, "/hostname", &[("X-Canary", "never")]),
        "dummy-app1"
    );
    assert_eq!(
        answer(&r, H, "/hostname", &[]),
        "split dummy-app1=80 dummy-app2=20"
    );
}

#[test]
fn rewrite_target_with_x_forwarded_prefix() {
    // "basic conversion": /abc reaches the backend as /header with X-Forwarded-Prefix: /abc.
    let yaml = ingress(
        "rewrite",
        H,
        &[
            ("rewrite-target", "/header"),
            ("x-forwarded-prefix", "/abc"),
        ],
        &[("/abc", "Prefix", "dummy-app1")],
        None,
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, H, "/abc", &[]), "dummy-app1 path=/header");
    let req = Request::new("GET", H, "/abc").port(80);
    let Outcome::Matched(m) = r.route(&req) else {
        panic!("no match")
    };
    let mut a = Action::new();
    m.apply(&req, 0, &mut a);
    let edits = Action::edit_headers(&a.request_headers, &[]);
    assert!(
        edits
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("x-forwarded-prefix") && v == "/abc"),
        "{edits:?}"
    );
}

#[test]
fn tls_hosts_redirect_to_https_unless_ssl_redirect_is_false() {
    // "tls ingress and gateway" and "ssl-redirect annotation".
    let redirect_host = "tls-redirect.example.com";
    let plain_host = "tls-noredirect.example.com";
    let yaml = ingress(
        "redirect",
        redirect_host,
        &[],
        &[("/", "Prefix", "dummy-app1")],
        Some("cert-a"),
    ) + &ingress(
        "noredirect",
        plain_host,
        &[("ssl-redirect", "false")],
        &[("/", "Prefix", "dummy-app1")],
        Some("cert-b"),
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, redirect_host, "/", &[]),
        "redirect 308 https://tls-redirect.example.com/"
    );
    assert_eq!(answer(&r, plain_host, "/", &[]), "dummy-app1");
    // Documented choice: without --from nginx only an explicit annotation redirects.
    let r = converted(&yaml, &ConvertOptions::default());
    assert_eq!(answer(&r, redirect_host, "/", &[]), "dummy-app1");
}

/// Annotations, request path, expected answer.
type RedirectCase = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

#[test]
fn redirects() {
    // (annotations, request path, expected) of the TestIngressNGINXRedirect cases.
    let cases: &[RedirectCase] = &[
        (
            &[(
                "permanent-redirect",
                "https://new-site.example.com/new-path/",
            )],
            "/",
            "redirect 301 https://new-site.example.com/new-path/",
        ),
        (
            &[(
                "temporal-redirect",
                "https://new-site.example.com/new-path/",
            )],
            "/",
            "redirect 302 https://new-site.example.com/new-path/",
        ),
        (
            &[
                ("permanent-redirect", "https://x.example.com/p"),
                ("permanent-redirect-code", "301"),
            ],
            "/",
            "redirect 301 https://x.example.com/p",
        ),
        (
            &[
                ("temporal-redirect", "https://x.example.com/p"),
                ("temporal-redirect-code", "302"),
            ],
            "/",
            "redirect 302 https://x.example.com/p",
        ),
        (
            &[("permanent-redirect", "https://another-domain.example.com/")],
            "/some/path",
            "redirect 301 https://another-domain.example.com/",
        ),
        (
            &[(
                "temporal-redirect",
                "https://custom-port.example.com:8443/secure/",
            )],
            "/",
            "redirect 302 https://custom-port.example.com:8443/secure/",
        ),
        (
            &[
                ("permanent-redirect", "https://p.example.com/"),
                ("temporal-redirect", "https://t.example.com/"),
            ],
            "/",
            "redirect 302 https://t.example.com/",
        ),
    ];
    for (annotations, path, expected) in cases {
        let r = converted(&basic("redirect", H, annotations), &nginx());
        assert_eq!(answer(&r, H, path, &[]), *expected, "{annotations:?}");
    }
}

#[test]
fn from_to_www_redirect() {
    // ingress-nginx (annotations.md, "Redirect from/to www"): requests for www.example.com are
    // redirected (308) to example.com, and the reverse for a www host; no redirect when the
    // other name has its own rules. e2e "from-to-www-redirect": example.com answers 200,
    // www.example.com/ 301 or 308 with Location `^https?://example\.com(:80)?/?$`.
    let yaml = basic("www", "example.com", &[("from-to-www-redirect", "true")]);
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, "example.com", "/", &[]), "dummy-app1");
    assert_eq!(
        answer(&r, "www.example.com", "/a?b=1", &[]),
        "redirect 308 http://example.com/a?b=1"
    );
    let yaml = basic(
        "www",
        "www.example.com",
        &[("from-to-www-redirect", "true")],
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, "example.com", "/", &[]),
        "redirect 308 http://www.example.com/"
    );
    // The other name has rules of its own: no redirect, a warning.
    let yaml = basic("www", "example.com", &[("from-to-www-redirect", "true")])
        + &basic("other", "www.example.com", &[]);
    let c = ingress_to_gateway(&Config::from_str(&yaml), &nginx());
    assert!(
        c.warnings
            .iter()
            .any(|w| w.message.contains("has its own rules")),
        "{:#?}",
        c.warnings
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, "www.example.com", "/", &[]), "dummy-app1");
}

/// ingress2gateway `ssl_passthrough_test.go`: "basic ssl-passthrough creates TLSRoute and
/// removes HTTPRoute", "ssl-passthrough false is ignored", and a host mixing a passthrough
/// Ingress with a normal one keeps the normal one's rules on HTTP.
#[test]
fn ssl_passthrough_becomes_a_tls_route() {
    let passthrough = |value: &str| {
        ingress(
            "test-ingress",
            "example.com",
            &[("ssl-passthrough", value)],
            &[("/", "Prefix", "my-service")],
            Some("cert"),
        )
        .replace("number: 80", "number: 443")
    };
    let config = Config::from_str(&passthrough("true"));
    let c = ingress_to_gateway(&config, &nginx());
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    let kinds: Vec<&str> = c
        .objects
        .iter()
        .filter_map(|o| o["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["Gateway", "TLSRoute"], "{}", c.to_yaml());
    let route = &c.objects[1];
    assert_eq!(
        route["metadata"]["name"],
        "test-ingress-example-com-tls-passthrough"
    );
    assert_eq!(
        route["spec"]["hostnames"],
        serde_json::json!(["example.com"])
    );
    assert_eq!(
        route["spec"]["parentRefs"][0]["sectionName"],
        "example-com-tls-passthrough"
    );
    assert_eq!(
        route["spec"]["rules"],
        serde_json::json!([{"backendRefs": [{"name": "my-service", "port": 443}]}])
    );
    let listeners = c.objects[0]["spec"]["listeners"]
        .as_array()
        .expect("listeners");
    let l = listeners
        .iter()
        .find(|l| l["name"] == "example-com-tls-passthrough")
        .expect("passthrough listener");
    assert_eq!(
        (
            &l["protocol"],
            &l["port"],
            &l["tls"]["mode"],
            &l["hostname"]
        ),
        (
            &serde_json::json!("TLS"),
            &serde_json::json!(443),
            &serde_json::json!("Passthrough"),
            &serde_json::json!("example.com")
        )
    );
    // Differs: ingress2gateway also keeps the HTTPS listener of the Ingress's tls section on
    // the same port and hostname, which conflicts with the passthrough listener; trieway
    // leaves it out.
    assert!(
        listeners.iter().all(|l| l["protocol"] != "HTTPS"),
        "{}",
        c.to_yaml()
    );
    // The converted TLSRoute routes by SNI.
    let mut b = Config::builder();
    b.add_str(CLASS, "class");
    for (i, v) in c.objects.iter().enumerate() {
        b.add_value(v.clone(), "converted", i);
    }
    let loaded = b.finish();
    assert!(loaded.errors().is_empty(), "{:#?}", loaded.errors());
    let r = Router::new(&loaded, Options::default()).expect("router");
    match r.route_tls(443, Some("example.com")) {
        trieway::TlsOutcome::Forward(m) => assert!(m.passthrough()),
        _ => panic!("no TLS route"),
    }
    let v = verify(&config, &nginx());
    assert!(v.is_ok(), "{}", v.report());
    assert!(v
        .differences
        .iter()
        .all(|d| d.cause == Some("ssl-passthrough")));
    // ssl-passthrough "false": an HTTPRoute as usual.
    let c = ingress_to_gateway(&Config::from_str(&passthrough("false")), &nginx());
    let kinds: Vec<&str> = c
        .objects
        .iter()
        .filter_map(|o| o["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"HTTPRoute") && !kinds.contains(&"TLSRoute"),
        "{kinds:?}"
    );
    // Mixed: the normal Ingress's path stays on HTTP.
    let yaml = passthrough("true")
        + &ingress(
            "normal-ingress",
            "example.com",
            &[],
            &[("/api", "Prefix", "api")],
            None,
        );
    let c = ingress_to_gateway(&Config::from_str(&yaml), &nginx());
    let http: Vec<&serde_json::Value> = c
        .objects
        .iter()
        .filter(|o| o["kind"] == "HTTPRoute")
        .collect();
    assert_eq!(http.len(), 1, "{}", c.to_yaml());
    assert_eq!(http[0]["spec"]["rules"][0]["backendRefs"][0]["name"], "api");
    let tls = c
        .objects
        .iter()
        .find(|o| o["kind"] == "TLSRoute")
        .expect("TLSRoute");
    assert_eq!(
        tls["spec"]["rules"][0]["backendRefs"][0]["name"],
        "my-service"
    );
}

/// e2e "shared host preserves multiple non-passthrough paths": a passthrough Ingress (`/` to
/// dummy-app1:443) and two normal ones (`/path-a`, `/path-b` to dummy-app2) on one host: TLS
/// goes through to dummy-app1, both paths still answer on HTTP.
#[test]
fn ssl_passthrough_shared_host_keeps_other_paths() {
    let yaml = ingress(
        "multi-path-passthrough",
        H,
        &[("ssl-passthrough", "true")],
        &[("/", "Prefix", "dummy-app1")],
        None,
    )
    .replace("number: 80", "number: 443")
        + &ingress(
            "multi-path-normal-a",
            H,
            &[],
            &[("/path-a", "Prefix", "dummy-app2")],
            None,
        )
        + &ingress(
            "multi-path-normal-b",
            H,
            &[],
            &[("/path-b", "Prefix", "dummy-app2")],
            None,
        );
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, H, "/path-a", &[]), "dummy-app2");
    assert_eq!(answer(&r, H, "/path-b", &[]), "dummy-app2");
    match r.route_tls(443, Some(H)) {
        trieway::TlsOutcome::Forward(m) => {
            assert!(m.passthrough());
            assert_eq!(m.backends()[0].name(), "dummy-app1");
        }
        _ => panic!("no TLS route"),
    }
}

/// e2e "mixed termination: passthrough host and normal HTTPS host on same gateway" and
/// "multiple passthrough hosts on same gateway": TLS listeners in Passthrough mode and an
/// HTTPS listener share port 443, told apart by SNI.
#[test]
fn ssl_passthrough_next_to_https_hosts() {
    let pt = |name: &str, host: &str| {
        ingress(
            name,
            host,
            &[("ssl-passthrough", "true")],
            &[("/", "Prefix", name)],
            Some("cert"),
        )
        .replace("number: 80", "number: 443")
    };
    let yaml = pt("pt-one", "one.example.com")
        + &pt("pt-two", "two.example.com")
        + &ingress(
            "normal",
            "web.example.com",
            &[],
            &[("/", "Prefix", "web")],
            Some("web-cert"),
        );
    let r = converted(&yaml, &nginx());
    for (sni, backend) in [("one.example.com", "pt-one"), ("two.example.com", "pt-two")] {
        match r.route_tls(443, Some(sni)) {
            trieway::TlsOutcome::Forward(m) => {
                assert!(m.passthrough(), "{sni}");
                assert_eq!(m.backends()[0].name(), backend);
            }
            _ => panic!("{sni}: no TLS route"),
        }
    }
    // The normal host keeps its HTTPS listener on 443 next to the passthrough ones (its
    // routing over HTTPS is compared by `verify` in `converted`, with a stand-in Secret).
    let c = ingress_to_gateway(&Config::from_str(&yaml), &nginx());
    let listeners: Vec<(String, String, i64)> = c.objects[0]["spec"]["listeners"]
        .as_array()
        .expect("listeners")
        .iter()
        .filter(|l| l["port"] == 443)
        .map(|l| {
            let s = |k: &str| l[k].as_str().unwrap_or("").to_string();
            (s("name"), s("protocol"), l["port"].as_i64().unwrap_or(0))
        })
        .collect();
    assert_eq!(
        listeners,
        [
            ("one-example-com-tls-passthrough".into(), "TLS".into(), 443),
            ("two-example-com-tls-passthrough".into(), "TLS".into(), 443),
            ("web-example-com-https".into(), "HTTPS".into(), 443),
        ]
    );
}

/// ingress2gateway `backend_tls_test.go`: only "fully compliant strict TLS validation"
/// (backend-protocol HTTPS with proxy-ssl-verify on, proxy-ssl-secret, proxy-ssl-server-name
/// on and proxy-ssl-name) makes a BackendTLSPolicy; every partial case makes none (an error
/// says what is missing); a canary Ingress makes none.
#[test]
fn backend_tls_policy() {
    let strict: &[(&str, &str)] = &[
        ("backend-protocol", "HTTPS"),
        ("proxy-ssl-verify", "on"),
        ("proxy-ssl-secret", "my-ca-secret"),
        ("proxy-ssl-server-name", "on"),
        ("proxy-ssl-name", "strict.internal.com"),
    ];
    let yaml = ingress(
        "strict-tls",
        "example.com",
        strict,
        &[("/", "Prefix", "test-service")],
        None,
    );
    let config = Config::from_str(&yaml);
    let c = ingress_to_gateway(&config, &nginx());
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    let policies: Vec<&serde_json::Value> = c
        .objects
        .iter()
        .filter(|o| o["kind"] == "BackendTLSPolicy")
        .collect();
    assert_eq!(policies.len(), 1, "{}", c.to_yaml());
    let p = policies[0];
    assert_eq!(p["metadata"]["name"], "test-service-backend-tls");
    assert_eq!(p["metadata"]["namespace"], "e2e");
    assert_eq!(
        p["spec"],
        serde_json::json!({
            "targetRefs": [{"group": "", "kind": "Service", "name": "test-service"}],
            "validation": {"hostname": "strict.internal.com",
                "caCertificateRefs": [{"group": "", "kind": "ConfigMap", "name": "my-ca-secret"}]}
        })
    );
    // The policy loads and resolves for the converted route's backend.
    let mut b = Config::builder();
    b.add_str(CLASS, "class");
    for (i, v) in c.objects.iter().enumerate() {
        b.add_value(v.clone(), "converted", i);
    }
    assert!(b.finish().errors().is_empty());
    let partial: [&[(&str, &str)]; 5] = [
        &[("proxy-ssl-verify", "on")],
        &[("proxy-ssl-secret", "default/my-ca-secret")],
        &[
            ("proxy-ssl-secret", "my-ca-secret"),
            ("proxy-ssl-verify", "on"),
        ],
        &[("backend-protocol", "HTTPS")],
        &[
            ("backend-protocol", "HTTPS"),
            ("proxy-ssl-name", "my-service.internal"),
        ],
    ];
    for annotations in partial {
        let yaml = ingress(
            "p",
            "example.com",
            annotations,
            &[("/", "Prefix", "test-service")],
            None,
        );
        let c = ingress_to_gateway(&Config::from_str(&yaml), &nginx());
        assert!(
            c.objects.iter().all(|o| o["kind"] != "BackendTLSPolicy"),
            "{annotations:?}"
        );
        let https = annotations.contains(&("backend-protocol", "HTTPS"));
        assert_eq!(
            c.errors
                .iter()
                .any(|e| e.message.contains("no BackendTLSPolicy")),
            https,
            "{annotations:?}: {:#?}",
            c.errors
        );
    }
    // e2e "backend-tls-valid": the secret named with its (own) namespace, port 443, and the
    // request reaches the backend; "unsupported annotations emit warnings but policy still
    // generated" (proxy-ssl-verify-depth, proxy-ssl-protocols).
    let e2e: &[(&str, &str)] = &[
        ("backend-protocol", "HTTPS"),
        ("proxy-ssl-verify", "on"),
        ("proxy-ssl-secret", "e2e/backend-ca"),
        ("proxy-ssl-server-name", "on"),
        ("proxy-ssl-name", "dummy-app1.e2e.svc.cluster.local"),
        ("proxy-ssl-verify-depth", "2"),
        ("proxy-ssl-protocols", "TLSv1.3"),
    ];
    let yaml = ingress(
        "backend-tls-valid",
        H,
        e2e,
        &[("/", "Prefix", "dummy-app1")],
        None,
    )
    .replace("number: 80", "number: 443");
    let c = ingress_to_gateway(&Config::from_str(&yaml), &nginx());
    let p = c
        .objects
        .iter()
        .find(|o| o["kind"] == "BackendTLSPolicy")
        .expect("policy");
    assert_eq!(p["metadata"]["name"], "dummy-app1-backend-tls");
    assert_eq!(
        p["spec"]["validation"]["caCertificateRefs"][0]["name"],
        "backend-ca"
    );
    for unsupported in ["proxy-ssl-verify-depth", "proxy-ssl-protocols"] {
        assert!(
            c.warnings.iter().any(|w| w.field.contains(unsupported)),
            "{unsupported}: {:#?}",
            c.warnings
        );
    }
    // The e2e creates the CA ConfigMap; `verify` (in `converted`) stands one in and agrees.
    // Without it the policy has no CA and the backend fails closed (500).
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, H, "/", &[]), "status 500");
    let mut canary = strict.to_vec();
    canary.push(("canary", "true"));
    let yaml = basic("main", "example.com", &[])
        + &ingress(
            "canary",
            "example.com",
            &canary,
            &[("/", "Prefix", "test-service")],
            None,
        );
    let c = ingress_to_gateway(&Config::from_str(&yaml), &nginx());
    assert!(c.objects.iter().all(|o| o["kind"] != "BackendTLSPolicy"));
}

#[test]
fn use_regex_applies_to_every_path_of_the_host() {
    // "host-level matching": the Exact /hoSTn of another Ingress becomes a case-insensitive
    // regular expression prefix too.
    let yaml = ingress("plain", H, &[], &[("/hoSTn", "Exact", "dummy-app1")], None)
        + &ingress(
            "regex",
            H,
            &[("use-regex", "true")],
            &[("/cliEnt.+", "ImplementationSpecific", "dummy-app2")],
            None,
        );
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, H, "/hostname", &[]), "dummy-app1");
    assert_eq!(answer(&r, H, "/clientip", &[]), "dummy-app2");
}

#[test]
fn rewrite_target_implies_regex_paths() {
    let yaml = ingress("plain", H, &[], &[("/hostn", "Exact", "dummy-app1")], None)
        + &ingress(
            "rewrite-regex",
            H,
            &[("rewrite-target", "/")],
            &[("/client.+", "ImplementationSpecific", "dummy-app2")],
            None,
        );
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, H, "/hostname", &[]), "dummy-app1");
    assert_eq!(answer(&r, H, "/clientip", &[]), "dummy-app2 path=/");
}

#[test]
fn regex_ending_with_dollar_matches_only_that_path() {
    let yaml = ingress(
        "dollar",
        H,
        &[("use-regex", "true")],
        &[("/$", "ImplementationSpecific", "dummy-app1")],
        None,
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(answer(&r, H, "/", &[]), "dummy-app1");
    assert_eq!(answer(&r, H, "/hostname", &[]), "status 404");
    assert_eq!(answer(&r, H, "/hostname/", &[]), "status 404");
}

#[test]
fn app_root() {
    // "root path redirects to app-root"
    let r = converted(
        &basic("approot", H, &[("app-root", "/dashboard")]),
        &nginx(),
    );
    assert_eq!(
        answer(&r, H, "/", &[]),
        "redirect 302 http://h.example.com/dashboard"
    );
    assert_eq!(answer(&r, H, "/hostname", &[]), "dummy-app1");
    // "exact root path redirects to app-root"
    let yaml = ingress(
        "exact",
        H,
        &[("app-root", "/app1")],
        &[("/", "Exact", "dummy-app1")],
        None,
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, H, "/", &[]),
        "redirect 302 http://h.example.com/app1"
    );
    // "no root path still redirects to app-root"
    let yaml = ingress(
        "foo",
        H,
        &[("app-root", "/app1")],
        &[("/foo", "Prefix", "dummy-app1")],
        None,
    );
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, H, "/", &[]),
        "redirect 302 http://h.example.com/app1"
    );
    assert_eq!(answer(&r, H, "/foo", &[]), "dummy-app1");
    // "absolute URL app-root is ignored"
    let r = converted(
        &basic("abs", H, &[("app-root", "https://example.com/landing")]),
        &nginx(),
    );
    assert_eq!(answer(&r, H, "/", &[]), "dummy-app1");
    // "app-root with separate app1 backend"
    let yaml = basic("root", H, &[("app-root", "/app1")])
        + &ingress("app1", H, &[], &[("/app1", "Prefix", "dummy-app2")], None);
    let r = converted(&yaml, &nginx());
    assert_eq!(
        answer(&r, H, "/", &[]),
        "redirect 302 http://h.example.com/app1"
    );
    assert_eq!(answer(&r, H, "/app1", &[]), "dummy-app2");
}

#[test]
fn proxy_timeouts_become_the_backend_request_timeout() {
    // "slow response allowed" (5 s each) / "short timeout" (1 s each → 504).
    for secs in ["5", "1"] {
        let yaml = ingress(
            "timeouts",
            H,
            &[
                ("proxy-connect-timeout", secs),
                ("proxy-read-timeout", secs),
                ("proxy-send-timeout", secs),
            ],
            &[("/shell", "Prefix", "dummy-app1")],
            None,
        );
        let r = converted(&yaml, &nginx());
        let Outcome::Matched(m) = r.route(&Request::new("GET", H, "/shell").port(80)) else {
            panic!()
        };
        let (text, _) = m
            .policies()
            .backend_request_timeout()
            .expect("a backend request timeout");
        assert_eq!(text, format!("{secs}s"));
    }
}

#[test]
fn snippets_are_errors_and_unknown_annotations_warnings() {
    let yaml = basic(
        "s",
        H,
        &[
            ("configuration-snippet", "more_set_headers \"a: b\";"),
            ("limit-rps", "5"),
        ],
    );
    let c = ingress_to_gateway(&Config::from_str(&yaml), &nginx());
    assert_eq!(c.errors.len(), 1, "{:#?}", c.errors);
    assert!(
        c.errors[0].field.contains("configuration-snippet"),
        "{:#?}",
        c.errors
    );
    assert!(
        c.warnings
            .iter()
            .any(|w| w.message.contains("limit-rps is not converted")),
        "{:#?}",
        c.warnings
    );
}

/// The status and response headers (lowercased names) the converted configuration gives
/// `method /` on `H` with `headers`.
fn cors(r: &Router, method: &str, headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>) {
    let req = Request::new(method, H, "/")
        .port(80)
        .headers(Headers::Pairs(headers));
    let Outcome::Matched(m) = r.route(&req) else {
        return (404, Vec::new());
    };
    let mut a = Action::new();
    m.apply(&req, 0, &mut a);
    let edited = Action::edit_headers(&a.response_headers, &[]);
    let lower = edited
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    (a.status, lower)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn cors_typical_annotations() {
    let origin = "https://cors.example.com";
    let yaml = basic(
        "cors",
        H,
        &[
            ("enable-cors", "true"),
            ("cors-allow-origin", origin),
            ("cors-allow-methods", "GET, POST, OPTIONS"),
            ("cors-allow-headers", "X-Requested-With, Content-Type"),
            ("cors-allow-credentials", "true"),
            ("cors-max-age", "600"),
            ("cors-expose-headers", "X-Expose-1, X-Expose-2"),
        ],
    );
    let r = converted(&yaml, &nginx());
    let (status, h) = cors(
        &r,
        "OPTIONS",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "X-Requested-With, Content-Type",
            ),
        ],
    );
    assert!(matches!(status, 200 | 204), "{status}");
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some(origin),
        "{h:?}"
    );
    let methods = header(&h, "access-control-allow-methods")
        .unwrap_or("")
        .to_ascii_uppercase();
    for m in ["GET", "POST", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }
    let allowed = header(&h, "access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    for m in ["x-requested-with", "content-type"] {
        assert!(allowed.contains(m), "{allowed}");
    }
    assert_eq!(
        header(&h, "access-control-allow-credentials"),
        Some("true"),
        "{h:?}"
    );
    assert_eq!(header(&h, "access-control-max-age"), Some("600"), "{h:?}");
    let (_, h) = cors(&r, "GET", &[("Origin", origin)]);
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some(origin),
        "{h:?}"
    );
    assert_eq!(
        header(&h, "access-control-allow-credentials"),
        Some("true"),
        "{h:?}"
    );
    let expose = header(&h, "access-control-expose-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    assert!(
        expose.contains("x-expose-1") && expose.contains("x-expose-2"),
        "{h:?}"
    );
}

#[test]
fn cors_defaults() {
    let origin = "https://cors-defaults.example.com";
    let r = converted(
        &basic("cors-defaults", H, &[("enable-cors", "true")]),
        &nginx(),
    );
    let (status, h) = cors(
        &r,
        "OPTIONS",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "X-Requested-With"),
        ],
    );
    assert!(matches!(status, 200 | 204), "{status}");
    let o = header(&h, "access-control-allow-origin");
    assert!(o == Some("*") || o == Some(origin), "{h:?}");
    let methods = header(&h, "access-control-allow-methods")
        .unwrap_or("")
        .to_ascii_uppercase();
    for m in ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }
    let allowed = header(&h, "access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    for m in [
        "dnt",
        "keep-alive",
        "user-agent",
        "x-requested-with",
        "if-modified-since",
        "cache-control",
        "content-type",
        "range",
        "authorization",
    ] {
        assert!(allowed.contains(m), "{allowed}");
    }
    assert_eq!(
        header(&h, "access-control-allow-credentials"),
        Some("true"),
        "{h:?}"
    );
    assert_eq!(
        header(&h, "access-control-max-age"),
        Some("1728000"),
        "{h:?}"
    );
}

#[test]
fn cors_denied_origin() {
    let yaml = basic(
        "cors-denied",
        H,
        &[
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://cors-allowed.example.com"),
        ],
    );
    let r = converted(&yaml, &nginx());
    let (_, h) = cors(
        &r,
        "OPTIONS",
        &[
            ("Origin", "https://cors-denied.example.com"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "X-Requested-With"),
        ],
    );
    assert_eq!(header(&h, "access-control-allow-origin"), None, "{h:?}");
}

/// e2e "cors denied method and header": the preflight for a method and a header the
/// annotations do not allow is answered (200/204) with the origin and the allowed lists only.
#[test]
fn cors_denied_method_and_header() {
    let origin = "https://cors-method.example.com";
    let yaml = basic(
        "cors-denied-method",
        H,
        &[
            ("enable-cors", "true"),
            ("cors-allow-origin", origin),
            ("cors-allow-methods", "GET, POST"),
            ("cors-allow-headers", "X-Requested-With"),
        ],
    );
    let r = converted(&yaml, &nginx());
    let (status, h) = cors(
        &r,
        "OPTIONS",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "DELETE"),
            ("Access-Control-Request-Headers", "X-Not-Allowed"),
        ],
    );
    assert!(status == 200 || status == 204, "{status}");
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some(origin),
        "{h:?}"
    );
    let methods = header(&h, "access-control-allow-methods")
        .unwrap_or("")
        .to_ascii_uppercase();
    assert!(methods.contains("GET") && methods.contains("POST"), "{h:?}");
    assert!(!methods.contains("DELETE"), "{h:?}");
    let headers = header(&h, "access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    assert!(headers.contains("x-requested-with"), "{h:?}");
    assert!(!headers.contains("x-not-allowed"), "{h:?}");
}

/// Hostile annotation values: the conversion and `verify` neither panic nor write objects the
/// loader refuses.
#[test]
fn hostile_annotation_values_never_panic() {
    let values = [
        "",
        " ",
        "$",
        "$2",
        "://",
        "https://",
        "https://h:99999/x",
        "http://[::1]:8080/p?q#f",
        "-5",
        "101",
        "1e9",
        "true",
        "TRUE",
        "never",
        "\u{0}",
        "/a b",
        "(",
        "/api(/|$)(.*)",
        "*",
        "https://example.com/landing",
    ];
    let names = [
        "rewrite-target",
        "use-regex",
        "app-root",
        "permanent-redirect",
        "permanent-redirect-code",
        "temporal-redirect",
        "temporal-redirect-code",
        "ssl-redirect",
        "force-ssl-redirect",
        "canary-weight",
        "canary-weight-total",
        "canary-by-header",
        "canary-by-header-value",
        "canary-by-cookie",
        "enable-cors",
        "cors-allow-origin",
        "cors-max-age",
        "upstream-vhost",
        "x-forwarded-prefix",
        "proxy-read-timeout",
        "backend-protocol",
    ];
    for name in names {
        for value in values {
            let yaml = ingress(
                "main",
                H,
                &[(name, value), ("use-regex", "true")],
                &[("/", "Prefix", "a"), ("/x(", "ImplementationSpecific", "b")],
                Some("cert"),
            ) + &ingress(
                "canary",
                H,
                &[("canary", "true"), (name, value)],
                &[("/", "Prefix", "c")],
                None,
            );
            let config = Config::from_str(&yaml);
            for options in [nginx(), ConvertOptions::default()] {
                let c = ingress_to_gateway(&config, &options);
                let mut b = Config::builder();
                b.add_str(CLASS, "class");
                for (i, v) in c.objects.iter().enumerate() {
                    b.add_value(v.clone(), "converted", i);
                }
                let loaded = b.finish();
                assert!(
                    loaded.errors().is_empty(),
                    "{name}={value:?}: {:#?}\n{}",
                    loaded.errors(),
                    c.to_yaml()
                );
                let _ = verify(&config, &options);
            }
        }
    }
}
