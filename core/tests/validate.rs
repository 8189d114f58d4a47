//! Validation (SPEC §1 and the rule-level problems of §1.5, §6.1, §6.2, §11): table-driven.
//!
//! Each object-level row loads one object, expects it dropped, and compares every error's
//! `Display` form (`Kind ns/name (<string>#0): ` is prepended; an expected string ending in
//! `...` only has to be a prefix). Rule-level rows expect the route kept with the listed
//! `invalid_rules`.

use trieway::Config;

const GW: &str = "gateway.networking.k8s.io/v1";

fn doc(kind: &str, spec: &str) -> String {
    let api = if kind == "Ingress" {
        "networking.k8s.io/v1"
    } else {
        GW
    };
    let meta = if kind == "GatewayClass" {
        "{name: web}"
    } else {
        "{name: web, namespace: default}"
    };
    format!("apiVersion: {api}\nkind: {kind}\nmetadata: {meta}\nspec: {spec}\n")
}

fn head(kind: &str) -> String {
    if kind == "GatewayClass" {
        "GatewayClass web (<string>#0): ".to_string()
    } else {
        format!("{kind} default/web (<string>#0): ")
    }
}

fn count(c: &Config, kind: &str) -> usize {
    match kind {
        "GatewayClass" => c.gateway_classes().len(),
        "Gateway" => c.gateways().len(),
        "ListenerSet" => c.listener_sets().len(),
        "HTTPRoute" => c.http_routes().len(),
        "GRPCRoute" => c.grpc_routes().len(),
        "TLSRoute" => c.tls_routes().len(),
        "TCPRoute" => c.tcp_routes().len(),
        "UDPRoute" => c.udp_routes().len(),
        "ReferenceGrant" => c.reference_grants().len(),
        "Ingress" => c.ingresses().len(),
        other => panic!("no such kind in tests: {other}"),
    }
}

fn same(got: &[String], want: &[String]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| match w.strip_suffix("...") {
                Some(prefix) => g.starts_with(prefix),
                None => g == w,
            })
}

/// Loads `spec` as a `kind` and asserts it is dropped with exactly `expected` errors.
fn rejected(kind: &str, spec: &str, expected: &[&str]) {
    let c = Config::from_str(&doc(kind, spec));
    let got: Vec<String> = c.errors().iter().map(ToString::to_string).collect();
    let want: Vec<String> = expected
        .iter()
        .map(|e| format!("{}{e}", head(kind)))
        .collect();
    assert!(
        same(&got, &want),
        "{kind} {spec}\n got: {got:#?}\nwant: {want:#?}"
    );
    assert_eq!(count(&c, kind), 0, "{kind} {spec} should be dropped");
}

/// Loads `spec` as a `kind` and asserts it is kept without errors.
fn accepted(kind: &str, spec: &str) {
    let c = Config::from_str(&doc(kind, spec));
    let got: Vec<String> = c.errors().iter().map(ToString::to_string).collect();
    assert!(got.is_empty(), "{kind} {spec}: {got:#?}");
    assert_eq!(count(&c, kind), 1, "{kind} {spec} should be kept");
}

const LISTENER: &str = "{name: http, port: 80, protocol: HTTP}";

fn gateway(listeners: &str) -> String {
    format!("{{gatewayClassName: gc, listeners: [{listeners}]}}")
}

fn http(rules: &str) -> String {
    format!("{{parentRefs: [{{name: gw}}], rules: [{rules}]}}")
}

fn with_filters(filters: &str) -> String {
    http(&format!(
        "{{filters: [{filters}], backendRefs: [{{name: s, port: 80}}]}}"
    ))
}

#[test]
fn valid_objects_are_kept() {
    let rows: &[(&str, String)] = &[
        (
            "GatewayClass",
            "{controllerName: example.net/gateway-controller}".into(),
        ),
        ("Gateway", gateway(LISTENER)),
        (
            "Gateway",
            gateway(
                "{name: https, port: 443, protocol: HTTPS, hostname: '*.example.com', \
                 tls: {certificateRefs: [{name: cert}]}}, \
                 {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}, \
                 {name: tcp, port: 9000, protocol: TCP}, \
                 {name: custom, port: 9001, protocol: example.com/quic}",
            ),
        ),
        ("HTTPRoute", "{parentRefs: [{name: gw}]}".into()),
        (
            "HTTPRoute",
            http(
                "{matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-a, \
                 value: b}], queryParams: [{name: q, value: v}], method: GET}], \
                 filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, \
                 replacePrefixMatch: /v2}}}], backendRefs: [{name: s, port: 80, weight: 0}], \
                 timeouts: {request: 10s, backendRequest: 1s}}",
            ),
        ),
        (
            "HTTPRoute",
            http("{timeouts: {request: 0s, backendRequest: 20s}}"),
        ),
        (
            "HTTPRoute",
            "{parentRefs: [{name: gw, sectionName: a}, {name: gw, sectionName: b}]}".into(),
        ),
        (
            "GRPCRoute",
            "{rules: [{matches: [{method: {service: .foo.Echo, method: Ping}}, \
             {method: {type: RegularExpression, service: 'foo\\..*'}}]}]}"
                .into(),
        ),
        (
            "TLSRoute",
            "{hostnames: [a.example.com], rules: [{backendRefs: [{name: s, port: 443}]}]}".into(),
        ),
        (
            "TCPRoute",
            "{rules: [{backendRefs: [{name: s, port: 9000}]}]}".into(),
        ),
        (
            "ReferenceGrant",
            "{from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a}], \
             to: [{group: '', kind: Service}]}"
                .into(),
        ),
        (
            "Ingress",
            "{rules: [{host: '*.example.com', http: {paths: [{path: /a, pathType: Prefix, \
             backend: {service: {name: s, port: {number: 80}}}}, {pathType: \
             ImplementationSpecific, backend: {service: {name: s, port: {name: http}}}}]}}]}"
                .into(),
        ),
        (
            "Ingress",
            "{defaultBackend: {resource: {apiGroup: k8s.example.com, kind: Bucket, name: b}}}"
                .into(),
        ),
    ];
    for (kind, spec) in rows {
        accepted(kind, spec);
    }
}

