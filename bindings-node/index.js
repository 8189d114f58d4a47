'use strict';
// trieway for Node.js: a thin idiomatic layer over the native addon (src/lib.rs).
//
// The native `route*` methods return a small integer per request: a match id (>= 0), -1 (no
// route: 404) or -2 (misdirected: 421). Each distinct match is converted to a frozen `Match`
// object once and cached here, so routing a request allocates nothing on either side.

const native = require('./lib/native.js');

const { NativeRouter, NativeLive } = native;

/** A configuration that cannot be loaded or compiled. */
class ConfigError extends Error {
  constructor(message, { code = 'ERR_TRIEWAY_CONFIG', issues = [] } = {}) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.issues = issues;
  }
}

// Native errors carry JSON `{"trieway": class, code, message, issues?}`; anything else is
// rethrown unchanged.
/** Freezes a listener's certificates, with each key not enumerable. */
function listenerCertificates(l) {
  l.certificates = Object.freeze(
    l.certificates.map((c) => {
      const key = c.keyPem;
      delete c.keyPem;
      Object.defineProperty(c, 'keyPem', { value: key, enumerable: false });
      return Object.freeze(c);
    }),
  );
  return Object.freeze(l);
}

function rethrow(e) {
  const m = e && e.message;
  if (typeof m === 'string' && m.charCodeAt(0) === 123 && m.includes('"trieway":')) {
    let d;
    try {
      d = JSON.parse(m);
    } catch {
      throw e;
    }
    let err;
    switch (d.trieway) {
      case 'ConfigError':
        throw new ConfigError(d.message, { code: d.code, issues: d.issues || [] });
      case 'TypeError':
        err = new TypeError(d.message);
        break;
      case 'RangeError':
        err = new RangeError(d.message);
        break;
      default:
        err = new Error(d.message);
    }
    err.code = d.code;
    throw err;
  }
  throw e;
}

