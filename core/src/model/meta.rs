//! Object metadata, origins and the small reference types every route kind shares.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// Where an object came from: a file (or `<string>`) and its document index there.
///
/// Every error and warning carries the origin, so that a message can be traced back to the
/// document that produced it: `routes.yaml#2` is the third document of `routes.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Origin {
    /// File name, or `<string>` / `<bytes>` for in-memory input.
    pub file: Arc<str>,
    /// Zero-based index of the document within its file (array element for JSON arrays,
    /// `items` element for `kind: List`).
    pub index: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file, self.index)
    }
}

/// The part of Kubernetes `metadata` the engine reads. Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMeta {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`; empty for cluster-scoped objects. The loader fills `default` for
    /// namespaced kinds that leave it out.
    pub namespace: String,
    /// `metadata.labels`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// `metadata.creationTimestamp` as RFC 3339 text, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    /// `metadata.generation`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
}

/// One loaded object: its kind-specific body plus the metadata and origin every object has.
#[derive(Debug, Clone, PartialEq)]
pub struct Object<S> {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `metadata`.
    pub meta: ObjectMeta,
    /// Parsed `creationTimestamp` in seconds since the Unix epoch; `0` when absent.
    pub created: i64,
    /// Where the object came from.
    pub origin: Origin,
    /// The kind-specific body (usually `spec`).
    pub spec: S,
}

impl<S> Object<S> {
    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub fn key(&self) -> String {
        if self.meta.namespace.is_empty() {
            self.meta.name.clone()
        } else {
            format!("{}/{}", self.meta.namespace, self.meta.name)
        }
    }
}

/// Declares a string enum whose unknown values are kept (as `Other`) instead of failing to
/// parse: a value a future API version adds must never crash the engine but be reported.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* #[doc = concat!("`", $text, "`")] $variant,)+
            /// A value this version of the engine does not know.
            Other(String),
        }
        impl $name {
            /// The value as written in the API.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }
        }
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_string()),
                }
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // Accepts what `String` accepts, with its error messages, but allocates only
                // for an unknown value (issue #20, item 4).
                d.deserialize_string($crate::model::meta::EnumText(|s: &str| Self::from(s)))
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

/// The visitor of a [`string_enum!`] type: the value from borrowed text (a copy is made for
/// an unknown value only). It accepts exactly what
/// `String`'s visitor accepts (strings, and UTF-8 bytes) and words errors as it does.
pub(crate) struct EnumText<T>(pub(crate) fn(&str) -> T);

impl<T> serde::de::Visitor<'_> for EnumText<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(v))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<T, E> {
        match std::str::from_utf8(v) {
            Ok(s) => Ok((self.0)(s)),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
        }
    }

    fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<T, E> {
        self.visit_bytes(&v)
    }
}

/// The API group of the Gateway API resources.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// `parentRefs[]` entry of a route. Defaults are applied by the accessors.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ParentReference {
    /// Group; absent means `gateway.networking.k8s.io`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind; absent means `Gateway`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Namespace; absent means the route's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name of the parent.
    pub name: String,
    /// Listener name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// Listener port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
}

impl ParentReference {
    /// The group with its default applied.
    pub fn group(&self) -> &str {
        self.group.as_deref().unwrap_or(GATEWAY_GROUP)
    }
    /// The kind with its default applied.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("Gateway")
    }
    /// The namespace with its default (`route_ns`) applied.
    pub fn namespace<'a>(&'a self, route_ns: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(route_ns)
    }
}

/// A `BackendObjectReference` (mirror targets) or the reference part of a `backendRef`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendObjectReference {
    /// Group; absent or `""` is the core group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind; absent means `Service`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the target.
    pub name: String,
    /// Namespace; absent means the route's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Port (a Service port, never a target port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
}

impl BackendObjectReference {
    /// The group with its default (`""`) applied.
    pub fn group(&self) -> &str {
        self.group.as_deref().unwrap_or("")
    }
    /// The kind with its default (`Service`) applied.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("Service")
    }
    /// The namespace with its default (`route_ns`) applied.
    pub fn namespace<'a>(&'a self, route_ns: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(route_ns)
    }
}

/// A route rule's `backendRefs[]` entry without filters (TLS/TCP/UDP routes).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendRef {
    /// The referenced object.
    #[serde(flatten)]
    pub target: BackendObjectReference,
    /// Weight; absent means 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
}

/// [`BackendRef`] as serde's `flatten` reads it (the slow path, see [`flat_refs`]). In a
/// module of its own so that it can bear the public type's name, which serde's error messages
/// show ("expected struct BackendRef").
mod nested {
    use super::BackendObjectReference;
    use serde::Deserialize;

    #[derive(Default, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub(super) struct BackendRef {
        #[serde(flatten)]
        pub(super) target: BackendObjectReference,
        pub(super) weight: Option<i64>,
    }
}

impl<'de> Deserialize<'de> for BackendRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if FLAT_REFS.with(std::cell::Cell::get) {
            let (target, weight, ()) = d.deserialize_map(RefVisitor::<()>(false, PhantomData))?;
            return Ok(BackendRef { target, weight });
        }
        let n = nested::BackendRef::deserialize(d)?;
        Ok(BackendRef {
            target: n.target,
            weight: n.weight,
        })
    }
}

