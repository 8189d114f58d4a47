//! Node.js binding of trieway (napi-rs).
//!
//! This module is the native half of the npm package `trieway`; `index.js` wraps it in
//! idiomatic classes (`Router`, `Match`, `ConfigError`). The native API is positional and
//! returns small integers on the hot path:
//!
//! - `route(...)` returns a match id (≥ 0), `-1` (not found) or `-2` (misdirected). A match id
//!   names one distinct `RouteMatch` of this router; the wrapper converts it to a JS object
//!   once (`matchInfo`) and caches it, so a lookup allocates nothing on either side.
//! - Errors are thrown as `Error`s whose message is JSON (`{"trieway": class, code, ...}`);
//!   the wrapper rethrows them as `ConfigError`, `TypeError` or `RangeError`.
//! - Every entry point catches Rust panics and throws them as errors (`code`
//!   `ERR_TRIEWAY_PANIC`), so a bug cannot abort the Node process.
#![deny(clippy::undocumented_unsafe_blocks)]

mod convert;
mod fast;
mod js;
mod live;
mod request;

use js::Raw;
use napi::bindgen_prelude::Int32Array;
use napi_derive::napi;
use request::{Inputs, Read, Scratch};
use rustc_hash::FxHashMap;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use trieway::{Action, Config, EditOp, HeaderEdit, MatchId, Outcome, RouteMatch, Router, Target};

/// `route()` result for "no route matches" (404).
const NOT_FOUND: i32 = -1;
/// `route()` result for "SNI and Host select different listeners" (421).
const MISDIRECTED: i32 = -2;

/// Runs `f`, turning a panic into a JS error instead of an abort.
pub(crate) fn guard<T>(f: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            Err(js::js_error(
                "Error",
                "ERR_TRIEWAY_PANIC",
                format!("internal error in trieway (Rust panic): {msg}"),
            ))
        }
    }
}

