//! Native Ingress v1 routing (SPEC §9.2).

use trieway::{Config, Options, Outcome, Request, Router, Target};

const BASE: &str = r#"
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: web
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: example.com/ingress}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: default}
spec: {ports: [{port: 80}]}
"#;

fn ingress(name: &str, created: &str, spec: &str) -> String {
    format!("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}, namespace: default, creationTimestamp: '{created}'}}\nspec:\n{spec}\n")
}

const T0: &str = "2024-01-01T00:00:00Z";
const T1: &str = "2024-06-01T00:00:00Z";

fn router(ingresses: &str) -> Router {
    let config = Config::from_str(&format!("{BASE}{ingresses}"));
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    Router::from_ingress(&config, None, Options::default())
}

/// `ingress/rule.path` of the winner, or `404`.
fn hit(r: &Router, host: &str, path: &str) -> String {
    match r.route(&Request::new("GET", host, path)) {
        Outcome::Matched(m) => format!("{}/{}.{}", m.route().name, m.rule_index(), m.match_index()),
        _ => "404".into(),
    }
}

fn paths(host: Option<&str>, list: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("  rules:\n  - ");
    if let Some(h) = host {
        s.push_str(&format!("host: '{h}'\n    "));
    }
    s.push_str("http:\n      paths:\n");
    for (kind, path, svc) in list {
        s.push_str(&format!("      - {{path: '{path}', pathType: {kind}, backend: {{service: {{name: {svc}, port: {{number: 80}}}}}}}}\n"));
    }
    s
}

/// Exact is byte equality; Prefix is element-wise (`/aaa/bbb/` matches `/aaa/bbb`, `/aaa` does
/// not match `/aaaccc`).
#[test]
fn exact_and_prefix() {
    let r = router(&ingress(
        "i",
        T0,
        &paths(
            None,
            &[
                ("Exact", "/foo", "b"),
                ("Prefix", "/aaa/bbb/", "b"),
                ("Prefix", "/aaa", "b"),
            ],
        ),
    ));
    assert_eq!(hit(&r, "h", "/foo"), "i/0.0");
    assert_eq!(hit(&r, "h", "/foo/"), "404");
    assert_eq!(hit(&r, "h", "/FOO"), "404");
    assert_eq!(hit(&r, "h", "/aaa/bbb"), "i/0.1");
    assert_eq!(hit(&r, "h", "/aaa/bbb/c"), "i/0.1");
    assert_eq!(hit(&r, "h", "/aaaccc"), "404");
    assert_eq!(hit(&r, "h", "/aaa/x"), "i/0.2");
}

/// The longest path string wins, Exact before Prefix at equal length: for request `/a`,
/// Prefix `/a/` beats Exact `/a` (the literal consequence SPEC §9.2 calls out).
#[test]
fn longest_path_string_first() {
    let r = router(&ingress(
        "i",
        T0,
        &paths(
            None,
            &[
                ("Exact", "/a", "b"),
                ("Prefix", "/a/", "b"),
                ("Prefix", "/a", "b"),
            ],
        ),
    ));
    assert_eq!(hit(&r, "h", "/a"), "i/0.1");
    let r = router(&ingress(
        "i",
        T0,
        &paths(None, &[("Prefix", "/a", "b"), ("Exact", "/a", "b")]),
    ));
    assert_eq!(hit(&r, "h", "/a"), "i/0.1");
}

/// A host wildcard covers exactly one label; host-first selection: exact host > wildcard >
/// host-less rules, with no fallback to a less specific host when the path misses.
#[test]
fn hosts_single_label_and_host_first() {
    let spec = format!(
        "{}{}{}",
        paths(Some("foo.com"), &[("Prefix", "/exact-host", "b")]),
        paths(Some("*.foo.com"), &[("Prefix", "/", "b")]).replace("  rules:\n", ""),
        paths(None, &[("Prefix", "/", "b")]).replace("  rules:\n", ""),
    );
    let r = router(&ingress("i", T0, &spec));
    assert_eq!(hit(&r, "foo.com", "/exact-host/x"), "i/0.0");
    assert_eq!(
        hit(&r, "foo.com", "/other"),
        "404",
        "host-first: no fallback to host-less rules"
    );
    assert_eq!(hit(&r, "bar.foo.com", "/x"), "i/1.0");
    assert_eq!(hit(&r, "BAR.foo.com:80", "/x"), "i/1.0");
    assert_eq!(
        hit(&r, "baz.bar.foo.com", "/x"),
        "i/2.0",
        "a wildcard covers one label only"
    );
    assert_eq!(hit(&r, "other.org", "/x"), "i/2.0");
}

/// `defaultBackend` serves only requests no rule of the selected host matched; between
/// Ingresses the older one wins.
#[test]
fn default_backend_on_miss_and_oldest_wins() {
    let a = ingress(
        "new",
        T1,
        &format!(
            "  defaultBackend: {{service: {{name: b, port: {{number: 80}}}}}}\n{}",
            paths(Some("x.com"), &[("Prefix", "/p", "b")])
        ),
    );
    let b = ingress(
        "old",
        T0,
        &format!(
            "  defaultBackend: {{service: {{name: a, port: {{name: http}}}}}}\n{}",
            paths(Some("x.com"), &[("Prefix", "/p", "b")])
        ),
    );
    let r = router(&format!("{a}{b}"));
    assert_eq!(
        hit(&r, "x.com", "/p/1"),
        "old/0.0",
        "equal paths: the older Ingress"
    );
    assert_eq!(
        hit(&r, "x.com", "/q"),
        "old/1.0",
        "default backend of the older Ingress"
    );
    let Outcome::Matched(m) = r.route(&Request::new("GET", "x.com", "/q")) else {
        panic!()
    };
    match m.pick(0) {
        Target::Backend(b) => assert_eq!(
            (b.name(), b.port()),
            ("a", Some(8080)),
            "named port resolved"
        ),
        other => panic!("{other:?}"),
    }
}

/// ImplementationSpecific is treated as Prefix; class selection serves one IngressClass.
#[test]
fn implementation_specific_and_class() {
    let spec = format!(
        "  ingressClassName: other\n{}",
        paths(None, &[("ImplementationSpecific", "/is", "b")])
    );
    let config = Config::from_str(&format!("{BASE}{}", ingress("i", T0, &spec)));
    let r = Router::from_ingress(&config, None, Options::default());
    assert_eq!(hit(&r, "h", "/is/x"), "i/0.0");
    assert_eq!(hit(&r, "h", "/isx"), "404");
    let web = Router::from_ingress(&config, Some("web"), Options::default());
    assert_eq!(hit(&web, "h", "/is/x"), "404");
    let other = Router::from_ingress(&config, Some("other"), Options::default());
    assert_eq!(hit(&other, "h", "/is/x"), "i/0.0");
}
