//! The objects a lookup returns: [`Match`], [`Misdirected`], [`Action`], [`Backend`] and the
//! rule's [`Policies`].

use crate::request::Stored;
use crate::{draw, guard, Router};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::IntoPyObject;
use std::borrow::Cow;
use trieway::{ActionKind, EditOp, HeaderEdit, MatchId, RouteMatch, Target};

/// A rule matched a request. Everything about it borrows from the Router, which this object
/// keeps alive.
///
/// `Match` is truthy; a lookup that finds nothing returns `None` (404) and one whose TLS SNI
/// selects another listener than its Host returns the falsy [`MISDIRECTED`](Misdirected)
/// marker (421).
#[pyclass(frozen, module = "trieway")]
pub struct Match {
    /// The Router object that produced the match; holding it keeps that object alive.
    router: Py<Router>,
    /// The match in `router` (plain indices: `m()` resolves it, without allocating).
    id: MatchId,
    request: Stored,
}

impl Match {
    /// Match `id` of the Router object `router` (an id that Router returned).
    pub(crate) fn new(router: Py<Router>, id: MatchId, request: Stored) -> Self {
        Match {
            router,
            id,
            request,
        }
    }
    /// The match, borrowed from the Router object this `Match` keeps alive.
    fn m(&self) -> RouteMatch<'_> {
        match self.router.get().router.match_by_id(self.id) {
            Some(m) => m,
            // `id` came from this very Router (see `lookup`), which always resolves it.
            None => unreachable!("match id of another Router"),
        }
    }
}

fn path_kind(k: trieway::PathKind) -> &'static str {
    match k {
        trieway::PathKind::Exact => "Exact",
        trieway::PathKind::Prefix => "PathPrefix",
        trieway::PathKind::Regex => "RegularExpression",
        _ => "Unknown",
    }
}

/// What a weighted draw gives: a backend, or the status the engine answers.
// Returned to Python at once (never stored), so the size of the Backend variant costs
// nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(IntoPyObject)]
pub enum Picked {
    /// Forward to this backend.
    Backend(Backend),
    /// The engine answers with this status (500).
    Status(u16),
}

fn picked(t: Target<'_>) -> Picked {
    match t {
        Target::Backend(b) => Picked::Backend(Backend::from(b)),
        Target::Status(s) => Picked::Status(s),
        #[allow(unreachable_patterns)]
        _ => Picked::Status(500),
    }
}

