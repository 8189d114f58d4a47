//! Backend references (SPEC §5.1, §8 backend protocol) and ReferenceGrants (SPEC §5.2).

use crate::config::Config;
use crate::model::{
    BackendObjectReference, ReferenceGrantSpec, RouteKind, SecretSpec, ServiceSpec, GATEWAY_GROUP,
};
use rustc_hash::FxHashMap;

/// A backendRef resolved against the Services of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedBackend {
    /// Group (`""` for core).
    pub group: String,
    /// Kind (`Service`).
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Service port.
    pub port: Option<u16>,
    /// The port's `appProtocol`, if any.
    pub app_protocol: Option<String>,
}

/// Why a backendRef is invalid: the `ResolvedRefs=False` reason and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackendProblem {
    /// `InvalidKind`, `BackendNotFound`, `RefNotPermitted` or `UnsupportedProtocol`.
    pub reason: &'static str,
    /// Human-readable detail.
    pub message: String,
}

/// `(namespace, name) → value`, looked up with borrowed strings: one flat table (building
/// one map per namespace cost a live update at 100,000 rules most of its time).
#[derive(Debug)]
pub(crate) struct NsMap<'a, V>(FxHashMap<(&'a str, &'a str), V>);

impl<V> Default for NsMap<'_, V> {
    fn default() -> Self {
        NsMap(FxHashMap::default())
    }
}

impl<'a, V> NsMap<'a, V> {
    /// An empty map with room for `n` entries.
    pub(crate) fn with_capacity(n: usize) -> Self {
        NsMap(FxHashMap::with_capacity_and_hasher(n, Default::default()))
    }

    /// Inserts unless `(ns, name)` is already present (the first object wins).
    pub(crate) fn insert_first(&mut self, ns: &'a str, name: &'a str, v: V) {
        self.0.entry((ns, name)).or_insert(v);
    }

    /// The value of `(ns, name)`, inserted as `V::default()` when absent.
    pub(crate) fn get_or_default(&mut self, ns: &'a str, name: &'a str) -> &mut V
    where
        V: Default,
    {
        self.0.entry((ns, name)).or_default()
    }

    /// Looks `(ns, name)` up.
    pub(crate) fn get(&self, ns: &str, name: &str) -> Option<&V> {
        self.0.get(&(ns, name) as &dyn Pair)
    }
}

/// A `(namespace, name)` pair of any lifetime, so that [`NsMap::get`] looks borrowed strings
/// up in a map whose keys live longer.
trait Pair {
    fn pair(&self) -> (&str, &str);
}

impl Pair for (&str, &str) {
    fn pair(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

impl<'a: 'b, 'b> std::borrow::Borrow<dyn Pair + 'b> for (&'a str, &'a str) {
    fn borrow(&self) -> &(dyn Pair + 'b) {
        self
    }
}

impl std::hash::Hash for dyn Pair + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As the tuple `(&str, &str)` hashes.
        self.pair().hash(state);
    }
}

impl PartialEq for dyn Pair + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.pair() == other.pair()
    }
}

impl Eq for dyn Pair + '_ {}

/// Indexes of the Services, Secrets and ReferenceGrants of a [`Config`], for resolving many
/// references quickly. Build one with [`resolver`] and reuse it for every backendRef.
#[derive(Debug)]
pub(crate) struct Resolver<'a> {
    services: Services<'a>,
    /// Whether the configuration holds any Service: when it holds none, the Services live
    /// in the cluster, not in the files, and backendRefs to Services are taken as written.
    services_given: bool,
    secrets: NsMap<'a, &'a SecretSpec>,
    config_maps: NsMap<'a, &'a crate::model::ConfigMapSpec>,
    grants: FxHashMap<&'a str, Vec<&'a ReferenceGrantSpec>>,
    /// The BackendTLSPolicies: conditions, and the policy in effect per Service port.
    pub(crate) tls: super::policy::Analysis<'a>,
    /// The XBackendTrafficPolicies: conditions, and the policy in effect per Service.
    pub(crate) traffic: super::traffic::TrafficAnalysis<'a>,
}

/// The Services of a [`Resolver`] by namespace and name.
#[derive(Debug)]
enum Services<'a> {
    /// Indexed for this resolver.
    Map(NsMap<'a, &'a ServiceSpec>),
    /// Indexed once and kept across resolvers ([`ServicePositions`]).
    Positions(
        &'a ServicePositions,
        &'a [crate::model::Object<ServiceSpec>],
    ),
}