/// Runs a finalizer body; a panic there is dropped (it must not unwind into N-API).
pub(crate) fn catch_unwind_silently(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

/// Distinct matches seen so far, by the small integer JS holds: the core's [`MatchId`]
/// (plain indices into the router's tables), which `Router::match_by_id` turns back into the
/// match.
#[derive(Default)]
struct Interner {
    ids: FxHashMap<MatchId, u32>,
    matches: Vec<MatchId>,
}

/// Routers shared with worker threads by token (`share()` / `fromShared()`).
static SHARED: LazyLock<Mutex<FxHashMap<u64, Router>>> = LazyLock::new(Default::default);
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// The compiled router plus the state its calls reuse. Shared (`Rc`) between the
/// `NativeRouter` object and the fast functions made by `fastFunctions()`.
pub(crate) struct Core {
    interner: RefCell<Interner>,
    scratch: RefCell<Scratch>,
    router: Router,
}

/// The compiled router of one Gateway. Create it with `compile` (or `fromShared`).
#[napi]
pub struct NativeRouter {
    core: Rc<Core>,
    token: Cell<Option<u64>>,
    problems: String,
    /// The configuration the router was compiled from (for `explain`'s not-attached routes);
    /// `None` for a router made by `fromShared`.
    config: Option<Config>,
}

impl Drop for NativeRouter {
    fn drop(&mut self) {
        self.unshare_inner();
    }
}

fn busy() -> napi::Error {
    js::js_error(
        "Error",
        "ERR_TRIEWAY_REENTRANT",
        "router is already in a call on this thread (a header getter called back into it?)",
    )
}

impl NativeRouter {
    pub(crate) fn wrap(router: Router, problems: String, config: Option<Config>) -> NativeRouter {
        NativeRouter {
            core: Rc::new(Core {
                interner: RefCell::default(),
                scratch: RefCell::default(),
                router,
            }),
            token: Cell::new(None),
            problems,
            config,
        }
    }

    fn unshare_inner(&self) {
        if let Some(t) = self.token.take() {
            if let Ok(mut map) = SHARED.lock() {
                map.remove(&t);
            }
        }
    }
}

impl Core {
    /// The id of a match, interning it on first sight.
    fn intern(&self, m: RouteMatch<'_>) -> napi::Result<i32> {
        let mut interner = self.interner.try_borrow_mut().map_err(|_| busy())?;
        let k = m.id();
        if let Some(&id) = interner.ids.get(&k) {
            return Ok(id as i32);
        }
        let id = interner.matches.len() as u32;
        interner.matches.push(k);
        interner.ids.insert(k, id);
        Ok(id as i32)
    }

    /// The match with id `id`, borrowed for the lifetime of `&self`.
    fn get(&self, id: u32) -> napi::Result<RouteMatch<'_>> {
        let interner = self.interner.try_borrow().map_err(|_| busy())?;
        interner
            .matches
            .get(id as usize)
            .and_then(|&k| self.router.match_by_id(k))
            .ok_or_else(|| js::js_error("RangeError", "ERR_OUT_OF_RANGE", "unknown match id"))
    }

    fn outcome(&self, o: Outcome<'_>) -> napi::Result<i32> {
        match o {
            Outcome::Matched(m) => self.intern(m),
            Outcome::Misdirected => Ok(MISDIRECTED),
            _ => Ok(NOT_FOUND),
        }
    }

    pub(crate) fn route_inputs(&self, inputs: &Inputs) -> napi::Result<i32> {
        self.route_as(inputs, false)
    }

    /// Routes `inputs` as an HTTP request (`grpc == false`) or a gRPC call.
    fn route_as(&self, inputs: &Inputs, grpc: bool) -> napi::Result<i32> {
        let mut scratch = self.scratch.try_borrow_mut().map_err(|_| busy())?;
        let read = request::read(&mut scratch, inputs, self.router.options().max_path_len)?;
        self.route_read(read, grpc)
    }

    /// Routes `method host path` with no headers, port or SNI: `routeSimple`, which the JS
    /// wrapper's `route()` calls when the request has none of them.
    pub(crate) fn route_simple(&self, method: Raw, host: Raw, path: Raw) -> napi::Result<i32> {
        let mut scratch = self.scratch.try_borrow_mut().map_err(|_| busy())?;
        let max = self.router.options().max_path_len;
        let read = request::read_simple(&mut scratch, method, host, path, max)?;
        self.route_read(read, false)
    }

    #[inline]
    fn route_read(&self, read: Read<'_>, grpc: bool) -> napi::Result<i32> {
        match read {
            Read::TooLong => Ok(NOT_FOUND),
            Read::Request(req) => {
                let o = if grpc {
                    self.router.route_grpc(&req)
                } else {
                    self.router.route(&req)
                };
                if let Some(e) = req.headers.take_error() {
                    return Err(e);
                }
                self.outcome(o)
            }
        }
    }

    /// Applies match `id` to the request `inputs`, which must be one that routes to that
    /// match (by `route` or `route_grpc`): a Match is bound to the request that was routed,
    /// so a different request is refused instead of getting another rule's action.
    fn apply_inputs(&self, id: u32, inputs: &Inputs, random: f64) -> napi::Result<String> {
        let m = self.get(id)?;
        let random = fraction(random)?;
        let mut scratch = self.scratch.try_borrow_mut().map_err(|_| busy())?;
        match request::read(&mut scratch, inputs, self.router.options().max_path_len)? {
            Read::TooLong => Err(other_request(&m, None)),
            Read::Request(req) => {
                let same = |o: &Outcome<'_>| o.matched().is_some_and(|r| r.id() == m.id());
                let routed = self.router.route(&req);
                if !same(&routed) {
                    let grpc = self.router.route_grpc(&req);
                    if !same(&grpc) {
                        if let Some(e) = req.headers.take_error() {
                            return Err(e);
                        }
                        return Err(other_request(&m, routed.matched().or(grpc.matched())));
                    }
                }
                if let Some(e) = req.headers.take_error() {
                    return Err(e);
                }
                let mut action = Action::new();
                m.apply(&req, random, &mut action);
                if let Some(e) = req.headers.take_error() {
                    return Err(e);
                }
                Ok(convert::action(&action))
            }
        }
    }
}