#[pymethods]
impl Match {
    /// `namespace/name` of the route.
    #[getter]
    fn route(&self) -> String {
        let r = self.m().route();
        format!("{}/{}", r.namespace, r.name)
    }
    /// Kind of the route: `HTTPRoute`, `GRPCRoute`, …
    #[getter]
    fn route_kind(&self) -> &'static str {
        self.m().route().kind.as_str()
    }
    /// Namespace of the route.
    #[getter]
    fn namespace(&self) -> &str {
        self.m().route().namespace
    }
    /// Name of the route.
    #[getter]
    fn name(&self) -> &str {
        self.m().route().name
    }
    /// Index of the rule in the route's `spec.rules`.
    #[getter]
    fn rule(&self) -> usize {
        self.m().rule_index()
    }
    /// The rule's `name`, if set.
    #[getter]
    fn rule_name(&self) -> Option<&str> {
        self.m().rule_name()
    }
    /// Index of the match within the rule's `matches`.
    #[getter]
    fn match_index(&self) -> usize {
        self.m().match_index()
    }
    /// The path condition that matched: `(kind, value)`, kind one of `Exact`, `PathPrefix`,
    /// `RegularExpression`.
    #[getter]
    fn path_match(&self) -> (&'static str, &str) {
        let (k, v) = self.m().path_match();
        (path_kind(k), v)
    }
    /// The matched route template, low-cardinality, for OpenTelemetry's `http.route`: the
    /// Exact or PathPrefix value, or the RegularExpression path as configured (with its named
    /// groups, not the request's values); for a GRPCRoute `/{service}/{method}`.
    #[getter]
    fn http_route(&self) -> &str {
        self.m().http_route()
    }
    /// The OpenTelemetry attributes to record on the request's span, in order: `http.route`,
    /// `trieway.gateway`, `trieway.listener` (absent with listener isolation off and for
    /// Ingress), `trieway.hostname`, `trieway.route.kind`, `trieway.route.namespace`,
    /// `trieway.route.name`, `trieway.rule.index` (an `int`) and `trieway.rule.name` (when
    /// the rule has one). Every value comes from the configuration, never from the request.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        use trieway::metrics::AttributeValue;
        let d = pyo3::types::PyDict::new(py);
        for (k, v) in self.m().attributes() {
            match v {
                AttributeValue::Str(s) => d.set_item(k, s)?,
                AttributeValue::Int(i) => d.set_item(k, i)?,
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        Ok(d)
    }
    /// The path parameters: the named groups of a RegularExpression path (`(?P<id>[0-9]+)`),
    /// name → value, read from the request this match was routed for. Empty for Exact and
    /// PathPrefix paths, regexes without named groups, and regexes that are not one-pass
    /// (see the README, "Path parameters").
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        guard(|| {
            let collected = self.request.collect(py)?;
            let dict = pyo3::types::PyDict::new(py);
            let pairs: Vec<(String, String)> = collected.with_request(|req| {
                use trieway::RequestView;
                self.m()
                    .params(req.path())
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect()
            });
            for (n, v) in pairs {
                dict.set_item(n, v)?;
            }
            Ok(dict)
        })
    }
    /// The effective hostname that matched (`*` for any host).
    #[getter]
    fn hostname(&self) -> &str {
        self.m().hostname()
    }
    /// Name of the listener the request was routed on (empty with `listener_isolation=False`).
    #[getter]
    fn listener(&self) -> &str {
        self.m().listener()
    }
    /// Port of that listener.
    #[getter]
    fn port(&self) -> u16 {
        self.m().port()
    }
    /// Whether the listener terminates TLS (HTTPS).
    #[getter]
    fn is_tls(&self) -> bool {
        self.m().is_tls()
    }
    /// Every backendRef of the rule (valid and invalid) with its weight: the split.
    #[getter]
    fn backends(&self) -> Vec<Backend> {
        self.m().backends().iter().map(Backend::from).collect()
    }
    /// Sum of the rule's weights.
    #[getter]
    fn total_weight(&self) -> u64 {
        self.m().total_weight()
    }
    /// Timeouts, retry and session persistence of the rule.
    #[getter]
    fn policies(&self) -> Policies {
        Policies::from(self.m().policies())
    }
    /// The rule's filters as configured (Kubernetes JSON form, camelCase keys).
    #[getter]
    fn filters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = self.m().route();
        let router = self.router.get();
        let value = router.rule_filters(r.kind, r.namespace, r.name, self.m().rule_index());
        crate::to_python(py, &value)
    }
    /// Draws a backend with `random`, a number in `[0, 1)` (as `random.random()` gives;
    /// `None`: a fast per-thread generator draws one): the backend whose share of the
    /// cumulative weights contains `random * total_weight`. Returns a `Backend` to forward
    /// to, or the status (500) the engine answers for an invalid backend's share, no
    /// backendRefs or all weights zero.
    #[pyo3(signature = (random=None))]
    fn pick(&self, random: Option<f64>) -> PyResult<Picked> {
        Ok(picked(self.m().pick(draw(random)?)))
    }
    /// The status the client gets for the draw `random` (see `pick`), assuming backends
    /// answer 200: 200 when forwarded, else the engine's answer (500).
    #[pyo3(signature = (random=None))]
    fn status(&self, random: Option<f64>) -> PyResult<u16> {
        Ok(match self.m().pick(draw(random)?) {
            Target::Status(s) => s,
            _ => 200,
        })
    }
    /// Applies the rule's filters, draws a backend with `random` (see `pick`) and applies that
    /// backend's filters, reading the request this match was routed for again. Returns what
    /// the proxy must do.
    #[pyo3(signature = (random=None))]
    fn apply(&self, py: Python<'_>, random: Option<f64>) -> PyResult<Action> {
        guard(|| {
            let random = draw(random)?;
            let collected = self.request.collect(py)?;
            Ok(collected.with_request(|req| {
                let mut action = trieway::Action::new();
                self.m().apply(req, random, &mut action);
                Action::from(&action)
            }))
        })
    }
    fn __repr__(&self) -> String {
        let m = self.m();
        let r = m.route();
        format!(
            "<trieway.Match {} {}/{} rule={} path={}:{}>",
            r.kind,
            r.namespace,
            r.name,
            m.rule_index(),
            path_kind(m.path_match().0),
            m.path_match().1
        )
    }
}