#[test]
fn gateway_rules() {
    let rows: &[(&str, String, &[&str])] = &[
        (
            "GatewayClass",
            "{controllerName: gateway-controller}".into(),
            &["spec.controllerName: \"gateway-controller\" is not a valid controller name..."],
        ),
        (
            "GatewayClass",
            format!("{{controllerName: a.b/c, description: {}}}", "x".repeat(65)),
            &["spec.description: must be at most 64 characters (found 65)"],
        ),
        (
            "Gateway",
            "{listeners: []}".into(),
            &[
                "spec.gatewayClassName: must not be empty",
                "spec.listeners: must have at least 1 listener (found 0)",
            ],
        ),
        (
            "Gateway",
            gateway(&(0..65).map(|i| format!("{{name: l{i}, port: {}, protocol: HTTP}}", i + 1)).collect::<Vec<_>>().join(",")),
            &["spec.listeners: must have at most 64 listeners (found 65)"],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 80, protocol: HTTP}, {name: a, port: 81, protocol: HTTP}"),
            &["spec.listeners[1].name: duplicate listener name \"a\""],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 80, protocol: HTTP}, {name: b, port: 80, protocol: HTTP}"),
            &["spec.listeners[1]: the combination of port, protocol and hostname must be unique (same as spec.listeners[0])"],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 80, protocol: HTTP, tls: {certificateRefs: [{name: c}]}}"),
            &["spec.listeners[0].tls: must not be set for protocol HTTP"],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 443, protocol: HTTPS, tls: {mode: Passthrough}}"),
            &["spec.listeners[0].tls.mode: must be Terminate for protocol HTTPS (found \"Passthrough\")"],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 443, protocol: TLS}"),
            &["spec.listeners[0].tls.mode: must be set for protocol TLS (Terminate or Passthrough)"],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 9000, protocol: UDP, hostname: a.example.com}"),
            &["spec.listeners[0].hostname: must not be set for protocol UDP"],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 443, protocol: HTTPS, tls: {}}"),
            &["spec.listeners[0].tls: certificateRefs or options must be specified when mode is Terminate"],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 443, protocol: TLS, tls: {mode: Reencrypt}}"),
            &["spec.listeners[0].tls.mode: unsupported value \"Reencrypt\" (supported: Terminate, Passthrough)"],
        ),
        (
            "Gateway",
            gateway("{name: A_1, port: 0, protocol: 'http_2', hostname: 1.2.3.4}"),
            &[
                "spec.listeners[0].name: \"A_1\" is not a valid section name (lowercase RFC 1123 labels joined by '.')",
                "spec.listeners[0].port: port 0 is out of range (1-65535)",
                "spec.listeners[0].protocol: \"http_2\" is not a valid protocol...",
                "spec.listeners[0].hostname: \"1.2.3.4\": an IP address is not a valid hostname",
            ],
        ),
        (
            "Gateway",
            gateway("{name: a, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Everyone, selector: {matchExpressions: [{key: k, operator: In}]}}, kinds: [{kind: '1HTTPRoute'}]}}"),
            &[
                "spec.listeners[0].allowedRoutes.namespaces.from: unsupported value \"Everyone\" (supported: All, Same, Selector)",
                "spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].values: must be non-empty for operator In",
                "spec.listeners[0].allowedRoutes.kinds[0].kind: \"1HTTPRoute\" is not a valid kind...",
            ],
        ),
        (
            "ListenerSet",
            "{parentRef: {name: ''}, listeners: []}".into(),
            &[
                "spec.parentRef.name: must not be empty",
                "spec.listeners: must have at least 1 listener (found 0)",
            ],
        ),
        (
            "ReferenceGrant",
            "{from: [{group: gateway.networking.k8s.io, kind: HTTPRoute}], to: []}".into(),
            &[
                "spec.from[0].namespace: must not be empty",
                "spec.to: must have at least 1 entry (found 0)",
            ],
        ),
        (
            "ReferenceGrant",
            format!("{{from: [{}], to: [{{group: '', kind: '', name: ''}}]}}", vec!["{group: '', kind: Pod, namespace: a}"; 17].join(",")),
            &[
                "spec.from: must have at most 16 entries (found 17)",
                "spec.to[0].kind: must not be empty",
                "spec.to[0].name: must not be empty",
            ],
        ),
    ];
    for (kind, spec, expected) in rows {
        rejected(kind, spec, expected);
    }
}