function argType(name, expected, value) {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  const err = new TypeError(`${name} must be ${expected}, got ${got}`);
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

const NOT_FOUND = Object.freeze({ kind: 'notFound', matched: false, status: 404 });
const MISDIRECTED = Object.freeze({ kind: 'misdirected', matched: false, status: 421 });

function camel(key) {
  return key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function deepFreeze(v, rename = false) {
  if (Array.isArray(v)) return Object.freeze(v.map((x) => deepFreeze(x, rename)));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[rename ? camel(k) : k] = deepFreeze(x, rename);
    return Object.freeze(out);
  }
  return v;
}

function randomArg(opts) {
  const r = opts && opts.random !== undefined ? opts.random : Math.random();
  if (typeof r !== 'number') throw argType('random', 'a number in [0, 1)', r);
  return r;
}

function isIncomingMessage(req) {
  return Array.isArray(req.rawHeaders) && typeof req.url === 'string' && req.path === undefined;
}

function socketSni(req) {
  const s = req.socket && req.socket.servername;
  return typeof s === 'string' ? s : undefined;
}

function backendObject(b) {
  return Object.freeze({
    group: b.group,
    kind: b.kind,
    namespace: b.namespace,
    name: b.name,
    port: b.port,
    weight: b.weight,
    appProtocol: b.appProtocol,
    valid: b.valid,
    problem: b.problem ? Object.freeze(b.problem) : null,
    index: b.index,
    tls: b.tls ? deepFreeze(b.tls) : null,
    traffic: b.traffic ? deepFreeze(b.traffic) : null,
  });
}

const statusTargets = new Map();
function statusTarget(status) {
  let t = statusTargets.get(status);
  if (!t) {
    t = Object.freeze({ backend: null, status });
    statusTargets.set(status, t);
  }
  return t;
}

const NO_PARAMS = Object.freeze({});

/** route_tls's answer when the SNI selects an HTTPS listener: terminate TLS, route with route(). */
const TERMINATE = Object.freeze({ kind: 'terminate', matched: false });

function checkRandom(random) {
  if (typeof random !== 'number') throw argType('random', 'a number in [0, 1)', random);
  return random;
}

/** The request-target as a string (a Uint8Array is decoded as UTF-8). */
function targetString(t) {
  if (typeof t === 'string') return t;
  if (t instanceof Uint8Array) return new TextDecoder().decode(t);
  return '';
}

/**
 * A rule that matched: everything about it that does not depend on the request, and the
 * request's path parameters (`params`).
 */
class Match {
  #native;
  #id;
  #targets;

  constructor(nativeRouter, id, info, params) {
    this.#native = nativeRouter;
    this.#id = id;
    this.kind = 'matched';
    this.matched = true;
    this.route = Object.freeze(info.route);
    this.ruleIndex = info.ruleIndex;
    this.ruleName = info.ruleName;
    this.matchIndex = info.matchIndex;
    this.pathMatch = Object.freeze(info.pathMatch);
    this.params = params ? Object.freeze(params) : NO_PARAMS;
    this.hostname = info.hostname;
    this.listener = info.listener;
    this.port = info.port;
    this.tls = info.tls;
    this.backends = Object.freeze(info.backends.map(backendObject));
    this.totalWeight = info.totalWeight;
    this.policies = deepFreeze(info.policies);
    this.httpRoute = info.httpRoute;
    this.attributes = Object.freeze(info.attributes);
    this.#targets = this.backends.map((backend) => Object.freeze({ backend, status: 200 }));
    Object.freeze(this);
  }

  /**
   * Draws a backend with `random` in [0, 1) (default Math.random()): the backend whose share
   * of the cumulative weights contains `random * totalWeight` (the same meaning as Python's
   * `random`). Returns `{backend, status: 200}`, or `{backend: null, status}` when the
   * engine answers itself (500 for an invalid backend).
   */
  pick(random = Math.random()) {
    checkRandom(random);
    let r;
    try {
      r = this.#native.pick(this.#id, random);
    } catch (e) {
      rethrow(e);
    }
    return r >= 0 ? this.#targets[r] : statusTarget(-r);
  }

  /**
   * Applies the rule's filters to `req`, draws a backend and applies its filters. Returns an
   * Action. `req` is the request that was routed (a route() / routeGrpc() input or an
   * http.IncomingMessage): a request that does not route to this Match throws
   * (`ERR_TRIEWAY_OTHER_REQUEST`) instead of getting this rule's action. The listener port
   * defaults to this match's `port` (the one the request was routed on).
   */
  apply(req, opts) {
    if (req === null || typeof req !== 'object') throw argType('req', 'an object', req);
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
      throw argType('options', 'an object', opts);
    }
    const random = randomArg(opts);
    let json;
    try {
      if (isIncomingMessage(req)) {
        json = this.#native.applyRaw(
          this.#id,
          req.method,
          req.url,
          req.rawHeaders,
          // The listener port the request was routed on (this match's), unless given.
          opts && opts.port !== undefined ? opts.port : this.port,
          opts && opts.sni !== undefined ? opts.sni : socketSni(req),
          opts && opts.scheme !== undefined ? opts.scheme : req.socket && req.socket.encrypted ? 'https' : undefined,
          random,
        );
      } else {
        json = this.#native.apply(
          this.#id,
          req.method,
          req.host,
          req.path,
          req.headers,
          req.port !== undefined ? req.port : this.port,
          req.sni,
          req.scheme,
          random,
        );
      }
    } catch (e) {
      rethrow(e);
    }
    const a = JSON.parse(json);
    return {
      kind: a.kind,
      status: a.status,
      backend: a.backend === null ? null : this.backends[a.backend],
      scheme: a.scheme,
      authority: a.authority,
      pathAndQuery: a.pathAndQuery,
      requestHeaders: a.requestHeaders,
      responseHeaders: a.responseHeaders,
      location: a.location,
      mirrors: a.mirrors.map((m) => ({ backend: backendObject(m.backend), percent: m.percent })),
      extensions: a.extensions,
      policies: this.policies,
    };
  }
}

/**
 * A TLS connection (by SNI), TCP connection or UDP flow (by port) that a TLSRoute, TCPRoute
 * or UDPRoute carries.
 */
class L4Match {
  #native;
  #kind;
  #sni;
  #targets;

