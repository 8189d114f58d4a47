//! GatewayClass, Gateway, ListenerSet and listener status (issue #14 items 4 and 5): ListenerSet
//! conflicts resolved in merge order, and the conditions a controller would write. Unit tests,
//! since some also check which listeners the compiler may use (crate-private).

use super::{attach, Attachment};
use crate::{Condition, Config};

const CONTROLLER: Option<&str> = Some("example.com/gateway-under-test");

const CLASSES: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: ours}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: theirs}
spec: {controllerName: example.net/other}
"#;

fn run(yaml: &str) -> Attachment {
    let mut config = Config::builder().without_validation();
    config.add_str(&format!("{CLASSES}\n---\n{yaml}"), "<string>");
    // Unvalidated on purpose: several cases are outside the CRD rules.
    let config = config.unvalidated();
    assert!(config.errors.is_empty(), "load errors: {:?}", config.errors);
    attach(&config, CONTROLLER)
}

/// `(status, reason)` of condition `ty`.
fn cond(list: &[Condition], ty: &str) -> (String, String) {
    let c = Condition::find(list, ty).unwrap_or_else(|| panic!("no {ty} in {list:#?}"));
    (c.status.to_string(), c.reason.to_string())
}

fn want(status: &str, reason: &str) -> (String, String) {
    (status.to_string(), reason.to_string())
}

/// `(accepted, conflicted reason, programmed)` of a listener (`ls` "" for the Gateway's own).
fn listener(a: &Attachment, gw: &str, ls: &str, name: &str) -> (String, String, String) {
    let l = a
        .report
        .listener(gw, (!ls.is_empty()).then_some(ls), name)
        .unwrap_or_else(|| panic!("no listener {gw} {ls} {name}"));
    (
        cond(&l.conditions, "Accepted").0,
        cond(&l.conditions, "Conflicted").1,
        cond(&l.conditions, "Programmed").0,
    )
}

fn l(accepted: &str, conflicted: &str, programmed: &str) -> (String, String, String) {
    (
        accepted.to_string(),
        conflicted.to_string(),
        programmed.to_string(),
    )
}