#[test]
fn route_object_rules() {
    let many = |n: usize, item: &str| vec![item; n].join(",");
    let rows: &[(&str, String, &[&str])] = &[
        ("HTTPRoute", "{rules: []}".into(), &["spec.rules: must have at least 1 rule (found 0)"]),
        ("HTTPRoute", http(&many(17, "{}")), &["spec.rules: must have at most 16 rules (found 17)"]),
        (
            "HTTPRoute",
            format!("{{hostnames: [{}]}}", many(17, "a.com")),
            &["spec.hostnames: must have at most 16 hostnames (found 17)"],
        ),
        (
            "HTTPRoute",
            format!("{{parentRefs: [{}]}}", (0..33).map(|i| format!("{{name: g{i}}}")).collect::<Vec<_>>().join(",")),
            &["spec.parentRefs: must have at most 32 parentRefs (found 33)"],
        ),
        (
            "HTTPRoute",
            http(&format!("{{matches: [{}]}}", many(65, "{}"))),
            &["spec.rules[0].matches: must have at most 64 matches (found 65)"],
        ),
        (
            "HTTPRoute",
            http(&many(3, &format!("{{matches: [{}]}}", many(43, "{}")))),
            &["spec.rules: must have at most 128 matches in total (found 129)"],
        ),
        (
            "HTTPRoute",
            "{hostnames: ['*', 1.2.3.4, Foo.com, 'a.com:80']}".into(),
            &[
                "spec.hostnames[0]: \"*\" is not a valid hostname...",
                "spec.hostnames[1]: \"1.2.3.4\": an IP address is not a valid hostname",
                "spec.hostnames[2]: \"Foo.com\" is not a valid hostname...",
                "spec.hostnames[3]: \"a.com:80\" is not a valid hostname...",
            ],
        ),
        (
            "HTTPRoute",
            "{parentRefs: [{name: gw, group: Bad_Group, kind: '1x', namespace: Bad, port: 70000, sectionName: 'A'}]}".into(),
            &[
                "spec.parentRefs[0].group: \"Bad_Group\" is not a valid API group",
                "spec.parentRefs[0].kind: \"1x\" is not a valid kind...",
                "spec.parentRefs[0].namespace: \"Bad\" is not a lowercase RFC 1123 label...",
                "spec.parentRefs[0].sectionName: \"A\" is not a valid section name...",
                "spec.parentRefs[0].port: port 70000 is out of range (1-65535)",
            ],
        ),
        (
            "HTTPRoute",
            "{parentRefs: [{name: gw}, {name: gw, namespace: default}]}".into(),
            &[
                "spec.parentRefs[0].sectionName: must be set when the same parent is referenced more than once (see spec.parentRefs[1])",
                "spec.parentRefs[1].sectionName: must be set when the same parent is referenced more than once (see spec.parentRefs[0])",
            ],
        ),
        (
            "HTTPRoute",
            "{parentRefs: [{name: gw, sectionName: a}, {name: gw, sectionName: a}, {name: gw, kind: ListenerSet}]}".into(),
            &["spec.parentRefs[1].sectionName: must be unique among references to the same parent (same as spec.parentRefs[0])"],
        ),
        (
            "HTTPRoute",
            http("{name: a}, {name: a}, {name: B}"),
            &[
                "spec.rules[1].name: duplicate rule name \"a\"",
                "spec.rules[2].name: \"B\" is not a valid section name...",
            ],
        ),
        (
            "HTTPRoute",
            http("{matches: [{path: {value: foo}}, {path: {type: Exact, value: '/a//b'}}, {path: {value: '/a%2Fb'}}, {path: {value: '/a#b'}}, {path: {value: '/a/..'}}, {path: {value: '/a b'}}, {path: {type: RegularExpression, value: '/a//b#'}}]}"),
            &[
                "spec.rules[0].matches[0].path.value: must start with '/'",
                "spec.rules[0].matches[1].path.value: must not contain '//'",
                "spec.rules[0].matches[2].path.value: must not contain '%2F'",
                "spec.rules[0].matches[3].path.value: must not contain '#'",
                "spec.rules[0].matches[4].path.value: must not end with '/..'",
                "spec.rules[0].matches[5].path.value: invalid character ' ' at byte 2...",
            ],
        ),
        (
            "HTTPRoute",
            http(&format!("{{matches: [{{path: {{value: /{}}}}}]}}", "a".repeat(1024))),
            &["spec.rules[0].matches[0].path.value: must be at most 1024 characters (found 1025)"],
        ),
        (
            "HTTPRoute",
            http(&format!(
                "{{matches: [{{headers: [{{name: ':authority', value: x}}, {{name: {}, value: ''}}], queryParams: [{{name: q, value: {}}}]}}]}}",
                "h".repeat(257),
                "v".repeat(1025)
            )),
            &[
                "spec.rules[0].matches[0].headers[0].name: \":authority\" is not a valid header name (RFC 7230 token characters only)",
                "spec.rules[0].matches[0].headers[1].name: must be at most 256 characters (found 257)",
                "spec.rules[0].matches[0].headers[1].value: must not be empty",
                "spec.rules[0].matches[0].queryParams[0].value: must be at most 1024 characters (found 1025)",
            ],
        ),
        (
            "HTTPRoute",
            http(&format!("{{matches: [{{headers: [{}]}}]}}", many(17, "{name: a, value: b}"))),
            &["spec.rules[0].matches[0].headers: must have at most 16 entries (found 17)"],
        ),
        (
            "HTTPRoute",
            http("{backendRefs: [{name: s, port: 80, weight: 1000001}, {name: s}, {name: s, group: example.com, kind: Bucket}, {name: '', port: 80}]}"),
            &[
                "spec.rules[0].backendRefs[0].weight: weight 1000001 is out of range (0-1000000)",
                "spec.rules[0].backendRefs[1].port: must be set for a Service reference",
                "spec.rules[0].backendRefs[3].name: must not be empty",
            ],
        ),
        (
            "HTTPRoute",
            http(&many(17, "{backendRefs: [{name: s, port: 80}]}").replacen("{backendRefs", &format!("{{backendRefs: [{}]}}, {{backendRefs", many(17, "{name: s, port: 80}")), 1)),
            &[
                "spec.rules: must have at most 16 rules (found 18)",
                "spec.rules[0].backendRefs: must have at most 16 backendRefs (found 17)",
            ],
        ),
        (
            "HTTPRoute",
            http("{timeouts: {request: '0', backendRequest: 1d}}, {timeouts: {request: 10s, backendRequest: 1m}}, {retry: {codes: [500, 399, 600], attempts: 0, backoff: 1.5s}}"),
            &[
                "spec.rules[0].timeouts.request: \"0\" is not a valid duration...",
                "spec.rules[0].timeouts.backendRequest: \"1d\" is not a valid duration...",
                "spec.rules[1].timeouts.backendRequest: 1m must not be greater than timeouts.request (10s)",
                "spec.rules[2].retry.codes[1]: status code 399 is out of range (400-599)",
                "spec.rules[2].retry.codes[2]: status code 600 is out of range (400-599)",
                "spec.rules[2].retry.attempts: must be at least 1 (found 0)",
                "spec.rules[2].retry.backoff: \"1.5s\" is not a valid duration...",
            ],
        ),
        (
            "HTTPRoute",
            http("{sessionPersistence: {absoluteTimeout: 1x, sessionName: x, cookie: {lifetimeType: Permanent}}}"),
            &["spec.rules[0].sessionPersistence.absoluteTimeout: \"1x\" is not a valid duration..."],
        ),
        (
            "HTTPRoute",
            http("{sessionPersistence: {cookieConfig: {lifetimeType: Permanent}}}"),
            &["spec.rules[0].sessionPersistence.absoluteTimeout: must be set when the cookie lifetimeType is Permanent"],
        ),
        (
            "GRPCRoute",
            format!("{{rules: [{}]}}", many(17, "{}")),
            &["spec.rules: must have at most 16 rules (found 17)"],
        ),
        (
            "GRPCRoute",
            "{rules: [{matches: [{method: {}}, {method: {service: foo-bar, method: a.b}}, {method: {type: RegularExpression}}]}]}".into(),
            &[
                "spec.rules[0].matches[0].method: one or both of service and method must be set",
                "spec.rules[0].matches[1].method.service: \"foo-bar\" is not a valid gRPC service name",
                "spec.rules[0].matches[1].method.method: \"a.b\" is not a valid gRPC method name",
                "spec.rules[0].matches[2].method: one or both of service and method must be set",
            ],
        ),
        (
            "TLSRoute",
            "{rules: [{backendRefs: []}, {backendRefs: [{name: s, port: 1}]}]}".into(),
            &[
                "spec.hostnames: required in TLSRoute v1: must have at least 1 hostname (found 0; \
                 only v1alpha2 allows a TLSRoute without hostnames)",
                "spec.rules: must have exactly 1 rule in TLSRoute v1 (found 2)",
                "spec.rules[0].backendRefs: must have at least 1 backendRef (found 0)",
            ],
        ),
        (
            "TLSRoute",
            "{hostnames: [10.0.0.1, '*.a.com'], rules: [{backendRefs: [{name: s}]}]}".into(),
            &[
                "spec.hostnames[0]: \"10.0.0.1\": an IP address is not a valid hostname",
                "spec.rules[0].backendRefs[0].port: must be set for a Service reference",
            ],
        ),
        ("TCPRoute", "{rules: []}".into(), &["spec.rules: must have exactly 1 rule in TCPRoute v1 (found 0)"]),
        (
            "UDPRoute",
            format!("{{rules: [{{backendRefs: [{}]}}]}}", many(17, "{name: s, port: 53}")),
            &["spec.rules[0].backendRefs: must have at most 16 backendRefs (found 17)"],
        ),
    ];
    for (kind, spec, expected) in rows {
        rejected(kind, spec, expected);
    }
}