/// The error of `apply()` given a request that does not route to the match.
fn other_request(m: &RouteMatch<'_>, routed: Option<&RouteMatch<'_>>) -> napi::Error {
    let r = m.route();
    let got = match routed {
        Some(o) => format!(
            "routes to {}/{} rule {}",
            o.route().namespace,
            o.route().name,
            o.rule_index()
        ),
        None => "routes nowhere".to_string(),
    };
    js::js_error(
        "Error",
        "ERR_TRIEWAY_OTHER_REQUEST",
        format!(
            "apply(): this Match is {}/{} rule {}, but the request given {got}; pass the \
             request that was routed",
            r.namespace,
            r.name,
            m.rule_index()
        ),
    )
}

/// A compile that runs on the libuv thread pool (`compileAsync`, `loadAsync`).
pub struct CompileTask {
    source: Source,
    options: Option<String>,
    ingress: Option<Option<String>>,
}

/// Where a configuration comes from.
pub(crate) enum Source {
    /// YAML or JSON text (`json`: JSON only).
    Text { text: String, json: bool },
    /// A file, or a directory of `.yaml`/`.yml`/`.json` files.
    Path(String),
}

impl napi::Task for CompileTask {
    type Output = (Router, String, Config);
    type JsValue = NativeRouter;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let source = std::mem::replace(&mut self.source, Source::Path(String::new()));
        guard(|| compile_router(source, self.options.as_deref(), self.ingress.take()))
    }

    fn resolve(&mut self, _env: napi::Env, output: Self::Output) -> napi::Result<NativeRouter> {
        Ok(NativeRouter::wrap(output.0, output.1, Some(output.2)))
    }
}

/// Loads and compiles a configuration: the Gateway the options name, or with
/// `ingress = Some(class)` the Ingresses of that IngressClass (`None`: every Ingress).
/// Returns the Router and the configuration's problems as JSON (`{errors, warnings}`).
fn compile_router(
    source: Source,
    options: Option<&str>,
    ingress: Option<Option<String>>,
) -> napi::Result<(Router, String, Config)> {
    let (opts, config, problems) = load_config(source, options)?;
    let router = match ingress {
        None => Router::new(&config, opts).map_err(|e| convert::config_error(&e))?,
        Some(class) => Router::from_ingress(&config, class.as_deref(), opts),
    };
    Ok((router, problems, config))
}

/// Loads a configuration (refused under `strict` if any object is invalid): the options, the
/// configuration, and its problems as JSON (`{errors, warnings}`).
pub(crate) fn load_config(
    source: Source,
    options: Option<&str>,
) -> napi::Result<(trieway::Options, Config, String)> {
    let (mut opts, load) = convert::options(options)?;
    if let Source::Text { text, json: true } = &source {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
            let err = trieway::ConfigError {
                message: format!("invalid JSON: {e}"),
                ..Default::default()
            };
            return Err(convert::config_error(&trieway::Error::Invalid(vec![err])));
        }
    }
    // Strict loading refuses unknown fields too; otherwise `unknownFields` says (default:
    // warnings).
    let policy = if load.strict {
        trieway::UnknownFields::Error
    } else {
        opts.unknown_fields
    };
    let mut config = Config::builder().with_unknown_fields(policy);
    match &source {
        Source::Text { text, .. } => config.add_str(text, "<string>"),
        Source::Path(path) => config
            .add_path(std::path::Path::new(path))
            .map_err(|e| convert::config_error(&e))?,
    }
    let config = config.finish();
    let problems = serde_json::json!({
        "errors": config.errors().iter().map(convert::issue).collect::<Vec<_>>(),
        "warnings": config.warnings().iter().map(convert::issue).collect::<Vec<_>>(),
    })
    .to_string();
    let config = if load.strict {
        config.strict().map_err(|e| convert::config_error(&e))?
    } else {
        config
    };
    // A Live applies change sets with the same policy: under `strict`, unknown fields reject.
    opts.unknown_fields = policy;
    Ok((opts, config, problems))
}

/// Maps a JS random number in `[0, 1)` onto the full `u64` range.
fn fraction(r: f64) -> napi::Result<u64> {
    if !(0.0..1.0).contains(&r) {
        return Err(js::js_error(
            "RangeError",
            "ERR_OUT_OF_RANGE",
            format!("random must be a number in [0, 1), got {r}"),
        ));
    }
    Ok((r * 18_446_744_073_709_551_616.0) as u64)
}

