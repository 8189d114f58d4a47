//! Tests of the unknown-field check: the generated tree matches the copied CRDs, every field
//! of every served version is known, and unknown ones are found with a suggestion.

use super::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The CRDs copied into `core/crds/`, parsed, in file-name order; `None` in the published
/// crate, which leaves them out (core/Cargo.toml says why): the tests that need them are then
/// skipped. Cargo writes `Cargo.toml.orig` only into packaged crates, so in the repository a
/// missing folder still fails.
fn crds() -> Option<Vec<(PathBuf, Value)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("crds");
    if !dir.exists() && root.join("Cargo.toml.orig").exists() {
        eprintln!("skipped: core/crds/ is not part of the published crate");
        return None;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("core/crds")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "CRDs missing in {}", dir.display());
    let crds = files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read CRD");
            let v: Value = serde_saphyr::from_str(&text).expect("parse CRD");
            assert_eq!(v["kind"], "CustomResourceDefinition", "{}", p.display());
            (p, v)
        })
        .collect();
    Some(crds)
}

/// `(group, kind, version, openAPIV3Schema)` of every served version.
fn served(crds: &[(PathBuf, Value)]) -> Vec<(String, String, String, Value)> {
    let mut out = Vec::new();
    for (_, crd) in crds {
        let spec = &crd["spec"];
        let group = spec["group"].as_str().expect("group");
        let kind = spec["names"]["kind"].as_str().expect("kind");
        for v in spec["versions"].as_array().expect("versions") {
            if v["served"] == json!(true) {
                out.push((
                    group.to_string(),
                    kind.to_string(),
                    v["name"].as_str().expect("name").to_string(),
                    v["schema"]["openAPIV3Schema"].clone(),
                ));
            }
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    out
}

/// The properties of a schema, including those its `allOf`/`anyOf`/`oneOf` branches name.
fn properties(s: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for branch in s[combinator].as_array().into_iter().flatten() {
            out.extend(properties(branch));
        }
    }
    if let Some(p) = s["properties"].as_object() {
        out.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    out
}

/// Whether a schema accepts any key: free-form map or preserved unknown fields.
fn free_form(s: &Value) -> bool {
    s["x-kubernetes-preserve-unknown-fields"] == json!(true) || !s["additionalProperties"].is_null()
}

/// Generates the source of `known_fields.rs`: identical subtrees share one static.
struct Generator {
    /// Rendered `Fields(...)` body → static name.
    names: BTreeMap<String, String>,
    statics: Vec<String>,
}

impl Generator {
    /// The expression for `schema`'s node: `Any` or `&Nn`.
    fn node(&mut self, schema: &Value) -> String {
        if free_form(schema) {
            return "&Any".into();
        }
        if !schema["items"].is_null() {
            return self.node(&schema["items"]);
        }
        let props = properties(schema);
        if props.is_empty() && schema["type"] != json!("object") {
            return "&Any".into();
        }
        let fields: Vec<String> = props
            .iter()
            .map(|(name, s)| format!("({name:?}, {})", self.node(s)))
            .collect();
        let body = format!("Fields(&[{}])", fields.join(", "));
        if let Some(name) = self.names.get(&body) {
            return format!("&{name}");
        }
        let name = format!("N{}", self.statics.len());
        self.statics.push(format!("static {name}: Node = {body};"));
        self.names.insert(body, name.clone());
        format!("&{name}")
    }
}

fn generate(crds: &[(PathBuf, Value)]) -> String {
    let mut g = Generator {
        names: BTreeMap::new(),
        statics: Vec::new(),
    };
    let mut specs = Vec::new();
    for (group, kind, version, schema) in served(crds) {
        let node = g.node(&schema["properties"]["spec"]);
        specs.push(format!("    ({group:?}, {kind:?}, {version:?}, {node}),"));
    }
    let files: Vec<String> = crds
        .iter()
        .map(|(p, _)| format!("//! - `{}`", p.file_name().unwrap().to_string_lossy()))
        .collect();
    format!(
        "//! Known `spec` fields of every served version of the Gateway API kinds trieway loads.\n\
         //!\n\
         //! @generated from the CRDs in `core/crds/` (see its README for their provenance) by\n\
         //! `TRIEWAY_UPDATE_KNOWN_FIELDS=1 cargo test -p trieway --lib known_fields`; the same test\n\
         //! fails when this file and the CRDs differ. Do not edit by hand. Read from:\n\
         {}\n\n\
         use super::unknown::Node::{{self, Any, Fields}};\n\n\
         /// `(group, kind, version, spec)`, sorted.\n\
         pub(super) static SPECS: &[(&str, &str, &str, &Node)] = &[\n{}\n];\n\n{}\n",
        files.join("\n"),
        specs.join("\n"),
        g.statics.join("\n")
    )
}

/// The committed tree is the one the copied CRDs give (regenerate with
/// `TRIEWAY_UPDATE_KNOWN_FIELDS=1`).
#[test]
fn known_fields_match_the_crds() {
    let Some(crds) = crds() else { return };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/validate/known_fields.rs");
    let want = generate(&crds);
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want && std::env::var_os("TRIEWAY_UPDATE_KNOWN_FIELDS").is_some() {
        std::fs::write(&path, &want).expect("write known_fields.rs");
        return;
    }
    assert!(
        got == want,
        "{} differs from what core/crds/ gives: run TRIEWAY_UPDATE_KNOWN_FIELDS=1 cargo test -p \
         trieway --lib known_fields",
        path.display()
    );
}

/// A document holding every field `schema` lists, at every depth (lists hold one item).
fn every_field(schema: &Value) -> Value {
    if !schema["items"].is_null() {
        return json!([every_field(&schema["items"])]);
    }
    if free_form(schema) {
        return json!({"any-key": "x", "another": {"nested": true}});
    }
    let props = properties(schema);
    if props.is_empty() {
        return if schema["type"] == json!("object") {
            json!({})
        } else {
            json!("x")
        };
    }
    Value::Object(
        props
            .iter()
            .map(|(k, s)| (k.clone(), every_field(s)))
            .collect(),
    )
}

/// Issue #14: every field of every served version's schema is known, so that no valid YAML is
/// ever refused; and the check is not vacuous (a made-up field at the deepest level of each
/// object is found).
#[test]
fn every_field_of_every_served_version_is_known() {
    let Some(crds) = crds() else { return };
    let versions = served(&crds);
    assert!(versions.len() >= 15, "{}", versions.len());
    for (group, kind, version, schema) in &versions {
        let mut doc = every_field(schema);
        let o = doc.as_object_mut().expect("object");
        o.insert("apiVersion".into(), json!(format!("{group}/{version}")));
        o.insert("kind".into(), json!(kind));
        o.insert("metadata".into(), full_metadata());
        o.insert("status".into(), json!({"whatever": [{"really": 1}]}));
        let found = unknown_fields(group, kind, version, o);
        assert!(found.is_empty(), "{kind} {version}: {found:#?}");
        assert!(spec_schema(group, kind, version).is_some());

        // Poison every object of the spec: each gets one unknown field reported.
        let mut poisoned = every_field(&schema["properties"]["spec"]);
        let mut objects = Vec::new();
        poison(&mut poisoned, "spec", &mut objects);
        assert!(objects.len() >= 2, "{kind} {version}");
        let mut doc = Map::new();
        doc.insert("spec".into(), poisoned);
        let mut w = Walk::default();
        w.value(
            spec_schema(group, kind, version).unwrap(),
            &doc["spec"],
            &FieldPath::top("spec"),
        );
        assert_eq!(w.found, objects.len(), "{kind} {version}");
        for (u, path) in w.out.iter().zip(objects.iter()) {
            assert!(u.field.ends_with(".zzUnknown"), "{u:?} at {path}");
        }
    }
    // The loader's Gateway API kinds and versions that the CRDs serve all have a schema.
    for (g, k, v) in [
        ("gateway.networking.k8s.io", "HTTPRoute", "v1"),
        ("gateway.networking.k8s.io", "HTTPRoute", "v1beta1"),
        ("gateway.networking.k8s.io", "TLSRoute", "v1alpha2"),
        ("gateway.networking.k8s.io", "TLSRoute", "v1alpha3"),
        ("gateway.networking.k8s.io", "ListenerSet", "v1"),
    ] {
        assert!(spec_schema(g, k, v).is_some(), "{k} {v}");
    }
}

/// Adds `zzUnknown: 1` to every object of `v` that is not free-form (the ones the walk
/// checks), returning their paths.
fn poison(v: &mut Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("any-key") {
                return;
            }
            for (k, child) in map.iter_mut() {
                poison(child, &format!("{path}.{k}"), out);
            }
            map.insert("zzUnknown".into(), json!(1));
            out.push(path.to_string());
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                poison(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn full_metadata() -> Value {
    json!({
        "name": "web", "namespace": "default", "generateName": "web-", "uid": "1",
        "resourceVersion": "1", "generation": 3, "selfLink": "/x",
        "creationTimestamp": "2024-01-01T00:00:00Z", "deletionTimestamp": "2024-01-01T00:00:00Z",
        "deletionGracePeriodSeconds": 30, "labels": {"a": "b"},
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
        "finalizers": ["x"],
        "ownerReferences": [{"apiVersion": "v1", "kind": "Namespace", "name": "n", "uid": "1",
                             "controller": true, "blockOwnerDeletion": true}],
        "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                           "time": "2024-01-01T00:00:00Z", "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:spec": {"f:rules": {}}}, "subresource": "status"}]
    })
}

fn check(doc: Value) -> Vec<(String, String)> {
    let Value::Object(map) = doc else { panic!() };
    let api = map["apiVersion"].as_str().unwrap();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    unknown_fields(group, map["kind"].as_str().unwrap(), version, &map)
        .into_iter()
        .map(|u| (u.field, u.message))
        .collect()
}

#[test]
fn unknown_fields_are_found_with_suggestions() {
    let got = check(json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "web", "labels": {"anything": "goes"}, "nmae": "x"},
        "spec": {
            "parentRefs": [{"name": "gw", "sectionname": "http"}],
            "rules": [
                {"backendRefs": [{"name": "a", "port": 80}]},
                {"backendRef": [{"name": "a", "port": 80}],
                 "matches": [{"path": {"type": "Exact", "value": "/", "vale": 1}}],
                 "filters": [{"type": "RequestHeaderModifier",
                              "requestHeaderModifier": {"set": [{"name": "a", "value": "b"}],
                                                        "remove": ["x"], "frobnicate": 1}}]}
            ]
        },
        "status": {"parents": [{"anything": 1}]},
        "spce": {}
    }));
    assert_eq!(
        got,
        [
            (
                "metadata.nmae".into(),
                "unknown field, did you mean name?".into()
            ),
            ("spce".into(), "unknown field, did you mean spec?".into()),
            (
                "spec.parentRefs[0].sectionname".into(),
                "unknown field, did you mean sectionName?".into()
            ),
            (
                "spec.rules[1].backendRef".into(),
                "unknown field, did you mean backendRefs?".into()
            ),
            (
                "spec.rules[1].filters[0].requestHeaderModifier.frobnicate".into(),
                "unknown field".into()
            ),
            (
                "spec.rules[1].matches[0].path.vale".into(),
                "unknown field, did you mean value?".into()
            ),
        ]
    );
}

#[test]
fn v1alpha2_and_v1_tlsroute_differ_only_where_the_schemas_do() {
    for version in ["v1", "v1alpha2", "v1alpha3"] {
        let doc = json!({
            "apiVersion": format!("gateway.networking.k8s.io/{version}"), "kind": "TLSRoute",
            "metadata": {"name": "t"},
            "spec": {"rules": [{"backendRefs": [{"name": "a", "port": 443}], "matches": []}]}
        });
        assert_eq!(
            check(doc),
            [(
                "spec.rules[0].matches".to_string(),
                "unknown field".to_string()
            )]
        );
    }
}

#[test]
fn core_kinds_are_checked_at_the_top_and_ingress_in_depth() {
    let got = check(json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "whatever": 1}], "anything": true},
        "status": {}, "dat": {}
    }));
    assert_eq!(got, [("dat".into(), "unknown field".into())]);
    let got = check(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "type": "kubernetes.io/tls", "dat": {}, "data": {"tls.crt": ""}
    }));
    assert_eq!(
        got,
        [("dat".into(), "unknown field, did you mean data?".into())]
    );
    let got = check(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": ["a"], "secretName": "s"}],
            "defaultBackend": {"resource": {"apiGroup": "g", "kind": "k", "name": "n"}},
            "rules": [{"host": "a", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "s", "port": {"number": 80, "nmber": 1}}}}]}}]
        }
    }));
    assert_eq!(
        got,
        [(
            "spec.rules[0].http.paths[0].backend.service.port.nmber".into(),
            "unknown field, did you mean number?".into()
        )]
    );
}

