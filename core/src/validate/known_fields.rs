//! Known `spec` fields of every served version of the Gateway API kinds trieway loads.
//!
//! @generated from the CRDs in `core/crds/` (see its README for their provenance) by
//! `TRIEWAY_UPDATE_KNOWN_FIELDS=1 cargo test -p trieway --lib known_fields`; the same test
//! fails when this file and the CRDs differ. Do not edit by hand. Read from:
//! - `gateway.networking.k8s.io_backendtlspolicies.yaml`
//! - `gateway.networking.k8s.io_gatewayclasses.yaml`
//! - `gateway.networking.k8s.io_gateways.yaml`
//! - `gateway.networking.k8s.io_grpcroutes.yaml`
//! - `gateway.networking.k8s.io_httproutes.yaml`
//! - `gateway.networking.k8s.io_listenersets.yaml`
//! - `gateway.networking.k8s.io_referencegrants.yaml`
//! - `gateway.networking.k8s.io_tcproutes.yaml`
//! - `gateway.networking.k8s.io_tlsroutes.yaml`
//! - `gateway.networking.k8s.io_udproutes.yaml`
//! - `gateway.networking.x-k8s.io_xbackendtrafficpolicies.yaml`

use super::unknown::Node::{self, Any, Fields};

/// `(group, kind, version, spec)`, sorted.
pub(super) static SPECS: &[(&str, &str, &str, &Node)] = &[
    ("gateway.networking.k8s.io", "BackendTLSPolicy", "v1", &N4),
    ("gateway.networking.k8s.io", "BackendTLSPolicy", "v1alpha3", &N4),
    ("gateway.networking.k8s.io", "GRPCRoute", "v1", &N20),
    ("gateway.networking.k8s.io", "Gateway", "v1", &N38),
    ("gateway.networking.k8s.io", "Gateway", "v1beta1", &N38),
    ("gateway.networking.k8s.io", "GatewayClass", "v1", &N39),
    ("gateway.networking.k8s.io", "GatewayClass", "v1beta1", &N39),
    ("gateway.networking.k8s.io", "HTTPRoute", "v1", &N54),
    ("gateway.networking.k8s.io", "HTTPRoute", "v1beta1", &N54),
    ("gateway.networking.k8s.io", "ListenerSet", "v1", &N55),
    ("gateway.networking.k8s.io", "ReferenceGrant", "v1", &N57),
    ("gateway.networking.k8s.io", "ReferenceGrant", "v1beta1", &N57),
    ("gateway.networking.k8s.io", "TCPRoute", "v1", &N60),
    ("gateway.networking.k8s.io", "TCPRoute", "v1alpha2", &N60),
    ("gateway.networking.k8s.io", "TLSRoute", "v1", &N61),
    ("gateway.networking.k8s.io", "TLSRoute", "v1alpha2", &N61),
    ("gateway.networking.k8s.io", "TLSRoute", "v1alpha3", &N61),
    ("gateway.networking.k8s.io", "UDPRoute", "v1", &N60),
    ("gateway.networking.k8s.io", "UDPRoute", "v1alpha2", &N60),
    ("gateway.networking.x-k8s.io", "XBackendTrafficPolicy", "v1alpha1", &N65),
];

