//! Known `spec` fields of every served version of the Gateway API kinds trieway loads.
//!
//! @generated from the CRDs in `core/crds/` (see its README for their provenance) by
//! `TRIEWAY_UPDATE_KNOWN_FIELDS=1 cargo test -p trieway --lib known_fields`; the same test
//! fails when this file and the CRDs differ. Do not edit by hand. Read from:
//! - `gateway.networking.k8s.io_gatewayclasses.yaml`
//! - `gateway.networking.k8s.io_gateways.yaml`
//! - `gateway.networking.k8s.io_grpcroutes.yaml`
//! - `gateway.networking.k8s.io_httproutes.yaml`
//! - `gateway.networking.k8s.io_listenersets.yaml`
//! - `gateway.networking.k8s.io_referencegrants.yaml`
//! - `gateway.networking.k8s.io_tcproutes.yaml`
//! - `gateway.networking.k8s.io_tlsroutes.yaml`
//! - `gateway.networking.k8s.io_udproutes.yaml`

use super::unknown::Node::{self, Any, Fields};

/// `(group, kind, version, spec)`, sorted.
pub(super) static SPECS: &[(&str, &str, &str, &Node)] = &[
    ("gateway.networking.k8s.io", "GRPCRoute", "v1", &N16),
    ("gateway.networking.k8s.io", "Gateway", "v1", &N34),
    ("gateway.networking.k8s.io", "Gateway", "v1beta1", &N34),
    ("gateway.networking.k8s.io", "GatewayClass", "v1", &N35),
    ("gateway.networking.k8s.io", "GatewayClass", "v1beta1", &N35),
    ("gateway.networking.k8s.io", "HTTPRoute", "v1", &N50),
    ("gateway.networking.k8s.io", "HTTPRoute", "v1beta1", &N50),
    ("gateway.networking.k8s.io", "ListenerSet", "v1", &N51),
    ("gateway.networking.k8s.io", "ReferenceGrant", "v1", &N53),
    ("gateway.networking.k8s.io", "ReferenceGrant", "v1beta1", &N53),
    ("gateway.networking.k8s.io", "TCPRoute", "v1", &N56),
    ("gateway.networking.k8s.io", "TCPRoute", "v1alpha2", &N56),
    ("gateway.networking.k8s.io", "TLSRoute", "v1", &N57),
    ("gateway.networking.k8s.io", "TLSRoute", "v1alpha2", &N57),
    ("gateway.networking.k8s.io", "TLSRoute", "v1alpha3", &N57),
    ("gateway.networking.k8s.io", "UDPRoute", "v1", &N56),
    ("gateway.networking.k8s.io", "UDPRoute", "v1alpha2", &N56),
];