  constructor(nativeRouter, kind, port, sni, info) {
    this.#native = nativeRouter;
    this.#kind = kind;
    this.#sni = sni;
    this.kind = 'matched';
    this.matched = true;
    this.route = Object.freeze(info.route);
    this.listener = info.listener;
    this.hostname = info.hostname;
    this.port = port;
    this.passthrough = info.passthrough;
    this.backends = Object.freeze(info.backends.map(backendObject));
    this.#targets = this.backends.map((backend) => Object.freeze({ backend, status: 200 }));
    Object.freeze(this);
  }

  /** Draws a backend per connection or flow, with `random` as Match.pick: status != 200 means reject. */
  pick(random = Math.random()) {
    checkRandom(random);
    let r;
    try {
      r = this.#native.pickL4(this.#kind, this.port, this.#sni, random);
    } catch (e) {
      rethrow(e);
    }
    return r >= 0 ? this.#targets[r] : statusTarget(-r);
  }
}

function portArg(port) {
  if (typeof port !== 'number') throw argType('port', 'an integer from 1 to 65535', port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    const err = new RangeError(`port must be an integer from 1 to 65535, got ${port}`);
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
  return port;
}

function optionsJson(options) {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw argType('options', 'an object', options);
  }
  return options === undefined || options === null ? undefined : JSON.stringify(options);
}

function yamlText(text) {
  if (text instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(text);
    } catch {
      throw new ConfigError('input is not UTF-8', {
        code: 'ERR_TRIEWAY_INVALID_CONFIG',
        issues: [{ kind: '', object: '', origin: null, field: '', message: 'input is not UTF-8', text: 'input is not UTF-8' }],
      });
    }
  }
  if (typeof text !== 'string') throw argType('text', 'a string or a Uint8Array', text);
  return text;
}

function jsonText(json) {
  if (typeof json !== 'string') {
    if (json === null || typeof json !== 'object') throw argType('json', 'a string, an object or an array', json);
    return JSON.stringify(json);
  }
  return json;
}

function pathArg(path) {
  if (path instanceof URL) return require('node:url').fileURLToPath(path);
  if (typeof path !== 'string') throw argType('path', 'a string or a file: URL', path);
  return path;
}

/** Splits `ingressClass` off fromIngress's options. */
function ingressArgs(options) {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw argType('options', 'an object', options);
  }
  const { ingressClass, ...rest } = options || {};
  if (ingressClass !== undefined && ingressClass !== null && typeof ingressClass !== 'string') {
    throw argType('ingressClass', 'a string', ingressClass);
  }
  return [ingressClass ?? undefined, JSON.stringify(rest)];
}

const INTERNAL = Symbol('trieway.internal');

/**
 * The compiled routing table of one Gateway (or of the Ingresses). Build it with
 * Router.fromYaml / fromJson / fromPath / fromIngress, or their Async forms.
 */
class Router {
  #native;
  #route;
  #routeSimple;
  #routeRaw;
  #matches = [];
  #paramInfos = [];
  #report;
  #problems;

  constructor(token, nativeRouter) {
    if (token !== INTERNAL) {
      throw new TypeError('use Router.fromYaml(), fromJson(), fromPath(), fromIngress() or fromShared()');
    }
    this.#native = nativeRouter;
    // Plain native functions for the hot path (no per-call method machinery).
    const fast = nativeRouter.fastFunctions();
    this.#route = fast.route;
    this.#routeSimple = fast.routeSimple;
    this.#routeRaw = fast.routeRaw;
  }