#[test]
fn filter_object_rules() {
    let rows: &[(String, &[&str])] = &[
        (
            with_filters("{type: RequestHeaderModifier, urlRewrite: {}}"),
            &[
                "spec.rules[0].filters[0].requestHeaderModifier: must be set when type is RequestHeaderModifier",
                "spec.rules[0].filters[0].urlRewrite: must not be set when type is RequestHeaderModifier",
            ],
        ),
        (
            with_filters("{type: RequestRedirect, requestRedirect: {scheme: ftp, hostname: '*.a.com', port: 0, statusCode: 304}}"),
            &[
                "spec.rules[0].filters[0].requestRedirect.scheme: unsupported value \"ftp\" (supported: http, https)",
                "spec.rules[0].filters[0].requestRedirect.hostname: \"*.a.com\": a wildcard is not allowed here",
                "spec.rules[0].filters[0].requestRedirect.port: port 0 is out of range (1-65535)",
                "spec.rules[0].filters[0].requestRedirect.statusCode: unsupported value 304 (supported: 301, 302, 303, 307, 308)",
                // The object is dropped, so the rule-level problem is reported plainly too.
                "spec.rules[0].filters[0]: RequestRedirect must not be used together with backendRefs",
            ],
        ),
        (
            with_filters("{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replacePrefixMatch: /x}}}"),
            &[
                "spec.rules[0].filters[0].urlRewrite.path.replaceFullPath: must be set when type is ReplaceFullPath",
                "spec.rules[0].filters[0].urlRewrite.path.replacePrefixMatch: must not be set when type is ReplaceFullPath",
            ],
        ),
        (
            with_filters(&format!(
                "{{type: RequestHeaderModifier, requestHeaderModifier: {{set: [{}], add: [{{name: 'a b', value: ''}}]}}}}",
                (0..17).map(|i| format!("{{name: h{i}, value: v}}")).collect::<Vec<_>>().join(",")
            )),
            &[
                "spec.rules[0].filters[0].requestHeaderModifier.set: must have at most 16 entries (found 17)",
                "spec.rules[0].filters[0].requestHeaderModifier.add[0].name: \"a b\" is not a valid header name (RFC 7230 token characters only)",
                "spec.rules[0].filters[0].requestHeaderModifier.add[0].value: must not be empty",
            ],
        ),
        (
            with_filters("{type: RequestMirror, requestMirror: {backendRef: {name: m}, percent: 101}}, {type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, percent: 5, fraction: {numerator: 5, denominator: 0}}}, {type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, fraction: {numerator: -1}}}"),
            &[
                "spec.rules[0].filters[0].requestMirror.backendRef.port: must be set for a Service reference",
                "spec.rules[0].filters[0].requestMirror.percent: 101 is out of range (0-100)",
                "spec.rules[0].filters[1].requestMirror.fraction.denominator: must be at least 1 (found 0)",
                "spec.rules[0].filters[1].requestMirror.fraction: numerator (5) must not be greater than denominator (0)",
                "spec.rules[0].filters[1].requestMirror: percent and fraction must not both be set",
                "spec.rules[0].filters[2].requestMirror.fraction.numerator: must be at least 0 (found -1)",
            ],
        ),
        (
            with_filters("{type: CORS, cors: {allowOrigins: ['*', 'ftp://a.com', 'https://a.com:123456'], allowMethods: [GET, GETS], allowHeaders: ['x y'], maxAge: 0}}"),
            &[
                "spec.rules[0].filters[0].cors.allowOrigins: '*' must be the only entry when present",
                "spec.rules[0].filters[0].cors.allowOrigins[1]: \"ftp://a.com\" is not a valid origin...",
                "spec.rules[0].filters[0].cors.allowOrigins[2]: \"https://a.com:123456\" is not a valid origin...",
                "spec.rules[0].filters[0].cors.allowMethods[1]: unsupported method \"GETS\"",
                "spec.rules[0].filters[0].cors.allowHeaders[0]: \"x y\" is not a valid header name (RFC 7230 token characters only)",
                "spec.rules[0].filters[0].cors.maxAge: must be at least 1 (found 0)",
            ],
        ),
        (
            with_filters("{type: ExtensionRef, extensionRef: {group: Foo, kind: '', name: x}}"),
            &[
                "spec.rules[0].filters[0].extensionRef.group: \"Foo\" is not a valid API group",
                "spec.rules[0].filters[0].extensionRef.kind: must not be empty",
            ],
        ),
        (
            http(&format!("{{filters: [{}]}}", vec!["{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}}}"; 17].join(","))),
            &["spec.rules[0].filters: must have at most 16 filters (found 17)"],
        ),
        (
            http("{backendRefs: [{name: s, port: 80, filters: [{type: URLRewrite, urlRewrite: {hostname: 'A.com'}}]}]}"),
            &["spec.rules[0].backendRefs[0].filters[0].urlRewrite.hostname: \"A.com\" is not a valid hostname..."],
        ),
    ];
    for (spec, expected) in rows {
        rejected("HTTPRoute", spec, expected);
    }
}

