//! `trieway check`: load, validate and attach a configuration, then report every problem and
//! every route's and listener's status conditions.

use crate::args::{Arg, Parser, UsageError};
use crate::{demo, out, Failure, Status};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;
use trieway::{
    Condition, Config, ListenerStatus, ObjectStatus, Report, RouteParentStatus, RouteStatus,
    UnknownFields,
};

/// `trieway check --help`.
pub const HELP: &str = "\
Usage: trieway check [OPTIONS] [FILE|DIR]...
       trieway check [OPTIONS] --kubeconfig PATH | --in-cluster

Load every FILE (YAML or JSON; for a DIR, every .yaml, .yml and .json file below it) into one
configuration, validate it, attach the routes to the Gateways the controller serves, and print
every problem and the status conditions of every route parentRef, listener and
BackendTLSPolicy and XBackendTrafficPolicy (per ancestor Gateway).
With no FILE, check the built-in demo configuration (examples/demo.yaml). With --kubeconfig
or --in-cluster, list the cluster's objects once (the kinds `trieway watch` follows) and check
them as files (feature `kube`).

Options:
  -o, --output FORMAT    Output format: text (default) or json
      --controller NAME  Act as the controller NAME: serve only the Gateways whose
                         GatewayClass is given and has this controllerName [default: serve
                         every Gateway; one whose GatewayClass is not given gets a warning]
      --unknown-fields POLICY
                         A field the schema of its kind and version does not list (a typo
                         such as backendRef): error (default: the object is invalid and not
                         loaded, as kubectl's strict validation refuses it), warn (a warning;
                         the field is ignored) or ignore
      --kubeconfig PATH  Read the objects of the cluster of this kubeconfig (its current
                         context) instead of files (feature kube)
      --in-cluster       Likewise, with the pod's service account (in-cluster config)
  -h, --help             Print help

Warnings include rules that can never match: on every hostname where they apply, each of
their matches is an exact duplicate (same path, method, headers and query parameters) of a
match of a rule that wins first (an older route, a smaller namespace/name, an earlier rule).
Only exact duplicates are found: a rule covered by several others, or by broader conditions
(a shorter prefix, a regex), is not reported. Warnings do not change the exit status.

JSON output is one object: {\"ok\": bool, \"failures\": [...], \"errors\": [...],
\"warnings\": [...], \"gateway_classes\": [...], \"gateways\": [...], \"listener_sets\": [...],
\"routes\": [...], \"listeners\": [...], \"backend_tls_policies\": [...],
\"backend_traffic_policies\": [...]}; failures, errors and warnings are messages, the rest
is the status report.

Exit status:
  0  something was checked and all is well: a Gateway is served; every object and rule is
     valid; every served GatewayClass, Gateway, ListenerSet and listener is Accepted and
     Programmed; every route parentRef is Accepted; every BackendTLSPolicy is Accepted
     with ResolvedRefs, and every XBackendTrafficPolicy Accepted, for each ancestor Gateway
  1  otherwise, with a FAILED line saying why (e.g. no Gateway is served, a listener is not
     Programmed, routes were given but none attached)
  2  usage error, a FILE could not be read, or the cluster could not be listed
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Debug)]
struct Options {
    files: Vec<OsString>,
    format: Format,
    controller: Option<String>,
    unknown_fields: UnknownFields,
    cluster: Option<crate::kube_cmd::Cluster>,
}