/// The answer to a request whose TLS server name (SNI) selects another listener than its Host
/// header: 421 Misdirected Request (SPEC §2.5). Falsy, so `if not result:` covers 404 and 421.
/// There is one instance, `trieway.MISDIRECTED`.
#[pyclass(frozen, module = "trieway")]
pub struct Misdirected;

#[pymethods]
impl Misdirected {
    /// Always 421.
    #[getter]
    fn status(&self) -> u16 {
        421
    }
    fn __bool__(&self) -> bool {
        false
    }
    fn __repr__(&self) -> &'static str {
        "trieway.MISDIRECTED"
    }
}

static MISDIRECTED: PyOnceLock<Py<Misdirected>> = PyOnceLock::new();

/// The `MISDIRECTED` singleton.
pub(crate) fn misdirected(py: Python<'_>) -> PyResult<Py<Misdirected>> {
    MISDIRECTED
        .get_or_try_init(py, || Py::new(py, Misdirected))
        .map(|m| m.clone_ref(py))
}

/// Which layer-4 lookup an [`L4Match`] came from.
#[derive(Clone, Copy)]
pub(crate) enum L4Kind {
    Tls,
    Tcp,
    Udp,
}

/// A TLS connection (by SNI), TCP connection or UDP flow (by port) that a TLSRoute, TCPRoute
/// or UDPRoute carries. Truthy; a lookup that finds nothing returns `None`.
#[pyclass(frozen, module = "trieway")]
pub struct L4Match {
    router: Py<Router>,
    kind: L4Kind,
    port: u16,
    sni: Option<String>,
}