impl<'a> Services<'a> {
    fn get(&self, ns: &str, name: &str) -> Option<&'a ServiceSpec> {
        match self {
            Services::Map(m) => m.get(ns, name).copied(),
            Services::Positions(p, list) => {
                let at = p.0.get(&(ns, name) as &dyn Pair)?;
                list.get(*at as usize).map(|s| &s.spec)
            }
        }
    }
}

/// The position in `Config::services` of the first Service of each namespace and name: an
/// index a [`crate::Live`] keeps between updates that change no Service, so that resolving
/// the backends of a changed route does not index every Service again.
#[derive(Debug, Default)]
pub(crate) struct ServicePositions(FxHashMap<(Box<str>, Box<str>), u32>);

impl ServicePositions {
    /// The positions of the Services of `config`.
    pub(crate) fn new(config: &Config) -> ServicePositions {
        let mut map =
            FxHashMap::with_capacity_and_hasher(config.services.len(), Default::default());
        for (i, s) in config.services.iter().enumerate() {
            map.entry((
                s.meta.namespace.as_str().into(),
                s.meta.name.as_str().into(),
            ))
            .or_insert(i as u32);
        }
        ServicePositions(map)
    }
}

impl ServicePositions {
    /// How many Services are indexed (as many as `Config::services` holds when no two share a
    /// namespace and name).
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Follows an append of Service `ns/name` to `Config::services`.
    pub(crate) fn pushed(&mut self, ns: &str, name: &str) {
        let at = self.0.len() as u32;
        self.0.entry((ns.into(), name.into())).or_insert(at);
    }

    /// Follows the removal of Service `ns/name` at position `at` of `Config::services`.
    pub(crate) fn removed(&mut self, ns: &str, name: &str, at: usize) {
        self.0.remove(&(ns, name) as &dyn Pair);
        for p in self.0.values_mut() {
            if *p as usize > at {
                *p -= 1;
            }
        }
    }
}

impl Pair for (Box<str>, Box<str>) {
    fn pair(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

impl<'b> std::borrow::Borrow<dyn Pair + 'b> for (Box<str>, Box<str>) {
    fn borrow(&self) -> &(dyn Pair + 'b) {
        self
    }
}

/// Builds a [`Resolver`] over `config` (cost linear in its Services, Secrets and grants).
pub(crate) fn resolver(config: &Config) -> Resolver<'_> {
    let mut services = NsMap::with_capacity(config.services.len());
    for s in &config.services {
        services.insert_first(&s.meta.namespace, &s.meta.name, &s.spec);
    }
    resolver_with(config, Services::Map(services))
}

/// Builds a [`Resolver`] over `config` whose Services are at `positions` (built over the same
/// Services).
pub(crate) fn resolver_at<'a>(config: &'a Config, positions: &'a ServicePositions) -> Resolver<'a> {
    resolver_with(config, Services::Positions(positions, &config.services))
}

fn resolver_with<'a>(config: &'a Config, services: Services<'a>) -> Resolver<'a> {
    let mut secrets = NsMap::default();
    for s in &config.secrets {
        secrets.insert_first(&s.meta.namespace, &s.meta.name, &s.spec);
    }
    let mut config_maps = NsMap::default();
    for c in &config.config_maps {
        config_maps.insert_first(&c.meta.namespace, &c.meta.name, &c.spec);
    }
    let mut grants: FxHashMap<&str, Vec<&ReferenceGrantSpec>> = FxHashMap::default();
    for g in &config.reference_grants {
        grants.entry(&g.meta.namespace).or_default().push(&g.spec);
    }
    Resolver {
        services,
        services_given: !config.services.is_empty(),
        secrets,
        config_maps,
        grants,
        tls: super::policy::analyze(config),
        traffic: super::traffic::analyze(config),
    }
}

fn problem(reason: &'static str, message: String) -> BackendProblem {
    BackendProblem { reason, message }
}

/// The `kubernetes.io/…` application protocols a route kind can speak to a backend.
fn speaks(kind: RouteKind, app_protocol: &str) -> bool {
    match kind {
        RouteKind::Http | RouteKind::Ingress => {
            matches!(app_protocol, "kubernetes.io/h2c" | "kubernetes.io/ws")
        }
        RouteKind::Grpc => app_protocol == "kubernetes.io/h2c",
        RouteKind::Tls => app_protocol == "kubernetes.io/wss",
        _ => false,
    }
}

impl<'a> Resolver<'a> {
    /// Whether a ReferenceGrant in `target_ns` lets (`from_group`, `from_kind`, `from_ns`)
    /// refer to the object (`to_group`, `to_kind`, `to_name`) there (a grant lives in the
    /// target's namespace; a `to` entry without name permits every object of the kind).
    pub fn permits(
        &self,
        from: (&str, &str, &str),
        target_ns: &str,
        to: (&str, &str, &str),
    ) -> bool {
        let (fg, fk, fns) = from;
        let (tg, tk, tname) = to;
        self.grants.get(target_ns).is_some_and(|grants| {
            grants.iter().any(|g| {
                g.from
                    .iter()
                    .any(|f| f.group == fg && f.kind == fk && f.namespace == fns)
                    && g.to.iter().any(|t| {
                        t.group == tg
                            && t.kind == tk
                            && t.name.as_deref().is_none_or(|n| n == tname)
                    })
            })
        })
    }

