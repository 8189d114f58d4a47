//! `trieway::convert::verify`: the requests the Ingresses and their Gateway API conversion
//! answer differently, each attributed to the documented difference (docs/ingress.md) that
//! explains it.

use std::collections::BTreeSet;
use trieway::convert::{verify, ConvertOptions, Difference, ImplementationSpecific, Verification};
use trieway::Config;

/// The Ingress of docs/ingress.md "Semantic differences".
const DOCS_EXAMPLE: &str = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: demo, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  ingressClassName: trieway
  defaultBackend: {service: {name: fallback, port: {number: 80}}}
  rules:
  - host: foo.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: foo, port: {number: 80}}}}
      - {path: /a, pathType: Exact, backend: {service: {name: exact-a, port: {number: 80}}}}
      - {path: /a/, pathType: Prefix, backend: {service: {name: prefix-a, port: {number: 80}}}}
  - host: "*.example.com"
    http:
      paths:
      - {path: /w, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}
  - http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
"#;

fn find<'a>(v: &'a Verification, request: &str) -> Option<&'a Difference> {
    v.differences.iter().find(|d| d.request == request)
}

#[test]
fn the_documented_table_is_what_verify_finds() {
    let v = verify(&Config::from_str(DOCS_EXAMPLE), &ConvertOptions::default());
    assert!(v.is_ok(), "{}", v.report());
    // The rows of the table in docs/ingress.md: request, Ingress, Gateway API, cause.
    let rows = [
        (
            "a.b.example.com/w",
            "demo/fallback:80",
            "demo/wild:80",
            "wildcard-depth",
        ),
        (
            "foo.example.com/a",
            "demo/prefix-a:80",
            "demo/exact-a:80",
            "path-precedence",
        ),
        (
            "foo.example.com/api/x",
            "demo/foo:80",
            "demo/api:80",
            "host-fallback",
        ),
        (
            "foo.example.com/w",
            "demo/foo:80",
            "demo/wild:80",
            "host-fallback",
        ),
        (
            "foo.example.com/x",
            "demo/foo:80",
            "demo/fallback:80",
            "default-backend",
        ),
    ];
    for (request, ingress, gateway, cause) in rows {
        // verify generates x.y.example.com for the two-label case.
        let request = request.replace("a.b.example.com", "x.y.example.com");
        let d =
            find(&v, &request).unwrap_or_else(|| panic!("{request} not found:\n{}", v.report()));
        assert_eq!(
            (d.ingress.as_str(), d.gateway.as_str(), d.cause),
            (ingress, gateway, Some(cause)),
            "{request}"
        );
    }
    // Requests both answer alike are not listed.
    for same in [
        "foo.example.com/a/x",
        "x.example.com/w/x",
        "unknown.invalid/api/x",
        "unknown.invalid/x",
    ] {
        assert!(find(&v, same).is_none(), "{same}: {:?}", find(&v, same));
    }
    assert!(v.requests > 50, "{}", v.requests);
    let report = v.report();
    assert!(report.ends_with("0 unexplained\n"), "{report}");
    assert!(report.contains("verify: OK:"), "{report}");
    assert!(
        report.contains("host-fallback (docs/ingress.md: 3. host-first selection)"),
        "{report}"
    );
}

#[test]
fn a_conversion_without_semantic_gaps_verifies_without_differences() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: a}
spec:
  ingressClassName: c
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /healthz, pathType: Exact, backend: {service: {name: health, port: {number: 80}}}}
"#;
    let v = verify(&Config::from_str(yaml), &ConvertOptions::default());
    assert_eq!(v.differences, Vec::new(), "{}", v.report());
    // shop.example.com and unknown.invalid, each with /, /x, /api, /api/, /api/x, /apix,
    // /healthz, /healthz/, /healthz/x, /healthzx.
    assert_eq!(v.requests, 2 * 10, "{}", v.report());
}