#[napi]
impl NativeRouter {
    /// Loads YAML or JSON text and compiles it. `options` is JSON text (see `index.d.ts`).
    /// `ingress`: compile the Ingresses instead of a Gateway: those of IngressClass
    /// `ingress_class`, or every Ingress when it is `null`/`undefined`.
    #[napi(factory)]
    pub fn compile(
        text: String,
        json: bool,
        options: Option<String>,
        ingress: bool,
        ingress_class: Option<String>,
    ) -> napi::Result<Self> {
        guard(|| {
            let ingress = ingress.then_some(ingress_class);
            let (router, problems, config) =
                compile_router(Source::Text { text, json }, options.as_deref(), ingress)?;
            Ok(NativeRouter::wrap(router, problems, Some(config)))
        })
    }

    /// `compile` on the libuv thread pool: a Promise of the router.
    #[napi(ts_return_type = "Promise<NativeRouter>")]
    pub fn compile_async(
        text: String,
        json: bool,
        options: Option<String>,
        ingress: bool,
        ingress_class: Option<String>,
    ) -> napi::bindgen_prelude::AsyncTask<CompileTask> {
        napi::bindgen_prelude::AsyncTask::new(CompileTask {
            source: Source::Text { text, json },
            options,
            ingress: ingress.then_some(ingress_class),
        })
    }

    /// Loads a file, or every `.yaml`, `.yml` and `.json` file below a directory (sorted),
    /// and compiles it like `compile`.
    #[napi(factory)]
    pub fn load(path: String, options: Option<String>) -> napi::Result<Self> {
        guard(|| {
            let (router, problems, config) =
                compile_router(Source::Path(path), options.as_deref(), None)?;
            Ok(NativeRouter::wrap(router, problems, Some(config)))
        })
    }

    /// `load` on the libuv thread pool: a Promise of the router.
    #[napi(ts_return_type = "Promise<NativeRouter>")]
    pub fn load_async(
        path: String,
        options: Option<String>,
    ) -> napi::bindgen_prelude::AsyncTask<CompileTask> {
        napi::bindgen_prelude::AsyncTask::new(CompileTask {
            source: Source::Path(path),
            options,
            ingress: None,
        })
    }

    /// A router that shares the compiled table registered under `token` by `share()` (in
    /// this or another worker thread of the same process).
    #[napi(factory)]
    pub fn from_shared(token: f64) -> napi::Result<Self> {
        guard(|| {
            let map = SHARED
                .lock()
                .map_err(|_| js::type_error("shared router registry poisoned"))?;
            let router = map.get(&(token as u64)).cloned().ok_or_else(|| {
                js::js_error(
                    "Error",
                    "ERR_TRIEWAY_SHARED_GONE",
                    format!("no shared router with token {token} (released or never shared)"),
                )
            })?;
            Ok(NativeRouter::wrap(
                router,
                r#"{"errors":[],"warnings":[]}"#.into(),
                None,
            ))
        })
    }

    /// Registers the compiled table for `fromShared` and returns its token. The registration
    /// lasts until `unshare()` or until this object is garbage-collected.
    #[napi]
    pub fn share(&self) -> napi::Result<f64> {
        guard(|| {
            if let Some(t) = self.token.get() {
                return Ok(t as f64);
            }
            let t = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
            SHARED
                .lock()
                .map_err(|_| js::type_error("shared router registry poisoned"))?
                .insert(t, self.core.router.clone());
            self.token.set(Some(t));
            Ok(t as f64)
        })
    }

    /// Ends the registration made by `share()` (routers already created from it keep working).
    #[napi]
    pub fn unshare(&self) -> napi::Result<()> {
        guard(|| {
            self.unshare_inner();
            Ok(())
        })
    }

    /// Routes `{method, host, path, headers, port, sni}` given positionally. `path` is the
    /// request-target (`/path?query`); `headers` is `undefined`, an object or a flat array.
    #[napi]
    pub fn route(
        &self,
        method: Raw,
        host: Raw,
        path: Raw,
        headers: Raw,
        port: Raw,
        sni: Raw,
    ) -> napi::Result<i32> {
        guard(|| {
            self.core.route_inputs(&Inputs {
                method,
                host: Some(host),
                target: path,
                headers,
                port,
                sni: Some(sni),
                scheme: None,
                raw: false,
            })
        })
    }

