//! A `serde` deserializer over a `&mut serde_json::Value` that moves strings out of the value
//! into `String` fields instead of copying them (issue #20, item 4).
//!
//! The loader owns each parsed object and drops it once its spec is read: reading by
//! reference (`&Value`) copied every string of the object into the model and then freed the
//! original, two allocator calls per string (about a third of the loader's `malloc`/`free`
//! calls). [`Taking`] accepts exactly what `serde_json`'s `&Value` deserializer accepts and
//! gives the same value; it differs only in that a string read by `deserialize_string` (what
//! `String`, `Option<String>` and `Vec<String>` ask for) is taken, leaving `""` in the value.
//!
//! Everything other than `deserialize_string`, `deserialize_option`, `deserialize_seq`,
//! `deserialize_map` and `deserialize_struct` is forwarded to the `&Value` deserializer
//! unchanged (so `deserialize_any`, enums, numbers and ignored values read by reference, as
//! before). Map keys are read by reference, as `serde_json` reads them.
//!
//! After a failed read the value may have lost some strings (those already moved into the
//! partly built result). Every reader of a string by `deserialize_string` in the model accepts
//! any string (`String`, and the `string_enum!` types, which keep unknown text), so an emptied
//! string is read as successfully as the original: reading the value again fails at the same
//! place with the same message, and the loader's second, field-tracking pass names the same
//! error (a failing string itself is never taken: nothing is moved out of a value that fails).

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use serde_json::{Error, Map, Value};

/// Deserializes from the value, taking its strings (see the module documentation).
pub(crate) struct Taking<'de>(pub(crate) &'de mut Value);

macro_rules! by_ref {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Error> {
                let value: &'de Value = self.0;
                value.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Taking<'de> {
    type Error = Error;

    by_ref! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_string(std::mem::take(s)),
            other => {
                let value: &'de Value = other;
                value.deserialize_string(visitor)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match *self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visit_array(items, visitor),
            other => {
                let value: &'de Value = other;
                value.deserialize_seq(visitor)
            }
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visit_object(map, visitor),
            other => {
                let value: &'de Value = other;
                value.deserialize_map(visitor)
            }
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(map) => visit_object(map, visitor),
            other => {
                let value: &'de Value = other;
                value.deserialize_struct(name, fields, visitor)
            }
        }
    }
}

/// As `serde_json`'s `visit_array_ref`: the elements, then an error if some were left.
fn visit_array<'de, V: Visitor<'de>>(
    items: &'de mut [Value],
    visitor: V,
) -> Result<V::Value, Error> {
    let len = items.len();
    let mut seq = Seq(items.iter_mut());
    let out = visitor.visit_seq(&mut seq)?;
    if seq.0.len() == 0 {
        Ok(out)
    } else {
        Err(Error::invalid_length(len, &"fewer elements in array"))
    }
}

/// As `serde_json`'s `&Map` `deserialize_any`: the entries, then an error if some were left.
fn visit_object<'de, V: Visitor<'de>>(
    map: &'de mut Map<String, Value>,
    visitor: V,
) -> Result<V::Value, Error> {
    let len = map.len();
    let mut entries = Entries {
        iter: map.iter_mut(),
        value: None,
    };
    let out = visitor.visit_map(&mut entries)?;
    if entries.iter.len() == 0 {
        Ok(out)
    } else {
        Err(Error::invalid_length(len, &"fewer elements in map"))
    }
}

struct Seq<'de>(std::slice::IterMut<'de, Value>);

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.0.next() {
            Some(value) => seed.deserialize(Taking(value)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        match self.0.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(upper),
            _ => None,
        }
    }
}