#[test]
fn implementation_specific_read_as_exact_is_attributed() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: a}
spec:
  ingressClassName: c
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /static, pathType: ImplementationSpecific, backend: {service: {name: files, port: {number: 80}}}}
"#;
    let config = Config::from_str(yaml);
    assert!(verify(&config, &ConvertOptions::default())
        .differences
        .is_empty());
    let exact = ConvertOptions {
        implementation_specific: ImplementationSpecific::Exact,
        ..ConvertOptions::default()
    };
    let v = verify(&config, &exact);
    let d = find(&v, "shop.example.com/static/x").expect("differs");
    assert_eq!(
        (d.ingress.as_str(), d.gateway.as_str()),
        ("a/files:80", "status 404")
    );
    assert_eq!(d.cause, Some("implementation-specific"));
    assert!(v.is_ok());
}

#[test]
fn duplicate_paths_across_ingresses_are_attributed() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: old, namespace: a, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  ingressClassName: c
  rules:
  - host: h.com
    http: {paths: [{path: /api, pathType: Prefix, backend: {service: {name: v1, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: new, namespace: a, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  ingressClassName: c
  rules:
  - host: h.com
    http: {paths: [{path: /api, pathType: Prefix, backend: {service: {name: v2, port: {number: 80}}}}]}
"#;
    let v = verify(&Config::from_str(yaml), &ConvertOptions::default());
    let d = find(&v, "h.com/api/x").expect("differs");
    assert_eq!(
        (d.ingress.as_str(), d.gateway.as_str()),
        ("a/v1:80", "a/v1:80 (1) | a/v2:80 (1)")
    );
    assert_eq!(d.cause, Some("duplicate-path"));
    assert!(v.is_ok());
    // The same with ingress-nginx's routing (the oldest Ingress's path).
    let v = verify(&Config::from_str(yaml), &nginx());
    let d = find(&v, "h.com/api/x").expect("differs");
    assert_eq!(d.cause, Some("duplicate-path"), "{}", v.report());
    assert!(v.is_ok(), "{}", v.report());
}

#[test]
fn an_unexplained_difference_fails_the_verdict() {
    let mut v = verify(&Config::from_str(DOCS_EXAMPLE), &ConvertOptions::default());
    assert!(v.is_ok());
    v.differences.push(Difference {
        class: "trieway".into(),
        request: "foo.example.com/zzz".into(),
        ingress: "demo/foo:80".into(),
        gateway: "status 404".into(),
        cause: None,
    });
    assert!(!v.is_ok());
    let report = v.report();
    assert!(
        report.starts_with("UNEXPLAINED: 1 request(s)\n"),
        "{report}"
    );
    assert!(report.contains("verify: FAILED:"), "{report}");
    assert!(report.ends_with(", 1 unexplained\n"), "{report}");
}

#[test]
fn every_example_ingress_verifies() {
    let v = verify(
        &Config::from_str(include_str!("../examples/ingress.yaml")),
        &ConvertOptions::default(),
    );
    assert!(v.is_ok(), "{}", v.report());
    assert!(
        v.differences
            .iter()
            .all(|d| d.cause == Some("wildcard-depth")),
        "{}",
        v.report()
    );
    assert!(!v.differences.is_empty());
}

#[test]
fn the_nginx_flavor_removes_the_wildcard_and_precedence_differences() {
    let nginx = ConvertOptions {
        nginx: true,
        ..ConvertOptions::default()
    };
    let v = verify(&Config::from_str(DOCS_EXAMPLE), &nginx);
    assert!(v.is_ok(), "{}", v.report());
    // ingress-nginx's wildcards cover several labels and its Exact paths come first, as in
    // Gateway API; host-first selection and the default backend still differ.
    for same in ["x.y.example.com/w", "foo.example.com/a"] {
        assert!(find(&v, same).is_none(), "{same}:\n{}", v.report());
    }
    let d = find(&v, "foo.example.com/api/x").expect("differs");
    assert_eq!(d.cause, Some("host-fallback"));
    let d = find(&v, "foo.example.com/x").expect("differs");
    assert_eq!(d.cause, Some("default-backend"));
}

#[test]
fn the_implicit_ssl_redirect_agrees_but_for_the_trailing_slash() {
    let nginx = ConvertOptions {
        nginx: true,
        ..ConvertOptions::default()
    };
    let v = verify(
        &Config::from_str(include_str!("../examples/ingress.yaml")),
        &nginx,
    );
    assert!(v.is_ok(), "{}", v.report());
    // The Nginx flavor redirects plain HTTP on TLS hosts as the conversion does...
    assert!(
        find(&v, "api.shop.example.com/v1").is_none(),
        "{}",
        v.report()
    );
    // ...but drops one trailing slash of the request URI (lua_ingress.lua), which a Gateway
    // API redirect keeps.
    let d = find(&v, "api.shop.example.com/v1/").expect("differs");
    assert_eq!(d.ingress, "redirect 308 https://api.shop.example.com/v1");
    assert_eq!(d.gateway, "redirect 308 https://api.shop.example.com/v1/");
    assert_eq!(d.cause, Some("trailing-slash"));
    // Without the flavor, Ingress routing does not redirect: attributed to ssl-redirect.
    let v = verify(
        &Config::from_str(include_str!("../examples/ingress.yaml")),
        &ConvertOptions::default(),
    );
    assert!(v.is_ok(), "{}", v.report());
}

#[test]
fn canary_weights_agree_under_the_nginx_flavor() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main, namespace: a}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v1, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: next
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-weight: "20"}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v2, port: {number: 80}}}}]}
"#;
    let config = Config::from_str(yaml);
    let nginx = ConvertOptions {
        nginx: true,
        ..ConvertOptions::default()
    };
    let v = verify(&config, &nginx);
    assert_eq!(v.differences, Vec::new(), "{}", v.report());
    // The Spec flavor has no canaries: the split is a difference, attributed.
    let v = verify(&config, &ConvertOptions::default());
    let d = find(&v, "h.com/x").expect("differs");
    assert_eq!(
        (d.ingress.as_str(), d.gateway.as_str()),
        ("a/v1:80", "a/v1:80 (80) | a/v2:80 (20)")
    );
    assert_eq!(d.cause, Some("nginx-annotations"));
}