  static #wrap(make) {
    try {
      return new Router(INTERNAL, make());
    } catch (e) {
      rethrow(e);
    }
  }

  static async #wrapAsync(promise) {
    let nativeRouter;
    try {
      nativeRouter = await promise;
    } catch (e) {
      rethrow(e);
    }
    return new Router(INTERNAL, nativeRouter);
  }

  /** Loads YAML (or JSON) text, refuses it if any object is invalid, and compiles it. */
  static fromYaml(text, options) {
    const t = yamlText(text);
    const o = optionsJson(options);
    return Router.#wrap(() => NativeRouter.compile(t, false, o, false));
  }

  /** Loads JSON text, or a plain object / array of Kubernetes objects, and compiles it. */
  static fromJson(json, options) {
    const t = jsonText(json);
    const o = optionsJson(options);
    return Router.#wrap(() => NativeRouter.compile(t, true, o, false));
  }

  /**
   * Loads a file, or every `.yaml`, `.yml` and `.json` file below a directory (in sorted
   * order), and compiles it. An unreadable path throws ConfigError (`ERR_TRIEWAY_IO`).
   */
  static fromPath(path, options) {
    const p = pathArg(path);
    const o = optionsJson(options);
    return Router.#wrap(() => NativeRouter.load(p, o));
  }

  /**
   * Loads YAML or JSON text and compiles its Ingress objects (networking.k8s.io/v1) with
   * native Ingress semantics instead of a Gateway: those of `options.ingressClass`, or every
   * Ingress when it is not given. A match's `route` is the Ingress.
   */
  static fromIngress(text, options) {
    const t = yamlText(text);
    const [cls, o] = ingressArgs(options);
    return Router.#wrap(() => NativeRouter.compile(t, false, o, true, cls));
  }

  /** fromYaml, compiled on the libuv thread pool: the event loop keeps running. */
  static fromYamlAsync(text, options) {
    return Promise.resolve().then(() => {
      const t = yamlText(text);
      return Router.#wrapAsync(NativeRouter.compileAsync(t, false, optionsJson(options), false));
    });
  }

  /** fromJson, compiled on the libuv thread pool. */
  static fromJsonAsync(json, options) {
    return Promise.resolve().then(() => {
      const t = jsonText(json);
      return Router.#wrapAsync(NativeRouter.compileAsync(t, true, optionsJson(options), false));
    });
  }

  /** fromPath, read and compiled on the libuv thread pool. */
  static fromPathAsync(path, options) {
    return Promise.resolve().then(() => {
      const p = pathArg(path);
      return Router.#wrapAsync(NativeRouter.loadAsync(p, optionsJson(options)));
    });
  }

  /** A Router over the table another Router (of any worker thread) registered with share(). */
  static fromShared(token) {
    if (typeof token !== 'number') throw argType('token', 'a number from router.share()', token);
    try {
      return new Router(INTERNAL, NativeRouter.fromShared(token));
    } catch (e) {
      rethrow(e);
    }
  }

  /** `namespace/name` of the Gateway this Router serves. */
  get gateway() {
    return this.#native.gateway();
  }

  // `target`: the request-target routed, read only for a match with path parameters (a
  // RegularExpression path with named groups), which is a new Match per lookup.
  #outcome(id, target) {
    if (id >= 0) {
      const m = this.#matches[id] || this.#load(id);
      const info = this.#paramInfos[id];
      if (info === undefined) return m;
      let params;
      try {
        params = JSON.parse(this.#native.params(id, targetString(target)));
      } catch (e) {
        rethrow(e);
      }
      return new Match(this.#native, id, info, params);
    }
    return id === -1 ? NOT_FOUND : MISDIRECTED;
  }

  #load(id) {
    const info = JSON.parse(this.#native.matchInfo(id));
    const m = new Match(this.#native, id, info);
    this.#matches[id] = m;
    if (info.hasParams) this.#paramInfos[id] = info;
    return m;
  }

  /**
   * Routes `{method, host, path, headers, port, sni}`. `path` is the request-target
   * (`/a/b?x=1`); `headers` an object `{name: value | value[]}` or a flat
   * `[name, value, ...]` array (fastest). Returns a Match, NOT_FOUND or MISDIRECTED.
   */
  route(req) {
    if (req === null || typeof req !== 'object') throw argType('req', 'an object', req);
    const { method, host, path, headers, port, sni } = req;
    let id;
    try {
      // Without headers, port and SNI (the common case) a three-argument native function
      // reads three strings and inspects nothing else.
      id =
        headers == null && port == null && sni == null
          ? this.#routeSimple(method, host, path)
          : this.#route(method, host, path, headers, port, sni);
    } catch (e) {
      rethrow(e);
    }
    return this.#outcome(id, path);
  }

  /**
   * Routes an http.IncomingMessage (or any `{method, url, rawHeaders}`): the host comes from
   * rawHeaders (`Host`, or `:authority` for HTTP/2), headers are read from rawHeaders only if
   * a rule needs them. `opts.port` names the Gateway listener port (default: the lowest);
   * `opts.sni` defaults to the TLS socket's servername.
   */
  routeRequest(req, opts) {
    if (req === null || typeof req !== 'object') throw argType('req', 'an http.IncomingMessage', req);
    const sni = opts && opts.sni !== undefined ? opts.sni : socketSni(req);
    let id;
    try {
      id = this.#routeRaw(req.method, req.url, req.rawHeaders, opts && opts.port, sni);
    } catch (e) {
      rethrow(e);
    }
    return this.#outcome(id, req.url);
  }

  /**
   * Routes a gRPC call `{host, path, headers, port, sni}` over the GRPCRoutes (`path` is
   * `/package.Service/Method`): a Match, NOT_FOUND (gRPC UNIMPLEMENTED) or MISDIRECTED.
   */
  routeGrpc(req) {
    if (req === null || typeof req !== 'object') throw argType('req', 'an object', req);
    let id;
    try {
      id = this.#native.routeGrpc('POST', req.host, req.path, req.headers, req.port, req.sni);
    } catch (e) {
      rethrow(e);
    }
    return this.#outcome(id, req.path);
  }

  #routeL4(kind, port, sni) {
    portArg(port);
    let json;
    try {
      json = this.#native.routeL4(kind, port, sni);
    } catch (e) {
      rethrow(e);
    }
    if (json === null) return null;
    const info = JSON.parse(json);
    return info === 'terminate' ? TERMINATE : new L4Match(this.#native, kind, port, sni, info);
  }

  /**
   * Routes a TLS connection arriving on listener `port` with server name `sni`: an L4Match
   * (a TLSRoute forwards it), TERMINATE (the SNI selects an HTTPS listener: terminate TLS and
   * route the requests with route()), or null (reject: no listener, route or SNI).
   */
  routeTls(port, sni) {
    if (sni !== undefined && sni !== null && typeof sni !== 'string') throw argType('sni', 'a string', sni);
    return this.#routeL4('tls', port, sni ?? undefined);
  }

  /**
   * The certificates a TLS handshake on `port` with server name `sni` presents: the listener
   * whose hostname is the SNI, else the longest matching wildcard, else the one without
   * hostname; null when no usable TLS-terminating listener serves it. Each certificate's
   * `keyPem` is not enumerable (inspection and JSON.stringify never show it).
   */
  certificateFor(port, sni) {
    portArg(port);
    if (sni !== undefined && sni !== null && typeof sni !== 'string') throw argType('sni', 'a string', sni);
    let json;
    try {
      json = this.#native.certificates(port, sni ?? undefined);
    } catch (e) {
      rethrow(e);
    }
    return json === null ? null : listenerCertificates(JSON.parse(json));
  }

  /** The certificates of every usable TLS-terminating listener, by port, in SNI order. */
  listenerCertificates() {
    let json;
    try {
      json = this.#native.certificates(0, undefined);
    } catch (e) {
      rethrow(e);
    }
    return Object.freeze(JSON.parse(json).map(listenerCertificates));
  }

  #frontend(port, client) {
    portArg(port);
    try {
      return JSON.parse(this.#native.frontend(port, client));
    } catch (e) {
      rethrow(e);
    }
  }

  /**
   * The Gateway's client-certificate validation (`spec.tls.frontend`) of `port`: `{port, mode,
   * caBundlePem, caConfigMaps, source, usable}`, or null when the port validates none.
   */
  frontendValidation(port) {
    const v = this.#frontend(port, 'absent')[0];
    return v === null ? null : Object.freeze(v);
  }

  /**
   * What to do with a connection on `port` after client-certificate verification: `client`
   * is 'absent', 'valid' or 'invalid'; returns 'accept', 'reject' or 'insecureFallback'.
   */
  clientCertificateDecision(port, client) {
    if (typeof client !== 'string') throw argType('client', "'absent', 'valid' or 'invalid'", client);
    return this.#frontend(port, client)[1];
  }

  /** Routes a TCP connection arriving on listener `port`: an L4Match, or null (reject). */
  routeTcp(port) {
    return this.#routeL4('tcp', port, undefined);
  }

  /** Routes a UDP flow arriving on listener `port`: an L4Match, or null (drop). */
  routeUdp(port) {
    return this.#routeL4('udp', port, undefined);
  }

  /**
   * Routes many requests. (A loop over the fast native function: reading request objects'
   * properties from native code costs more than calling it once per request.)
   */
  routeBatch(requests) {
    if (!Array.isArray(requests)) throw argType('requests', 'an array', requests);
    const out = new Array(requests.length);
    for (let i = 0; i < requests.length; i++) out[i] = this.route(requests[i]);
    return out;
  }

  /** Routes many request-targets that share `{method, host, headers, port}` in one call. */
  routePaths(paths, common = {}) {
    if (!Array.isArray(paths)) throw argType('paths', 'an array of strings', paths);
    if (common === null || typeof common !== 'object') throw argType('common', 'an object', common);
    let ids;
    try {
      ids = this.#native.routePaths(common.method, common.host, paths, common.headers, common.port);
    } catch (e) {
      rethrow(e);
    }
    const out = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = this.#outcome(ids[i], paths[i]);
    return out;
  }

  #explain(req, grpc) {
    if (req === null || typeof req !== 'object') throw argType('req', 'an object', req);
    let json;
    try {
      json = this.#native.explain(
        grpc ? 'POST' : req.method, req.host, req.path, req.headers, req.port, req.sni,
        req.scheme, grpc);
    } catch (e) {
      rethrow(e);
    }
    return JSON.parse(json);
  }

  /**
   * Why route() decides as it does for `req` (the same object as route()'s, plus an optional
   * `scheme`): plain data with the shape of `trieway explain -o json` (gateway, listener,
   * hostnames, candidates with their verdicts, notAttached as `not_attached`, notes,
   * outcome). Allocates and scans every candidate: for diagnosis, not for every request.
   */
  explain(req) {
    return this.#explain(req, false);
  }

  /** explain() for a gRPC call, as routeGrpc() routes it. */
  explainGrpc(req) {
    return this.#explain(req, true);
  }

  /**
   * The lookup counters (compiled with `counters: true`): `{gateway, rules: [{kind,
   * namespace, name, rule_index, rule_name, matches}], listeners: [{port, listener,
   * not_found, misdirected}]}`, or null without counters.
   */
  stats() {
    let json;
    try {
      json = this.#native.stats();
    } catch (e) {
      rethrow(e);
    }
    return json === null ? null : JSON.parse(json);
  }

  /**
   * The counters in the Prometheus text format (0.0.4), for a `/metrics` handler
   * (`Content-Type: text/plain; version=0.0.4`), or null without counters.
   */
  prometheusText() {
    try {
      return this.#native.prometheusText();
    } catch (e) {
      rethrow(e);
    }
  }

  /** The attachment status of every route and listener (conditions as a controller writes them). */
  report() {
    if (!this.#report) this.#report = deepFreeze(JSON.parse(this.#native.report()), true);
    return this.#report;
  }

  #loadProblems() {
    if (!this.#problems) this.#problems = deepFreeze(JSON.parse(this.#native.problems()));
    return this.#problems;
  }

  /** Objects and rules that were dropped (only with `strict: false`; else always empty). */
  get errors() {
    return this.#loadProblems().errors;
  }

  /** Things skipped without harm (unknown kinds, ignored documents). */
  get warnings() {
    return this.#loadProblems().warnings;
  }

  /**
   * Registers this Router's compiled table so that other worker threads of this process can
   * use it without recompiling: pass the returned token (a number) to them and call
   * Router.fromShared(token) there. The registration ends with unshare() or when this Router
   * is garbage-collected; Routers already made from it keep working.
   */
  share() {
    return this.#native.share();
  }

  /** Ends the registration made by share(). */
  unshare() {
    this.#native.unshare();
  }
}