#[test]
fn at_most_max_reported_per_object_and_long_keys_are_cut() {
    let mut spec = Map::new();
    for i in 0..100 {
        spec.insert(format!("unknown{i:03}"), json!(1));
    }
    spec.insert("k".repeat(10_000), json!(1));
    let got = check(json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "web"}, "spec": spec
    }));
    assert_eq!(got.len(), MAX_REPORTED + 1);
    assert_eq!(got[MAX_REPORTED].1, "unknown fields: 85 more not listed");
    assert!(got.iter().all(|(f, _)| f.len() < 100), "{got:?}");
}

#[test]
fn suggestions() {
    let names = ["backendRefs", "filters", "matches", "name", "timeouts"];
    let s = |k: &str| suggest(k, names.iter().copied());
    assert_eq!(s("backendRef"), Some("backendRefs"));
    assert_eq!(s("BackendRefs"), Some("backendRefs"));
    assert_eq!(s("filter"), Some("filters"));
    assert_eq!(s("nam"), Some("name"));
    assert_eq!(s("timeout"), Some("timeouts"));
    assert_eq!(s("x"), None);
    assert_eq!(s("hostnames"), None);
    assert_eq!(s(&"a".repeat(1000)), None);
    assert_eq!(distance(b"kitten", b"sitting"), 3);
    assert_eq!(distance(b"", b"abc"), 3);
    assert_eq!(distance(b"abc", b""), 3);
    assert_eq!(distance(b"nmae", b"name"), 1);
    assert_eq!(distance(b"spce", b"spec"), 1);
    assert_eq!(distance(b"ca", b"abc"), 3);
}