struct Entries<'de> {
    iter: serde_json::map::IterMut<'de>,
    value: Option<&'de mut Value>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                // The key as `serde_json` reads a borrowed map key (the model's map keys are
                // all `String`s, and its field names identifiers).
                let key: &'de str = key;
                seed.deserialize(serde::de::value::BorrowedStrDeserializer::<Error>::new(key))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Taking(value)),
            None => Err(Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        match self.iter.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(upper),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Taking;
    use crate::model::*;
    use proptest::prelude::*;
    use serde::de::DeserializeOwned;
    use serde::Deserialize;
    use serde_json::{json, Value};

    /// The loader's field-tracking pass: the error's path and message.
    fn tracked<T: DeserializeOwned>(v: Value) -> Result<T, (String, String)> {
        serde_path_to_error::deserialize(v)
            .map_err(|e| (e.path().to_string(), e.into_inner().to_string()))
    }

    /// `T` read by [`Taking`] and by reference (both in `flat_refs` mode, as the loader's
    /// first pass): the same verdict and value; after a failure, the field-tracking pass on
    /// the value `Taking` left gives the same error as on the original. `true` when it reads.
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(v: &Value) -> bool {
        let by_ref = crate::model::flat_refs(|| T::deserialize(v));
        let mut left = v.clone();
        let taken = crate::model::flat_refs(|| T::deserialize(Taking(&mut left)));
        match (&by_ref, &taken) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{v}"),
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string(), "{v}");
                let before = tracked::<T>(v.clone()).map(|_| ());
                let after = tracked::<T>(left).map(|_| ());
                assert!(before.is_err(), "{v}");
                assert_eq!(before, after, "{v}");
            }
            _ => panic!("{v}: by reference {by_ref:?}, taking {taken:?}"),
        }
        by_ref.is_ok()
    }

    /// Every kind's body and the metadata.
    fn all(v: &Value) -> usize {
        [
            same::<ObjectMeta>(v),
            same::<GatewayClassSpec>(v),
            same::<GatewaySpec>(v),
            same::<ListenerSetSpec>(v),
            same::<HttpRouteSpec>(v),
            same::<GrpcRouteSpec>(v),
            same::<TlsRouteSpec>(v),
            same::<L4RouteSpec>(v),
            same::<ReferenceGrantSpec>(v),
            same::<NamespaceSpec>(v),
            same::<ServiceSpec>(v),
            same::<EndpointSliceSpec>(v),
            same::<SecretSpec>(v),
            same::<ConfigMapSpec>(v),
            same::<IngressSpec>(v),
            same::<IngressClassSpec>(v),
            same::<BackendTlsPolicySpec>(v),
            same::<XBackendTrafficPolicySpec>(v),
        ]
        .into_iter()
        .filter(|ok| *ok)
        .count()
    }

    #[test]
    fn strings_are_moved_out() {
        let mut v = json!({"name": "a", "namespace": "b", "labels": {"k": "v"}, "generation": 3});
        let m = ObjectMeta::deserialize(Taking(&mut v)).unwrap();
        assert_eq!((m.name.as_str(), m.namespace.as_str()), ("a", "b"));
        assert_eq!(m.labels["k"], "v");
        assert_eq!(
            v,
            json!({"name": "", "namespace": "", "labels": {"k": ""}, "generation": 3})
        );
    }

    #[test]
    fn reads_as_by_reference() {
        let route = json!({
            "parentRefs": [{"name": "gw", "namespace": "infra", "sectionName": "http"}],
            "hostnames": ["a.example.com", "*.b.example"],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": "/a"},
                             "headers": [{"name": "x", "value": "1", "type": "Exact"}],
                             "queryParams": [{"name": "q", "value": "2"}], "method": "GET"}],
                "filters": [{"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "m", "port": 80}}}],
                "backendRefs": [{"name": "svc", "port": 8080, "weight": 3,
                                 "filters": [{"type": "RequestHeaderModifier",
                                              "requestHeaderModifier": {"set": [{"name": "h", "value": "v"}]}}]}]
            }]
        });
        assert!(same::<HttpRouteSpec>(&route));
        let service = json!({"ports": [{"name": "http", "port": 80, "targetPort": "web"}],
                             "selector": {"app": "x"}, "type": "ClusterIP"});
        assert!(same::<ServiceSpec>(&service));
        let gateway = json!({"gatewayClassName": "c", "listeners": [{"name": "l", "port": 443,
            "protocol": "HTTPS", "hostname": "*.x", "tls": {"certificateRefs": [{"name": "s"}]},
            "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"a": "b"}}}}}]});
        assert!(same::<GatewaySpec>(&gateway));
        let meta = json!({"name": "n", "namespace": "ns", "labels": {"a": "b"},
                          "annotations": {"c": "d"}, "creationTimestamp": "2024-01-01T00:00:00Z"});
        assert!(same::<ObjectMeta>(&meta));
        // Refused: a string after a taken one fails the same way, with the same field path.
        for bad in [
            json!({"parentRefs": [{"name": "gw"}], "hostnames": ["a", 5]}),
            json!({"hostnames": ["a"], "rules": [{"backendRefs": [{"name": "s", "port": "80"}]}]}),
            json!({"rules": [{"matches": [{"path": {"type": "Exact", "value": 7}}]}]}),
            json!({"rules": [{"backendRefs": [{"name": "s", "namespace": "n", "weight": "x"}]}]}),
            json!({"parentRefs": [{"name": "gw", "port": -1.5}]}),
            json!({"parentRefs": "gw"}),
            json!([1, 2]),
            json!("text"),
        ] {
            assert!(!same::<HttpRouteSpec>(&bad), "{bad}");
        }
        assert!(!same::<ObjectMeta>(
            &json!({"name": "n", "labels": {"a": 1}})
        ));
        assert!(!same::<ObjectMeta>(
            &json!({"name": "n", "namespace": null, "generation": "1"})
        ));
    }

    /// Random JSON from the model's field names and scalars of every type.
    fn value() -> impl Strategy<Value = Value> {
        const KEYS: &[&str] = &[
            "name",
            "namespace",
            "kind",
            "group",
            "port",
            "weight",
            "type",
            "value",
            "path",
            "matches",
            "headers",
            "queryParams",
            "method",
            "backendRefs",
            "filters",
            "rules",
            "parentRefs",
            "hostnames",
            "sectionName",
            "labels",
            "annotations",
            "generation",
            "creationTimestamp",
            "listeners",
            "protocol",
            "hostname",
            "ports",
            "targetPort",
            "selector",
            "requestMirror",
            "backendRef",
            "set",
            "add",
            "remove",
            "x",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..70000).prop_map(Value::from),
            (-1e3f64..1e3).prop_map(Value::from),
            prop_oneof![
                Just("Exact"),
                Just("PathPrefix"),
                Just("RegularExpression"),
                Just("/a"),
                Just(""),
                Just("GET"),
                Just("http"),
                Just("HTTP"),
                Just("All"),
                Just("Service"),
            ]
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..6).prop_map(
                    |kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                ),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Random values read the same by `Taking` as by reference, for every kind, and fail
        /// with the same tracked error after `Taking` emptied some strings.
        #[test]
        fn random_values_read_as_by_reference(v in value()) {
            all(&v);
        }
    }
}