#[test]
fn ingress_rules() {
    let svc = "backend: {service: {name: s, port: {number: 80}}}";
    let rows: &[(String, &[&str])] = &[
        ("{}".into(), &["spec: either defaultBackend or rules must be specified"]),
        (
            "{rules: [{host: 1.2.3.4}, {host: '*'}, {host: 'a.com:80'}, {host: '*.*.a.com'}, {host: A.com}], tls: [{hosts: ['::1']}]}".into(),
            &[
                "spec.tls[0].hosts[0]: \"::1\": must be a DNS name, not an IP address",
                "spec.rules[0].host: \"1.2.3.4\": must be a DNS name, not an IP address",
                "spec.rules[1].host: \"*\" is not a valid host...",
                "spec.rules[2].host: \"a.com:80\" is not a valid host...",
                "spec.rules[3].host: \"*.*.a.com\" is not a valid host...",
                "spec.rules[4].host: \"A.com\" is not a valid host...",
            ],
        ),
        (
            format!("{{rules: [{{http: {{paths: [{{path: a, pathType: Prefix, {svc}}}, {{pathType: Exact, {svc}}}, {{path: '/a//b', pathType: Exact, {svc}}}, {{path: '/a/.', pathType: Prefix, {svc}}}, {{path: 'a', pathType: ImplementationSpecific, {svc}}}, {{path: /a, pathType: Regex, {svc}}}]}}}}, {{http: {{paths: []}}}}]}}"),
            &[
                "spec.rules[0].http.paths[0].path: must be an absolute path",
                "spec.rules[0].http.paths[1].path: must be an absolute path",
                "spec.rules[0].http.paths[2].path: must not contain '//'",
                "spec.rules[0].http.paths[3].path: must not end with '/.'",
                "spec.rules[0].http.paths[4].path: must be an absolute path",
                "spec.rules[0].http.paths[5].pathType: unsupported value \"Regex\" (supported: Exact, ImplementationSpecific, Prefix)",
                "spec.rules[1].http.paths: must have at least 1 path",
            ],
        ),
        (
            "{defaultBackend: {service: {name: s, port: {number: 80}}, resource: {kind: K, name: bucket}}, rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {}}, {path: /, pathType: Prefix, backend: {service: {name: S, port: {}}}}, {path: /, pathType: Prefix, backend: {service: {name: s, port: {name: http, number: 80}}}}, {path: /, pathType: Prefix, backend: {service: {name: s, port: {name: '-x'}}}}]}}]}".into(),
            &[
                "spec.defaultBackend: service and resource must not both be set",
                "spec.rules[0].http.paths[0].backend: one of service or resource must be set",
                "spec.rules[0].http.paths[1].backend.service.name: \"S\" is not a lowercase RFC 1123 label...",
                "spec.rules[0].http.paths[1].backend.service.port: one of name or number must be set",
                "spec.rules[0].http.paths[2].backend.service.port: name and number must not both be set",
                "spec.rules[0].http.paths[3].backend.service.port.name: \"-x\" is not a valid port name",
            ],
        ),
    ];
    for (spec, expected) in rows {
        rejected("Ingress", spec, expected);
    }
}