const MERGE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: ours
  allowedListeners: {namespaces: {from: All}}
  listeners:
  - {name: web, port: 80, protocol: HTTP, hostname: shop.example.com}
  - {name: tls, port: 443, protocol: TLS, hostname: db.example.com, tls: {mode: Passthrough}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: old, namespace: tenant, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners:
  - {name: steal, port: 80, protocol: HTTP, hostname: shop.example.com}
  - {name: mine, port: 80, protocol: HTTP, hostname: old.example.com}
  - {name: raw, port: 443, protocol: TCP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: new, namespace: tenant, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners:
  - {name: late, port: 80, protocol: HTTP, hostname: old.example.com}
  - {name: free, port: 80, protocol: HTTP, hostname: new.example.com}
  - {name: t1, port: 9000, protocol: TCP}
  - {name: h1, port: 9000, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: all-bad, namespace: tenant, creationTimestamp: "2024-03-01T00:00:00Z"}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners:
  - {name: dup, port: 80, protocol: HTTP, hostname: new.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"#;

/// A ListenerSet cannot take the Gateway's listeners (or an older ListenerSet's) down: only
/// the later party of a cross-list conflict is refused. Before the fix, `web`, `tls` and
/// `mine` were Conflicted as well.
#[test]
fn later_listener_loses_across_lists() {
    let a = run(MERGE);
    let gw = "infra/gw";
    assert_eq!(
        listener(&a, gw, "", "web"),
        l("True", "NoConflicts", "True")
    );
    assert_eq!(
        listener(&a, gw, "", "tls"),
        l("True", "NoConflicts", "True")
    );
    assert_eq!(
        listener(&a, gw, "tenant/old", "steal"),
        l("False", "HostnameConflict", "False")
    );
    assert_eq!(
        listener(&a, gw, "tenant/old", "mine"),
        l("True", "NoConflicts", "True")
    );
    assert_eq!(
        listener(&a, gw, "tenant/old", "raw"),
        l("False", "ProtocolConflict", "False")
    );
    // The newer ListenerSet loses to the older one.
    assert_eq!(
        listener(&a, gw, "tenant/new", "late"),
        l("False", "HostnameConflict", "False")
    );
    assert_eq!(
        listener(&a, gw, "tenant/new", "free"),
        l("True", "NoConflicts", "True")
    );
    // Inside one list every party of a conflict is still refused.
    assert_eq!(
        listener(&a, gw, "tenant/new", "t1"),
        l("False", "ProtocolConflict", "False")
    );
    assert_eq!(
        listener(&a, gw, "tenant/new", "h1"),
        l("False", "ProtocolConflict", "False")
    );
    assert_eq!(
        listener(&a, gw, "tenant/all-bad", "dup"),
        l("False", "HostnameConflict", "False")
    );
    // What the compiler consumes agrees with the report.
    let usable: Vec<(&str, bool)> = a.gateways[0]
        .listeners
        .iter()
        .map(|l| (l.name.as_str(), l.usable))
        .collect();
    assert_eq!(
        usable,
        [
            ("web", true),
            ("tls", true),
            ("steal", false),
            ("mine", true),
            ("raw", false),
            ("late", false),
            ("free", true),
            ("t1", false),
            ("h1", false),
            ("dup", false),
        ]
    );
    // The Gateway's route still serves through its own listener.
    assert_eq!(a.gateways[0].listeners[0].routes.len(), 1);
    // Messages name the earlier listener.
    let steal = a.report.listener(gw, Some("tenant/old"), "steal").unwrap();
    let msg = &Condition::find(&steal.conditions, "Accepted")
        .unwrap()
        .message;
    assert!(msg.contains("listener web of Gateway infra/gw"), "{msg}");
    let late = a.report.listener(gw, Some("tenant/new"), "late").unwrap();
    let msg = &Condition::find(&late.conditions, "Conflicted")
        .unwrap()
        .message;
    assert!(
        msg.contains("listener mine of ListenerSet tenant/old"),
        "{msg}"
    );
    // Statuses: the Gateway is untouched; ListenerSets with refused listeners say so.
    let g = a.report.gateway("infra", "gw").unwrap();
    assert_eq!(cond(&g.conditions, "Accepted"), want("True", "Accepted"));
    assert_eq!(
        cond(&g.conditions, "Programmed"),
        want("True", "Programmed")
    );
    let set = |name: &str| a.report.listener_set("tenant", name).unwrap();
    assert_eq!(
        cond(&set("old").conditions, "Accepted"),
        want("True", "ListenersNotValid")
    );
    assert_eq!(
        cond(&set("old").conditions, "Programmed"),
        want("True", "Programmed")
    );
    assert_eq!(
        cond(&set("all-bad").conditions, "Accepted"),
        want("False", "ListenersNotValid")
    );
    assert_eq!(
        cond(&set("all-bad").conditions, "Programmed"),
        want("False", "Invalid")
    );
}

/// Within the Gateway's own list the rule is unchanged: every party is refused, and the
/// Gateway reports `ListenersNotValid` (accepted while one listener is valid).
#[test]
fn gateway_listeners_not_valid() {
    let a = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: some, namespace: infra}
spec:
  gatewayClassName: ours
  listeners:
  - {name: a, port: 80, protocol: HTTP}
  - {name: b, port: 80, protocol: HTTP}
  - {name: c, port: 81, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: none, namespace: infra}
spec:
  gatewayClassName: ours
  listeners:
  - {name: a, port: 80, protocol: HTTP}
  - {name: b, port: 80, protocol: TCP}
"#);
    assert_eq!(
        listener(&a, "infra/some", "", "a"),
        l("False", "HostnameConflict", "False")
    );
    assert_eq!(
        listener(&a, "infra/some", "", "b"),
        l("False", "HostnameConflict", "False")
    );
    let some = a.report.gateway("infra", "some").unwrap();
    assert_eq!(
        cond(&some.conditions, "Accepted"),
        want("True", "ListenersNotValid")
    );
    let msg = &Condition::find(&some.conditions, "Accepted")
        .unwrap()
        .message;
    assert!(msg.contains("a, b"), "{msg}");
    assert_eq!(
        cond(&some.conditions, "Programmed"),
        want("True", "Programmed")
    );
    let none = a.report.gateway("infra", "none").unwrap();
    assert_eq!(
        cond(&none.conditions, "Accepted"),
        want("False", "ListenersNotValid")
    );
    assert_eq!(
        cond(&none.conditions, "Programmed"),
        want("False", "Invalid")
    );
}

/// spec.addresses and parametersRef (GatewayClass and Gateway), and what a rejected Gateway
/// does to its listeners and ListenerSets.
#[test]
fn addresses_and_parameters() {
    let a = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: with-params}
spec:
  controllerName: example.com/gateway-under-test
  parametersRef: {group: example.com, kind: Config, name: x}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: with-configmap}
spec:
  controllerName: example.com/gateway-under-test
  parametersRef: {group: "", kind: ConfigMap, name: params, namespace: infra}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: params, namespace: infra}