    /// The BackendTLSPolicy in effect on port `port` of Service `ns/name`, if any.
    pub(crate) fn backend_tls(
        &self,
        ns: &str,
        name: &str,
        port: u16,
    ) -> Option<std::sync::Arc<super::BackendTls>> {
        self.tls.lookup(ns, name, port).cloned()
    }

    /// The XBackendTrafficPolicy in effect on Service `ns/name`, if any.
    pub(crate) fn backend_traffic(
        &self,
        ns: &str,
        name: &str,
    ) -> Option<std::sync::Arc<super::BackendTraffic>> {
        self.traffic.lookup(ns, name).cloned()
    }

    /// The Secret `ns/name`.
    pub(crate) fn secret(&self, ns: &str, name: &str) -> Option<&'a SecretSpec> {
        self.secrets.get(ns, name).copied()
    }

    /// The ConfigMap `ns/name`.
    pub(crate) fn config_map(
        &self,
        ns: &str,
        name: &str,
    ) -> Option<&'a crate::model::ConfigMapSpec> {
        self.config_maps.get(ns, name).copied()
    }

    /// Resolves a backend reference made by a route of `route_kind` in `route_ns`.
    ///
    /// Checks, in order: the group/kind is a core Service (else `InvalidKind`); a
    /// cross-namespace reference is permitted by a ReferenceGrant (else `RefNotPermitted`,
    /// whether or not the Service exists); a port is given (else `BackendNotFound`); the
    /// Service exists (else `BackendNotFound`; when the configuration holds no Service at all,
    /// the Services are taken to live in the cluster and the reference resolves as written);
    /// the Service is not `ExternalName` (else `InvalidKind`); the port is one of the
    /// Service's ports (else `BackendNotFound`); the port's `appProtocol` is one the route kind
    /// speaks (else `UnsupportedProtocol`).
    pub fn resolve(
        &self,
        route_kind: RouteKind,
        route_ns: &str,
        target: &BackendObjectReference,
    ) -> Result<ResolvedBackend, BackendProblem> {
        let ns = target.namespace(route_ns);
        let name = target.name.as_str();
        let (port, svc) = self.locate(route_kind, route_ns, target)?;
        let app_protocol = match svc {
            Some(svc) => service_port(svc, route_kind, ns, name, port)?,
            None => None,
        };
        Ok(resolved(ns, name, port, app_protocol))
    }

    /// What [`Resolver::resolve`] refuses `target` for, without building the resolved backend
    /// (route status only needs the problems: issue #20, item 4).
    pub(crate) fn problem(
        &self,
        route_kind: RouteKind,
        route_ns: &str,
        target: &BackendObjectReference,
    ) -> Option<BackendProblem> {
        let (port, svc) = match self.locate(route_kind, route_ns, target) {
            Ok(found) => found,
            Err(p) => return Some(p),
        };
        let ns = target.namespace(route_ns);
        let name = target.name.as_str();
        svc.and_then(|svc| service_port(svc, route_kind, ns, name, port).err())
    }

    /// The reference checks of [`Resolver::resolve`]: the port, and the Service when the
    /// configuration holds Services (`None`: Services live in the cluster).
    fn locate(
        &self,
        route_kind: RouteKind,
        route_ns: &str,
        target: &BackendObjectReference,
    ) -> Result<(i64, Option<&'a ServiceSpec>), BackendProblem> {
        let ns = target.namespace(route_ns);
        let name = target.name.as_str();
        self.check_reference(route_kind, route_ns, target)?;
        let Some(port) = target.port else {
            return Err(problem(
                "BackendNotFound",
                format!("backendRef {ns}/{name}: port is required for a Service"),
            ));
        };
        let Some(svc) = self.services.get(ns, name) else {
            if !self.services_given {
                return Ok((port, None));
            }
            return Err(problem(
                "BackendNotFound",
                format!("backendRef {ns}/{name}: Service not found"),
            ));
        };
        Ok((port, Some(svc)))
    }

    /// Whether a route of `route_kind` in `route_ns` may refer to `target` at all: a core
    /// Service, in its own namespace or one whose ReferenceGrant allows it.
    fn check_reference(
        &self,
        route_kind: RouteKind,
        route_ns: &str,
        target: &BackendObjectReference,
    ) -> Result<(), BackendProblem> {
        let (group, kind) = (target.group(), target.kind());
        let ns = target.namespace(route_ns);
        let name = target.name.as_str();
        if !(group.is_empty() && kind == "Service") {
            let what = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            return Err(problem(
                "InvalidKind",
                format!("backendRef {ns}/{name}: kind {what} is not supported"),
            ));
        }
        // The grant is checked before existence: a route author without a grant must not
        // learn which Services exist in the other namespace.
        if ns != route_ns
            && !self.permits(
                (GATEWAY_GROUP, route_kind.as_str(), route_ns),
                ns,
                ("", "Service", name),
            )
        {
            return Err(problem(
                "RefNotPermitted",
                format!(
                    "backendRef {ns}/{name}: no ReferenceGrant in namespace {ns} allows {} \
                     from namespace {route_ns} to refer to it",
                    route_kind.as_str()
                ),
            ));
        }
        Ok(())
    }
}