impl L4Match {
    /// A match that `router.route_tls/tcp/udp(port, sni)` returned.
    pub(crate) fn new(router: Py<Router>, kind: L4Kind, port: u16, sni: Option<String>) -> Self {
        L4Match {
            router,
            kind,
            port,
            sni,
        }
    }
    /// The match, looked up again (the Router never changes, so it is the same one).
    fn with<T>(&self, f: impl FnOnce(trieway::L4Match<'_>) -> T) -> PyResult<T> {
        let router = &self.router.get().router;
        let found = match self.kind {
            L4Kind::Tls => match router.route_tls(self.port, self.sni.as_deref()) {
                trieway::TlsOutcome::Forward(m) => Some(m),
                _ => None,
            },
            L4Kind::Tcp => router.route_tcp(self.port),
            L4Kind::Udp => router.route_udp(self.port),
        };
        found.map(f).ok_or_else(|| {
            crate::InternalError::new_err("internal error in trieway: layer-4 match vanished")
        })
    }
}

#[pymethods]
impl L4Match {
    /// `namespace/name` of the route.
    #[getter]
    fn route(&self) -> PyResult<String> {
        self.with(|m| format!("{}/{}", m.route().namespace, m.route().name))
    }
    /// Kind of the route: `TLSRoute`, `TCPRoute` or `UDPRoute`.
    #[getter]
    fn route_kind(&self) -> PyResult<&'static str> {
        self.with(|m| m.route().kind.as_str())
    }
    /// Namespace of the route.
    #[getter]
    fn namespace(&self) -> PyResult<String> {
        self.with(|m| m.route().namespace.to_string())
    }
    /// Name of the route.
    #[getter]
    fn name(&self) -> PyResult<String> {
        self.with(|m| m.route().name.to_string())
    }
    /// Name of the listener the connection arrived on.
    #[getter]
    fn listener(&self) -> PyResult<String> {
        self.with(|m| m.listener().to_string())
    }
    /// The effective hostname the SNI matched (`*` for TCP and UDP).
    #[getter]
    fn hostname(&self) -> PyResult<String> {
        self.with(|m| m.hostname().to_string())
    }
    /// The listener port.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }
    /// `True` when the backend receives the client's TLS stream (TLS Passthrough); `False`
    /// when the gateway terminates TLS (and for TCP and UDP).
    #[getter]
    fn passthrough(&self) -> PyResult<bool> {
        self.with(|m| m.passthrough())
    }
    /// Every backendRef of the route's rule with its weight.
    #[getter]
    fn backends(&self) -> PyResult<Vec<Backend>> {
        self.with(|m| m.backends().iter().map(Backend::from).collect())
    }
    /// Draws a backend per connection or flow, with `random` in `[0, 1)` as `Match.pick`:
    /// a `Backend`, or the status (500) meaning "reject the connection".
    #[pyo3(signature = (random=None))]
    fn pick(&self, random: Option<f64>) -> PyResult<Picked> {
        let random = draw(random)?;
        self.with(|m| picked(m.pick(random)))
    }
    fn __repr__(&self) -> PyResult<String> {
        self.with(|m| {
            let r = m.route();
            format!(
                "<trieway.L4Match {} {}/{} port={}>",
                r.kind, r.namespace, r.name, self.port
            )
        })
    }
}

/// The answer of `Router.route_tls` when the SNI selects an HTTPS listener: terminate TLS
/// and route the requests with `Router.route`. Falsy, like `None` (reject), so
/// `if not result:` means "not forwarded as a stream". One instance, `trieway.TERMINATE`.
#[pyclass(frozen, module = "trieway")]
pub struct Terminate;

#[pymethods]
impl Terminate {
    fn __bool__(&self) -> bool {
        false
    }
    fn __repr__(&self) -> &'static str {
        "trieway.TERMINATE"
    }
}

static TERMINATE: PyOnceLock<Py<Terminate>> = PyOnceLock::new();

/// The `TERMINATE` singleton.
pub(crate) fn terminate(py: Python<'_>) -> PyResult<Py<Terminate>> {
    TERMINATE
        .get_or_try_init(py, || Py::new(py, Terminate))
        .map(|m| m.clone_ref(py))
}