/** One change of Live.apply() in the native form. */
function changeItem(c, out) {
  if (typeof c === 'string' || c instanceof Uint8Array) {
    out.push({ text: yamlText(c) });
  } else if (Array.isArray(c)) {
    if (c.length !== 4 || c[0] !== 'delete') {
      throw argType('change', "['delete', kind, namespace, name]", c);
    }
    out.push({ delete: { kind: c[1], namespace: c[2] ?? '', name: c[3] } });
  } else if (c !== null && typeof c === 'object') {
    if (c.delete !== undefined) {
      if (c.delete === null || typeof c.delete !== 'object') {
        throw argType('change.delete', 'an object { kind, namespace, name }', c.delete);
      }
      out.push({ delete: c.delete });
    } else {
      out.push({ upsert: c });
    }
  } else {
    throw argType('change', 'YAML text, a Kubernetes object or a delete', c);
  }
}

/** The changes of Live.apply() as the native JSON. */
function changesJson(changes) {
  const out = [];
  const list = Array.isArray(changes) && changes[0] !== 'delete' ? changes : [changes];
  for (const c of list) changeItem(c, out);
  return JSON.stringify(out);
}

/**
 * The current Router of a changing configuration. Route on the current version with
 * route() / routeRequest() / routeGrpc() (or keep `live.router` for a whole request), and
 * change the configuration with apply(changes) or await applyAsync(changes) (on the libuv
 * thread pool): only what the change can affect is recompiled. Each published version is a
 * new Router (its counters start at zero).
 */
