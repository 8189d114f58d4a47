//! Applying a match: [`Action`] is what the proxy must do with a matched request, written by
//! [`RouteMatch::apply`] from the filters `crate::compile::filter` compiled (header edits, path
//! rewrites and redirects with their `Location`, CORS answers, mirrors). Applying filters is a
//! separate step from the lookup; it writes into a reusable `Action` and, once the action's
//! buffers have grown, allocates nothing for header and path edits.

use crate::compile::backend::{Backend, Target};
use crate::compile::filter::{
    CompiledHeaders, Cors, EditOp, Filter, NginxFilter, PathMod, Redirect,
};
use crate::model::LocalObjectReference;
use crate::policy::Policies;
use crate::request::{authority_host, is_token, RequestView};
use crate::router::RouteMatch;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::ControlFlow;

/// One header edit, in the order the proxy must apply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderEdit<'r> {
    /// What to do.
    pub op: EditOp,
    /// Header name as configured (compare case-insensitively).
    pub name: Cow<'r, str>,
    /// Value (empty for `Remove`).
    pub value: Cow<'r, str>,
}

impl CompiledHeaders {
    /// Appends the edits, borrowed, in application order.
    pub(crate) fn push_into<'r>(&'r self, out: &mut Vec<HeaderEdit<'r>>) {
        out.extend(self.edits.iter().map(|(op, n, v)| HeaderEdit {
            op: *op,
            name: Cow::Borrowed(n),
            value: Cow::Borrowed(v),
        }));
    }
}

/// `ReplacePrefixMatch`: `r + rest` where `p`/`r` lose one trailing `/`, or `/`. `rest` is
/// `path` without its first `p.len()` bytes: `/foo/bar` with prefix `/foo` and replacement
/// `/xyz` gives `/xyz/bar`; prefix `/` and replacement `/api` turn `/x` into `/api/x`.
pub fn replace_prefix(path: &str, matched_prefix: &str, replacement: &str, out: &mut String) {
    let p = matched_prefix.strip_suffix('/').unwrap_or(matched_prefix);
    let rest = path.get(p.len()..).unwrap_or("");
    let r = replacement.strip_suffix('/').unwrap_or(replacement);
    out.clear();
    out.push_str(r);
    out.push_str(rest);
    if out.is_empty() {
        out.push('/');
    }
}
/// What the proxy should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ActionKind {
    /// Forward to [`Action::backend`] with the edits applied.
    #[default]
    Forward,
    /// Answer with [`Action::status`] and a `Location` header ([`Action::location`]).
    Redirect,
    /// Answer with [`Action::status`] without contacting a backend (500 for an invalid
    /// backend, 200 for a CORS preflight, 404 when nothing matched, 400 for a redirect that
    /// would copy the request's host when it has no valid one).
    Respond,
}

/// What applying a match's filters produced. Reuse one `Action` across requests: its buffers
/// keep their capacity.
#[derive(Debug, Default)]
pub struct Action<'r> {
    /// Forward, redirect or respond.
    pub kind: ActionKind,
    /// 200 for forwards, the redirect status, or the engine's answer.
    pub status: u16,
    /// The backend drawn (forwards only).
    pub backend: Option<&'r Backend>,
    /// Upstream scheme as seen by the client (`http`/`https`).
    pub scheme: &'static str,
    /// Upstream Host / `:authority`: the configured rewrite, else the request's authority when
    /// it is a valid `host[:port]`, else empty (never a value with control bytes).
    pub authority: String,
    /// Upstream path and query.
    pub path_and_query: String,
    /// Request header edits, in order.
    pub request_headers: Vec<HeaderEdit<'r>>,
    /// Response header edits, in order (including CORS headers the engine generates).
    pub response_headers: Vec<HeaderEdit<'r>>,
    /// `Location` of a redirect: `scheme://host[:port]/path[?query]` where the host is the
    /// configured one or the request's valid host (a request without one gets 400 instead),
    /// and control bytes and spaces of the path and query are percent-encoded.
    pub location: String,
    /// Request mirrors to send (fire and forget): the target and the share of requests to
    /// mirror, 0–100.
    pub mirrors: Vec<(&'r Backend, f64)>,
    /// ExtensionRef filters reached, for the embedder (an unknown one must answer 500).
    pub extensions: Vec<&'r LocalObjectReference>,
    /// Timeouts, retry and session persistence of the rule.
    pub policies: Option<&'r Policies>,
    scratch: String,
}

