//! `Options::ingress_nginx`: `Router::from_ingress` routing as ingress-nginx does, each rule of
//! docs/ingress.md "The ingress-nginx flavor" with its example request, next to the Spec
//! flavor's answer.

use trieway::{Config, Options, Outcome, Request, Router};

const YAML: &str = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: demo}
spec:
  defaultBackend: {service: {name: fallback, port: {number: 80}}}
  rules:
  - host: foo.example.com
    http:
      paths:
      - {path: /a, pathType: Exact, backend: {service: {name: exact-a, port: {number: 80}}}}
      - {path: /a/, pathType: Prefix, backend: {service: {name: prefix-a, port: {number: 80}}}}
      - {path: /static, pathType: ImplementationSpecific, backend: {service: {name: static, port: {number: 80}}}}
  - host: "*.example.com"
    http:
      paths:
      - {path: /w, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: regex
  namespace: demo
  annotations: {nginx.ingress.kubernetes.io/use-regex: "true"}
spec:
  rules:
  - host: re.example.com
    http:
      paths:
      - {path: "/api/v[0-9]+", pathType: ImplementationSpecific, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /Docs, pathType: Exact, backend: {service: {name: docs, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: canary
  namespace: demo
  annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-weight: "100"}
spec:
  rules:
  - host: foo.example.com
    http:
      paths:
      - {path: /a, pathType: Exact, backend: {service: {name: canary-a, port: {number: 80}}}}
"#;

fn backend(r: &Router, host: &str, path: &str) -> String {
    match r.route(&Request::new("GET", host, path)) {
        Outcome::Matched(m) => m.backends()[0].name().to_string(),
        _ => "404".into(),
    }
}

#[test]
fn each_rule_of_the_nginx_flavor() {
    let config = Config::from_str(YAML);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    let spec = Router::from_ingress(&config, None, Options::default());
    let nginx = Router::from_ingress(
        &config,
        None,
        Options {
            ingress_nginx: true,
            ..Options::default()
        },
    );
    // (request host, path, Spec flavor, Nginx flavor)
    let rows = [
        // 1. Exact first (nginx `location =`); Spec: the longer path string.
        ("foo.example.com", "/a", "prefix-a", "exact-a"),
        // 2. ImplementationSpecific is a string prefix (nginx `location /static`).
        ("foo.example.com", "/staticx", "fallback", "static"),
        ("foo.example.com", "/static/x", "static", "static"),
        // 3. Wildcards cover one or more labels (nginx `server_name *.example.com`).
        ("a.b.example.com", "/w", "fallback", "wild"),
        ("a.example.com", "/w", "wild", "wild"),
        // 4. use-regex: every path of the host is a case-insensitive regex prefix.
        ("re.example.com", "/API/v2/users", "fallback", "api"),
        ("re.example.com", "/docs/intro", "fallback", "docs"),
        ("re.example.com", "/api/vx", "fallback", "fallback"),
        // 5. Canary Ingresses take no traffic as plain paths.
        ("foo.example.com", "/a/x", "prefix-a", "prefix-a"),
        // 6. The default backend answers the rest.
        ("foo.example.com", "/b", "fallback", "fallback"),
    ];
    for (host, path, want_spec, want_nginx) in rows {
        assert_eq!(backend(&spec, host, path), want_spec, "Spec {host}{path}");
        assert_eq!(
            backend(&nginx, host, path),
            want_nginx,
            "Nginx {host}{path}"
        );
    }
}

#[test]
fn regex_paths_stay_within_the_router_regex_budget() {
    // 200 distinct use-regex paths; each DFA is small, the budget lets only some be built.
    let mut paths = String::new();
    for i in 0..200 {
        paths.push_str(&format!(
            "      - {{path: \"/p{i}/[a-z]+\", pathType: ImplementationSpecific, backend: {{service: {{name: s{i}, port: {{number: 80}}}}}}}}\n"
        ));
    }
    let yaml = format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: many\n  namespace: demo\n  annotations: {{nginx.ingress.kubernetes.io/use-regex: \"true\"}}\nspec:\n  rules:\n  - host: re.example.com\n    http:\n      paths:\n{paths}"
    );
    let config = Config::from_str(&yaml);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    let options = |budget| Options {
        ingress_nginx: true,
        regex_router_budget: budget,
        ..Options::default()
    };
    let unbounded = Router::from_ingress(&config, None, options(64 << 20));
    let one_path = unbounded.regex_memory() / 200;
    assert!(one_path > 0);
    let budget = one_path * 10;
    let bounded = Router::from_ingress(&config, None, options(budget));
    assert!(
        bounded.regex_memory() <= budget,
        "{} > {budget}",
        bounded.regex_memory()
    );
    // Paths whose DFA did not fit match nothing; those built still route.
    let routed = (0..200)
        .filter(|i| backend(&bounded, "re.example.com", &format!("/p{i}/abc")) != "404")
        .count();
    assert!((1..200).contains(&routed), "{routed}");
    assert_eq!(backend(&unbounded, "re.example.com", "/p199/abc"), "s199");
}

#[test]
fn canary_weight_splits_the_main_path() {
    let config = Config::from_str(YAML);
    let nginx = Router::from_ingress(
        &config,
        None,
        Options {
            ingress_nginx: true,
            ..Options::default()
        },
    );
    let Outcome::Matched(m) = nginx.route(&Request::new("GET", "foo.example.com", "/a")) else {
        panic!("no match")
    };
    // The match stays the main Ingress's path; the canary takes its canary-weight (100 of 100).
    assert_eq!(m.route().name, "site");
    let split: Vec<(String, u32)> = m
        .backends()
        .iter()
        .map(|b| (b.name().to_string(), b.weight()))
        .collect();
    assert_eq!(
        split,
        vec![("exact-a".to_string(), 0), ("canary-a".to_string(), 100)]
    );
    // The Spec flavor reads the canary Ingress as an ordinary Ingress: no split.
    let spec = Router::from_ingress(&config, None, Options::default());
    let Outcome::Matched(m) = spec.route(&Request::new("GET", "foo.example.com", "/a/x")) else {
        panic!("no match")
    };
    assert_eq!(m.backends().len(), 1);
}

/// Rules 6–10 of docs/ingress.md "The ingress-nginx flavor", each example request: canary by
/// header, cookie and weight, permanent-redirect, ssl-redirect, rewrite-target, app-root;
/// the Spec flavor ignores the annotations.
#[test]
fn annotation_rules_of_the_nginx_flavor() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main, namespace: d}
spec:
  rules:
  - host: h.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v1, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: next
  namespace: d
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-by-header: X-Canary
    nginx.ingress.kubernetes.io/canary-by-cookie: beta
    nginx.ingress.kubernetes.io/canary-weight: "20"
spec:
  rules:
  - host: h.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: v2, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: moved
  namespace: d
  annotations: {nginx.ingress.kubernetes.io/permanent-redirect: "https://new.example.com/"}
spec:
  rules:
  - host: m.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: d}
spec:
  tls: [{hosts: [api.shop.example.com], secretName: cert}]
  rules:
  - host: api.shop.example.com
    http: {paths: [{path: /v1, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: rw
  namespace: d
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /$2}
spec:
  rules:
  - host: r.com
    http: {paths: [{path: /api(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: api, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app
  namespace: d
  annotations: {nginx.ingress.kubernetes.io/app-root: /app}
spec:
  rules:
  - host: p.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
"#;
    let config = Config::from_str(yaml);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let nginx = Router::from_ingress(
        &config,
        None,
        Options {
            ingress_nginx: true,
            ..Options::default()
        },
    );
    let spec = Router::from_ingress(&config, None, Options::default());
    let get = |r: &Router, url: &str, headers: &[(&str, &str)]| {
        let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let req = Request::new("GET", host, path)
            .scheme(scheme)
            .headers(trieway::Headers::Pairs(headers));
        let Outcome::Matched(m) = r.route(&req) else {
            return "404".to_string();
        };
        let mut a = trieway::Action::new();
        m.apply(&req, 0, &mut a);
        if a.kind == trieway::ActionKind::Redirect {
            return format!("{} {}", a.status, a.location);
        }
        let names: Vec<String> = m
            .backends()
            .iter()
            .map(|b| match m.backends().len() {
                1 => b.name().to_string(),
                _ => format!("{} {}", b.name(), b.weight()),
            })
            .collect();
        format!("{} {}", names.join(" / "), a.path_and_query)
    };
    /// `(request, headers, Nginx flavor, Spec flavor)`.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 10] = [
        ("h.com/x", &[("X-Canary", "always")], "v2 /x", "v1 /x"),
        ("h.com/x", &[("X-Canary", "never")], "v1 /x", "v1 /x"),
        (
            "h.com/x",
            &[("Cookie", "a=1; beta=always")],
            "v2 /x",
            "v1 /x",
        ),
        ("h.com/x", &[], "v1 80 / v2 20 /x", "v1 /x"),
        ("m.com/x", &[], "301 https://new.example.com/", "web /x"),
        (
            "http://api.shop.example.com/v1/",
            &[],
            "308 https://api.shop.example.com/v1",
            "api /v1/",
        ),
        (
            "https://api.shop.example.com/v1/",
            &[],
            "api /v1/",
            "api /v1/",
        ),
        ("r.com/API/v1/x", &[], "api /v1/x", "404"),
        ("http://p.com/", &[], "302 http://p.com/app", "web /"),
        ("p.com/x", &[], "web /x", "web /x"),
    ];
    for (url, headers, want_nginx, want_spec) in cases {
        assert_eq!(
            get(&nginx, url, headers),
            want_nginx,
            "nginx {url} {headers:?}"
        );
        assert_eq!(
            get(&spec, url, headers),
            want_spec,
            "spec {url} {headers:?}"
        );
    }
}
