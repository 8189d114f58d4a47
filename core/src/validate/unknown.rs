//! Unknown fields, as `kubectl apply` with strict field validation reports them.
//!
//! A field is known when the schema of the object's kind and version lists it:
//!
//! * **Gateway API kinds**: the `spec` schema of every served version of every CRD in
//!   `core/crds/` (copied from the Gateway API, see its README), compiled into the static tree
//!   of [`known_fields`](super::known_fields) by a test that fails when the tree and the CRDs
//!   differ. A version the copied CRDs no longer serve but the loader still reads (GRPCRoute
//!   v1alpha2, ListenerSet v1alpha1, XListenerSet, ReferenceGrant v1alpha2) has no schema
//!   there: only its top level and `metadata` are checked, so that no valid document is
//!   refused.
//! * **Ingress** (networking.k8s.io/v1): `spec` against a hand-written list from the
//!   Kubernetes API ([`INGRESS_SPEC`]).
//! * **Core kinds** (Service, Namespace, Secret, ConfigMap, EndpointSlice, IngressClass): their
//!   schemas are large and trieway reads little of them, so only the top-level fields and
//!   `metadata` are checked, not what is inside `spec` or `data`.
//!
//! Everywhere: `apiVersion`, `kind`, every `ObjectMeta` field of `metadata` (what `kubectl get
//! -o yaml` prints, `managedFields` included) and anything under `status`. Free-form maps
//! (`labels`, `annotations`, schema `additionalProperties`) and fields marked
//! `x-kubernetes-preserve-unknown-fields` accept any key.
//!
//! The walk follows the schema tree, never deeper: its recursion depth is bounded by the
//! schema (about 20 levels), not by the input, and at most [`MAX_REPORTED`] unknown fields are
//! reported per object.

use super::known_fields::SPECS;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// A node of the static tree of known fields.
#[derive(Debug)]
pub(crate) enum Node {
    /// Any key and any value (scalars, free-form maps, preserved unknown fields).
    Any,
    /// An object with these fields, sorted by name. A list of objects is walked with the node
    /// of its items: lists are transparent.
    Fields(&'static [(&'static str, &'static Node)]),
}

use Node::{Any, Fields};

/// Unknown fields reported per object at most; the rest are counted in one last message.
pub(crate) const MAX_REPORTED: usize = 16;

/// `metadata`: every field of Kubernetes `ObjectMeta` (meta/v1).
pub(crate) static OBJECT_META: Node = Fields(&[
    ("annotations", &Any),
    ("creationTimestamp", &Any),
    ("deletionGracePeriodSeconds", &Any),
    ("deletionTimestamp", &Any),
    ("finalizers", &Any),
    ("generateName", &Any),
    ("generation", &Any),
    ("labels", &Any),
    ("managedFields", &MANAGED_FIELDS),
    ("name", &Any),
    ("namespace", &Any),
    ("ownerReferences", &OWNER_REFERENCE),
    ("resourceVersion", &Any),
    ("selfLink", &Any),
    ("uid", &Any),
]);

static MANAGED_FIELDS: Node = Fields(&[
    ("apiVersion", &Any),
    ("fieldsType", &Any),
    ("fieldsV1", &Any),
    ("manager", &Any),
    ("operation", &Any),
    ("subresource", &Any),
    ("time", &Any),
]);

static OWNER_REFERENCE: Node = Fields(&[
    ("apiVersion", &Any),
    ("blockOwnerDeletion", &Any),
    ("controller", &Any),
    ("kind", &Any),
    ("name", &Any),
    ("uid", &Any),
]);

/// `Ingress.spec` (networking.k8s.io/v1 `IngressSpec`), written from the Kubernetes API.
pub(crate) static INGRESS_SPEC: Node = Fields(&[
    ("defaultBackend", &INGRESS_BACKEND),
    ("ingressClassName", &Any),
    ("rules", &INGRESS_RULE),
    ("tls", &INGRESS_TLS),
]);

static INGRESS_BACKEND: Node = Fields(&[
    ("resource", &TYPED_LOCAL_OBJECT_REFERENCE),
    ("service", &INGRESS_SERVICE_BACKEND),
]);

static TYPED_LOCAL_OBJECT_REFERENCE: Node =
    Fields(&[("apiGroup", &Any), ("kind", &Any), ("name", &Any)]);

static INGRESS_SERVICE_BACKEND: Node = Fields(&[("name", &Any), ("port", &SERVICE_BACKEND_PORT)]);

static SERVICE_BACKEND_PORT: Node = Fields(&[("name", &Any), ("number", &Any)]);

static INGRESS_RULE: Node = Fields(&[("host", &Any), ("http", &HTTP_INGRESS_RULE_VALUE)]);

static HTTP_INGRESS_RULE_VALUE: Node = Fields(&[("paths", &HTTP_INGRESS_PATH)]);

static HTTP_INGRESS_PATH: Node = Fields(&[
    ("backend", &INGRESS_BACKEND),
    ("path", &Any),
    ("pathType", &Any),
]);

static INGRESS_TLS: Node = Fields(&[("hosts", &Any), ("secretName", &Any)]);

/// Top-level fields of every object.
const COMMON_TOP: &[&str] = &["apiVersion", "kind", "metadata", "status"];

/// The other top-level fields of `kind` (of API group `group`), and the node `spec` is
/// checked against (`None`: not checked inside).
fn top_level(
    group: &str,
    kind: &str,
    version: &str,
) -> (&'static [&'static str], Option<&'static Node>) {
    match (group, kind) {
        ("", "Secret") => (&["data", "immutable", "stringData", "type"], None),
        ("", "ConfigMap") => (&["binaryData", "data", "immutable"], None),
        ("discovery.k8s.io", "EndpointSlice") => (&["addressType", "endpoints", "ports"], None),
        ("networking.k8s.io", "Ingress") => (&["spec"], Some(&INGRESS_SPEC)),
        _ => (&["spec"], spec_schema(group, kind, version)),
    }
}

