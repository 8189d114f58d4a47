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
    fn wrap(router: Router, problems: String) -> NativeRouter {
        NativeRouter {
            core: Rc::new(Core {
                interner: RefCell::default(),
                scratch: RefCell::default(),
                router,
            }),
            token: Cell::new(None),
            problems,
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
        let mut scratch = self.scratch.try_borrow_mut().map_err(|_| busy())?;
        match request::read(&mut scratch, inputs, self.router.options().max_path_len)? {
            Read::TooLong => Ok(NOT_FOUND),
            Read::Request(req) => {
                let o = self.router.route(&req);
                if let Some(e) = req.headers.take_error() {
                    return Err(e);
                }
                self.outcome(o)
            }
        }
    }

    fn apply_inputs(&self, id: u32, inputs: &Inputs, random: f64) -> napi::Result<String> {
        let m = self.get(id)?;
        let random = fraction(random)?;
        let mut scratch = self.scratch.try_borrow_mut().map_err(|_| busy())?;
        match request::read(&mut scratch, inputs, usize::MAX)? {
            Read::TooLong => Err(js::type_error("request-target too long")),
            Read::Request(req) => {
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
    #[napi(factory)]
    pub fn compile(text: String, json: bool, options: Option<String>) -> napi::Result<Self> {
        guard(|| {
            let (opts, load) = convert::options(options.as_deref())?;
            if json {
                if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                    let err = trieway::ConfigError {
                        message: format!("invalid JSON: {e}"),
                        ..Default::default()
                    };
                    return Err(convert::config_error(&trieway::Error::Invalid(vec![err])));
                }
            }
            // Strict loading refuses unknown fields too; otherwise `unknownFields` says
            // (default: warnings).
            let policy = if load.strict {
                trieway::UnknownFields::Error
            } else {
                opts.unknown_fields
            };
            let mut config = Config::builder().with_unknown_fields(policy);
            config.add_str(&text, "<string>");
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
            let router = Router::new(&config, opts).map_err(|e| convert::config_error(&e))?;
            Ok(NativeRouter::wrap(router, problems))
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

    /// Applies match `id`'s filters to a request given like `route`'s arguments.
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

/// Panics on purpose, to prove that a Rust panic reaches JS as an error, not an abort.
#[napi(js_name = "__panicForTest")]
pub fn panic_for_test() -> napi::Result<()> {
    guard(|| panic!("deliberate panic for the test suite"))
}