    /// Routes an `http.IncomingMessage`'s parts: method, url, rawHeaders (the host is read
    /// from `rawHeaders`), port and SNI.
    #[napi]
    pub fn route_raw(
        &self,
        method: Raw,
        url: Raw,
        raw_headers: Raw,
        port: Raw,
        sni: Raw,
    ) -> napi::Result<i32> {
        guard(|| {
            self.core.route_inputs(&Inputs {
                method,
                host: None,
                target: url,
                headers: raw_headers,
                port,
                sni: Some(sni),
                scheme: None,
                raw: true,
            })
        })
    }

    /// Routes many request-targets that share method, host and headers (the fastest batch).
    #[napi]
    pub fn route_paths(
        &self,
        method: Raw,
        host: Raw,
        paths: Raw,
        headers: Raw,
        port: Raw,
    ) -> napi::Result<Int32Array> {
        guard(|| {
            if !paths.is_array() {
                return Err(js::type_error("paths must be an array of strings"));
            }
            let n = paths.array_len();
            let mut out = Vec::with_capacity(n as usize);
            for i in 0..n {
                out.push(self.core.route_inputs(&Inputs {
                    method,
                    host: Some(host),
                    target: paths.element(i, "a path")?,
                    headers,
                    port,
                    sni: None,
                    scheme: None,
                    raw: false,
                })?);
            }
            Ok(Int32Array::new(out))
        })
    }

    /// Routes a gRPC call `{method, host, path, headers, port, sni}` given positionally
    /// (`method` is `POST`, `path` is `/package.Service/Method`) over the GRPCRoutes.
    #[napi]
    pub fn route_grpc(
        &self,
        method: Raw,
        host: Raw,
        path: Raw,
        headers: Raw,
        port: Raw,
        sni: Raw,
    ) -> napi::Result<i32> {
        guard(|| {
            self.core.route_as(
                &Inputs {
                    method,
                    host: Some(host),
                    target: path,
                    headers,
                    port,
                    sni: Some(sni),
                    scheme: None,
                    raw: false,
                },
                true,
            )
        })
    }

    /// Routes a TLS connection (`kind` "tls", by `port` and `sni`), TCP connection ("tcp") or
    /// UDP flow ("udp", by `port`): JSON `{route, listener, hostname, passthrough, backends}`,
    /// `"terminate"` (TLS only: the SNI selects an HTTPS listener) or `null` (reject).
    #[napi]
    pub fn route_l4(
        &self,
        kind: String,
        port: u32,
        sni: Option<String>,
    ) -> napi::Result<Option<String>> {
        guard(|| {
            let port = l4_port(port)?;
            let router = &self.core.router;
            let found = match kind.as_str() {
                "tls" => match router.route_tls(port, sni.as_deref()) {
                    trieway::TlsOutcome::Forward(m) => Some(m),
                    trieway::TlsOutcome::Http => return Ok(Some("\"terminate\"".into())),
                    _ => None,
                },
                "tcp" => router.route_tcp(port),
                "udp" => router.route_udp(port),
                _ => return Err(js::type_error(format!("unknown layer-4 kind {kind}"))),
            };
            Ok(found.map(|m| convert::l4_match(&m).to_string()))
        })
    }

    /// The certificates a TLS handshake on `port` with server name `sni` presents, as JSON
    /// (`null`: no usable TLS-terminating listener serves it); with `port` 0, every usable
    /// TLS-terminating listener's, as a JSON array.
    #[napi]
    pub fn certificates(&self, port: u32, sni: Option<String>) -> napi::Result<Option<String>> {
        guard(|| {
            let router = &self.core.router;
            if port == 0 {
                let all: Vec<serde_json::Value> = router
                    .listener_certificates()
                    .iter()
                    .map(convert::listener_certificates)
                    .collect();
                return Ok(Some(serde_json::Value::from(all).to_string()));
            }
            let port = l4_port(port)?;
            Ok(router
                .certificate_for(port, sni.as_deref())
                .map(|l| convert::listener_certificates(l).to_string()))
        })
    }