/// A resolved core Service port.
fn resolved(ns: &str, name: &str, port: i64, app_protocol: Option<String>) -> ResolvedBackend {
    ResolvedBackend {
        group: String::new(),
        kind: "Service".to_string(),
        namespace: ns.to_string(),
        name: name.to_string(),
        port: u16::try_from(port).ok(),
        app_protocol,
    }
}

/// The `appProtocol` of `port` of Service `ns/name`, checking that the Service is not
/// `ExternalName`, has the port, and that `route_kind` speaks the port's protocol.
fn service_port(
    svc: &ServiceSpec,
    route_kind: RouteKind,
    ns: &str,
    name: &str,
    port: i64,
) -> Result<Option<String>, BackendProblem> {
    if svc.kind.as_deref() == Some("ExternalName") {
        return Err(problem(
            "InvalidKind",
            format!("backendRef {ns}/{name}: Services of type ExternalName are not supported"),
        ));
    }
    let Some(sp) = svc.ports.iter().find(|p| p.port == port) else {
        return Err(problem(
            "BackendNotFound",
            format!("backendRef {ns}/{name}: Service has no port {port}"),
        ));
    };
    let app_protocol = sp.app_protocol.clone();
    if let Some(ap) = app_protocol.as_deref() {
        if ap.starts_with("kubernetes.io/") && !speaks(route_kind, ap) {
            return Err(problem(
                "UnsupportedProtocol",
                format!(
                    "backendRef {ns}/{name}: {} cannot speak appProtocol {ap} of port {port}",
                    route_kind.as_str()
                ),
            ));
        }
    }
    Ok(app_protocol)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config::from_str(
            r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec:
  ports:
  - {name: http, port: 80}
  - {name: h2c, port: 81, appProtocol: kubernetes.io/h2c}
  - {name: ws, port: 82, appProtocol: kubernetes.io/ws}
  - {name: wss, port: 83, appProtocol: kubernetes.io/wss}
  - {name: odd, port: 84, appProtocol: kubernetes.io/unknown}
  - {name: custom, port: 85, appProtocol: example.com/custom}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: app}
spec: {type: ExternalName, ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: app}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: front}]
  to: [{group: "", kind: Service, name: web}]