/// One backendRef of a rule, resolved against the configuration's Services, with what the
/// proxy needs to dial it: the BackendTLSPolicy (`tls_*`) and the XBackendTrafficPolicy
/// (`traffic_policy`, `retry_budget`, `min_retry_rate`, `session_persistence`) in effect.
#[pyclass(frozen, eq, module = "trieway")]
#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    /// Group (`""` for core Services).
    #[pyo3(get)]
    pub group: String,
    /// Kind (`Service`).
    #[pyo3(get)]
    pub kind: String,
    /// Namespace.
    #[pyo3(get)]
    pub namespace: String,
    /// Name.
    #[pyo3(get)]
    pub name: String,
    /// Service port.
    #[pyo3(get)]
    pub port: Option<u16>,
    /// Weight (0 never receives traffic).
    #[pyo3(get)]
    pub weight: u32,
    /// The Service port's `appProtocol`, if any.
    #[pyo3(get)]
    pub app_protocol: Option<String>,
    /// Whether the reference resolved (a request drawn to an invalid backend gets 500).
    #[pyo3(get)]
    pub valid: bool,
    /// `(reason, message)` of an invalid reference, e.g. `("BackendNotFound", "...")`.
    #[pyo3(get)]
    pub problem: Option<(String, String)>,
    /// Position of the backendRef in its rule.
    #[pyo3(get)]
    pub index: usize,
    /// The BackendTLSPolicy (`namespace/name`) in effect on the Service port, if any: dial
    /// the backend over TLS.
    #[pyo3(get)]
    pub tls_policy: Option<String>,
    /// The SNI to send and, without SANs, the name to verify.
    #[pyo3(get)]
    pub tls_hostname: Option<String>,
    /// The PEM CA bundle to verify the backend with.
    #[pyo3(get)]
    pub tls_ca_bundle: Option<String>,
    /// Whether to verify with the system's trusted roots.
    #[pyo3(get)]
    pub tls_system_roots: bool,
    /// `(type, value)` of the names the backend certificate must carry one of (`Hostname` or
    /// `URI`); empty: the hostname.
    #[pyo3(get)]
    pub tls_subject_alt_names: Vec<(String, String)>,
    /// The XBackendTrafficPolicy (`namespace/name`) in effect on the Service, if any.
    #[pyo3(get)]
    pub traffic_policy: Option<String>,
    /// `(percent, interval seconds)`: retries may be at most `percent` of the active
    /// requests to the Service within the interval.
    #[pyo3(get)]
    pub retry_budget: Option<(u32, f64)>,
    /// `(count, interval seconds)`: retries always allowed whatever the budget.
    #[pyo3(get)]
    pub min_retry_rate: Option<(u32, f64)>,
    /// The policy's `sessionPersistence` as JSON text (read it with `session_persistence`).
    session_json: Option<String>,
}

impl From<&trieway::Backend> for Backend {
    fn from(b: &trieway::Backend) -> Self {
        let rate = |r: Option<(u32, std::time::Duration)>| r.map(|(n, d)| (n, d.as_secs_f64()));
        Backend {
            group: b.group().to_string(),
            kind: b.kind().to_string(),
            namespace: b.namespace().to_string(),
            name: b.name().to_string(),
            port: b.port(),
            weight: b.weight(),
            app_protocol: b.app_protocol().map(str::to_string),
            valid: b.is_valid(),
            problem: b.problem().map(|(r, m)| (r.to_string(), m.to_string())),
            index: b.index(),
            tls_policy: b.tls_policy().map(str::to_string),
            tls_hostname: b.tls_hostname().map(str::to_string),
            tls_ca_bundle: b.tls_ca_bundle().map(str::to_string),
            tls_system_roots: b.tls_system_roots(),
            tls_subject_alt_names: b
                .tls_subject_alt_names()
                .iter()
                .map(|s| (s.kind.clone(), s.value().to_string()))
                .collect(),
            traffic_policy: b.traffic_policy().map(str::to_string),
            retry_budget: rate(b.retry_budget()),
            min_retry_rate: rate(b.min_retry_rate()),
            session_json: b
                .session_persistence()
                .and_then(|s| serde_json::to_string(s).ok()),
        }
    }
}

#[pymethods]
impl Backend {
    /// The XBackendTrafficPolicy's `sessionPersistence` as written (a dict), or `None`.
    #[getter]
    fn session_persistence<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.session_json
            .as_deref()
            .map(|t| py.import("json")?.call_method1("loads", (t,)))
            .transpose()
    }

    fn __repr__(&self) -> String {
        let port = self.port.map_or(String::new(), |p| format!(":{p}"));
        let bad = self
            .problem
            .as_ref()
            .map_or(String::new(), |(r, _)| format!(" invalid={r}"));
        format!(
            "<trieway.Backend {}/{}{} weight={}{}>",
            self.namespace, self.name, port, self.weight, bad
        )
    }
}