data: {}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ip, namespace: infra}
spec:
  gatewayClassName: ours
  addresses: [{value: 10.0.0.1}]
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: named, namespace: infra}
spec:
  gatewayClassName: ours
  addresses: [{type: NamedAddress, value: pool-a}]
  allowedListeners: {namespaces: {from: Same}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: extra, namespace: infra}
spec:
  parentRef: {name: named}
  listeners: [{name: more, port: 80, protocol: HTTP, hostname: more.example.com}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: params-missing, namespace: infra}
spec:
  gatewayClassName: ours
  infrastructure: {parametersRef: {group: "", kind: ConfigMap, name: nope}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: params-found, namespace: infra}
spec:
  gatewayClassName: ours
  infrastructure: {parametersRef: {group: "", kind: ConfigMap, name: params}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
"#);
    let r = &a.report;
    let gw = |name: &str| &r.gateway("infra", name).unwrap().conditions;
    assert_eq!(cond(gw("ip"), "Accepted"), want("True", "Accepted"));
    assert_eq!(
        cond(gw("ip"), "Programmed"),
        want("False", "AddressNotAssigned")
    );
    assert_eq!(
        cond(gw("named"), "Accepted"),
        want("False", "UnsupportedAddress")
    );
    assert_eq!(cond(gw("named"), "Programmed"), want("False", "Invalid"));
    assert_eq!(
        cond(gw("params-missing"), "Accepted"),
        want("False", "InvalidParameters")
    );
    let msg = &Condition::find(gw("params-missing"), "Accepted")
        .unwrap()
        .message;
    assert!(msg.contains("ConfigMap infra/nope not found"), "{msg}");
    assert_eq!(
        cond(gw("params-found"), "Accepted"),
        want("True", "Accepted")
    );
    // A rejected Gateway routes nothing; its ListenerSets report ParentNotAccepted.
    let usable = |name: &str| {
        a.gateways
            .iter()
            .find(|g| g.name == name)
            .unwrap()
            .listeners
            .iter()
            .map(|l| l.usable)
            .collect::<Vec<_>>()
    };
    assert_eq!(usable("named"), [false, false]);
    assert_eq!(usable("params-missing"), [false]);
    assert_eq!(usable("ip"), [true]);
    assert_eq!(
        listener(&a, "infra/named", "", "http"),
        l("True", "NoConflicts", "False")
    );
    let set = &r.listener_set("infra", "extra").unwrap().conditions;
    assert_eq!(cond(set, "Accepted"), want("False", "ParentNotAccepted"));
    assert_eq!(cond(set, "Programmed"), want("False", "Invalid"));
    // GatewayClasses: only the controller's are reported.
    let class = |name: &str| &r.gateway_class(name).unwrap().conditions;
    assert_eq!(cond(class("ours"), "Accepted"), want("True", "Accepted"));
    assert_eq!(
        cond(class("ours"), "SupportedVersion"),
        want("True", "SupportedVersion")
    );
    assert_eq!(
        cond(class("with-params"), "Accepted"),
        want("False", "InvalidParameters")
    );
    assert_eq!(
        cond(class("with-configmap"), "Accepted"),
        want("True", "Accepted")
    );
    assert!(r.gateway_class("theirs").is_none());
    assert!(attach(&Config::from_str(CLASSES), None)
        .report
        .gateway_class("theirs")
        .is_some());
}

/// A ListenerSet the Gateway does not allow is reported (`NotAllowed`) instead of vanishing;
/// one whose parent is not served gets no status at all.
#[test]
fn refused_listener_set_is_reported() {
    let a = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: ours
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: foreign, namespace: infra}
spec:
  gatewayClassName: theirs
  allowedListeners: {namespaces: {from: All}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: refused, namespace: infra}
spec:
  parentRef: {name: gw}
  listeners: [{name: x, port: 80, protocol: HTTP, hostname: x.example.com}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: elsewhere, namespace: infra}
