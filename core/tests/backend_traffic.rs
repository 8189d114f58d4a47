//! XBackendTrafficPolicy (experimental): validation of the CRD's schema and CEL rules,
//! attachment to Services with the conflict order, status per ancestor, and the retry
//! constraint (defaults applied) and session persistence on resolved backends. (Upstream has
//! no conformance test for this kind yet.)

use std::time::Duration;
use trieway::{Config, Options, Outcome, Report, Request, Router, Target};

const BASE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: trieway
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: app}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: Exact, value: /a}}]
    backendRefs: [{name: a, port: 80}]
  - matches: [{path: {type: Exact, value: /b}}]
    backendRefs: [{name: b, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: app}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: app}
spec: {ports: [{port: 80}]}
"#;

/// An XBackendTrafficPolicy `name` targeting Services `services` with `spec` (extra YAML
/// lines under `spec:`, two-space indented) and an optional creation timestamp.
fn policy(name: &str, services: &[&str], spec: &str, created: Option<&str>) -> String {
    let refs: Vec<String> = services
        .iter()
        .map(|s| format!(r#"{{group: "", kind: Service, name: {s}}}"#))
        .collect();
    let created = created.map_or(String::new(), |c| format!(", creationTimestamp: \"{c}\""));
    format!(
        "---\napiVersion: gateway.networking.x-k8s.io/v1alpha1\nkind: XBackendTrafficPolicy\n\
         metadata: {{name: {name}, namespace: app{created}}}\nspec:\n  targetRefs: [{}]\n{spec}",
        refs.join(", ")
    )
}

fn router(text: &str) -> Router {
    let options = Options {
        controller_name: Some("example.com/gateway-under-test".into()),
        ..Options::default()
    };
    Router::new(&Config::from_str(text), options).expect("router")
}

/// `(policy, retry budget, min retry rate, session type)` of the backend `path` draws.
type Traffic = (
    Option<String>,
    Option<(u32, Duration)>,
    Option<(u32, Duration)>,
    Option<String>,
);

fn traffic(router: &Router, path: &str) -> Traffic {
    let Outcome::Matched(m) = router.route(&Request::new("GET", "x", path)) else {
        panic!("{path}: no route")
    };
    let Target::Backend(b) = m.pick(0) else {
        panic!("{path}: status")
    };
    (
        b.traffic_policy().map(str::to_string),
        b.retry_budget(),
        b.min_retry_rate(),
        b.session_persistence().and_then(|s| s.kind.clone()),
    )
}

fn accepted(report: &Report, name: &str) -> (String, String) {
    let st = report
        .backend_traffic_policy("app", name, "app/gw")
        .unwrap_or_else(|| panic!("no status for {name}"));
    let c = &st.conditions[0];
    assert_eq!(c.kind, "Accepted");
    (c.status.to_string(), c.reason.to_string())
}

/// Defaults of the retry constraint (20% per 10s, 10 per 1s), given values, and session
/// persistence reach the backends of the targeted Services only.
#[test]
fn retry_constraint_and_session_persistence_on_backends() {
    let text = BASE.to_string()
        + &policy("defaults", &["a"], "  retryConstraint: {}\n", None)
        + &policy(
            "given",
            &["b"],
            "  retryConstraint:\n    budget: {percent: 35, interval: 1m}\n    minRetryRate: {count: 3, interval: 500ms}\n  sessionPersistence: {type: Header, header: {name: x-session}}\n",
            None,
        );
    let config = Config::from_str(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let router = router(&text);
    assert_eq!(
        traffic(&router, "/a"),
        (
            Some("app/defaults".into()),
            Some((20, Duration::from_secs(10))),
            Some((10, Duration::from_secs(1))),
            None
        )
    );
    assert_eq!(
        traffic(&router, "/b"),
        (
            Some("app/given".into()),
            Some((35, Duration::from_secs(60))),
            Some((3, Duration::from_millis(500))),
            Some("Header".into())
        )
    );
    // Without a policy: nothing.
    let plain = router_without_policies();
    assert_eq!(traffic(&plain, "/a"), (None, None, None, None));
}

fn router_without_policies() -> Router {
    router(BASE)
}

/// Policies on the same Service: the oldest wins, then the first by namespace/name; the
/// others are Conflicted. Status is per ancestor Gateway.
#[test]
fn conflicts_and_status() {
    let text = BASE.to_string()
        + &policy(
            "a-newer",
            &["a"],
            "  retryConstraint: {budget: {percent: 1}}\n",
            Some("2026-01-02T00:00:00Z"),
        )
        + &policy(
            "z-older",
            &["a"],
            "  retryConstraint: {budget: {percent: 2}}\n",
            Some("2026-01-01T00:00:00Z"),
        )
        + &policy(
            "p-y",
            &["b"],
            "  retryConstraint: {budget: {percent: 3}}\n",
            None,
        )
        + &policy(
            "p-x",
            &["b"],
            "  retryConstraint: {budget: {percent: 4}}\n",
            None,
        )
        + &policy("unused", &["c"], "  retryConstraint: {}\n", None);
    let config = Config::from_str(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let report = Report::attach(&config, Some("example.com/gateway-under-test"));
    let ok = ("True".to_string(), "Accepted".to_string());
    let conflicted = ("False".to_string(), "Conflicted".to_string());
    assert_eq!(accepted(&report, "z-older"), ok);
    assert_eq!(accepted(&report, "a-newer"), conflicted);
    assert_eq!(accepted(&report, "p-x"), ok);
    assert_eq!(accepted(&report, "p-y"), conflicted);
    assert!(report
        .backend_traffic_policy("app", "unused", "app/gw")
        .is_none());
    let router = router(&text);
    assert_eq!(traffic(&router, "/a").1.map(|b| b.0), Some(2));
    assert_eq!(traffic(&router, "/b").1.map(|b| b.0), Some(4));
}

/// Every schema and CEL rule refuses the policy with an error naming the field.
#[test]
fn validation_rules() {
    let refs17: Vec<String> = (0..17).map(|i| format!("s{i}")).collect();
    let refs17: Vec<&str> = refs17.iter().map(String::as_str).collect();
    let cases: Vec<(Vec<&str>, &str, &str, &str)> = vec![
        (vec![], "", "spec.targetRefs", "at least 1"),
        (refs17.clone(), "", "spec.targetRefs", "at most 16"),
        (vec!["a", "a"], "", "spec.targetRefs[1]", "duplicate entry"),
        (
            vec!["a"],
            "  retryConstraint: {budget: {percent: 101}}\n",
            "spec.retryConstraint.budget.percent",
            "out of range",
        ),
        (
            vec!["a"],
            "  retryConstraint: {budget: {percent: -1}}\n",
            "spec.retryConstraint.budget.percent",
            "out of range",
        ),
        (
            vec!["a"],
            "  retryConstraint: {budget: {interval: 500ms}}\n",
            "spec.retryConstraint.budget.interval",
            "less than one second",
        ),
        (
            vec!["a"],
            "  retryConstraint: {budget: {interval: 2h}}\n",
            "spec.retryConstraint.budget.interval",
            "greater than one hour",
        ),
        (
            vec!["a"],
            "  retryConstraint: {budget: {interval: 10x}}\n",
            "spec.retryConstraint.budget.interval",
            "not a valid duration",
        ),
        (
            vec!["a"],
            "  retryConstraint: {minRetryRate: {count: 0}}\n",
            "spec.retryConstraint.minRetryRate.count",
            "out of range",
        ),
        (
            vec!["a"],
            "  retryConstraint: {minRetryRate: {count: 1000001}}\n",
            "spec.retryConstraint.minRetryRate.count",
            "out of range",
        ),
        (
            vec!["a"],
            "  retryConstraint: {minRetryRate: {interval: 0s}}\n",
            "spec.retryConstraint.minRetryRate.interval",
            "greater than one hour",
        ),
        (
            vec!["a"],
            "  retryConstraint: {minRetryRate: {interval: 61m}}\n",
            "spec.retryConstraint.minRetryRate.interval",
            "greater than one hour",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {type: Sticky}\n",
            "spec.sessionPersistence.type",
            "not a supported value",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {}\n",
            "spec.sessionPersistence",
            "cookie must be specified for Cookie type",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {type: Header}\n",
            "spec.sessionPersistence",
            "header must be specified for Header type",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {type: Header, header: {name: h}, cookie: {name: c}}\n",
            "spec.sessionPersistence",
            "cookie must be nil if type is not Cookie",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {cookie: {name: c}, header: {name: h}}\n",
            "spec.sessionPersistence",
            "header must be nil if type is not Header",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {type: Header, header: {}}\n",
            "spec.sessionPersistence.header.name",
            "required",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {type: Header, header: {name: 'a b'}}\n",
            "spec.sessionPersistence.header.name",
            "not a valid header name",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {cookie: {name: 'a;b'}}\n",
            "spec.sessionPersistence.cookie.name",
            "not a valid header name",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {cookie: {lifetimeType: Forever}}\n",
            "spec.sessionPersistence.cookie.lifetimeType",
            "not a supported value",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {cookie: {lifetimeType: Permanent}}\n",
            "spec.sessionPersistence",
            "AbsoluteTimeout must be specified",
        ),
        (
            vec!["a"],
            "  sessionPersistence: {absoluteTimeout: 1d, cookie: {}}\n",
            "spec.sessionPersistence.absoluteTimeout",
            "not a valid duration",
        ),
    ];
    for (services, spec, field, want) in &cases {
        let text = policy("p", services, spec, None);
        let config = Config::from_str(&text);
        assert!(
            config.backend_traffic_policies().is_empty(),
            "{field}: {want}: loaded"
        );
        let found = config.errors().iter().any(|e| {
            let m = e.to_string();
            m.starts_with("XBackendTrafficPolicy app/p (")
                && m.contains(&format!("): {field}: "))
                && m.contains(want)
        });
        assert!(found, "{field}: {want}: {:?}", config.errors());
    }
    // Bounds are valid.
    let long_path = "/".repeat(1024);
    let text = policy(
        "p",
        &refs17[..16],
        &format!(
            "  retryConstraint:\n    budget: {{percent: 100, interval: 1h}}\n    minRetryRate: \
             {{count: 1000000, interval: 1ms}}\n  sessionPersistence: {{absoluteTimeout: 1h, \
             cookie: {{name: s, path: \"{long_path}\", lifetimeType: Permanent}}}}\n"
        ),
        None,
    );
    let config = Config::from_str(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    assert_eq!(config.backend_traffic_policies().len(), 1);
}