impl<'r> Action<'r> {
    /// An empty action.
    pub fn new() -> Self {
        Action::default()
    }

    fn reset(&mut self) {
        self.kind = ActionKind::Forward;
        self.status = 200;
        self.backend = None;
        self.scheme = "http";
        self.authority.clear();
        self.path_and_query.clear();
        self.request_headers.clear();
        self.response_headers.clear();
        self.location.clear();
        self.mirrors.clear();
        self.extensions.clear();
        self.policies = None;
    }

    /// Applies the request edits to a list of `(name, value)` lines: what the backend receives
    /// (`set` replaces all lines, `add` appends to the last value with `,`, `remove` drops all
    /// lines). Allocates; meant for tools and tests. [`HeaderEdit::edit_lines`] does the same in place,
    /// on text or byte lines.
    pub fn edit_headers(
        edits: &[HeaderEdit<'_>],
        lines: &[(String, String)],
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = lines.to_vec();
        HeaderEdit::edit_lines(edits, &mut out);
        out
    }
}

/// A header line [`HeaderEdit::edit_lines`] can edit: a `(name, value)` pair, as text
/// (`(String, String)`) or as bytes (`(Vec<u8>, Vec<u8>)`, for values that need not be UTF-8),
/// or any representation a binding implements it for.
pub trait HeaderLine {
    /// The line's field name as received (compared ASCII-case-insensitively).
    fn name(&self) -> &[u8];
    /// A new line `name: value`.
    fn new_line(name: &str, value: &str) -> Self;
    /// Appends `,` and `value` to the line's value.
    fn append_value(&mut self, value: &str);
}

impl HeaderLine for (String, String) {
    fn name(&self) -> &[u8] {
        self.0.as_bytes()
    }
    fn new_line(name: &str, value: &str) -> Self {
        (name.to_string(), value.to_string())
    }
    fn append_value(&mut self, value: &str) {
        self.1.push(',');
        self.1.push_str(value);
    }
}

impl HeaderLine for (Vec<u8>, Vec<u8>) {
    fn name(&self) -> &[u8] {
        &self.0
    }
    fn new_line(name: &str, value: &str) -> Self {
        (name.as_bytes().to_vec(), value.as_bytes().to_vec())
    }
    fn append_value(&mut self, value: &str) {
        self.1.push(b',');
        self.1.extend_from_slice(value.as_bytes());
    }
}

impl HeaderEdit<'_> {
    /// Applies header edits ([`Action::request_headers`] or [`Action::response_headers`]) to
    /// `lines` in place, in order (see docs/semantics.md, "Filters"): `set` removes every line of the
    /// header and appends one line with the value, `add` appends `,value` to the header's last
    /// line (or appends a line), `remove` drops every line. Names compare ASCII-case-insensitively;
    /// the other lines keep their order. Allocates only for the lines and values it adds.
    ///
    /// ```
    /// use trieway::{EditOp, HeaderEdit};
    /// let edits = [HeaderEdit { op: EditOp::Add, name: "X-Tag".into(), value: "b".into() }];
    /// let mut lines = vec![(b"x-tag".to_vec(), b"a\xff".to_vec())];
    /// HeaderEdit::edit_lines(&edits, &mut lines);
    /// assert_eq!(lines, [(b"x-tag".to_vec(), b"a\xff,b".to_vec())]);
    /// ```
    pub fn edit_lines<L: HeaderLine>(edits: &[HeaderEdit<'_>], lines: &mut Vec<L>) {
        for e in edits {
            let same = |l: &L| l.name().eq_ignore_ascii_case(e.name.as_bytes());
            match e.op {
                EditOp::Set => {
                    lines.retain(|l| !same(l));
                    lines.push(L::new_line(&e.name, &e.value));
                }
                EditOp::Add => match lines.iter_mut().rev().find(|l| same(l)) {
                    Some(l) => l.append_value(&e.value),
                    None => lines.push(L::new_line(&e.name, &e.value)),
                },
                EditOp::Remove => lines.retain(|l| !same(l)),
            }
        }
    }
}

/// Appends `s` with ASCII control bytes, space and DEL percent-encoded (`%0D`, `%0A`, `%00`,
/// …): a path or query copied from a request never puts CR, LF or NUL into a header value.
fn push_uri_bytes(out: &mut String, s: &str) {
    for part in s.split_inclusive(|c: char| c.is_ascii_control() || c == ' ') {
        let mut chars = part.chars();
        match chars.next_back() {
            Some(c) if c.is_ascii_control() || c == ' ' => {
                out.push_str(chars.as_str());
                let _ = write!(out, "%{:02X}", c as u32);
            }
            _ => out.push_str(part),
        }
    }
}

/// A serialized origin (RFC 6454): `null`, or `scheme://host[:port]` with a valid host.
fn valid_origin(o: &str) -> bool {
    if o == "null" {
        return true;
    }
    let Some((scheme, authority)) = o.split_once("://") else {
        return false;
    };
    let mut sb = scheme.bytes();
    sb.next().is_some_and(|b| b.is_ascii_alphabetic())
        && sb.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        && authority_host(authority).is_some()
}

/// A comma-separated list of header names (`Access-Control-Request-Headers`).
fn valid_token_list(s: &str) -> bool {
    s.split(',')
        .map(|t| t.trim_matches([' ', '\t']))
        .all(|t| t.is_empty() || is_token(t))
}

fn first_header<R: RequestView + ?Sized>(req: &R, name: &str, out: &mut String) -> bool {
    out.clear();
    let mut found = false;
    req.for_each_header(name, &mut |v| {
        found = true;
        out.push_str(&String::from_utf8_lossy(v));
        ControlFlow::Break(())
    });
    found
}

impl<'r> RouteMatch<'r> {
    /// Applies the rule's filters, draws a backend with `random` and applies that backend's
    /// filters (rule filters first, then the backend's, each in list order), writing
    /// the result into `action`.
    ///
    /// ```
    /// # let yaml = include_str!("../examples/demo.yaml");
    /// # let router = trieway::Router::from_yaml(yaml, Default::default()).unwrap();
    /// let req = trieway::Request::new("GET", "shop.example.com", "/");
    /// let mut action = trieway::Action::new();
    /// if let trieway::Outcome::Matched(m) = router.route(&req) {
    ///     m.apply(&req, 42, &mut action);
    ///     println!("{:?} {}", action.kind, action.path_and_query);
    /// }
    /// ```
    pub fn apply<R: RequestView + ?Sized>(&self, req: &R, random: u64, action: &mut Action<'r>) {
        action.reset();
        let tls = self.is_tls();
        action.scheme = match req.scheme() {
            Some(s) if s.eq_ignore_ascii_case("https") => "https",
            Some(_) => "http",
            None if tls => "https",
            None => "http",
        };
        // Only a valid `host[:port]` is copied: no request byte can put a control character,
        // whitespace or a delimiter into the upstream Host (or a mirror's).
        if let Some(a) = req.authority().filter(|a| authority_host(a).is_some()) {
            action.authority.push_str(a);
        }
        action.path_and_query.push_str(req.path());
        action.policies = Some(self.policies());
        if self.apply_list(self.rule_filters(), req, action) {
            return;
        }
        match self.pick(random) {
            Target::Backend(b) => {
                action.backend = Some(b);
                self.apply_list(self.backend_filters(b), req, action);
            }
            Target::Status(s) => {
                action.kind = ActionKind::Respond;
                action.status = s;
            }
        }
        if action.kind == ActionKind::Forward {
            if let Some(q) = req.query() {
                action.path_and_query.push('?');
                action.path_and_query.push_str(q);
            }
        }
    }