/// A header edit: `(op, name, value)` with op `set`, `add` or `remove` (value empty).
pub type Edit = (&'static str, String, String);

fn op_name(op: EditOp) -> &'static str {
    match op {
        EditOp::Set => "set",
        EditOp::Add => "add",
        EditOp::Remove => "remove",
        #[allow(unreachable_patterns)]
        _ => "unknown",
    }
}

fn edits(list: &[HeaderEdit<'_>]) -> Vec<Edit> {
    list.iter()
        .map(|e| (op_name(e.op), e.name.to_string(), e.value.to_string()))
        .collect()
}

/// What the proxy must do with a matched request: the result of `Match.apply()`.
#[pyclass(frozen, get_all, module = "trieway")]
#[derive(Debug, Clone)]
pub struct Action {
    /// `forward` (to `backend`), `redirect` (answer `status` with `location`) or `respond`
    /// (answer `status` without a backend: 500 for an invalid backend, 200 for a CORS
    /// preflight).
    pub kind: &'static str,
    /// 200 for forwards, the redirect status, or the engine's answer.
    pub status: u16,
    /// The backend drawn (forwards only).
    pub backend: Option<Backend>,
    /// Scheme as seen by the client (`http`/`https`).
    pub scheme: &'static str,
    /// Upstream Host / `:authority` (after a URLRewrite hostname).
    pub authority: String,
    /// Upstream path and query (after a URLRewrite path).
    pub path_and_query: String,
    /// Request header edits in order, `(op, name, value)`.
    pub request_headers: Vec<Edit>,
    /// Response header edits in order (including CORS headers the engine adds).
    pub response_headers: Vec<Edit>,
    /// `Location` of a redirect, else `None`.
    pub location: Option<String>,
    /// Request mirrors to send: `(backend, percent)`.
    pub mirrors: Vec<(Backend, f64)>,
    /// ExtensionRef filters reached: `(group, kind, name)`. An unknown one must answer 500.
    pub extensions: Vec<(String, String, String)>,
    /// Timeouts, retry and session persistence of the rule.
    pub policies: Policies,
}

impl From<&trieway::Action<'_>> for Action {
    fn from(a: &trieway::Action<'_>) -> Self {
        Action {
            kind: match a.kind {
                ActionKind::Forward => "forward",
                ActionKind::Redirect => "redirect",
                _ => "respond",
            },
            status: a.status,
            backend: a.backend.map(Backend::from),
            scheme: a.scheme,
            authority: a.authority.clone(),
            path_and_query: a.path_and_query.clone(),
            request_headers: edits(&a.request_headers),
            response_headers: edits(&a.response_headers),
            location: (a.kind == ActionKind::Redirect).then(|| a.location.clone()),
            mirrors: a
                .mirrors
                .iter()
                .map(|&(backend, percent)| (Backend::from(backend), percent))
                .collect(),
            extensions: a
                .extensions
                .iter()
                .map(|e| (e.group.clone(), e.kind.clone(), e.name.clone()))
                .collect(),
            policies: a.policies.map(Policies::from).unwrap_or_default(),
        }
    }
}

/// A header line for the edit functions: `str` or `bytes` name and value.
#[derive(FromPyObject)]
pub enum Line {
    /// Text.
    Str(String, String),
    /// Bytes (kept as bytes; values need not be UTF-8).
    Bytes(Vec<u8>, Vec<u8>),
}

/// Applies `edits` to `lines` (text or byte lines) with the core's `HeaderEdit::edit_lines`
/// (SPEC §6.2): `set` replaces every line of the header, `add` appends `,value` to the last
/// line (or adds one), `remove` drops every line.
fn edit<L: trieway::HeaderLine>(edits: &[Edit], mut lines: Vec<L>) -> Vec<L> {
    let list: Vec<HeaderEdit<'_>> = edits
        .iter()
        .map(|(op, n, v)| HeaderEdit {
            op: match *op {
                "set" => EditOp::Set,
                "add" => EditOp::Add,
                _ => EditOp::Remove,
            },
            name: Cow::Borrowed(n),
            value: Cow::Borrowed(v),
        })
        .collect();
    HeaderEdit::edit_lines(&list, &mut lines);
    lines
}