fn parse(mut p: Parser) -> Result<Option<Options>, UsageError> {
    let mut opts = Options {
        files: Vec::new(),
        format: Format::Text,
        controller: None,
        unknown_fields: UnknownFields::Error,
        cluster: None,
    };
    while let Some(arg) = p.next_arg()? {
        if crate::kube_cmd::parse_arg(&mut p, &arg, &mut opts.cluster)? {
            continue;
        }
        match &arg {
            Arg::Short('h') => return Ok(None),
            Arg::Long(n) if n == "help" => return Ok(None),
            Arg::Short('o') => opts.format = format(&p.string(&arg)?)?,
            Arg::Long(n) if n == "output" => opts.format = format(&p.string(&arg)?)?,
            Arg::Long(n) if n == "controller" => opts.controller = Some(p.controller(&arg)?),
            Arg::Long(n) if n == "unknown-fields" => {
                opts.unknown_fields = p.unknown_fields(&arg)?
            }
            Arg::Value(v) => opts.files.push(v.clone()),
            _ => return Err(arg.unexpected()),
        }
    }
    if opts.cluster.is_some() && !opts.files.is_empty() {
        return Err(UsageError(
            "give FILEs or a cluster (--kubeconfig, --in-cluster), not both".into(),
        ));
    }
    Ok(Some(opts))
}

fn format(value: &str) -> Result<Format, UsageError> {
    match value {
        "text" => Ok(Format::Text),
        "json" => Ok(Format::Json),
        other => Err(UsageError(format!(
            "unknown output format '{other}' (expected text or json)"
        ))),
    }
}

/// Runs `trieway check`.
pub fn run(p: Parser) -> Result<Status, Failure> {
    let Some(mut opts) = parse(p)? else {
        out(HELP);
        return Ok(Status::Ok);
    };
    let (config, skipped) = match &opts.cluster {
        Some(cluster) => {
            let loaded = crate::kube_cmd::load(cluster, opts.unknown_fields)?;
            opts.files = vec![cluster.describe().into()];
            loaded
        }
        None => (load(&opts.files, opts.unknown_fields)?, Vec::new()),
    };
    let mut report = Report::attach(&config, opts.controller.as_deref());
    for kind in skipped {
        report
            .warnings
            .push(format!("{kind} is not served by the cluster: not checked"));
    }
    compile_drops(&config, opts.controller.as_deref(), &mut report);
    let checked = Checked {
        config: &config,
        report: &report,
        controller: opts.controller.as_deref(),
        sources: &opts.files,
    };
    let text = match opts.format {
        Format::Text => checked.text(),
        Format::Json => checked.json()?,
    };
    out(&text);
    Ok(if checked.ok() {
        Status::Ok
    } else {
        Status::Problems
    })
}

/// Compiles every served Gateway with the default `Options` and takes over the route
/// conditions its Router reports differently: rules the compile step drops (regex DFA budgets
/// per route and per Router) then show in `check` as they would in the proxy. Rules the Router
/// finds can never match (`Router::shadowed_rules`) become warnings.
fn compile_drops(config: &Config, controller: Option<&str>, report: &mut Report) {
    for g in &report.gateways.clone() {
        let options = trieway::Options {
            controller_name: controller.map(str::to_string),
            gateway: Some(format!("{}/{}", g.namespace, g.name)),
            ..trieway::Options::default()
        };
        let Ok(router) = trieway::Router::new(config, options) else {
            continue;
        };
        // Rules that can never match: exact duplicates of a rule that wins first.
        for shadowed in router.shadowed_rules() {
            report
                .warnings
                .push(format!("Gateway {}/{}: {shadowed}", g.namespace, g.name));
        }
        for (mine, theirs) in report.routes.iter_mut().zip(&router.report().routes) {
            // The lists of parent statuses are shared between routes: a changed one is a new
            // list.
            let mut parents = mine.parents.to_vec();
            for (p, q) in parents.iter_mut().zip(theirs.parents.iter()) {
                if p.conditions != q.conditions {
                    p.conditions = q.conditions.clone();
                }
            }
            if *parents != *mine.parents {
                mine.parents = parents.into();
            }
        }
    }
}

/// Loads every file into one configuration, or the demo when there is none.
fn load(files: &[OsString], unknown_fields: UnknownFields) -> Result<Config, Failure> {
    let mut config = Config::builder().with_unknown_fields(unknown_fields);
    if files.is_empty() {
        config.add_str(demo::YAML, demo::NAME);
    }
    for f in files {
        config
            .add_path(Path::new(f))
            .map_err(|e| Failure::Other(e.to_string()))?;
    }
    Ok(config.finish())
}