"#,
        )
    }

    fn svc(ns: Option<&str>, name: &str, port: i64) -> BackendObjectReference {
        BackendObjectReference {
            name: name.into(),
            namespace: ns.map(Into::into),
            port: Some(port),
            ..Default::default()
        }
    }

    fn reason(r: Result<ResolvedBackend, BackendProblem>) -> &'static str {
        match r {
            Ok(_) => "Ok",
            Err(p) => p.reason,
        }
    }

    #[test]
    fn resolves_and_rejects() {
        let c = cfg();
        let r = resolver(&c);
        let http = RouteKind::Http;
        let ok = r.resolve(http, "app", &svc(None, "web", 80)).unwrap();
        assert_eq!((ok.namespace.as_str(), ok.port), ("app", Some(80)));
        assert_eq!(
            reason(r.resolve(http, "app", &svc(None, "nope", 80))),
            "BackendNotFound"
        );
        assert_eq!(
            reason(r.resolve(http, "app", &svc(None, "web", 99))),
            "BackendNotFound"
        );
        assert_eq!(
            reason(r.resolve(http, "app", &svc(None, "ext", 80))),
            "InvalidKind"
        );
        let mut imp = svc(None, "web", 80);
        imp.group = Some("multicluster.x-k8s.io".into());
        imp.kind = Some("ServiceImport".into());
        assert_eq!(reason(r.resolve(http, "app", &imp)), "InvalidKind");
        // Cross-namespace: permitted from `front` for HTTPRoute only.
        assert_eq!(
            reason(r.resolve(http, "front", &svc(Some("app"), "web", 80))),
            "Ok"
        );
        assert_eq!(
            reason(r.resolve(RouteKind::Grpc, "front", &svc(Some("app"), "web", 80))),
            "RefNotPermitted"
        );
        assert_eq!(
            reason(r.resolve(http, "other", &svc(Some("app"), "web", 80))),
            "RefNotPermitted"
        );
        // Without a grant the answer is RefNotPermitted whether or not the Service exists:
        // it must not tell a route author which Services exist in another namespace.
        assert_eq!(
            reason(r.resolve(http, "other", &svc(Some("app"), "gone", 80))),
            "RefNotPermitted"
        );
    }

    #[test]
    fn without_any_service_in_the_configuration_references_resolve_as_written() {
        let c = Config::from_str(
            r#"
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: app}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: front}]
  to: [{group: "", kind: Service}]
"#,
        );
        let r = resolver(&c);
        let ok = r
            .resolve(RouteKind::Http, "app", &svc(None, "web", 8080))
            .unwrap();
        assert_eq!(
            (ok.namespace.as_str(), ok.name.as_str(), ok.port),
            ("app", "web", Some(8080))
        );
        // Grants and the port requirement still apply.
        assert_eq!(
            reason(r.resolve(RouteKind::Http, "front", &svc(Some("app"), "web", 80))),
            "Ok"
        );
        assert_eq!(
            reason(r.resolve(RouteKind::Http, "other", &svc(Some("app"), "web", 80))),
            "RefNotPermitted"
        );
        let mut no_port = svc(None, "web", 80);
        no_port.port = None;
        assert_eq!(
            reason(r.resolve(RouteKind::Http, "app", &no_port)),
            "BackendNotFound"
        );
    }

    #[test]
    fn app_protocols() {
        let c = cfg();
        let r = resolver(&c);
        let k = |kind, port| reason(r.resolve(kind, "app", &svc(None, "web", port)));
        assert_eq!(k(RouteKind::Http, 81), "Ok");
        assert_eq!(k(RouteKind::Http, 82), "Ok");
        assert_eq!(k(RouteKind::Http, 83), "UnsupportedProtocol");
        assert_eq!(k(RouteKind::Grpc, 81), "Ok");
        assert_eq!(k(RouteKind::Grpc, 82), "UnsupportedProtocol");
        assert_eq!(k(RouteKind::Tls, 83), "Ok");
        assert_eq!(k(RouteKind::Tls, 81), "UnsupportedProtocol");
        assert_eq!(k(RouteKind::Http, 84), "UnsupportedProtocol");
        assert_eq!(k(RouteKind::Tcp, 85), "Ok");
        assert_eq!(k(RouteKind::Tcp, 81), "UnsupportedProtocol");
    }

    /// `problem` (route status) says exactly what `resolve` (compilation) refuses.
    #[test]
    fn problem_is_what_resolve_refuses() {
        let with = cfg();
        let without = Config::from_str("");
        for c in [&with, &without] {
            let r = resolver(c);
            let mut imp = svc(None, "web", 80);
            imp.group = Some("multicluster.x-k8s.io".into());
            imp.kind = Some("ServiceImport".into());
            let mut no_port = svc(None, "web", 80);
            no_port.port = None;
            let mut targets = vec![imp, no_port];
            for port in [80, 81, 82, 83, 84, 85, 99] {
                for ns in [None, Some("app")] {
                    for name in ["web", "nope", "ext", "gone"] {
                        targets.push(svc(ns, name, port));
                    }
                }
            }
            let kinds = [
                RouteKind::Http,
                RouteKind::Grpc,
                RouteKind::Tls,
                RouteKind::Tcp,
            ];
            let mut refused = 0;
            for kind in kinds {
                for route_ns in ["app", "front", "other"] {
                    for t in &targets {
                        let want = r.resolve(kind, route_ns, t).err();
                        refused += usize::from(want.is_some());
                        assert_eq!(
                            r.problem(kind, route_ns, t),
                            want,
                            "{kind:?} {route_ns} {t:?}"
                        );
                    }
                }
            }
            assert!(refused > 0);
        }
    }
}