/// The generated `spec` node of a Gateway API kind and version.
fn spec_schema(group: &str, kind: &str, version: &str) -> Option<&'static Node> {
    SPECS
        .iter()
        .find(|(g, k, v, _)| *g == group && *k == kind && *v == version)
        .map(|(_, _, _, n)| *n)
}

/// One unknown field: its path and the message (`unknown field, did you mean backendRefs?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownField {
    /// Field path, such as `spec.rules[0].backendRef`.
    pub(crate) field: String,
    /// What to tell the user.
    pub(crate) message: String,
}

/// The unknown fields of one object (`apiVersion` already split into `group` and `version`),
/// at most [`MAX_REPORTED`] of them plus, when there are more, one message counting the rest.
pub(crate) fn unknown_fields(
    group: &str,
    kind: &str,
    version: &str,
    object: &Map<String, Value>,
) -> Vec<UnknownField> {
    let mut w = Walk::default();
    let (extra, spec) = top_level(group, kind, version);
    for (key, value) in object {
        match key.as_str() {
            "metadata" => w.value(&OBJECT_META, value, &FieldPath::top("metadata")),
            "spec" if extra.contains(&"spec") => {
                if let Some(spec) = spec {
                    w.value(spec, value, &FieldPath::top("spec"))
                }
            }
            k if COMMON_TOP.contains(&k) || extra.contains(&k) => {}
            k => {
                let mut names: Vec<&str> = COMMON_TOP.to_vec();
                names.extend_from_slice(extra);
                w.unknown(None, k, names.into_iter());
            }
        }
    }
    if w.found > MAX_REPORTED {
        w.out.push(UnknownField {
            field: String::new(),
            message: format!("unknown fields: {} more not listed", w.found - MAX_REPORTED),
        });
    }
    w.out
}

/// One step of a field path, kept unrendered until an unknown field needs it (the walk of a
/// valid object formats and allocates nothing per field).
#[derive(Clone, Copy)]
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// The path of the value being walked, from the top level: its last step and the path of its
/// parent, on the walk's stack (no allocation per object).
#[derive(Clone, Copy)]
struct FieldPath<'a> {
    step: Step<'a>,
    up: Option<&'a FieldPath<'a>>,
}