    /// Returns `true` when the filters produced the response (redirect or engine answer).
    fn apply_list<R: RequestView + ?Sized>(
        &self,
        filters: &'r [Filter],
        req: &R,
        action: &mut Action<'r>,
    ) -> bool {
        for f in filters {
            match f {
                Filter::RequestHeaders(h) => h.push_into(&mut action.request_headers),
                Filter::ResponseHeaders(h) => h.push_into(&mut action.response_headers),
                Filter::Rewrite(rw) => {
                    if let Some(h) = &rw.hostname {
                        action.authority.clear();
                        action.authority.push_str(h);
                    }
                    self.modify_path(&rw.path, action);
                }
                Filter::Redirect(r) => {
                    self.modify_path(&r.path, action);
                    self.redirect(r, req, action);
                    return true;
                }
                Filter::Mirror(m) => action.mirrors.push((&m.backend, m.percent)),
                Filter::Extension(e, true) => action.extensions.push(e),
                // An unresolvable ExtensionRef is never ignored (SPEC §6.8): 500.
                Filter::Extension(_, false) => {
                    action.kind = ActionKind::Respond;
                    action.status = 500;
                    return true;
                }
                Filter::Cors(c) => {
                    if self.cors(c, req, action) {
                        return true;
                    }
                }
                Filter::Nginx(n) => {
                    if self.nginx(n, req, action) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// ingress-nginx's redirects and rewrite (docs/ingress.md, "The ingress-nginx flavor");
    /// `true` when it answered the request. Allocation-free once the buffers have grown.
    fn nginx<R: RequestView + ?Sized>(
        &self,
        f: &NginxFilter,
        req: &R,
        action: &mut Action<'r>,
    ) -> bool {
        let status = match f {
            NginxFilter::Return { status, url } => {
                action.location.clear();
                push_uri_bytes(&mut action.location, url);
                *status
            }
            NginxFilter::AppRoot(root) => {
                if req.path() != "/" {
                    return false;
                }
                if action.authority.is_empty() {
                    action.kind = ActionKind::Respond;
                    action.status = 400;
                    return true;
                }
                let loc = &mut action.location;
                loc.clear();
                let _ = write!(loc, "{}://{}", action.scheme, action.authority);
                push_uri_bytes(loc, root);
                302
            }
            NginxFilter::Https {
                status,
                preserve_trailing_slash,
            } => {
                if action.scheme != "http" {
                    return false;
                }
                let Some(host) = req.authority().and_then(authority_host) else {
                    action.kind = ActionKind::Respond;
                    action.status = 400;
                    return true;
                };
                let loc = &mut action.location;
                loc.clear();
                let _ = write!(loc, "https://{host}");
                let start = loc.len();
                if !req.path().starts_with('/') {
                    loc.push('/');
                }
                push_uri_bytes(loc, req.path());
                if let Some(q) = req.query() {
                    loc.push('?');
                    push_uri_bytes(loc, q);
                }
                // The request URI loses one trailing `/` (`/` itself keeps it: the same URL).
                if !preserve_trailing_slash && loc.len() > start + 1 && loc.ends_with('/') {
                    loc.pop();
                }
                *status
            }
            NginxFilter::Rewrite { re, target } => {
                let mut slots = [None; 20];
                let input = regex_automata::Input::new(action.path_and_query.as_str());
                if re.search_slots(&input, &mut slots).is_none() {
                    return false;
                }
                let mut out = std::mem::take(&mut action.scratch);
                out.clear();
                let hay = action.path_and_query.as_str();
                let mut rest = &**target;
                while let Some(i) = rest.find('$') {
                    out.push_str(&rest[..i]);
                    let after = &rest[i + 1..];
                    match after.bytes().next().filter(u8::is_ascii_digit) {
                        Some(d) => {
                            let g = usize::from(d - b'0');
                            if let (Some(Some(s)), Some(Some(e))) =
                                (slots.get(2 * g), slots.get(2 * g + 1))
                            {
                                out.push_str(hay.get(s.get()..e.get()).unwrap_or(""));
                            }
                            rest = &after[1..];
                        }
                        None => {
                            out.push('$');
                            rest = after;
                        }
                    }
                }
                out.push_str(rest);
                std::mem::swap(&mut action.path_and_query, &mut out);
                action.scratch = out;
                return false;
            }
        };
        action.kind = ActionKind::Redirect;
        action.status = status;
        true
    }

    fn modify_path(&self, m: &Option<PathMod>, action: &mut Action<'r>) {
        match m {
            None => {}
            Some(PathMod::Full(p)) => {
                action.path_and_query.clear();
                action.path_and_query.push_str(p);
            }
            Some(PathMod::Prefix(r)) => {
                let (kind, value) = self.path_match();
                let prefix = if kind == crate::PathKind::Prefix {
                    value
                } else {
                    "/"
                };
                let mut scratch = std::mem::take(&mut action.scratch);
                replace_prefix(&action.path_and_query, prefix, r, &mut scratch);
                std::mem::swap(&mut action.path_and_query, &mut scratch);
                action.scratch = scratch;
            }
        }
    }

    fn redirect<R: RequestView + ?Sized>(&self, r: &Redirect, req: &R, action: &mut Action<'r>) {
        let scheme: &str = r.scheme.as_deref().unwrap_or(action.scheme);
        let port = match (r.port, &r.scheme) {
            (Some(p), _) => p,
            (None, Some(s)) if s.eq_ignore_ascii_case("https") => 443,
            (None, Some(_)) => 80,
            (None, None) => self.port(),
        };
        // The request's host only when it is a valid host: otherwise there is no safe
        // Location to build, and the request gets 400.
        let host = match &r.hostname {
            Some(h) => &**h,
            None => match req.authority().and_then(authority_host) {
                Some(h) => h,
                None => {
                    action.kind = ActionKind::Respond;
                    action.status = 400;
                    return;
                }
            },
        };
        let default_port = (scheme.eq_ignore_ascii_case("http") && port == 80)
            || (scheme.eq_ignore_ascii_case("https") && port == 443);
        let loc = &mut action.location;
        loc.clear();
        let _ = write!(loc, "{scheme}://{host}");
        if !default_port {
            let _ = write!(loc, ":{port}");
        }
        // The authority always ends at a `/`: a request path such as `@evil.com` or `*` cannot
        // extend it.
        if !action.path_and_query.starts_with('/') {
            loc.push('/');
        }
        push_uri_bytes(loc, &action.path_and_query);
        if let Some(q) = req.query() {
            loc.push('?');
            push_uri_bytes(loc, q);
        }
        action.kind = ActionKind::Redirect;
        action.status = r.status;
    }

    /// CORS (SPEC §6.7). Returns `true` when the engine answers a preflight itself.
    fn cors<R: RequestView + ?Sized>(&self, c: &'r Cors, req: &R, action: &mut Action<'r>) -> bool {
        let mut origin = String::new();
        if !first_header(req, "origin", &mut origin) {
            return false;
        }
        let mut req_method = String::new();
        let preflight = req.method() == "OPTIONS"
            && first_header(req, "access-control-request-method", &mut req_method);
        let credentialed = {
            let mut s = String::new();
            first_header(req, "cookie", &mut s) || first_header(req, "authorization", &mut s)
        };
        // Only a well-formed origin is compared (and so echoed): no CR, LF, NUL or other
        // stray byte of the request reaches Access-Control-Allow-Origin.
        let trimmed = origin.trim_matches([' ', '\t']);
        if trimmed.len() != origin.len() {
            origin = trimmed.to_string();
        }
        let allowed =
            (c.credentials || !credentialed) && valid_origin(&origin) && c.allows(&origin);
        if preflight {
            action.kind = ActionKind::Respond;
            action.status = 200;
        }
        if !allowed {
            return preflight;
        }
        let echo_origin = credentialed || c.credentials || !c.wildcard_origin();
        let allow_origin = if echo_origin {
            Cow::Owned(origin)
        } else {
            Cow::Borrowed("*")
        };
        set_header(action, "Access-Control-Allow-Origin", allow_origin);
        if c.credentials {
            set_header(
                action,
                "Access-Control-Allow-Credentials",
                Cow::Borrowed("true"),
            );
        }
        if preflight {
            cors_preflight_headers(c, req, req_method, action);
        }
        // On preflights too: the upstream CORS conformance test expects it on both.
        if !c.expose.is_empty() {
            set_header(
                action,
                "Access-Control-Expose-Headers",
                Cow::Borrowed(&c.expose),
            );
        }
        action.response_headers.push(HeaderEdit {
            op: EditOp::Add,
            name: Cow::Borrowed("Vary"),
            value: Cow::Borrowed("Origin"),
        });
        preflight
    }
}

/// Adds a `Set` response header edit.
fn set_header<'r>(action: &mut Action<'r>, name: &'static str, value: Cow<'r, str>) {
    action.response_headers.push(HeaderEdit {
        op: EditOp::Set,
        name: Cow::Borrowed(name),
        value,
    });
}

/// The headers that answer an allowed CORS preflight: allowed methods and headers (a `*`
/// echoes the request's when credentials are allowed, since browsers refuse `*` then) and
/// the max age. `req_method` is the request's `Access-Control-Request-Method`.
fn cors_preflight_headers<'r, R: RequestView + ?Sized>(
    c: &'r Cors,
    req: &R,
    req_method: String,
    action: &mut Action<'r>,
) {
    let methods: Cow<'r, str> = if !c.methods.iter().any(|m| &**m == "*") {
        Cow::Owned(c.methods.join(", "))
    } else if c.credentials {
        // Echoed only when it is a token (nothing else is a method).
        Cow::Owned(if is_token(&req_method) {
            req_method
        } else {
            String::new()
        })
    } else {
        Cow::Borrowed("*")
    };
    if !methods.is_empty() {
        set_header(action, "Access-Control-Allow-Methods", methods);
    }
    let mut req_headers = String::new();
    let has_req_headers = first_header(req, "access-control-request-headers", &mut req_headers)
        && valid_token_list(&req_headers);
    if c.headers.iter().any(|h| &**h == "*") {
        if !c.credentials {
            set_header(action, "Access-Control-Allow-Headers", Cow::Borrowed("*"));
        } else if has_req_headers {
            set_header(
                action,
                "Access-Control-Allow-Headers",
                Cow::Owned(req_headers),
            );
        }
    } else if !c.headers.is_empty() {
        set_header(
            action,
            "Access-Control-Allow-Headers",
            Cow::Owned(c.headers.join(", ")),
        );
    }
    set_header(action, "Access-Control-Max-Age", Cow::Borrowed(&c.max_age));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole ReplacePrefixMatch table of SPEC §6.5.
    #[test]
    fn replace_prefix_table() {
        let rows: &[(&str, &[&str], &[&str], &str)] = &[
            (
                "/foo/bar",
                &["/foo", "/foo/"],
                &["/xyz", "/xyz/"],
                "/xyz/bar",
            ),
            ("/foo", &["/foo"], &["/xyz"], "/xyz"),
            ("/foo/", &["/foo"], &["/xyz"], "/xyz/"),
            ("/foo/bar", &["/foo"], &[""], "/bar"),
            ("/foo/", &["/foo"], &["", "/"], "/"),
            ("/foo", &["/foo"], &["", "/"], "/"),
            ("/prefix/one/two", &["/prefix/one"], &["/one"], "/one/two"),
            ("/anything", &["/"], &["/api"], "/api/anything"),
        ];
        let mut out = String::new();
        for (path, ps, rs, want) in rows {
            for p in *ps {
                for r in *rs {
                    replace_prefix(path, p, r, &mut out);
                    assert_eq!(out, *want, "{path} {p} {r}");
                }
            }
        }
    }

    /// Set replaces all lines, add appends with ',', remove drops all lines (SPEC §6.2).
    #[test]
    fn header_edit_semantics() {
        let lines = vec![
            ("X-A".to_string(), "1".to_string()),
            ("x-a".to_string(), "2".to_string()),
            ("B".to_string(), "b".to_string()),
        ];
        let e = |op, n: &'static str, v: &'static str| HeaderEdit {
            op,
            name: Cow::Borrowed(n),
            value: Cow::Borrowed(v),
        };
        let out = Action::edit_headers(
            &[
                e(EditOp::Add, "b", "c"),
                e(EditOp::Set, "x-a", "s"),
                e(EditOp::Add, "new", "n"),
            ],
            &lines,
        );
        assert_eq!(
            out,
            vec![
                ("B".into(), "b,c".into()),
                ("x-a".into(), "s".into()),
                ("new".into(), "n".into())
            ]
        );
        let out = Action::edit_headers(&[e(EditOp::Remove, "X-a", "")], &lines);
        assert_eq!(out, vec![("B".into(), "b".into())]);
        // Byte lines get the same edits; values need not be UTF-8.
        let mut bytes: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (b"X-A".to_vec(), b"\xff".to_vec()),
            (b"b".to_vec(), b"1".to_vec()),
            (b"x-a".to_vec(), b"2".to_vec()),
        ];
        HeaderEdit::edit_lines(
            &[
                e(EditOp::Add, "X-a", "3"),
                e(EditOp::Set, "B", "s"),
                e(EditOp::Add, "c", "n"),
                e(EditOp::Remove, "c", ""),
            ],
            &mut bytes,
        );
        assert_eq!(
            bytes,
            vec![
                (b"X-A".to_vec(), b"\xff".to_vec()),
                (b"x-a".to_vec(), b"2,3".to_vec()),
                (b"B".to_vec(), b"s".to_vec()),
            ]
        );
    }
}