/// Either all-text or all-bytes header lines.
#[derive(IntoPyObject)]
pub enum Lines {
    /// Text lines.
    Str(Vec<(String, String)>),
    /// Byte lines.
    Bytes(Vec<(Vec<u8>, Vec<u8>)>),
}

fn edit_lines(edits: &[Edit], lines: Vec<Line>) -> PyResult<Lines> {
    let all_str = lines.iter().all(|l| matches!(l, Line::Str(..)));
    if all_str && !lines.is_empty() {
        let text = lines
            .into_iter()
            .filter_map(|l| match l {
                Line::Str(n, v) => Some((n, v)),
                Line::Bytes(..) => None,
            })
            .collect();
        return Ok(Lines::Str(edit(edits, text)));
    }
    let bytes = lines
        .into_iter()
        .map(|l| match l {
            Line::Str(n, v) => (n.into_bytes(), v.into_bytes()),
            Line::Bytes(n, v) => (n, v),
        })
        .collect();
    Ok(Lines::Bytes(edit(edits, bytes)))
}

#[pymethods]
impl Action {
    /// The request header lines the backend receives: `request_headers` applied to `lines`, a
    /// list of `(name, value)` pairs, all `str` or all `bytes` (mixed lists are returned as
    /// bytes, and so is an empty list). The input is not modified.
    fn edit_request_headers(&self, lines: Vec<Line>) -> PyResult<Lines> {
        edit_lines(&self.request_headers, lines)
    }
    /// The response header lines the client receives: `response_headers` applied to `lines`
    /// (see `edit_request_headers`).
    fn edit_response_headers(&self, lines: Vec<Line>) -> PyResult<Lines> {
        edit_lines(&self.response_headers, lines)
    }
    fn __repr__(&self) -> String {
        match self.kind {
            "forward" => format!(
                "<trieway.Action forward {} {}{}>",
                self.backend
                    .as_ref()
                    .map_or("-".into(), |b| format!("{}/{}", b.namespace, b.name)),
                self.authority,
                self.path_and_query
            ),
            "redirect" => format!(
                "<trieway.Action redirect {} {}>",
                self.status,
                self.location.as_deref().unwrap_or("")
            ),
            _ => format!("<trieway.Action respond {}>", self.status),
        }
    }
}

fn secs(d: Option<(&str, std::time::Duration)>) -> Option<f64> {
    d.map(|(_, d)| d.as_secs_f64())
}

/// `timeouts` of a rule, in seconds (`0.0` means no limit).
#[pyclass(frozen, get_all, module = "trieway")]
#[derive(Debug, Clone, Default)]
pub struct Timeouts {
    /// Whole-transaction deadline.
    pub request: Option<f64>,
    /// One gateway→backend attempt.
    pub backend_request: Option<f64>,
}

/// `retry` of a rule.
#[pyclass(frozen, get_all, module = "trieway")]
#[derive(Debug, Clone, Default)]
pub struct Retry {
    /// Retries after the first try (`None`: the implementation's default).
    pub attempts: Option<u32>,
    /// Retryable statuses.
    pub codes: Vec<u16>,
    /// Minimum wait between tries, in seconds.
    pub backoff: Option<f64>,
}

/// Session persistence of a rule.
#[pyclass(frozen, get_all, module = "trieway")]
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// `Cookie` or `Header`.
    pub kind: String,
    /// Cookie or header name (`None`: generate one).
    pub name: Option<String>,
    /// Absolute timeout in seconds.
    pub absolute_timeout: Option<f64>,
    /// Idle timeout in seconds.
    pub idle_timeout: Option<f64>,
    /// Whether cookies are permanent (carry Expires/Max-Age).
    pub permanent: bool,
}