thread_local! {
    /// Whether backendRefs are read field by field ([`flat_refs`]) rather than through
    /// serde's `flatten`.
    static FLAT_REFS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with backendRefs ([`BackendRef`], `HttpBackendRef`) read field by field instead
/// of through serde's `flatten`, which buffers every field of every backendRef in serde's
/// `Content` and cost about 8 % of loading (issue #20, item 4).
///
/// Both ways accept exactly the same input (a map whose known fields have the right types;
/// other keys are ignored) and give the same value; they differ only in the error of a
/// refused input: `flatten` reports a problem inside the reference without its field name,
/// after the other fields, and the loader's error messages keep that wording. So the loader
/// reads by this fast way first and, for input that fails, again the usual way, which names
/// the error as before.
pub(crate) fn flat_refs<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            FLAT_REFS.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(FLAT_REFS.with(|c| c.replace(true)));
    f()
}

/// Whether [`flat_refs`] is in effect on this thread.
pub(crate) fn reading_flat_refs() -> bool {
    FLAT_REFS.with(std::cell::Cell::get)
}

/// The fields of a backendRef map: the reference, the weight and the filters (`F`, `()` for
/// kinds without filters, whose `filters` key is then ignored as `flatten` ignores it).
/// `.0`: whether `filters` is a field.
pub(crate) struct RefVisitor<F>(pub(crate) bool, pub(crate) PhantomData<F>);

/// A key of a backendRef map.
enum RefKey {
    Group,
    Kind,
    Name,
    Namespace,
    Port,
    Weight,
    Filters,
    Other,
}

impl<'de> Deserialize<'de> for RefKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RefKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RefKey, E> {
                Ok(match v {
                    "group" => RefKey::Group,
                    "kind" => RefKey::Kind,
                    "name" => RefKey::Name,
                    "namespace" => RefKey::Namespace,
                    "port" => RefKey::Port,
                    "weight" => RefKey::Weight,
                    "filters" => RefKey::Filters,
                    _ => RefKey::Other,
                })
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<RefKey, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => self.visit_str(s),
                    Err(_) => Ok(RefKey::Other),
                }
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de, F: Deserialize<'de> + Default> serde::de::Visitor<'de> for RefVisitor<F> {
    type Value = (BackendObjectReference, Option<i64>, F);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a backendRef map")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let mut target = BackendObjectReference::default();
        let mut weight = None;
        let mut filters = F::default();
        // Keys seen, to refuse a repeated one as the derived code does.
        let mut seen = 0u8;
        while let Some(key) = map.next_key::<RefKey>()? {
            let (bit, name) = match key {
                RefKey::Group => (1, "group"),
                RefKey::Kind => (2, "kind"),
                RefKey::Name => (4, "name"),
                RefKey::Namespace => (8, "namespace"),
                RefKey::Port => (16, "port"),
                RefKey::Weight => (32, "weight"),
                RefKey::Filters if self.0 => (64, "filters"),
                RefKey::Filters | RefKey::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    continue;
                }
            };
            if seen & bit != 0 {
                return Err(A::Error::duplicate_field(name));
            }
            seen |= bit;
            match key {
                RefKey::Group => target.group = map.next_value()?,
                RefKey::Kind => target.kind = map.next_value()?,
                RefKey::Name => target.name = map.next_value()?,
                RefKey::Namespace => target.namespace = map.next_value()?,
                RefKey::Port => target.port = map.next_value()?,
                RefKey::Weight => weight = map.next_value()?,
                RefKey::Filters | RefKey::Other => filters = map.next_value()?,
            }
        }
        Ok((target, weight, filters))
    }
}

impl BackendRef {
    /// The weight with its default (1) applied.
    pub fn weight(&self) -> i64 {
        self.weight.unwrap_or(1)
    }
}

/// `{group, kind, name}` reference in the same namespace (ExtensionRef, certificateRefs use
/// [`SecretObjectReference`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalObjectReference {
    /// Group.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
}

/// A reference to a Secret (or another certificate holder), possibly in another namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretObjectReference {
    /// Group; absent or `""` is the core group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind; absent means `Secret`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name.
    pub name: String,
    /// Namespace; absent means the referrer's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A standard Kubernetes label selector.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelSelector {
    /// Labels that must be present with these values.
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

string_enum! {
    /// Operator of a [`LabelSelectorRequirement`].
    SelectorOperator { In = "In", NotIn = "NotIn", Exists = "Exists", DoesNotExist = "DoesNotExist" }
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub operator: SelectorOperator,
    /// Values for `In` / `NotIn`.
    #[serde(default)]
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether `labels` satisfy the selector (matchLabels AND every matchExpression).
    /// An unknown operator never matches.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|e| {
                let got = labels.get(&e.key);
                match e.operator {
                    SelectorOperator::In => got.is_some_and(|v| e.values.contains(v)),
                    SelectorOperator::NotIn => got.is_none_or(|v| !e.values.contains(v)),
                    SelectorOperator::Exists => got.is_some(),
                    SelectorOperator::DoesNotExist => got.is_none(),
                    SelectorOperator::Other(_) => false,
                }
            })
    }
}