spec:
  parentRef: {name: foreign}
  listeners: [{name: x, port: 80, protocol: HTTP, hostname: x.example.com}]
"#);
    let r = &a.report;
    let set = &r.listener_set("infra", "refused").unwrap().conditions;
    assert_eq!(cond(set, "Accepted"), want("False", "NotAllowed"));
    assert_eq!(cond(set, "Programmed"), want("False", "NotAllowed"));
    let msg = &Condition::find(set, "Accepted").unwrap().message;
    assert!(msg.contains("Gateway infra/gw does not allow"), "{msg}");
    assert!(r.listener("infra/gw", Some("infra/refused"), "x").is_none());
    assert!(r.listener_set("infra", "elsewhere").is_none());
}

/// GatewayClass, Gateway and ListenerSet statuses share one type; each serializes only its own
/// fields (the JSON of `trieway check` and Python's `check()` keep their shapes).
#[test]
fn object_statuses_serialize_only_their_fields() {
    let a = run(r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: ours
  allowedListeners: {namespaces: {from: All}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: extra, namespace: infra}
spec:
  parentRef: {name: gw}
  listeners: [{name: x, port: 80, protocol: HTTP, hostname: x.example.com}]
"#);
    let json = serde_json::to_value(&a.report).unwrap();
    let keys = |list: &str| -> Vec<String> {
        let first = &json[list][0];
        let mut k: Vec<String> = first.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys("gateway_classes"), ["conditions", "name"]);
    assert_eq!(keys("gateways"), ["conditions", "name", "namespace"]);
    assert_eq!(
        keys("listener_sets"),
        ["conditions", "gateway", "name", "namespace"]
    );
    assert_eq!(json["listener_sets"][0]["gateway"], "infra/gw");
    // The listener view for tools is not part of the serialized status.
    let listener = json["listeners"][0].as_object().unwrap();
    assert!(["protocol", "port", "hostname"]
        .iter()
        .all(|k| !listener.contains_key(*k)));
    assert_eq!(a.report.listeners[0].port, 80);
}

/// Conflict detection is linear: 1,000 ListenerSets of 64 listeners on one port (built in
/// memory from one parsed template). Bounded by size, not time: every listener gets exactly
/// one status and the usable ones are exactly the distinct first ones in merge order.
#[test]
fn many_listener_sets_scale() {
    let mut config = Config::builder();
    config.add_str(
        &format!(
            "{CLASSES}\n---\n\
             apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
             metadata: {{name: gw, namespace: infra}}\nspec:\n  gatewayClassName: ours\n  \
             allowedListeners: {{namespaces: {{from: All}}}}\n  listeners:\n  \
             - {{name: http, port: 80, protocol: HTTP, hostname: h0-0.example.com}}\n---\n\
             apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n\
             metadata: {{name: template, namespace: infra}}\nspec:\n  parentRef: {{name: gw}}\n  \
             listeners: [{{name: l, port: 80, protocol: HTTP}}]\n"
        ),
        "<string>",
    );
    let mut config = config.finish();
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    let template = config.listener_sets.pop().unwrap();
    let listener = template.spec.listeners[0].clone();
    for s in 0..1000 {
        let mut ls = template.clone();
        ls.meta.name = format!("s{s:04}");
        ls.spec.listeners = (0..64)
            .map(|i| {
                let mut l = listener.clone();
                l.name = format!("l{i}");
                // Every second ListenerSet repeats the hostnames of the one before it.
                l.hostname = Some(format!("h{}-{i}.example.com", s - s % 2));
                l
            })
            .collect();
        config.listener_sets.push(ls);
    }
    let a = attach(&config, CONTROLLER);
    assert_eq!(a.report.listeners.len(), 1 + 1000 * 64);
    let usable = a.gateways[0].listeners.iter().filter(|l| l.usable).count();
    // The Gateway's own, then 500 ListenerSets' 64 (minus h0-0, taken by the Gateway).
    assert_eq!(usable, 1 + 500 * 64 - 1);
    assert_eq!(a.report.listener_sets.len(), 1000);
    let odd = a.report.listener_set("infra", "s0001").unwrap();
    assert_eq!(
        cond(&odd.conditions, "Accepted"),
        want("False", "ListenersNotValid")
    );
    let first = a.report.listener_set("infra", "s0000").unwrap();
    assert_eq!(
        cond(&first.conditions, "Accepted"),
        want("True", "ListenersNotValid")
    );
}