static N0: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("sectionName", &Any)]);
static N1: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any)]);
static N2: Node = Fields(&[("name", &Any), ("value", &Any)]);
static N3: Node = Fields(&[("add", &N2), ("remove", &Any), ("set", &N2)]);
static N4: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any)]);
static N5: Node = Fields(&[("denominator", &Any), ("numerator", &Any)]);
static N6: Node = Fields(&[("backendRef", &N4), ("fraction", &N5), ("percent", &Any)]);
static N7: Node = Fields(&[("extensionRef", &N1), ("requestHeaderModifier", &N3), ("requestMirror", &N6), ("responseHeaderModifier", &N3), ("type", &Any)]);
static N8: Node = Fields(&[("filters", &N7), ("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("weight", &Any)]);
static N9: Node = Fields(&[("name", &Any), ("type", &Any), ("value", &Any)]);
static N10: Node = Fields(&[("method", &Any), ("service", &Any), ("type", &Any)]);
static N11: Node = Fields(&[("headers", &N9), ("method", &N10)]);
static N12: Node = Fields(&[("lifetimeType", &Any), ("name", &Any), ("path", &Any)]);
static N13: Node = Fields(&[("name", &Any)]);
static N14: Node = Fields(&[("absoluteTimeout", &Any), ("cookie", &N12), ("header", &N13), ("type", &Any)]);
static N15: Node = Fields(&[("backendRefs", &N8), ("filters", &N7), ("matches", &N11), ("name", &Any), ("sessionPersistence", &N14)]);
static N16: Node = Fields(&[("hostnames", &Any), ("parentRefs", &N0), ("rules", &N15), ("useDefaultGateways", &Any)]);
static N17: Node = Fields(&[("type", &Any), ("value", &Any)]);
static N18: Node = Fields(&[("key", &Any), ("operator", &Any), ("values", &Any)]);
static N19: Node = Fields(&[("matchExpressions", &N18), ("matchLabels", &Any)]);
static N20: Node = Fields(&[("from", &Any), ("selector", &N19)]);
static N21: Node = Fields(&[("namespaces", &N20)]);
static N22: Node = Fields(&[("annotations", &Any), ("labels", &Any), ("parametersRef", &N1)]);
static N23: Node = Fields(&[("group", &Any), ("kind", &Any)]);
static N24: Node = Fields(&[("kinds", &N23), ("namespaces", &N20)]);
static N25: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any)]);
static N26: Node = Fields(&[("certificateRefs", &N25), ("mode", &Any), ("options", &Any)]);
static N27: Node = Fields(&[("allowedRoutes", &N24), ("hostname", &Any), ("name", &Any), ("port", &Any), ("protocol", &Any), ("tls", &N26)]);
static N28: Node = Fields(&[("clientCertificateRef", &N25)]);
static N29: Node = Fields(&[("caCertificateRefs", &N25), ("mode", &Any)]);
static N30: Node = Fields(&[("validation", &N29)]);
static N31: Node = Fields(&[("port", &Any), ("tls", &N30)]);
static N32: Node = Fields(&[("default", &N30), ("perPort", &N31)]);
static N33: Node = Fields(&[("backend", &N28), ("frontend", &N32)]);
static N34: Node = Fields(&[("addresses", &N17), ("allowedListeners", &N21), ("defaultScope", &Any), ("gatewayClassName", &Any), ("infrastructure", &N22), ("listeners", &N27), ("tls", &N33)]);
static N35: Node = Fields(&[("controllerName", &Any), ("description", &Any), ("parametersRef", &N25)]);
static N36: Node = Fields(&[("allowCredentials", &Any), ("allowHeaders", &Any), ("allowMethods", &Any), ("allowOrigins", &Any), ("exposeHeaders", &Any), ("maxAge", &Any)]);
static N37: Node = Fields(&[("maxSize", &Any)]);
static N38: Node = Fields(&[("allowedHeaders", &Any)]);
static N39: Node = Fields(&[("allowedHeaders", &Any), ("allowedResponseHeaders", &Any), ("path", &Any)]);
static N40: Node = Fields(&[("backendRef", &N4), ("forwardBody", &N37), ("grpc", &N38), ("http", &N39), ("protocol", &Any)]);
static N41: Node = Fields(&[("replaceFullPath", &Any), ("replacePrefixMatch", &Any), ("type", &Any)]);
static N42: Node = Fields(&[("hostname", &Any), ("path", &N41), ("port", &Any), ("scheme", &Any), ("statusCode", &Any)]);
static N43: Node = Fields(&[("hostname", &Any), ("path", &N41)]);
static N44: Node = Fields(&[("cors", &N36), ("extensionRef", &N1), ("externalAuth", &N40), ("requestHeaderModifier", &N3), ("requestMirror", &N6), ("requestRedirect", &N42), ("responseHeaderModifier", &N3), ("type", &Any), ("urlRewrite", &N43)]);
static N45: Node = Fields(&[("filters", &N44), ("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("weight", &Any)]);
static N46: Node = Fields(&[("headers", &N9), ("method", &Any), ("path", &N17), ("queryParams", &N9)]);
static N47: Node = Fields(&[("attempts", &Any), ("backoff", &Any), ("codes", &Any)]);
static N48: Node = Fields(&[("backendRequest", &Any), ("request", &Any)]);
static N49: Node = Fields(&[("backendRefs", &N45), ("filters", &N44), ("matches", &N46), ("name", &Any), ("retry", &N47), ("sessionPersistence", &N14), ("timeouts", &N48)]);
static N50: Node = Fields(&[("hostnames", &Any), ("parentRefs", &N0), ("rules", &N49), ("useDefaultGateways", &Any)]);
static N51: Node = Fields(&[("listeners", &N27), ("parentRef", &N25)]);
static N52: Node = Fields(&[("group", &Any), ("kind", &Any), ("namespace", &Any)]);
static N53: Node = Fields(&[("from", &N52), ("to", &N1)]);
static N54: Node = Fields(&[("group", &Any), ("kind", &Any), ("name", &Any), ("namespace", &Any), ("port", &Any), ("weight", &Any)]);
static N55: Node = Fields(&[("backendRefs", &N54), ("name", &Any)]);
static N56: Node = Fields(&[("parentRefs", &N0), ("rules", &N55), ("useDefaultGateways", &Any)]);
static N57: Node = Fields(&[("hostnames", &Any), ("parentRefs", &N0), ("rules", &N55), ("useDefaultGateways", &Any)]);
