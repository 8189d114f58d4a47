//! Unknown fields (issue #14 item 3), as `kubectl apply` with strict field validation treats
//! them, on real-shaped input.

use trieway::{Config, Options, Router, UnknownFields};

/// `kubectl get httproute web -n shop -o yaml`: every field kubectl prints is known.
const KUBECTL_GET: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"annotations":{},"name":"web","namespace":"shop"}}
  creationTimestamp: "2025-03-04T10:11:12Z"
  finalizers: [example.com/cleanup]
  generation: 2
  labels: {app: web, team.example.com/owner: store}
  managedFields:
  - apiVersion: gateway.networking.k8s.io/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata:
        f:annotations:
          .: {}
          f:kubectl.kubernetes.io/last-applied-configuration: {}
      f:spec:
        .: {}
        f:parentRefs: {}
        f:rules: {}
    manager: kubectl-client-side-apply
    operation: Update
    time: "2025-03-04T10:11:12Z"
  - apiVersion: gateway.networking.k8s.io/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:status:
        .: {}
        f:parents: {}
    manager: gateway-controller
    operation: Update
    subresource: status
    time: "2025-03-04T10:11:13Z"
  name: web
  namespace: shop
  ownerReferences:
  - apiVersion: v1
    blockOwnerDeletion: true
    controller: true
    kind: ConfigMap
    name: owner
    uid: 0b5f3e9a-1111-2222-3333-444455556666
  resourceVersion: "123456"
  uid: 9a1c2b3d-aaaa-bbbb-cccc-ddddeeeeffff
spec:
  hostnames: [store.example.com]
  parentRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: edge
    namespace: infra
    sectionName: https
  rules:
  - name: api
    matches:
    - path: {type: PathPrefix, value: /api}
      headers: [{type: Exact, name: x-version, value: "2"}]
      queryParams: [{type: Exact, name: debug, value: "1"}]
      method: GET
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: x-tenant, value: shop}]
        add: [{name: x-via, value: trieway}]
        remove: [x-debug]
    - type: URLRewrite
      urlRewrite: {hostname: api.internal, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
    backendRefs:
    - group: ""
      kind: Service
      name: api
      port: 8080
      weight: 90
      filters:
      - type: ResponseHeaderModifier
        responseHeaderModifier: {set: [{name: x-backend, value: api}]}
    - {name: api-canary, port: 8080, weight: 10}
    timeouts: {request: 10s, backendRequest: 2s}
  - matches:
    - path: {type: PathPrefix, value: /}
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, statusCode: 301}
status:
  parents:
  - conditions:
    - lastTransitionTime: "2025-03-04T10:11:13Z"
      message: Route is accepted
      observedGeneration: 2
      reason: Accepted
      status: "True"
      type: Accepted
    controllerName: example.com/gateway-controller
    parentRef: {group: gateway.networking.k8s.io, kind: Gateway, name: edge, namespace: infra}
"#;

fn load(text: &str, policy: UnknownFields) -> Config {
    let mut c = Config::builder().with_unknown_fields(policy);
    c.add_str(text, "route.yaml");
    c.finish()
}

fn lines(errors: &[trieway::ConfigError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn kubectl_get_output_has_no_unknown_fields() {
    let c = load(KUBECTL_GET, UnknownFields::Error);
    assert!(c.errors().is_empty(), "{:#?}", lines(c.errors()));
    assert!(c.warnings().is_empty(), "{:#?}", lines(c.warnings()));
    assert_eq!(c.http_routes().len(), 1);
}

/// The repository's examples (upstream-style documents) load under strict validation.
#[test]
fn examples_have_no_unknown_fields() {
    for name in ["demo.yaml", "getting-started.yaml", "ingress.yaml"] {
        let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("example");
        let c = load(&text, UnknownFields::Error);
        let unknown: Vec<String> = lines(c.errors())
            .into_iter()
            .chain(lines(c.warnings()))
            .filter(|e| e.contains("unknown field"))
            .collect();
        assert!(unknown.is_empty(), "{name}: {unknown:#?}");
    }
}

const TYPO: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  rules:
  - backendRef: [{name: api, port: 8080}]
    matchs: [{path: {value: /a}}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{port: 8080}]}
"#;

#[test]
fn error_policy_drops_the_object_and_names_the_field() {
    let c = load(TYPO, UnknownFields::Error);
    assert_eq!(
        lines(c.errors()),
        [
            "HTTPRoute shop/web (route.yaml#0): spec.rules[0].backendRef: unknown field, did you \
             mean backendRefs?",
            "HTTPRoute shop/web (route.yaml#0): spec.rules[0].matchs: unknown field, did you mean \
             matches?",
        ]
    );
    assert_eq!(c.errors()[0].field, "spec.rules[0].backendRef");
    assert!(c.http_routes().is_empty());
    assert_eq!(c.services().len(), 1);
    assert!(c.clone().strict().is_err());
}

#[test]
fn warn_policy_keeps_the_object_and_ignore_is_silent() {
    let c = load(TYPO, UnknownFields::Warn);
    assert!(c.errors().is_empty(), "{:#?}", lines(c.errors()));
    assert_eq!(c.warnings().len(), 2);
    assert_eq!(
        c.warnings()[0].to_string(),
        "HTTPRoute shop/web (route.yaml#0): spec.rules[0].backendRef: unknown field, did you \
         mean backendRefs?"
    );
    assert_eq!(c.http_routes().len(), 1);
    // The library's default is Warn.
    assert_eq!(Config::from_str(TYPO).warnings().len(), 2);
    assert_eq!(UnknownFields::default(), UnknownFields::Warn);

    let c = load(TYPO, UnknownFields::Ignore);
    assert!(c.errors().is_empty() && c.warnings().is_empty());
    assert_eq!(c.http_routes().len(), 1);
}

#[test]
fn router_from_yaml_follows_options() {
    let yaml = format!(
        "{TYPO}---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
         metadata: {{name: edge, namespace: infra}}\nspec:\n  gatewayClassName: c\n  \
         listeners: [{{name: http, port: 80, protocol: HTTP, allowedRoutes: {{namespaces: \
         {{from: All}}}}}}]\n"
    );
    assert!(Router::from_yaml(&yaml, Options::default()).is_ok());
    let strict = Options {
        unknown_fields: UnknownFields::Error,
        ..Options::default()
    };
    let err = Router::from_yaml(&yaml, strict).unwrap_err().to_string();
    assert!(
        err.contains("spec.rules[0].backendRef: unknown field, did you mean backendRefs?"),
        "{err}"
    );
}

/// Per version: TLSRoute v1alpha2 and v1 list the same fields; a field of another kind is
/// unknown; JSON input and `kind: List` items are checked too.
#[test]
fn json_lists_and_other_kinds() {
    let json = r#"{"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "gateway.networking.k8s.io/v1alpha2", "kind": "TLSRoute",
         "metadata": {"name": "t", "namespace": "a"},
         "spec": {"parentRefs": [{"name": "edge"}], "rules": [{"backendRefs": [{"name": "s", "port": 443}]}]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "TCPRoute",
         "metadata": {"name": "t", "namespace": "a"},
         "spec": {"hostnames": ["a.example.com"], "rules": [{"backendRefs": [{"name": "s", "port": 443}]}]}}
    ]}"#;
    let c = load(json, UnknownFields::Error);
    assert_eq!(
        lines(c.errors()),
        ["TCPRoute a/t (route.yaml#1): spec.hostnames: unknown field"]
    );
    assert_eq!((c.tls_routes().len(), c.tcp_routes().len()), (1, 0));
}