/// The `--output json` document.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    ok: bool,
    failures: Vec<String>,
    errors: Vec<String>,
    warnings: Vec<String>,
    gateway_classes: &'a [ObjectStatus],
    gateways: &'a [ObjectStatus],
    listener_sets: &'a [ObjectStatus],
    routes: &'a [RouteStatus],
    listeners: &'a [ListenerStatus],
    backend_tls_policies: &'a [ObjectStatus],
    backend_traffic_policies: &'a [ObjectStatus],
}

/// At most this many FAILED lines in the text output (the JSON lists every failure).
const MAX_FAILURE_LINES: usize = 20;

struct Checked<'a> {
    config: &'a Config,
    report: &'a Report,
    controller: Option<&'a str>,
    sources: &'a [OsString],
}

/// Whether a condition reports a healthy state. `Conflicted` and `PartiallyInvalid` are
/// problems when True; every other type is a problem unless True.
fn is_good(c: &Condition) -> bool {
    match &*c.kind {
        "Conflicted" | "PartiallyInvalid" => c.status != "True",
        _ => c.status == "True",
    }
}

/// The first of `Accepted`, `Programmed` in `conditions` that is not `True`, as
/// `"not Accepted (Reason)"`.
fn not_ready(conditions: &[Condition]) -> Option<String> {
    ["Accepted", "Programmed"].iter().find_map(|ty| {
        match conditions.iter().find(|c| c.kind == *ty) {
            Some(c) if c.is_true() => None,
            Some(c) => Some(format!("not {ty} ({}: {})", c.reason, c.message)),
            None => Some(format!("not {ty} (no condition reported)")),
        }
    })
}

/// One failure line per policy status (per ancestor) whose `Accepted` (and for a
/// BackendTLSPolicy `ResolvedRefs`) is not `True`.
fn policy_failures(report: &Report, out: &mut Vec<String>) {
    let policies = [
        (
            "BackendTLSPolicy",
            &report.backend_tls_policies,
            &["Accepted", "ResolvedRefs"][..],
        ),
        (
            "XBackendTrafficPolicy",
            &report.backend_traffic_policies,
            &["Accepted"][..],
        ),
    ];
    for (kind, list, types) in policies {
        for p in list {
            let bad = types
                .iter()
                .find_map(|ty| match Condition::find(&p.conditions, ty) {
                    Some(c) if c.is_true() => None,
                    Some(c) => Some(format!("not {ty} ({}: {})", c.reason, c.message)),
                    None => Some(format!("not {ty} (no condition reported)")),
                });
            if let Some(why) = bad {
                let ancestor = p.gateway.as_deref().unwrap_or("?");
                out.push(format!(
                    "{kind} {}/{} is {why} for Gateway {ancestor}",
                    p.namespace, p.name
                ));
            }
        }
    }
}

/// Whether a route parentRef has `Accepted=True`.
fn is_accepted(parent: &RouteParentStatus) -> bool {
    parent
        .conditions
        .iter()
        .any(|c| c.kind == "Accepted" && c.status == "True")
}