/// Everything a rule asks of the proxy besides routing (the engine does not enforce them).
#[pyclass(frozen, get_all, module = "trieway")]
#[derive(Debug, Clone, Default)]
pub struct Policies {
    /// Timeouts, if configured.
    pub timeouts: Option<Timeouts>,
    /// Retry, if configured.
    pub retry: Option<Retry>,
    /// Session persistence, if configured.
    pub session: Option<SessionPolicy>,
}

impl From<&trieway::Policies> for Policies {
    fn from(p: &trieway::Policies) -> Self {
        Policies {
            timeouts: p.has_timeouts().then(|| Timeouts {
                request: secs(p.request_timeout()),
                backend_request: secs(p.backend_request_timeout()),
            }),
            retry: p.has_retry().then(|| Retry {
                attempts: p.retry_attempts(),
                codes: p.retry_codes().to_vec(),
                backoff: secs(p.retry_backoff()),
            }),
            session: p.session_kind().map(|kind| SessionPolicy {
                kind: kind.to_string(),
                name: p.session_name().map(str::to_string),
                absolute_timeout: secs(p.session_absolute_timeout()),
                idle_timeout: secs(p.session_idle_timeout()),
                permanent: p.session_permanent(),
            }),
        }
    }
}

#[pymethods]
impl Policies {
    /// Whether nothing is configured.
    fn is_empty(&self) -> bool {
        self.timeouts.is_none() && self.retry.is_none() && self.session.is_none()
    }
    fn __repr__(&self) -> String {
        format!(
            "<trieway.Policies timeouts={} retry={} session={}>",
            self.timeouts.is_some(),
            self.retry.is_some(),
            self.session.is_some()
        )
    }
}

/// One certificate a listener serves: a Secret's `tls.crt` chain and `tls.key` (the key is
/// never shown by `repr`).
#[pyclass(frozen, module = "trieway")]
#[derive(Clone)]
pub struct Certificate {
    /// `namespace/name` of the Secret.
    #[pyo3(get)]
    pub secret: String,
    /// `tls.crt`: the chain, PEM, leaf first (empty when the Secret carried no data).
    #[pyo3(get)]
    pub chain_pem: String,
    /// `tls.key`: the private key, PEM.
    #[pyo3(get)]
    pub key_pem: String,
}

#[pymethods]
impl Certificate {
    fn __repr__(&self) -> String {
        format!(
            "<trieway.Certificate {} chain={} bytes key=<redacted>>",
            self.secret,
            self.chain_pem.len()
        )
    }
}

/// The certificates of one TLS-terminating listener (`Router.certificate_for`).
#[pyclass(frozen, get_all, module = "trieway")]
#[derive(Clone)]
pub struct ListenerCertificates {
    /// Listener name.
    pub listener: String,
    /// Port.
    pub port: u16,
    /// Listener hostname (lowercase), or `None`.
    pub hostname: Option<String>,
    /// The valid certificates, in `certificateRefs` order.
    pub certificates: Vec<Certificate>,
}

impl From<&trieway::tls::ListenerCertificates> for ListenerCertificates {
    fn from(l: &trieway::tls::ListenerCertificates) -> Self {
        ListenerCertificates {
            listener: l.listener.clone(),
            port: l.port,
            hostname: l.hostname.clone(),
            certificates: l
                .certificates
                .iter()
                .map(|c| Certificate {
                    secret: c.secret.clone(),
                    chain_pem: c.chain_pem.clone(),
                    key_pem: c.key_pem().to_string(),
                })
                .collect(),
        }
    }
}

#[pymethods]
impl ListenerCertificates {
    fn __repr__(&self) -> String {
        format!(
            "<trieway.ListenerCertificates {}:{} hostname={:?} certificates={}>",
            self.listener,
            self.port,
            self.hostname,
            self.certificates.len()
        )
    }
}