#[test]
fn canary_headers_are_sent_and_attributed() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main, namespace: a}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v1, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: next
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-by-header: X-Canary}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v2, port: {number: 80}}}}]}
"#;
    let nginx = ConvertOptions {
        nginx: true,
        ..ConvertOptions::default()
    };
    let config = Config::from_str(yaml);
    let v = verify(&config, &nginx);
    // The Nginx flavor sends "always" to the canary and "never" to the main backend, as the
    // converted header rules do.
    assert_eq!(v.differences, Vec::new(), "{}", v.report());
    assert!(v.requests > 4);
    // The Spec flavor has no canaries: attributed to the annotations.
    let v = verify(&config, &ConvertOptions::default());
    let d = find(&v, "h.com/x [X-Canary: always]").expect("differs");
    assert_eq!(
        (d.ingress.as_str(), d.gateway.as_str()),
        ("a/v1:80", "a/v2:80")
    );
    assert_eq!(d.cause, Some("nginx-annotations"));
    assert!(
        find(&v, "h.com/x [X-Canary: never]").is_none(),
        "{}",
        v.report()
    );
}

/// Ingresses with the annotations the Nginx flavor models: rewrite-target with a capture
/// group and without, a permanent redirect, app-root and a cookie canary.
const ANNOTATED: &str = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: rw
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/use-regex: "true", nginx.ingress.kubernetes.io/rewrite-target: /$2}
spec:
  ingressClassName: nginx
  rules:
  - host: r.com
    http: {paths: [{path: /api(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: api, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: full
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /index.html}
spec:
  ingressClassName: nginx
  rules:
  - host: f.com
    http: {paths: [{path: /old, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: moved
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/permanent-redirect: "https://new.example.com/"}
spec:
  ingressClassName: nginx
  rules:
  - host: m.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/app-root: /app}
spec:
  ingressClassName: nginx
  rules:
  - host: p.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main, namespace: a}
spec:
  ingressClassName: nginx
  rules:
  - host: c.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v1, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: next
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-by-cookie: beta}
spec:
  ingressClassName: nginx
  rules:
  - host: c.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v2, port: {number: 80}}}}]}
"#;

fn nginx() -> ConvertOptions {
    ConvertOptions {
        nginx: true,
        ..ConvertOptions::default()
    }
}