    /// The client-certificate validation of `port` as JSON (`null`: none), and the decision
    /// for a handshake whose client certificate is `client` (`absent`, `valid`, `invalid`):
    /// `[validation, decision]`.
    #[napi]
    pub fn frontend(&self, port: u32, client: String) -> napi::Result<String> {
        guard(|| {
            let port = l4_port(port)?;
            let router = &self.core.router;
            let client = match client.as_str() {
                "absent" => trieway::tls::ClientCertificate::Absent,
                "valid" => trieway::tls::ClientCertificate::Valid,
                "invalid" => trieway::tls::ClientCertificate::Invalid,
                other => {
                    return Err(js::type_error(format!(
                        "client must be 'absent', 'valid' or 'invalid', not {other:?}"
                    )))
                }
            };
            let validation = router.frontend_validation(port).map(|v| {
                serde_json::json!({
                    "port": v.port,
                    "mode": v.mode.as_str(),
                    "caBundlePem": v.ca_bundle_pem,
                    "caConfigMaps": v.ca_config_maps,
                    "source": v.source,
                    "usable": v.usable(),
                })
            });
            let decision = match router.client_certificate_decision(port, client) {
                trieway::tls::ClientDecision::Accept => "accept",
                trieway::tls::ClientDecision::Reject => "reject",
                trieway::tls::ClientDecision::InsecureFallback => "insecureFallback",
            };
            Ok(serde_json::json!([validation, decision]).to_string())
        })
    }

    /// Draws a backend of the layer-4 match `route_l4(kind, port, sni)` returns, with
    /// `random` in `[0, 1)`: the backend's index, or the negated status (reject).
    #[napi]
    pub fn pick_l4(
        &self,
        kind: String,
        port: u32,
        sni: Option<String>,
        random: f64,
    ) -> napi::Result<i32> {
        guard(|| {
            let port = l4_port(port)?;
            let random = fraction(random)?;
            let router = &self.core.router;
            let found = match kind.as_str() {
                "tls" => match router.route_tls(port, sni.as_deref()) {
                    trieway::TlsOutcome::Forward(m) => Some(m),
                    _ => None,
                },
                "tcp" => router.route_tcp(port),
                _ => router.route_udp(port),
            };
            let m = found.ok_or_else(|| js::type_error("no layer-4 match to draw from"))?;
            Ok(match m.pick(random) {
                Target::Backend(b) => b.index() as i32,
                Target::Status(s) => -i32::from(s),
                _ => -500,
            })
        })
    }

    /// `{route, routeRaw}`: the same as the methods of that name, as plain functions that
    /// skip napi-rs's per-call method machinery (this-unwrapping and borrow tracking). They
    /// keep the router alive by themselves.
    #[napi(ts_return_type = "{ route: Function, routeRaw: Function }")]
    pub fn fast_functions(&self, env: napi::Env) -> napi::Result<fast::RawValue> {
        guard(|| fast::functions(env.raw(), &self.core))
    }

    /// The match with id `id` as JSON (the wrapper caches the parsed object).
    #[napi]
    pub fn match_info(&self, id: u32) -> napi::Result<String> {
        guard(|| Ok(convert::route_match(&self.core.get(id)?).to_string()))
    }

    /// The path parameters of match `id` for request-target `target` (its path, before any
    /// `?`), as a JSON object `{name: value}`.
    #[napi]
    pub fn params(&self, id: u32, target: String) -> napi::Result<String> {
        guard(|| {
            let m = self.core.get(id)?;
            let req = trieway::Request::new("", "", &target);
            let map: serde_json::Map<String, serde_json::Value> = m
                .params(req.path)
                .map(|(n, v)| (n.to_string(), v.into()))
                .collect();
            Ok(serde_json::Value::Object(map).to_string())
        })
    }

    /// Draws a backend of match `id` with `random` in `[0, 1)`: the backend's index, or the
    /// negated status the engine answers with (e.g. `-500`).
    #[napi]
    pub fn pick(&self, id: u32, random: f64) -> napi::Result<i32> {
        guard(|| {
            let m = self.core.get(id)?;
            Ok(match m.pick(fraction(random)?) {
                Target::Backend(b) => b.index() as i32,
                Target::Status(s) => -i32::from(s),
                _ => -500,
            })
        })
    }