#[test]
fn metadata_rules() {
    let c = Config::from_str(&format!(
        "apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: Web_1, namespace: Prod}}\nspec: {{}}\n"
    ));
    let got: Vec<String> = c.errors().iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(got[0].starts_with("HTTPRoute Prod/Web_1 (<string>#0): metadata.namespace: \"Prod\""));
    assert!(got[1].starts_with("HTTPRoute Prod/Web_1 (<string>#0): metadata.name: \"Web_1\""));
    assert!(c.http_routes().is_empty());
}

/// Rule-level rows: (kind, spec, expected errors, expected `(index, reason)` invalid rules).
type RuleRow = (
    &'static str,
    String,
    &'static [&'static str],
    &'static [(usize, &'static str)],
);

#[test]
fn rule_level_problems() {
    const UV: &str = "UnsupportedValue";
    const INC: &str = "IncompatibleFilters";
    let rm = "{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}}}";
    let rows: Vec<RuleRow> = vec![
        (
            "HTTPRoute",
            http("{matches: [{path: {type: Glob, value: '*'}}]}, {}"),
            &["spec.rules[0].matches[0].path.type: unsupported path match type \"Glob\" (supported: Exact, PathPrefix, RegularExpression) (rule 0 dropped: UnsupportedValue)"],
            &[(0, UV)],
        ),
        (
            "HTTPRoute",
            http("{}, {matches: [{headers: [{type: Prefix, name: a, value: b}], queryParams: [{type: Glob, name: a, value: b}], method: FETCH}]}"),
            &[
                "spec.rules[1].matches[0].headers[0].type: unsupported match type \"Prefix\" (supported: Exact, RegularExpression) (rule 1 dropped: UnsupportedValue)",
                "spec.rules[1].matches[0].queryParams[0].type: unsupported match type \"Glob\" (supported: Exact, RegularExpression) (rule 1 dropped: UnsupportedValue)",
                "spec.rules[1].matches[0].method: unsupported method \"FETCH\" (rule 1 dropped: UnsupportedValue)",
            ],
            &[(1, UV)],
        ),
        (
            "HTTPRoute",
            with_filters("{type: Compress, compress: {}}"),
            &["spec.rules[0].filters[0].type: unsupported filter type \"Compress\" (rule 0 dropped: UnsupportedValue)"],
            &[(0, UV)],
        ),
        (
            "HTTPRoute",
            with_filters("{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: a, value: b}]}}, {type: RequestHeaderModifier, requestHeaderModifier: {remove: [c]}}"),
            &["spec.rules[0].filters[1].type: at most one RequestHeaderModifier filter is allowed per list (rule 0 dropped: IncompatibleFilters)"],
            &[(0, INC)],
        ),
        (
            "HTTPRoute",
            http("{filters: [{type: RequestRedirect, requestRedirect: {statusCode: 301}}, {type: URLRewrite, urlRewrite: {hostname: a.com}}]}"),
            &["spec.rules[0].filters[1]: RequestRedirect and URLRewrite filters cannot be used together (rule 0 dropped: IncompatibleFilters)"],
            &[(0, INC)],
        ),
        (
            "HTTPRoute",
            http("{filters: [{type: RequestRedirect, requestRedirect: {port: 8443}}], backendRefs: [{name: s, port: 80}]}"),
            &["spec.rules[0].filters[0]: RequestRedirect must not be used together with backendRefs (rule 0 dropped: IncompatibleFilters)"],
            &[(0, INC)],
        ),
        (
            "HTTPRoute",
            http("{matches: [{path: {value: /a}}, {path: {value: /b}}], filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]}, {matches: [{path: {type: Exact, value: /a}}], filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]}, {matches: [{headers: [{name: a, value: b}]}], filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]}"),
            &[
                "spec.rules[0].filters[0].urlRewrite.path.type: ReplacePrefixMatch requires the rule to have exactly one match, of type PathPrefix (rule 0 dropped: UnsupportedValue)",
                "spec.rules[1].filters[0].requestRedirect.path.type: ReplacePrefixMatch requires the rule to have exactly one match, of type PathPrefix (rule 1 dropped: UnsupportedValue)",
            ],
            &[(0, UV), (1, UV)],
        ),
        (
            "HTTPRoute",
            http("{matches: [{path: {value: /a}}, {path: {value: /b}}], backendRefs: [{name: s, port: 80, filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]}]}"),
            &["spec.rules[0].backendRefs[0].filters[0].urlRewrite.path.type: ReplacePrefixMatch requires the rule to have exactly one match, of type PathPrefix (rule 0 dropped: UnsupportedValue)"],
            &[(0, UV)],
        ),
        (
            "HTTPRoute",
            with_filters("{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-A, value: '1'}], add: [{name: x-b, value: '2'}], remove: [x-a, X-B, x-c]}}"),
            &[
                "spec.rules[0].filters[0].responseHeaderModifier.remove[0]: header \"x-a\" is already modified by set[0] (one action per header name) (rule 0 dropped: UnsupportedValue)",
                "spec.rules[0].filters[0].responseHeaderModifier.remove[1]: header \"X-B\" is already modified by add[0] (one action per header name) (rule 0 dropped: UnsupportedValue)",
            ],
            &[(0, UV)],
        ),
        (
            "HTTPRoute",
            http(&format!("{{filters: [{rm}, {rm}, {{type: URLRewrite, urlRewrite: {{path: {{type: ReplaceSuffix}}}}}}]}}")),
            &["spec.rules[0].filters[2].urlRewrite.path.type: unsupported path modifier type \"ReplaceSuffix\" (supported: ReplaceFullPath, ReplacePrefixMatch) (rule 0 dropped: UnsupportedValue)"],
            &[(0, UV)],
        ),
        (
            "GRPCRoute",
            "{rules: [{filters: [{type: URLRewrite, urlRewrite: {hostname: a.com}}]}, {filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}], backendRefs: [{name: s, port: 80, filters: [{type: CORS, cors: {}}]}]}, {matches: [{method: {type: Prefix, service: a}}]}]}".into(),
            &[
                "spec.rules[0].filters[0].type: filter type URLRewrite is not supported on a GRPCRoute (supported: RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, ExtensionRef) (rule 0 dropped: UnsupportedValue)",
                "spec.rules[1].backendRefs[0].filters[0].type: filter type CORS is not supported on a GRPCRoute (supported: RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, ExtensionRef) (rule 1 dropped: UnsupportedValue)",
                "spec.rules[2].matches[0].method.type: unsupported match type \"Prefix\" (supported: Exact, RegularExpression) (rule 2 dropped: UnsupportedValue)",
            ],
            &[(0, UV), (1, UV), (2, UV)],
        ),
        (
            "HTTPRoute",
            http("{}, {matches: [{path: {type: RegularExpression, value: '/a(['}}]}, {}"),
            &["spec.rules[1].matches[0].path.value: invalid regular expression \"/a([\": unclosed character class (route not served: UnsupportedValue)"],
            &[(0, UV), (1, UV), (2, UV)],
        ),
        (
            "HTTPRoute",
            http("{matches: [{headers: [{type: RegularExpression, name: a, value: 'x{1000}{1000}'}]}]}"),
            &["spec.rules[0].matches[0].headers[0].value: regular expression \"x{1000}{1000}\" needs a DFA of more than 1048576 bytes (limit 1048576) (route not served: UnsupportedValue)"],
            &[(0, UV)],
        ),
        (
            "GRPCRoute",
            "{rules: [{}, {matches: [{method: {type: RegularExpression, method: '(?P<'}}]}]}".into(),
            &["spec.rules[1].matches[0].method.method: invalid regular expression \"(?P<\"..."],
            &[(0, UV), (1, UV)],
        ),
    ];
    for (kind, spec, expected, invalid) in rows {
        let c = Config::from_str(&doc(kind, &spec));
        let got: Vec<String> = c.errors().iter().map(ToString::to_string).collect();
        let want: Vec<String> = expected
            .iter()
            .map(|e| format!("{}{e}", head(kind)))
            .collect();
        assert!(same(&got, &want), "{spec}\n got: {got:#?}\nwant: {want:#?}");
        let rules: Vec<(usize, &str)> = match kind {
            "HTTPRoute" => &c.http_routes()[0].invalid_rules,
            _ => &c.grpc_routes()[0].invalid_rules,
        }
        .iter()
        .map(|r| (r.index, r.reason))
        .collect();
        assert_eq!(rules, invalid, "{spec}");
    }
}