#[test]
fn modelled_annotations_compare_real_outcomes() {
    let config = Config::from_str(ANNOTATED);
    let v = verify(&config, &nginx());
    assert!(v.is_ok(), "{}", v.report());
    // Only the case-insensitive regex location, converted to a PathPrefix, differs.
    let differ: Vec<(&str, Option<&str>)> = v
        .differences
        .iter()
        .map(|d| (d.request.as_str(), d.cause))
        .collect();
    assert_eq!(
        differ,
        [("r.com/API/x", Some("regex-case"))],
        "{}",
        v.report()
    );
    // The requests exercise each annotation (the comparison found them equal).
    let conversion = trieway::convert::ingress_to_gateway(&config, &nginx());
    let legacy = trieway::Router::from_ingress(
        &config,
        Some("nginx"),
        trieway::Options {
            ingress_nginx: true,
            ..Default::default()
        },
    );
    let outcome = |host: &str, path: &str, cookie: Option<&str>| {
        let pairs: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
        let req = trieway::Request::new("GET", host, path).headers(trieway::Headers::Pairs(&pairs));
        let trieway::Outcome::Matched(m) = legacy.route(&req) else {
            return "404".to_string();
        };
        let mut a = trieway::Action::new();
        m.apply(&req, 0, &mut a);
        match a.kind {
            trieway::ActionKind::Redirect => format!("{} {}", a.status, a.location),
            _ => format!("{} {}", m.backends()[0].name(), a.path_and_query),
        }
    };
    assert_eq!(outcome("r.com", "/API/v1/x", None), "api /v1/x");
    assert_eq!(outcome("f.com", "/old/deep", None), "web /index.html");
    assert_eq!(outcome("m.com", "/x", None), "301 https://new.example.com/");
    assert_eq!(outcome("p.com", "/", None), "302 http://p.com/app");
    assert_eq!(outcome("c.com", "/x", Some("a=1; beta=always")), "v2 /x");
    assert!(conversion.is_ok() || !conversion.objects.is_empty());
}

/// Edits `conversion` where `edit` returns true for a filter or backendRef object.
fn edit(conversion: &mut trieway::convert::Conversion, f: impl Fn(&mut serde_json::Value) -> bool) {
    fn walk(v: &mut serde_json::Value, f: &dyn Fn(&mut serde_json::Value) -> bool) -> bool {
        if f(v) {
            return true;
        }
        match v {
            serde_json::Value::Array(a) => a.iter_mut().any(|x| walk(x, f)),
            serde_json::Value::Object(o) => o.values_mut().any(|x| walk(x, f)),
            _ => false,
        }
    }
    assert!(
        conversion.objects.iter_mut().any(|o| walk(o, &f)),
        "nothing to edit"
    );
}

#[test]
fn a_broken_conversion_is_an_unexplained_difference() {
    let config = Config::from_str(ANNOTATED);
    let good = trieway::convert::ingress_to_gateway(&config, &nginx());
    assert!(trieway::convert::verify_converted(&config, &nginx(), &good).is_ok());
    type Edit = fn(&mut serde_json::Value) -> bool;
    let breaks: [(&str, &str, Edit); 4] = [
        ("rewrite prefix", "r.com/api/x", |v| {
            let Some(r) = v.pointer_mut("/urlRewrite/path/replacePrefixMatch") else {
                return false;
            };
            *r = "/v2".into();
            true
        }),
        ("redirect code", "m.com/x", |v| {
            let Some(c) = v.pointer_mut("/requestRedirect/statusCode") else {
                return false;
            };
            if *c != 301 {
                return false;
            }
            *c = 302.into();
            true
        }),
        ("app-root path", "p.com/", |v| {
            let Some(p) = v.pointer_mut("/requestRedirect/path/replaceFullPath") else {
                return false;
            };
            if *p != "/app" {
                return false;
            }
            *p = "/other".into();
            true
        }),
        ("canary backend", "c.com/x [Cookie: beta=always]", |v| {
            if v.get("name").and_then(|n| n.as_str()) != Some("v2") {
                return false;
            }
            v["name"] = "v1".into();
            true
        }),
    ];
    for (what, request, f) in breaks {
        let mut broken = good.clone();
        edit(&mut broken, f);
        let v = trieway::convert::verify_converted(&config, &nginx(), &broken);
        assert!(!v.is_ok(), "{what}: not caught\n{}", v.report());
        let d = find(&v, request).unwrap_or_else(|| panic!("{what}: {}", v.report()));
        assert_eq!(d.cause, None, "{what}: {}", v.report());
    }
}