impl Checked<'_> {
    fn report(&self) -> &Report {
        self.report
    }

    fn parents(&self) -> impl Iterator<Item = &RouteParentStatus> {
        self.report().routes.iter().flat_map(|r| r.parents.iter())
    }

    /// Exit 0 only when [`Checked::failures`] is empty.
    fn ok(&self) -> bool {
        self.failures().is_empty()
    }

    /// Why the check fails, one line each; empty when all is well.
    fn failures(&self) -> Vec<String> {
        let report = self.report();
        let mut out = Vec::new();
        let errors = self.config.errors().len();
        if errors > 0 {
            out.push(format!(
                "{} in the configuration (see Errors)",
                plural(errors, "error")
            ));
        }
        if report.gateways.is_empty() {
            out.push(match self.controller {
                Some(c) => {
                    format!("no Gateway is served (none has a GatewayClass of controller {c})")
                }
                None => "no Gateway is served (the configuration has no Gateway)".to_string(),
            });
        }
        for c in &report.gateway_classes {
            if let Some(why) = c
                .conditions
                .iter()
                .find(|c| c.kind == "Accepted" && !c.is_true())
            {
                out.push(format!(
                    "GatewayClass {} is not Accepted ({}: {})",
                    c.name, why.reason, why.message
                ));
            }
        }
        for g in &report.gateways {
            if let Some(why) = not_ready(&g.conditions) {
                out.push(format!("Gateway {}/{} is {why}", g.namespace, g.name));
            }
        }
        for l in &report.listener_sets {
            if let Some(why) = not_ready(&l.conditions) {
                out.push(format!("ListenerSet {}/{} is {why}", l.namespace, l.name));
            }
        }
        for l in &report.listeners {
            if let Some(why) = not_ready(&l.conditions) {
                let owner = match &l.listener_set {
                    Some(ls) => format!("ListenerSet {ls}"),
                    None => format!("Gateway {}", l.gateway),
                };
                out.push(format!("listener {} of {owner} is {why}", l.name));
            }
        }
        policy_failures(report, &mut out);
        let refused = self.parents().filter(|p| !is_accepted(p)).count();
        if refused > 0 {
            out.push(format!(
                "{} not Accepted (see the routes)",
                plural(refused, "route parentRef")
            ));
        }
        let c = self.config;
        let routes = c.http_routes().len()
            + c.grpc_routes().len()
            + c.tls_routes().len()
            + c.tcp_routes().len()
            + c.udp_routes().len();
        if routes > 0 && !self.parents().any(is_accepted) {
            out.push(format!(
                "{} given but none is attached to a served Gateway",
                plural(routes, "route")
            ));
        }
        out
    }

    fn json(&self) -> Result<String, Failure> {
        let messages = |list: &[trieway::ConfigError]| list.iter().map(|e| e.to_string()).collect();
        let failures = self.failures();
        let report = JsonReport {
            ok: failures.is_empty(),
            failures,
            errors: messages(self.config.errors()),
            warnings: messages(self.config.warnings())
                .into_iter()
                .chain(self.report().warnings.iter().cloned())
                .collect(),
            gateway_classes: &self.report().gateway_classes,
            gateways: &self.report().gateways,
            listener_sets: &self.report().listener_sets,
            routes: &self.report().routes,
            listeners: &self.report().listeners,
            backend_tls_policies: &self.report().backend_tls_policies,
            backend_traffic_policies: &self.report().backend_traffic_policies,
        };
        let mut text = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::Other(format!("cannot serialize the report: {e}")))?;
        text.push('\n');
        Ok(text)
    }

    fn text(&self) -> String {
        let mut s = String::new();
        let source = if self.sources.is_empty() {
            format!("{} (built-in demo)", demo::NAME)
        } else {
            self.sources
                .iter()
                .map(|f| f.to_string_lossy())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(s, "trieway check: {source}");
        match self.controller {
            Some(c) => {
                let _ = writeln!(s, "controller: {c}");
            }
            None => {
                let _ = writeln!(s, "controller: any (every Gateway is served)");
            }
        }
        self.problems(&mut s);
        self.classes(&mut s);
        self.gateways(&mut s);
        self.routes(&mut s);
        self.policies(&mut s);
        self.summary(&mut s);
        s
    }

    fn problems(&self, s: &mut String) {
        let c = self.config;
        let errors: Vec<String> = c.errors().iter().map(|e| e.to_string()).collect();
        let warnings: Vec<String> = c
            .warnings()
            .iter()
            .map(|e| e.to_string())
            .chain(self.report().warnings.iter().cloned())
            .collect();
        for (title, list, mark) in [("Errors", &errors, "✗"), ("Warnings", &warnings, "!")] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n{title} ({}):", list.len());
            for e in list {
                let _ = writeln!(s, "  {mark} {e}");
            }
        }
    }

    /// GatewayClasses the controller is responsible for, with their conditions.
    fn classes(&self, s: &mut String) {
        for c in &self.report().gateway_classes {
            let _ = writeln!(s, "\nGatewayClass {}", c.name);
            conditions(s, &c.conditions, "  ");
        }
    }

    /// Gateways in input order: served ones with their own conditions, their listeners'
    /// status, then each ListenerSet that targets them with its listeners; the others with the
    /// reason they are not served.
    fn gateways(&self, s: &mut String) {
        let report = self.report();
        // Listeners per (Gateway, ListenerSet).
        let mut by_owner: std::collections::HashMap<(&str, Option<&str>), Vec<&ListenerStatus>> =
            std::collections::HashMap::new();
        for l in &report.listeners {
            by_owner
                .entry((l.gateway.as_str(), l.listener_set.as_deref()))
                .or_default()
                .push(l);
        }
        let mut sets: std::collections::HashMap<&str, Vec<&ObjectStatus>> =
            std::collections::HashMap::new();
        for ls in &report.listener_sets {
            let Some(gateway) = ls.gateway.as_deref() else {
                continue;
            };
            sets.entry(gateway).or_default().push(ls);
        }
        let mut keys: Vec<String> = self.config.gateways().iter().map(|g| g.key()).collect();
        let mut seen: std::collections::HashSet<String> = keys.iter().cloned().collect();
        for l in &report.listeners {
            if seen.insert(l.gateway.clone()) {
                keys.push(l.gateway.clone());
            }
        }
        let classes: std::collections::HashMap<String, &str> = self
            .config
            .gateways()
            .iter()
            .map(|g| (g.key(), g.spec.gateway_class_name.as_str()))
            .collect();
        for key in keys {
            let class = classes.get(&key).copied();
            match class {
                Some(class) => {
                    let _ = writeln!(s, "\nGateway {key} (class {class})");
                }
                None => {
                    let _ = writeln!(s, "\nGateway {key}");
                }
            }
            if let Some(why) = class.and_then(|c| self.not_served(c)) {
                let _ = writeln!(s, "  - not served: {why}");
                continue;
            }
            if let Some((ns, name)) = key.split_once('/') {
                if let Some(g) = report.gateway(ns, name) {
                    conditions(s, &g.conditions, "  ");
                }
            }
            let own = by_owner.get(&(key.as_str(), None));
            if own.is_none_or(|v| v.is_empty()) {
                let _ = writeln!(s, "  - no listener status reported");
            }
            for l in own.into_iter().flatten() {
                listener_lines(s, l, "  ");
            }
            for ls in sets.get(key.as_str()).into_iter().flatten() {
                let ls_key = format!("{}/{}", ls.namespace, ls.name);
                let _ = writeln!(s, "  ListenerSet {ls_key}");
                conditions(s, &ls.conditions, "    ");
                let listed = by_owner.get(&(key.as_str(), Some(ls_key.as_str())));
                for l in listed.into_iter().flatten() {
                    listener_lines(s, l, "    ");
                }
            }
        }
    }

    /// Why a Gateway of class `class` is not served by this controller, if it is not.
    fn not_served(&self, class: &str) -> Option<String> {
        let ours = self.controller?;
        match self
            .config
            .gateway_classes()
            .iter()
            .find(|c| c.meta.name == class)
        {
            None => Some(format!("GatewayClass {class} is not in the configuration")),
            Some(c) if c.spec.controller_name != ours => Some(format!(
                "GatewayClass {class} names controller {}, not {ours}",
                c.spec.controller_name
            )),
            Some(_) => None,
        }
    }

    /// Routes with status, then routes that reached no served parent.
    fn routes(&self, s: &mut String) {
        for r in &self.report().routes {
            let _ = writeln!(s, "\n{} {}/{}", r.kind, r.namespace, r.name);
            for p in r.parents.iter() {
                let mut target = format!("{} {}", p.parent_kind, p.parent);
                if let Some(section) = &p.section_name {
                    let _ = write!(target, ", sectionName {section}");
                }
                if let Some(port) = p.port {
                    let _ = write!(target, ", port {port}");
                }
                let _ = writeln!(s, "  parent {target}");
                if p.conditions.iter().all(|c| c.kind != "Accepted") {
                    let _ = writeln!(s, "    ✗ Accepted: no condition reported");
                }
                conditions(s, &p.conditions, "    ");
            }
        }
        let unreported = self.unreported_routes();
        if !unreported.is_empty() {
            let served = match self.controller {
                Some(c) => format!("a Gateway served by {c}"),
                None => "a Gateway in the configuration".to_string(),
            };
            let _ = writeln!(
                s,
                "\nRoutes with no status (no parentRef reached {served}):"
            );
            for (kind, key) in unreported {
                let _ = writeln!(s, "  - {kind} {key}");
            }
        }
    }

    /// Each BackendTLSPolicy and XBackendTrafficPolicy with its conditions per ancestor
    /// Gateway, then those with no ancestor.
    fn policies(&self, s: &mut String) {
        let report = self.report();
        let c = self.config;
        let tls = c.backend_tls_policies().iter().map(|p| &p.meta);
        let traffic = c.backend_traffic_policies().iter().map(|p| &p.meta);
        let all = tls
            .map(|m| ("BackendTLSPolicy", m, &report.backend_tls_policies))
            .chain(traffic.map(|m| ("XBackendTrafficPolicy", m, &report.backend_traffic_policies)));
        let mut unreported = Vec::new();
        for (kind, meta, statuses) in all {
            let (ns, name) = (&meta.namespace, &meta.name);
            let mine: Vec<&ObjectStatus> = statuses
                .iter()
                .filter(|st| &st.namespace == ns && &st.name == name)
                .collect();
            if mine.is_empty() {
                unreported.push(format!("{kind} {ns}/{name}"));
                continue;
            }
            let _ = writeln!(s, "\n{kind} {ns}/{name}");
            for st in mine {
                let ancestor = st.gateway.as_deref().unwrap_or("?");
                let _ = writeln!(s, "  ancestor Gateway {ancestor}");
                conditions(s, &st.conditions, "    ");
            }
        }
        if !unreported.is_empty() {
            let _ = writeln!(
                s,
                "\nPolicies with no status (no route attached to a served Gateway names a \
                 Service they target):"
            );
            for key in unreported {
                let _ = writeln!(s, "  - {key}");
            }
        }
    }

    /// `(kind, ns/name)` of every loaded route that has no entry in the report.
    fn unreported_routes(&self) -> Vec<(&'static str, String)> {
        let c = self.config;
        let all = c
            .http_routes()
            .iter()
            .map(|r| ("HTTPRoute", r.key()))
            .chain(c.grpc_routes().iter().map(|r| ("GRPCRoute", r.key())))
            .chain(c.tls_routes().iter().map(|r| ("TLSRoute", r.key())))
            .chain(c.tcp_routes().iter().map(|r| ("TCPRoute", r.key())))
            .chain(c.udp_routes().iter().map(|r| ("UDPRoute", r.key())));
        let reported: std::collections::HashSet<(&str, String)> = self
            .report()
            .routes
            .iter()
            .map(|r: &RouteStatus| (r.kind.as_str(), route_key(r)))
            .collect();
        all.filter(|(kind, key)| !reported.contains(&(*kind, key.clone())))
            .collect()
    }

    fn summary(&self, s: &mut String) {
        let total = self.parents().count();
        let accepted = self.parents().filter(|p| is_accepted(p)).count();
        let failures = self.failures();
        s.push('\n');
        for f in failures.iter().take(MAX_FAILURE_LINES) {
            let _ = writeln!(s, "FAILED: {f}");
        }
        if failures.len() > MAX_FAILURE_LINES {
            let _ = writeln!(
                s,
                "FAILED: ... and {} more (--output json lists them all)",
                failures.len() - MAX_FAILURE_LINES
            );
        }
        let _ = writeln!(
            s,
            "{}: {}, {}, {}, {accepted}/{total} route parentRefs accepted",
            if failures.is_empty() { "OK" } else { "FAILED" },
            plural(objects(self.config), "object"),
            plural(self.config.errors().len(), "error"),
            plural(
                self.config.warnings().len() + self.report().warnings.len(),
                "warning"
            ),
        );
    }
}