#[test]
fn invalid_rule_messages_carry_field_paths() {
    let c = Config::from_str(&doc(
        "HTTPRoute",
        &http("{matches: [{method: FETCH}]}, {matches: [{path: {type: RegularExpression, value: '('}}]}"),
    ));
    let r = &c.http_routes()[0].invalid_rules;
    assert_eq!(r.len(), 2);
    // Rule 1 holds the bad regex; rule 0 is dropped because the route is not served, which
    // takes precedence over its own problem.
    assert!(r[0]
        .message
        .starts_with("spec.rules[1].matches[0].path.value: invalid regular expression \"(\""));
    assert!(r[0].message.ends_with("(the route is not served)"));
    assert!(r[1]
        .message
        .starts_with("spec.rules[1].matches[0].path.value: invalid regular expression"));
    assert_eq!(c.errors().len(), 2);
}

#[test]
fn invalid_object_is_dropped_and_the_rest_kept() {
    let yaml = format!(
        "apiVersion: {GW}\nkind: Gateway\nmetadata: {{name: gw}}\nspec: {}\n---\n\
         apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: bad}}\nspec: {}\n---\n\
         apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: good}}\nspec: {}\n---\n\
         apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: partial}}\nspec: {}\n",
        gateway(LISTENER),
        http("{matches: [{path: {value: nope}}], backendRefs: [{name: s, port: 80, weight: -1}]}"),
        http("{backendRefs: [{name: s, port: 80}]}"),
        http("{matches: [{method: FETCH}]}, {}"),
    );
    let c = Config::from_str(&yaml);
    let got: Vec<String> = c.errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "HTTPRoute default/bad (<string>#1): spec.rules[0].matches[0].path.value: must start with '/'",
            "HTTPRoute default/bad (<string>#1): spec.rules[0].backendRefs[0].weight: weight -1 is out of range (0-1000000)",
            "HTTPRoute default/partial (<string>#3): spec.rules[0].matches[0].method: unsupported method \"FETCH\" (rule 0 dropped: UnsupportedValue)",
        ]
    );
    assert_eq!(c.gateways().len(), 1);
    let names: Vec<&str> = c
        .http_routes()
        .iter()
        .map(|r| r.meta.name.as_str())
        .collect();
    assert_eq!(names, ["good", "partial"]);
    assert!(c.http_routes()[0].invalid_rules.is_empty());
    assert_eq!(c.http_routes()[1].invalid_rules.len(), 1);
    assert!(!c.is_valid());
    assert!(c.strict().is_err());
}