    /// Applies match `id`'s filters to a request given like `route`'s arguments. The request
    /// must route to match `id` (with `route` or `routeGrpc`).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &self,
        id: u32,
        method: Raw,
        host: Raw,
        path: Raw,
        headers: Raw,
        port: Raw,
        sni: Raw,
        scheme: Raw,
        random: f64,
    ) -> napi::Result<String> {
        guard(|| {
            self.core.apply_inputs(
                id,
                &Inputs {
                    method,
                    host: Some(host),
                    target: path,
                    headers,
                    port,
                    sni: Some(sni),
                    scheme: Some(scheme),
                    raw: false,
                },
                random,
            )
        })
    }

    /// Applies match `id`'s filters to an `http.IncomingMessage`'s parts.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn apply_raw(
        &self,
        id: u32,
        method: Raw,
        url: Raw,
        raw_headers: Raw,
        port: Raw,
        sni: Raw,
        scheme: Raw,
        random: f64,
    ) -> napi::Result<String> {
        guard(|| {
            self.core.apply_inputs(
                id,
                &Inputs {
                    method,
                    host: None,
                    target: url,
                    headers: raw_headers,
                    port,
                    sni: Some(sni),
                    scheme: Some(scheme),
                    raw: true,
                },
                random,
            )
        })
    }

    /// The explanation of how `route` (`grpc == false`) or `routeGrpc` decides for the
    /// request given like `route`'s arguments (plus `scheme`), as JSON (the shape of
    /// `trieway explain -o json`). The path length limit does not apply: an over-long path
    /// is explained (a note says so).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn explain(
        &self,
        method: Raw,
        host: Raw,
        path: Raw,
        headers: Raw,
        port: Raw,
        sni: Raw,
        scheme: Raw,
        grpc: bool,
    ) -> napi::Result<String> {
        guard(|| {
            let inputs = Inputs {
                method,
                host: Some(host),
                target: path,
                headers,
                port,
                sni: Some(sni),
                scheme: Some(scheme),
                raw: false,
            };
            let mut scratch = Scratch::default();
            let router = &self.core.router;
            let e = match request::read(&mut scratch, &inputs, usize::MAX)? {
                Read::Request(req) => {
                    let e = match (&self.config, grpc) {
                        (Some(c), false) => router.explain_with(c, &req),
                        (Some(c), true) => router.explain_grpc_with(c, &req),
                        (None, false) => router.explain(&req),
                        (None, true) => router.explain_grpc(&req),
                    };
                    if let Some(err) = req.headers.take_error() {
                        return Err(err);
                    }
                    e
                }
                Read::TooLong => {
                    return Err(js::type_error("request path too long to explain"));
                }
            };
            serde_json::to_string(&e).map_err(|e| napi::Error::from_reason(e.to_string()))
        })
    }

    /// The lookup counters as JSON (`{gateway, rules, listeners}`), or `null` unless the
    /// router was compiled with `counters: true`.
    #[napi]
    pub fn stats(&self) -> napi::Result<Option<String>> {
        guard(|| {
            self.core
                .router
                .stats()
                .map(|s| serde_json::to_string(&s))
                .transpose()
                .map_err(|e| napi::Error::from_reason(e.to_string()))
        })
    }

    /// The counters in the Prometheus text format (0.0.4), or `null` without counters.
    #[napi]
    pub fn prometheus_text(&self) -> napi::Result<Option<String>> {
        guard(|| {
            Ok(self
                .core
                .router
                .stats()
                .map(|s| trieway::metrics::prometheus_text(&s)))
        })
    }

    /// The attachment report (routes' and listeners' conditions) as JSON.
    #[napi]
    pub fn report(&self) -> napi::Result<String> {
        guard(|| {
            serde_json::to_string(self.core.router.report())
                .map_err(|e| napi::Error::from_reason(e.to_string()))
        })
    }

    /// Problems of the loaded configuration (`{errors, warnings}`) as JSON. With the default
    /// strict loading `errors` is always empty.
    #[napi]
    pub fn problems(&self) -> String {
        self.problems.clone()
    }

    /// `namespace/name` of the Gateway served.
    #[napi]
    pub fn gateway(&self) -> String {
        self.core.router.gateway().to_string()
    }
}