/// use-regex on one Ingress makes every path of the host a regex, across the namespaces of
/// the class: `/b` of namespace b matches `/bx` in ingress-nginx, and in the conversion.
#[test]
fn use_regex_spans_namespaces() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: re
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/use-regex: "true"}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /a.+, pathType: ImplementationSpecific, backend: {service: {name: one, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, namespace: b}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /b, pathType: Prefix, backend: {service: {name: two, port: {number: 80}}}}]}
"#;
    let config = Config::from_str(yaml);
    let legacy = trieway::Router::from_ingress(
        &config,
        Some("nginx"),
        trieway::Options {
            ingress_nginx: true,
            ..Default::default()
        },
    );
    let req = trieway::Request::new("GET", "h.com", "/bX");
    let trieway::Outcome::Matched(m) = legacy.route(&req) else {
        panic!("/bX is matched by the regex location ~* ^/b");
    };
    assert_eq!(m.route().namespace, "b");
    let conversion = trieway::convert::ingress_to_gateway(&config, &nginx());
    let route = conversion
        .objects
        .iter()
        .find(|o| o["kind"] == "HTTPRoute" && o["metadata"]["namespace"] == "b")
        .expect("route in b");
    let path = &route["spec"]["rules"][0]["matches"][0]["path"];
    assert_eq!(path["type"], "RegularExpression", "{route}");
    let v = verify(&config, &nginx());
    assert!(v.is_ok(), "{}", v.report());
    assert!(find(&v, "h.com/bx").is_none(), "{}", v.report());
}

/// examples/ingress-nginx.yaml (the README's run): with `--from nginx`, app-root answers
/// before the HTTPS redirect on a TLS host (nginx's `return` runs before lua_ingress.lua),
/// canaries agree over HTTP and HTTPS, and only documented differences remain.
#[test]
fn the_nginx_example_verifies() {
    let config = Config::from_str(include_str!("../examples/ingress-nginx.yaml"));
    let v = verify(&config, &nginx());
    assert!(v.is_ok(), "{}", v.report());
    assert!(find(&v, "shop.example.com/").is_none(), "{}", v.report());
    assert!(
        find(&v, "https://shop.example.com/store/x [X-Canary: always]").is_none(),
        "{}",
        v.report()
    );
    let causes: BTreeSet<Option<&str>> = v.differences.iter().map(|d| d.cause).collect();
    assert_eq!(
        causes,
        BTreeSet::from([Some("regex-case"), Some("trailing-slash")]),
        "{}",
        v.report()
    );
    assert!(v.requests > 80);
}

/// force-ssl-redirect on a host without TLS: ingress-nginx redirects plain HTTP anyway
/// (lua_ingress.lua does not ask for a certificate then); the conversion does too, so verify
/// finds no difference (it found the missing redirect as UNEXPLAINED).
#[test]
fn force_ssl_redirect_without_tls_redirects() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: f
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/force-ssl-redirect: "true"}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
"#;
    let v = verify(&Config::from_str(yaml), &nginx());
    assert_eq!(v.differences, Vec::new(), "{}", v.report());
    assert_eq!(v.requests, 4);
}

/// A rewrite-target with capture groups the conversion cannot express (warned: forwarded
/// unchanged) is a documented difference: the same backend, another upstream path.
#[test]
fn an_unconvertible_rewrite_is_attributed() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: rw
  namespace: a
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /$1}
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /api/(.*), pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}]}
"#;
    let v = verify(&Config::from_str(yaml), &nginx());
    assert!(v.is_ok(), "{}", v.report());
    let d = find(&v, "h.com/api/x").expect("differs");
    assert_eq!(
        (d.ingress.as_str(), d.gateway.as_str()),
        ("a/web:80 path=/x", "a/web:80")
    );
    assert_eq!(d.cause, Some("rewrite-target"));
}