#[test]
fn hostile_values_never_panic() {
    let values = [
        "",
        "\u{0}",
        "é",
        "%",
        "%%",
        "/%",
        "/%e",
        "/é%",
        "*.",
        "*..",
        ".",
        "..",
        "/",
        "//",
        "[",
        "(?",
        "\\",
        "ms",
        "99999h99999h99999h99999h",
        "1.2.3.4",
        "::",
        "-",
        "a:",
        "http://",
        "https://*:",
        "https://:1",
    ];
    for v in values {
        let v = serde_json::to_string(v).unwrap();
        let spec = format!(
            "{{hostnames: [{v}], parentRefs: [{{name: {v}, sectionName: {v}, namespace: {v}}}], \
             rules: [{{matches: [{{path: {{type: Exact, value: {v}}}, headers: [{{name: {v}, \
             value: {v}, type: RegularExpression}}], method: {v}}}], timeouts: {{request: {v}}}, \
             filters: [{{type: CORS, cors: {{allowOrigins: [{v}]}}}}, {{type: {v}}}], \
             backendRefs: [{{name: {v}, kind: {v}, group: {v}, port: 1}}]}}]}}"
        );
        let c = Config::from_str(&doc("HTTPRoute", &spec));
        assert!(c.http_routes().len() + c.errors().len() > 0);
    }
}

#[test]
fn core_objects_and_session_type() {
    let c = Config::from_str(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}, {port: 0}]}\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n",
    );
    let got: Vec<String> = c.errors().iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(got[0].starts_with(
        "Namespace a.b (<string>#0): metadata.name: \"a.b\" is not a lowercase RFC 1123 label"
    ));
    assert_eq!(
        got[1],
        "Service default/s (<string>#1): spec.ports[1].port: port 0 is out of range (1-65535)"
    );
    assert_eq!(c.namespaces().len(), 1);
    assert!(c.services().is_empty());

    let c = Config::from_str(&doc(
        "HTTPRoute",
        &http("{sessionPersistence: {type: Sticky}}, {}"),
    ));
    let got: Vec<String> = c.errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [format!(
            "{}spec.rules[0].sessionPersistence.type: unsupported session persistence type \
             \"Sticky\" (supported: Cookie, Header) (rule 0 dropped: UnsupportedValue)",
            head("HTTPRoute")
        )]
    );
    assert_eq!(c.http_routes()[0].invalid_rules.len(), 1);
}

/// Issue #14: `metadata.name` of Gateway API objects is an RFC 1123 subdomain of at most 253
/// characters with no 63-character limit per label, so a Gateway (and a route naming it) with
/// a 253-character name loads and gets status; 254 characters is the first length refused.
#[test]
fn names_up_to_253_characters_without_label_limit_get_status() {
    let name = format!("{}.{}", "g".repeat(140), "w".repeat(112));
    assert_eq!(name.len(), 253);
    let yaml = |name: &str| {
        format!(
            "apiVersion: {GW}\nkind: Gateway\nmetadata: {{name: {name}, namespace: infra}}\n\
             spec:\n  gatewayClassName: c\n  listeners: [{{name: http, port: 80, protocol: HTTP, \
             allowedRoutes: {{namespaces: {{from: All}}}}}}]\n---\n\
             apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: app}}\n\
             spec: {{parentRefs: [{{name: {name}, namespace: infra}}]}}\n"
        )
    };
    let c = Config::from_str(&yaml(&name));
    assert!(c.errors().is_empty(), "{:#?}", c.errors());
    assert_eq!((c.gateways().len(), c.http_routes().len()), (1, 1));
    let a = trieway::Report::attach(&c, None);
    let key = format!("infra/{name}");
    assert_eq!(a.gateways.len(), 1);
    assert!(a.listeners.iter().any(|l| l.gateway == key));
    let route = &a.routes[0];
    assert_eq!(route.name, name);
    assert_eq!(route.parents[0].parent, key);
    assert!(route.parents[0]
        .conditions
        .iter()
        .any(|c| c.kind == "Accepted" && c.is_true()));

    let long = format!("{name}x");
    let c = Config::from_str(&yaml(&long));
    assert!(c.gateways().is_empty() && c.http_routes().is_empty());
    assert!(c.errors()[0]
        .to_string()
        .ends_with("metadata.name: must be at most 253 characters (found 254)"));
}