/// Applies header edits, flattened as `[op, name, value, ...]`, to a flat
/// `[name, value, ...]` list with the core's `HeaderEdit::edit_lines` (SPEC §6.2); edits with
/// another op than `set`, `add` or `remove` are skipped. The wrapper checks the arguments.
#[napi(js_name = "editHeaders")]
pub fn edit_headers(edits: Vec<String>, raw_headers: Vec<String>) -> napi::Result<Vec<String>> {
    guard(|| {
        if !edits.len().is_multiple_of(3) || !raw_headers.len().is_multiple_of(2) {
            return Err(js::type_error(
                "editHeaders: edits must be [op, name, value, ...], headers [name, value, ...]",
            ));
        }
        let list: Vec<HeaderEdit<'_>> = edits
            .chunks_exact(3)
            .filter_map(|e| {
                let op = match e[0].as_str() {
                    "set" => EditOp::Set,
                    "add" => EditOp::Add,
                    "remove" => EditOp::Remove,
                    _ => return None,
                };
                Some(HeaderEdit {
                    op,
                    name: e[1].as_str().into(),
                    value: e[2].as_str().into(),
                })
            })
            .collect();
        let mut it = raw_headers.into_iter();
        let mut lines: Vec<(String, String)> = Vec::with_capacity(it.len() / 2);
        while let (Some(n), Some(v)) = (it.next(), it.next()) {
            lines.push((n, v));
        }
        trieway::HeaderEdit::edit_lines(&list, &mut lines);
        Ok(lines.into_iter().flat_map(|(n, v)| [n, v]).collect())
    })
}

/// The `trieway check --output json` report of YAML or JSON text (without `ok` and
/// `failures`), as JSON: every configuration problem (unknown fields are errors) and the
/// status conditions of every GatewayClass, Gateway, ListenerSet, route and listener. Never
/// throws for an invalid configuration.
#[napi]
pub fn check(text: String, controller_name: Option<String>) -> napi::Result<String> {
    guard(|| {
        let mut config = Config::builder().with_unknown_fields(trieway::UnknownFields::Error);
        config.add_str(&text, "<string>");
        let config = config.finish();
        let report = trieway::Report::attach(&config, controller_name.as_deref());
        let mut warnings: Vec<serde_json::Value> =
            config.warnings().iter().map(convert::issue).collect();
        warnings.extend(report.warnings.iter().map(|w| {
            serde_json::json!({"kind": "", "object": "", "origin": null, "field": "",
                "message": w, "text": w})
        }));
        let mut out = serde_json::to_value(&report).map_err(|e| js::type_error(e.to_string()))?;
        if let Some(o) = out.as_object_mut() {
            o.insert(
                "errors".into(),
                config.errors().iter().map(convert::issue).collect(),
            );
            o.insert("warnings".into(), warnings.into());
        }
        Ok(out.to_string())
    })
}

/// A layer-4 lookup's port: 1 to 65535.
fn l4_port(port: u32) -> napi::Result<u16> {
    u16::try_from(port).ok().filter(|&p| p != 0).ok_or_else(|| {
        js::js_error(
            "RangeError",
            "ERR_OUT_OF_RANGE",
            format!("port must be an integer from 1 to 65535, got {port}"),
        )
    })
}

/// Panics on purpose, to prove that a Rust panic reaches JS as an error, not an abort. Not
/// part of the API (the package does not export it): it panics only when the environment
/// variable `TRIEWAY_PANIC_TEST=1` is set, else throws a plain error.
#[napi(js_name = "__panicForTest")]
pub fn panic_for_test() -> napi::Result<()> {
    guard(|| {
        if std::env::var_os("TRIEWAY_PANIC_TEST").is_some_and(|v| v == "1") {
            panic!("deliberate panic for the test suite")
        }
        Err(js::type_error("__panicForTest needs TRIEWAY_PANIC_TEST=1"))
    })
}