/// `listener NAME (HTTPS 443, hostname *.example.com): attachedRoutes N, kinds ...` and its
/// conditions.
fn listener_lines(s: &mut String, l: &ListenerStatus, indent: &str) {
    let detail = format!(
        " ({} {}, {})",
        l.protocol,
        l.port,
        match &l.hostname {
            Some(h) => format!("hostname {h}"),
            None => "any hostname".to_string(),
        }
    );
    let _ = writeln!(
        s,
        "{indent}listener {}{detail}: attachedRoutes {}{}",
        l.name,
        l.attached_routes,
        if l.supported_kinds.is_empty() {
            String::new()
        } else {
            format!(", kinds {}", l.supported_kinds.join(", "))
        }
    );
    conditions(s, &l.conditions, &format!("{indent}  "));
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn route_key(r: &RouteStatus) -> String {
    format!("{}/{}", r.namespace, r.name)
}

fn conditions(s: &mut String, list: &[Condition], indent: &str) {
    for c in list {
        let mark = if is_good(c) { "✓" } else { "✗" };
        let _ = write!(s, "{indent}{mark} {}={} ({})", c.kind, c.status, c.reason);
        if !c.message.is_empty() {
            let _ = write!(s, ": {}", c.message);
        }
        s.push('\n');
    }
}

/// Number of loaded (valid) objects.
fn objects(c: &Config) -> usize {
    c.gateway_classes().len()
        + c.gateways().len()
        + c.listener_sets().len()
        + c.http_routes().len()
        + c.grpc_routes().len()
        + c.tls_routes().len()
        + c.tcp_routes().len()
        + c.udp_routes().len()
        + c.reference_grants().len()
        + c.namespaces().len()
        + c.services().len()
        + c.endpoint_slices().len()
        + c.secrets().len()
        + c.config_maps().len()
        + c.ingresses().len()
        + c.ingress_classes().len()
        + c.backend_tls_policies().len()
        + c.backend_traffic_policies().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(kind: &'static str, status: &'static str) -> Condition {
        Condition {
            kind: kind.into(),
            status: status.into(),
            reason: "".into(),
            message: "".into(),
        }
    }

    #[test]
    fn polarity_of_conditions() {
        assert!(is_good(&cond("Accepted", "True")));
        assert!(!is_good(&cond("Accepted", "False")));
        assert!(!is_good(&cond("ResolvedRefs", "Unknown")));
        assert!(is_good(&cond("Conflicted", "False")));
        assert!(!is_good(&cond("Conflicted", "True")));
        assert!(!is_good(&cond("PartiallyInvalid", "True")));
    }

    #[test]
    fn accepted_needs_an_accepted_true_condition() {
        let parent = |conditions| RouteParentStatus {
            parent_kind: "Gateway".into(),
            parent: "infra/edge".into(),
            section_name: None,
            port: None,
            conditions,
        };
        assert!(is_accepted(&parent(vec![cond("Accepted", "True")])));
        assert!(!is_accepted(&parent(vec![cond("Accepted", "False")])));
        assert!(!is_accepted(&parent(vec![cond("ResolvedRefs", "True")])));
    }

    #[test]
    fn options() {
        let p = |a: &[&str]| parse(Parser::new(a.iter().map(OsString::from)));
        let o = p(&["-o", "json", "a.yaml", "--controller=x.io/y", "dir"])
            .unwrap()
            .unwrap();
        assert_eq!(o.format, Format::Json);
        assert_eq!(o.controller.as_deref(), Some("x.io/y"));
        assert_eq!(o.files, [OsString::from("a.yaml"), OsString::from("dir")]);
        assert!(p(&["--help"]).unwrap().is_none());
        assert!(p(&["--output", "yaml"]).is_err());
        assert!(p(&["--frobnicate"]).is_err());
        assert!(p(&["--controller="]).is_err());
    }

    /// The report as attach will fill it: one listener, one accepted and one refused route.
    fn sample_report() -> Report {
        use trieway::model::{ProtocolType, RouteKind};
        let full = |kind: &str, status: &str, reason: &str, message: &str| Condition {
            kind: kind.to_string().into(),
            status: status.to_string().into(),
            reason: reason.to_string().into(),
            message: message.to_string().into(),
        };
        let parent = |section: &str, conditions| RouteParentStatus {
            parent_kind: "Gateway".into(),
            parent: "infra/edge".into(),
            section_name: Some(section.into()),
            port: None,
            conditions,
        };
        Report {
            routes: vec![
                RouteStatus {
                    kind: RouteKind::Http,
                    namespace: "tenant-a".into(),
                    name: "store".into(),
                    parents: [parent(
                        "https",
                        vec![
                            full("Accepted", "True", "Accepted", ""),
                            full("ResolvedRefs", "True", "ResolvedRefs", ""),
                        ],
                    )]
                    .into(),
                },
                RouteStatus {
                    kind: RouteKind::Http,
                    namespace: "tenant-b".into(),
                    name: "blog".into(),
                    parents: [parent(
                        "http",
                        vec![full(
                            "Accepted",
                            "False",
                            "NotAllowedByListeners",
                            "namespace not selected",
                        )],
                    )]
                    .into(),
                },
            ],
            listeners: vec![ListenerStatus {
                gateway: "infra/edge".into(),
                name: "https".into(),
                attached_routes: 1,
                listener_set: None,
                supported_kinds: vec!["HTTPRoute".into()],
                conditions: vec![
                    full("Accepted", "True", "Accepted", ""),
                    full("Conflicted", "False", "NoConflicts", ""),
                ],
                protocol: ProtocolType::Https,
                port: 443,
                hostname: Some("*.example.com".into()),
            }],
            warnings: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn text_report_highlights_refused_parents() {
        let config = load(&[], UnknownFields::Error).unwrap_or_else(|_| panic!("the demo loads"));
        let report = sample_report();
        let checked = Checked {
            config: &config,
            report: &report,
            controller: Some("example.com/gateway-under-test"),
            sources: &[],
        };
        assert!(!checked.ok());
        let text = checked.text();
        for line in [
            "Gateway infra/edge (class trieway-demo)",
            "  listener https (HTTPS 443, hostname *.example.com): attachedRoutes 1, kinds HTTPRoute",
            "    ✓ Accepted=True (Accepted)",
            "    ✓ Conflicted=False (NoConflicts)",
            "HTTPRoute tenant-a/store",
            "  parent Gateway infra/edge, sectionName https",
            "    ✓ ResolvedRefs=True (ResolvedRefs)",
            "HTTPRoute tenant-b/blog",
            "    ✗ Accepted=False (NotAllowedByListeners): namespace not selected",
            "  - HTTPRoute infra/https-redirect",
            "FAILED: 17 objects, 0 errors, 0 warnings, 1/2 route parentRefs accepted",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
        }
        let json: serde_json::Value = serde_json::from_str(&checked.json().unwrap()).unwrap();
        assert_eq!(
            json["routes"][1]["parents"][0]["conditions"][0]["status"],
            "False"
        );
        assert_eq!(json["listeners"][0]["name"], "https");
    }

    #[test]
    fn demo_loads_without_errors() {
        let config = load(&[], UnknownFields::Error).unwrap_or_else(|_| panic!("the demo loads"));
        assert!(config.errors().is_empty(), "{:?}", config.errors());
        assert!(config.warnings().is_empty(), "{:?}", config.warnings());
        assert_eq!(config.gateways().len(), 1);
        assert_eq!(config.http_routes().len(), 4);
    }
}
