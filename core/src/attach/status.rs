//! Conditions of GatewayClasses, Gateways and ListenerSets (issue #14 item 5).
//!
//! Decisions ([ENGINE], from the CRDs' condition documentation):
//!
//! - **GatewayClass** `Accepted`: `False/InvalidParameters` when `parametersRef` names a
//!   referent trieway cannot resolve (anything but a ConfigMap that is in the input), else
//!   `True/Accepted`. `SupportedVersion` is always `True`: the CRD bundle-version annotation
//!   lives on the CRDs, which are not part of the input, so trieway cannot compare it; the
//!   message says which apiVersion was read and which API snapshot trieway implements.
//! - **Gateway** `Accepted`, first that applies: `False/InvalidParameters` (an unresolvable
//!   `infrastructure.parametersRef`), `False/UnsupportedAddress` (a `spec.addresses` entry whose
//!   type is neither `IPAddress` nor `Hostname`), `False/ListenersNotValid` (none of its own
//!   listeners is accepted: "the Gateway effectively contains no Listeners"),
//!   `True/ListenersNotValid` (some of its own listeners are not accepted; the message names
//!   them), `True/Accepted`. Only the Gateway's own listeners count: a ListenerSet's listeners
//!   are reported on the ListenerSet, so a tenant cannot degrade the Gateway's status.
//!   `Programmed`: `False/Invalid` when not accepted or when none of its own listeners is
//!   programmed, `False/AddressNotAssigned` when it requests addresses (trieway assigns none;
//!   the embedding proxy owns its sockets, and the Gateway keeps routing), else
//!   `True/Programmed`. A Gateway that is not accepted routes nothing: its listeners and its
//!   ListenerSets' listeners are `Programmed=False`.
//! - **ListenerSet** `Accepted`: `False/NotAllowed` (the Gateway's `allowedListeners` refuses
//!   it; its listeners are not merged and get no listener status), `False/ParentNotAccepted`,
//!   `False/ListenersNotValid` (none of its listeners accepted), `True/ListenersNotValid` (some),
//!   `True/Accepted`. `Programmed`: `False/NotAllowed`, `False/Invalid` (not accepted or no
//!   listener programmed), `True/Programmed`.

use super::listeners::ListenerInfo;
use super::report::{Condition, ObjectStatus};
use crate::config::Config;
use crate::model::{GatewayClassSpec, GatewaySpec, ListenerSetSpec, Object, ParametersReference};

/// Why `r` cannot be resolved (for a referent in namespace `ns`, if namespaced), if it cannot.
fn parameters_problem(
    config: &Config,
    r: &ParametersReference,
    ns: Option<&str>,
) -> Option<String> {
    let what = format!("parametersRef {} {:?}", kind_name(r), r.name);
    if !(r.group.is_empty() && r.kind == "ConfigMap") {
        return Some(format!(
            "{what}: trieway takes no parameters and resolves only ConfigMaps"
        ));
    }
    let Some(ns) = ns.filter(|n| !n.is_empty()) else {
        return Some(format!("{what}: a ConfigMap reference needs a namespace"));
    };
    let found = config
        .config_maps
        .iter()
        .any(|c| c.meta.namespace == ns && c.meta.name == r.name);
    (!found).then(|| format!("{what}: ConfigMap {ns}/{} not found", r.name))
}

fn kind_name(r: &ParametersReference) -> String {
    if r.group.is_empty() {
        r.kind.clone()
    } else {
        format!("{}.{}", r.kind, r.group)
    }
}

/// Conditions of GatewayClass `class`.
pub(crate) fn gateway_class(config: &Config, class: &Object<GatewayClassSpec>) -> ObjectStatus {
    let accepted = match class
        .spec
        .parameters_ref
        .as_ref()
        .and_then(|r| parameters_problem(config, r, r.namespace.as_deref()))
    {
        Some(why) => Condition::new("Accepted", false, "InvalidParameters", why),
        None => Condition::new("Accepted", true, "Accepted", "GatewayClass is accepted"),
    };
    let version = Condition::new(
        "SupportedVersion",
        true,
        "SupportedVersion",
        format!(
            "apiVersion {} is understood; trieway implements Gateway API v1.6 (standard and \
             experimental); the CRD bundle version of the cluster is not part of the input and \
             is not checked",
            if class.api_version.is_empty() {
                "(unset)"
            } else {
                class.api_version.as_str()
            }
        ),
    );
    ObjectStatus {
        namespace: String::new(),
        name: class.meta.name.clone(),
        gateway: None,
        conditions: vec![accepted, version],
    }
}

/// `Accepted` of a Gateway or a ListenerSet (`what`) from its own listeners:
/// `False/ListenersNotValid` when none is accepted, `True/ListenersNotValid` naming the
/// refused ones when some are, else `True/Accepted`.
fn accepted_by_listeners(
    what: &str,
    empty: bool,
    any_accepted: bool,
    refused: &[&str],
) -> Condition {
    if !any_accepted {
        let message = if empty {
            format!("the {what} has no listener")
        } else {
            format!("no listener is accepted: {}", refused.join(", "))
        };
        Condition::new("Accepted", false, "ListenersNotValid", message)
    } else if !refused.is_empty() {
        let message = format!(
            "listeners not accepted: {}; the others are accepted",
            refused.join(", ")
        );
        Condition::new("Accepted", true, "ListenersNotValid", message)
    } else {
        Condition::new("Accepted", true, "Accepted", format!("{what} is accepted"))
    }
}