impl<'a> FieldPath<'a> {
    /// Field `key` of the top level.
    fn top(key: &'a str) -> FieldPath<'a> {
        FieldPath {
            step: Step::Key(key),
            up: None,
        }
    }

    /// Appends the path's rendering (`spec.rules[0].matches`) to `field`.
    fn render(&self, field: &mut String) {
        if let Some(up) = self.up {
            up.render(field);
        }
        match self.step {
            Step::Key(k) if field.is_empty() => field.push_str(&short(k)),
            Step::Key(k) => {
                field.push('.');
                field.push_str(&short(k));
            }
            Step::Index(i) => {
                let _ = write!(field, "[{i}]");
            }
        }
    }
}

#[derive(Default)]
struct Walk {
    out: Vec<UnknownField>,
    found: usize,
}

impl Walk {
    /// Checks `value`, at `path`, against `node`.
    fn value(&mut self, node: &'static Node, value: &Value, path: &FieldPath<'_>) {
        let Fields(fields) = node else { return };
        match value {
            Value::Object(map) => self.object(fields, map, path),
            // Lists are transparent; a list directly inside a list is a type error the model
            // reports, and is not walked (so the depth stays bounded by the schema's).
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(map) = item {
                        let at = FieldPath {
                            step: Step::Index(i),
                            up: Some(path),
                        };
                        self.object(fields, map, &at);
                    }
                }
            }
            _ => {}
        }
    }

    fn object(
        &mut self,
        fields: &'static [(&'static str, &'static Node)],
        map: &Map<String, Value>,
        path: &FieldPath<'_>,
    ) {
        for (key, value) in map {
            match find(fields, key) {
                Some(child @ Fields(_)) => {
                    let at = FieldPath {
                        step: Step::Key(key),
                        up: Some(path),
                    };
                    self.value(child, value, &at);
                }
                Some(Any) => {}
                None => self.unknown(Some(path), key, fields.iter().map(|(name, _)| *name)),
            }
        }
    }

    /// Records unknown field `key` under `path` (`None`: the top level), suggesting the
    /// closest of `siblings`.
    fn unknown<'a>(
        &mut self,
        path: Option<&FieldPath<'_>>,
        key: &str,
        siblings: impl Iterator<Item = &'a str>,
    ) {
        self.found += 1;
        if self.found > MAX_REPORTED {
            return;
        }
        let mut field = String::new();
        if let Some(path) = path {
            path.render(&mut field);
        }
        if !field.is_empty() {
            field.push('.');
        }
        field.push_str(&short(key));
        let message = match suggest(key, siblings) {
            Some(s) => format!("unknown field, did you mean {s}?"),
            None => "unknown field".to_string(),
        };
        self.out.push(UnknownField { field, message });
    }
}

/// The node of field `key` in `fields` (sorted by name), by binary search with an inlined
/// byte comparison: names are short and usually differ in their first byte, where a call to
/// `memcmp` per probe cost more than the rest of the walk (issue #20, item 4).
#[inline]
fn find(fields: &'static [(&'static str, &'static Node)], key: &str) -> Option<&'static Node> {
    let key = key.as_bytes();
    let (mut lo, mut hi) = (0, fields.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (name, node) = fields[mid];
        match compare(name.as_bytes(), key) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(node),
        }
    }
    None
}

/// `a.cmp(b)` (byte order, as `str` orders), without a library call.
#[inline]
fn compare(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// A key as shown in a field path: cut after 64 characters.
fn short(key: &str) -> String {
    const MAX: usize = 64;
    if key.chars().count() <= MAX {
        key.to_string()
    } else {
        let cut: String = key.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

/// The sibling field `key` was probably meant to be: the closest by edit distance (ASCII case
/// ignored), when it is close: at most 1 edit for names of up to 4 characters, 2 for longer
/// ones, 3 from 9 characters on. Ties go to the first name in sorted order.
fn suggest<'a>(key: &str, siblings: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if key.len() > 128 {
        return None;
    }
    let key = key.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for name in siblings {
        let d = distance(key.as_bytes(), name.to_ascii_lowercase().as_bytes());
        let limit = match name.len().min(key.len()) {
            0..=4 => 1,
            5..=8 => 2,
            _ => 3,
        };
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, name));
        }
    }
    best.map(|(_, name)| name)
}

/// Edit distance between two byte strings where a swap of two adjacent bytes counts as one
/// edit (optimal string alignment: `nmae` is one edit from `name`).
fn distance(a: &[u8], b: &[u8]) -> usize {
    let w = b.len() + 1;
    // Three rows: two back (for swaps), one back, current.
    let mut rows = vec![0usize; 3 * w];
    for (j, cell) in rows[w..2 * w].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (older, rest) = rows.split_at_mut(w);
        let (prev, cur) = rest.split_at_mut(w);
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(older[j - 2] + 1);
            }
            cur[j] = d;
        }
        rows.rotate_left(w);
    }
    rows[w + b.len()]
}

#[cfg(test)]
#[path = "unknown_tests.rs"]
mod tests;