static N0: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("sectionName", &Any)]);
static N1: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any)]);
static N2: Node = Fields(&[("hostname", &Any), ("type", &Any), ("uri", &Any)]);
static N3: Node = Fields(&[("caCertificateRefs", &N1), ("hostname", &Any), ("subjectAltNames", &N2), ("wellKnownCACertificates", &Any)]);
static N4: Node = Fields(&[("options", &Any), ("targetRefs", &N0), ("validation", &N3)]);
static N5: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("sectionName", &Any)]);
static N6: Node = Fields(&[("name", &Any), ("value", &Any)]);
static N7: Node = Fields(&[("add", &N6), ("remove", &Any), ("set", &N6)]);
static N8: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any)]);
static N9: Node = Fields(&[("denominator", &Any), ("numerator", &Any)]);
static N10: Node = Fields(&[("backendRef", &N8), ("fraction", &N9), ("percent", &Any)]);
static N11: Node = Fields(&[("extensionRef", &N1), ("requestHeaderModifier", &N7), ("requestMirror", &N10), ("responseHeaderModifier", &N7), ("type", &Any)]);
static N12: Node = Fields(&[("filters", &N11), ("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("weight", &Any)]);
static N13: Node = Fields(&[("name", &Any), ("type", &Any), ("value", &Any)]);
static N14: Node = Fields(&[("method", &Any), ("service", &Any), ("type", &Any)]);
static N15: Node = Fields(&[("headers", &N13), ("method", &N14)]);
static N16: Node = Fields(&[("lifetimeType", &Any), ("name", &Any), ("path", &Any)]);
static N17: Node = Fields(&[("name", &Any)]);
static N18: Node = Fields(&[("absoluteTimeout", &Any), ("cookie", &N16), ("header", &N17), ("type", &Any)]);
static N19: Node = Fields(&[("backendRefs", &N12), ("filters", &N11), ("matches", &N15), ("name", &Any), ("sessionPersistence", &N18)]);
static N20: Node = Fields(&[("hostnames", &Any), ("parentRefs", &N5), ("rules", &N19), ("useDefaultGateways", &Any)]);
static N21: Node = Fields(&[("type", &Any), ("value", &Any)]);
static N22: Node = Fields(&[("key", &Any), ("operator", &Any), ("values", &Any)]);
static N23: Node = Fields(&[("matchExpressions", &N22), ("matchLabels", &Any)]);
static N24: Node = Fields(&[("from", &Any), ("selector", &N23)]);
static N25: Node = Fields(&[("namespaces", &N24)]);
static N26: Node = Fields(&[("annotations", &Any), ("labels", &Any), ("parametersRef", &N1)]);
static N27: Node = Fields(&[("group", &Any), ("kind", &Any)]);
static N28: Node = Fields(&[("kinds", &N27), ("namespaces", &N24)]);
static N29: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any)]);
static N30: Node = Fields(&[("certificateRefs", &N29), ("mode", &Any), ("options", &Any)]);
static N31: Node = Fields(&[("allowedRoutes", &N28), ("hostname", &Any), ("name", &Any), ("port", &Any), ("protocol", &Any), ("tls", &N30)]);
static N32: Node = Fields(&[("clientCertificateRef", &N29)]);
static N33: Node = Fields(&[("caCertificateRefs", &N29), ("mode", &Any)]);
static N34: Node = Fields(&[("validation", &N33)]);
static N35: Node = Fields(&[("port", &Any), ("tls", &N34)]);
static N36: Node = Fields(&[("default", &N34), ("perPort", &N35)]);
static N37: Node = Fields(&[("backend", &N32), ("frontend", &N36)]);
static N38: Node = Fields(&[("addresses", &N21), ("allowedListeners", &N25), ("defaultScope", &Any), ("gatewayClassName", &Any), ("infrastructure", &N26), ("listeners", &N31), ("tls", &N37)]);
static N39: Node = Fields(&[("controllerName", &Any), ("description", &Any), ("parametersRef", &N29)]);
static N40: Node = Fields(&[("allowCredentials", &Any), ("allowHeaders", &Any), ("allowMethods", &Any), ("allowOrigins", &Any), ("exposeHeaders", &Any), ("maxAge", &Any)]);
static N41: Node = Fields(&[("maxSize", &Any)]);
static N42: Node = Fields(&[("allowedHeaders", &Any)]);
static N43: Node = Fields(&[("allowedHeaders", &Any), ("allowedResponseHeaders", &Any), ("path", &Any)]);
static N44: Node = Fields(&[("backendRef", &N8), ("forwardBody", &N41), ("grpc", &N42), ("http", &N43), ("protocol", &Any)]);
static N45: Node = Fields(&[("replaceFullPath", &Any), ("replacePrefixMatch", &Any), ("type", &Any)]);
static N46: Node = Fields(&[("hostname", &Any), ("path", &N45), ("port", &Any), ("scheme", &Any), ("statusCode", &Any)]);
static N47: Node = Fields(&[("hostname", &Any), ("path", &N45)]);
static N48: Node = Fields(&[("cors", &N40), ("extensionRef", &N1), ("externalAuth", &N44), ("requestHeaderModifier", &N7), ("requestMirror", &N10), ("requestRedirect", &N46), ("responseHeaderModifier", &N7), ("type", &Any), ("urlRewrite", &N47)]);
static N49: Node = Fields(&[("filters", &N48), ("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("weight", &Any)]);
static N50: Node = Fields(&[("headers", &N13), ("method", &Any), ("path", &N21), ("queryParams", &N13)]);
static N51: Node = Fields(&[("attempts", &Any), ("backoff", &Any), ("codes", &Any)]);
static N52: Node = Fields(&[("backendRequest", &Any), ("request", &Any)]);
static N53: Node = Fields(&[("backendRefs", &N49), ("filters", &N48), ("matches", &N50), ("name", &Any), ("retry", &N51), ("sessionPersistence", &N18), ("timeouts", &N52)]);
static N54: Node = Fields(&[("hostnames", &Any), ("parentRefs", &N5), ("rules", &N53), ("useDefaultGateways", &Any)]);
static N55: Node = Fields(&[("listeners", &N31), ("parentRef", &N29)]);
static N56: Node = Fields(&[("group", &Any), ("kind", &Any), ("namespace", &Any)]);
static N57: Node = Fields(&[("from", &N56), ("to", &N1)]);
static N58: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("weight", &Any)]);
static N59: Node = Fields(&[("backendRefs", &N58), ("name", &Any)]);
static N60: Node = Fields(&[("parentRefs", &N5), ("rules", &N59), ("useDefaultGateways", &Any)]);
static N61: Node = Fields(&[("hostnames", &Any), ("parentRefs", &N5), ("rules", &N59), ("useDefaultGateways", &Any)]);
static N62: Node = Fields(&[("interval", &Any), ("percent", &Any)]);
static N63: Node = Fields(&[("count", &Any), ("interval", &Any)]);
static N64: Node = Fields(&[("budget", &N62), ("minRetryRate", &N63)]);
static N65: Node = Fields(&[("retryConstraint", &N64), ("sessionPersistence", &N18), ("targetRefs", &N1)]);