/// Names of `listeners` that are not accepted, and whether any is accepted / programmed.
fn summarize<'l>(listeners: &'l [ListenerInfo<'_>]) -> (Vec<&'l str>, bool, bool) {
    let refused: Vec<&str> = listeners
        .iter()
        .filter(|l| !l.accepted())
        .map(|l| l.spec.name.as_str())
        .collect();
    let any_accepted = refused.len() < listeners.len();
    let any_programmed = listeners.iter().any(|l| l.attached.usable);
    (refused, any_accepted, any_programmed)
}

/// Conditions of served Gateway `gw` given its own listeners; `accepted` tells whether it is
/// accepted (its listeners may serve).
pub(crate) fn gateway(
    config: &Config,
    gw: &Object<GatewaySpec>,
    own: &[ListenerInfo<'_>],
) -> (ObjectStatus, bool) {
    let (refused, any_accepted, any_programmed) = summarize(own);
    let params = gw
        .spec
        .infrastructure
        .as_ref()
        .and_then(|i| i.parameters_ref.as_ref())
        .and_then(|r| parameters_problem(config, r, Some(&gw.meta.namespace)));
    let unsupported: Vec<&str> = gw
        .spec
        .addresses
        .iter()
        .map(|a| a.kind.as_deref().unwrap_or("IPAddress"))
        .filter(|t| !matches!(*t, "IPAddress" | "Hostname"))
        .collect();
    let accepted = if let Some(why) = params {
        Condition::new("Accepted", false, "InvalidParameters", why)
    } else if !unsupported.is_empty() {
        Condition::new(
            "Accepted",
            false,
            "UnsupportedAddress",
            format!(
                "spec.addresses: address type {} is not supported (IPAddress and Hostname are)",
                unsupported.join(", ")
            ),
        )
    } else {
        accepted_by_listeners("Gateway", own.is_empty(), any_accepted, &refused)
    };
    let ok = accepted.is_true();
    let programmed = if !ok {
        Condition::new(
            "Programmed",
            false,
            "Invalid",
            "the Gateway is not accepted",
        )
    } else if !any_programmed {
        Condition::new(
            "Programmed",
            false,
            "Invalid",
            "no listener of the Gateway is programmed",
        )
    } else if !gw.spec.addresses.is_empty() {
        Condition::new(
            "Programmed",
            false,
            "AddressNotAssigned",
            "spec.addresses: trieway assigns no addresses (the embedding proxy listens on its \
             own); the Gateway's listeners route anyway",
        )
    } else {
        Condition::new("Programmed", true, "Programmed", "Gateway is programmed")
    };
    (
        ObjectStatus {
            namespace: gw.meta.namespace.clone(),
            name: gw.meta.name.clone(),
            gateway: None,
            conditions: vec![accepted, programmed],
        },
        ok,
    )
}

/// Conditions of ListenerSet `ls` of Gateway `gw_key`: `listeners` is `None` when the Gateway
/// refuses it; `parent_accepted` whether the Gateway is accepted.
pub(crate) fn listener_set(
    ls: &Object<ListenerSetSpec>,
    gw_key: &str,
    listeners: Option<&[ListenerInfo<'_>]>,
    parent_accepted: bool,
) -> ObjectStatus {
    let conditions = match listeners {
        None => {
            let why = format!(
                "Gateway {gw_key} does not allow ListenerSets from namespace {} \
                 (spec.allowedListeners)",
                ls.meta.namespace
            );
            vec![
                Condition::new("Accepted", false, "NotAllowed", why.clone()),
                Condition::new("Programmed", false, "NotAllowed", why),
            ]
        }
        Some(listeners) => {
            let (refused, any_accepted, any_programmed) = summarize(listeners);
            let accepted = if !parent_accepted {
                Condition::new(
                    "Accepted",
                    false,
                    "ParentNotAccepted",
                    format!("Gateway {gw_key} is not accepted"),
                )
            } else {
                accepted_by_listeners("ListenerSet", listeners.is_empty(), any_accepted, &refused)
            };
            let programmed = if !accepted.is_true() {
                Condition::new(
                    "Programmed",
                    false,
                    "Invalid",
                    "the ListenerSet is not accepted",
                )
            } else if !any_programmed {
                Condition::new(
                    "Programmed",
                    false,
                    "Invalid",
                    "no listener of the ListenerSet is programmed",
                )
            } else {
                Condition::new(
                    "Programmed",
                    true,
                    "Programmed",
                    "ListenerSet is programmed",
                )
            };
            vec![accepted, programmed]
        }
    };
    ObjectStatus {
        namespace: ls.meta.namespace.clone(),
        name: ls.meta.name.clone(),
        gateway: Some(gw_key.to_string()),
        conditions,
    }
}