/// Every node of the known-field trees, each once.
fn all_nodes() -> Vec<&'static Node> {
    let mut out: Vec<&'static Node> = Vec::new();
    let mut todo: Vec<&'static Node> = SPECS.iter().map(|(_, _, _, n)| *n).collect();
    todo.extend([&OBJECT_META, &INGRESS_SPEC]);
    while let Some(n) = todo.pop() {
        if out.iter().any(|o| std::ptr::eq(*o, n)) {
            continue;
        }
        out.push(n);
        if let Fields(fields) = n {
            todo.extend(fields.iter().map(|(_, c)| *c));
        }
    }
    out
}

/// `find` is a binary search: it needs every field list sorted in byte order without
/// duplicates, and then finds exactly the names a linear scan finds (issue #20, item 4).
#[test]
fn field_lists_are_sorted_and_found_as_by_a_linear_scan() {
    let nodes = all_nodes();
    assert!(nodes.len() > 50, "{}", nodes.len());
    for n in nodes {
        let Fields(fields) = n else { continue };
        for w in fields.windows(2) {
            assert!(
                w[0].0.as_bytes() < w[1].0.as_bytes(),
                "{} !< {}",
                w[0].0,
                w[1].0
            );
        }
        let mut probes: Vec<String> = fields.iter().map(|(k, _)| k.to_string()).collect();
        for (k, _) in *fields {
            probes.extend([
                format!("{k}x"),
                k[..k.len() - 1].to_string(),
                k.to_uppercase(),
                format!("a{k}"),
            ]);
        }
        probes.extend(["".to_string(), "~".to_string(), "é".to_string()]);
        for p in &probes {
            let linear = fields.iter().find(|(k, _)| k == p).map(|(_, c)| *c);
            let found = find(fields, p);
            assert_eq!(
                linear.map(|c| c as *const Node),
                found.map(|c| c as *const Node),
                "{p}"
            );
        }
    }
}