class Live {
  #native;
  #router;
  #version = 0;

  constructor(token, nativeLive) {
    if (token !== INTERNAL) {
      throw new TypeError('use Live.fromYaml(), fromJson(), fromPath() or fromIngress()');
    }
    this.#native = nativeLive;
    this.#refresh();
  }

  #refresh() {
    const v = this.#native.version();
    if (v !== this.#version) {
      this.#router = new Router(INTERNAL, this.#native.router());
      this.#version = v;
    }
  }

  static #wrap(make) {
    try {
      return new Live(INTERNAL, make());
    } catch (e) {
      rethrow(e);
    }
  }

  /** Loads YAML (or JSON) text as Router.fromYaml() does and starts with its Router. */
  static fromYaml(text, options) {
    const t = yamlText(text);
    const o = optionsJson(options);
    return Live.#wrap(() => NativeLive.compile(t, false, o, false));
  }

  /** Loads JSON text or objects as Router.fromJson() does. */
  static fromJson(json, options) {
    const t = jsonText(json);
    const o = optionsJson(options);
    return Live.#wrap(() => NativeLive.compile(t, true, o, false));
  }

  /** Loads a file or a directory as Router.fromPath() does. */
  static fromPath(path, options) {
    const p = pathArg(path);
    const o = optionsJson(options);
    return Live.#wrap(() => NativeLive.load(p, o));
  }

  /** The Ingress objects of `options.ingressClass` (or all), as Router.fromIngress(). */
  static fromIngress(text, options) {
    const t = yamlText(text);
    const [cls, o] = ingressArgs(options);
    return Live.#wrap(() => NativeLive.compile(t, false, o, true, cls));
  }

  /** The Router of the current version. */
  get router() {
    return this.#router;
  }

  /** The current version: 1 for the first Router, one more per published change set. */
  get version() {
    return this.#version;
  }

  /** Router.route() on the current version. */
  route(req) {
    return this.#router.route(req);
  }

  /** Router.routeRequest() on the current version. */
  routeRequest(req, opts) {
    return this.#router.routeRequest(req, opts);
  }

  /** Router.routeGrpc() on the current version. */
  routeGrpc(req) {
    return this.#router.routeGrpc(req);
  }

  /** Router.explain() on the current version. */
  explain(req) {
    return this.#router.explain(req);
  }

  /**
   * Applies a change set and publishes the next Router: YAML or JSON text (every object is
   * upserted), a Kubernetes object, a delete (`['delete', kind, namespace, name]` or
   * `{ delete: { kind, namespace, name } }`), or an array of those. Returns `{version,
   * published, applied, unchanged, rejected: [{object, errors}], warnings, failed}`: an
   * invalid object is rejected with its field paths and its previous version keeps serving.
   * Text that does not parse throws ConfigError and applies nothing.
   */
  apply(changes) {
    const json = changesJson(changes);
    let out;
    try {
      out = this.#native.apply(json);
    } catch (e) {
      rethrow(e);
    }
    this.#refresh();
    return JSON.parse(out);
  }

  /**
   * Watches files and directories (recursively) and applies what changes in them, as
   * `trieway watch` does: file events are debounced (`options.debounceMs`, default 200), only
   * changed files are re-read, a deleted file deletes its objects. Each reload calls
   * `callback({files, unreadable, result})` on the event loop (`result` as apply() returns
   * it), after `live` has moved to the new version; the first reload (every file) comes
   * right after this call. Returns `{stop()}`; a running watcher keeps the process alive.
   */
  watch(paths, callback, options) {
    const list = (Array.isArray(paths) ? paths : [paths]).map(pathArg);
    if (typeof callback !== 'function') throw argType('callback', 'a function', callback);
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw argType('options', 'an object', options);
    }
    const debounceMs = options && options.debounceMs !== undefined ? options.debounceMs : 200;
    if (typeof debounceMs !== 'number') throw argType('debounceMs', 'a number', debounceMs);
    const onReload = (json) => {
      this.#refresh();
      callback(JSON.parse(json));
    };
    let watcher;
    try {
      watcher = this.#native.watch(list, onReload, debounceMs);
    } catch (e) {
      rethrow(e);
    }
    return Object.freeze({
      stop() {
        watcher.stop();
      },
    });
  }

  /** apply() on the libuv thread pool: the event loop keeps serving while it rebuilds. */
  async applyAsync(changes) {
    const json = changesJson(changes);
    let out;
    try {
      out = await this.#native.applyAsync(json);
    } catch (e) {
      rethrow(e);
    }
    this.#refresh();
    return JSON.parse(out);
  }
}

