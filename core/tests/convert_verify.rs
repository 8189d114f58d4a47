//! `trieway::convert::verify`: the requests the Ingresses and their Gateway API conversion
//! answer differently, each attributed to the documented difference (docs/ingress.md) that
//! explains it.

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
fn the_implicit_ssl_redirect_is_attributed() {
    let nginx = ConvertOptions {
        nginx: true,
        ..ConvertOptions::default()
    };
    let v = verify(
        &Config::from_str(include_str!("../examples/ingress.yaml")),
        &nginx,
    );
    assert!(v.is_ok(), "{}", v.report());
    let d = find(&v, "api.shop.example.com/v1").expect("differs");
    assert_eq!(d.gateway, "redirect 308 https://api.shop.example.com/v1");
    assert_eq!(d.cause, Some("ssl-redirect"));
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
    let v = verify(&Config::from_str(yaml), &nginx);
    assert!(v.is_ok(), "{}", v.report());
    // The converted header rule sends "always" to the canary; the Nginx flavor's router has no
    // header canaries, so that request differs, attributed to the annotations.
    let d = find(&v, "h.com/x [X-Canary: always]").expect("differs");
    assert_eq!(
        (d.ingress.as_str(), d.gateway.as_str()),
        ("a/v1:80", "a/v2:80")
    );
    assert_eq!(d.cause, Some("nginx-annotations"));
    // "never" reaches the main backend in both.
    assert!(
        find(&v, "h.com/x [X-Canary: never]").is_none(),
        "{}",
        v.report()
    );
}