/**
 * Applies request or response header edits (Action.requestHeaders / responseHeaders) to a
 * flat `[name, value, ...]` list such as rawHeaders and returns a new list: `set` replaces
 * every line of the header, `add` appends `,value` to its last line (or adds a line),
 * `remove` drops every line. Names compare case-insensitively (ASCII). The edits run in the
 * core (`trieway::HeaderEdit::edit_lines`), the same code as the Rust and Python APIs.
 */
function editHeaders(edits, rawHeaders) {
  if (!Array.isArray(edits)) throw argType('edits', 'an array', edits);
  if (!Array.isArray(rawHeaders) || rawHeaders.length % 2 !== 0) {
    throw argType('rawHeaders', 'a flat [name, value, ...] array', rawHeaders);
  }
  const flat = [];
  for (const e of edits) flat.push(String(e.op), String(e.name), String(e.value ?? ''));
  try {
    return native.editHeaders(flat, rawHeaders.map(String));
  } catch (e) {
    rethrow(e);
  }
}

/**
 * The `trieway check --output json` report of YAML or JSON text: every configuration
 * problem (`errors`, `warnings`: Issue objects; unknown fields are errors) and the status
 * conditions of every GatewayClass, Gateway, ListenerSet, route and listener, as
 * router.report() gives them. Never throws for an invalid configuration.
 */
function check(text, options) {
  const t = yamlText(text);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw argType('options', 'an object', options);
  }
  const controllerName = options && options.controllerName;
  if (controllerName !== undefined && controllerName !== null && typeof controllerName !== 'string') {
    throw argType('controllerName', 'a string', controllerName);
  }
  let json;
  try {
    json = native.check(t, controllerName ?? undefined);
  } catch (e) {
    rethrow(e);
  }
  return deepFreeze(JSON.parse(json), true);
}

exports.Router = Router;
exports.Live = Live;
exports.L4Match = L4Match;
exports.TERMINATE = TERMINATE;
exports.check = check;
exports.Match = Match;
exports.ConfigError = ConfigError;
exports.NOT_FOUND = NOT_FOUND;
exports.MISDIRECTED = MISDIRECTED;
exports.editHeaders = editHeaders;
