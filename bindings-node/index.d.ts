// Type declarations of the npm package `trieway` (hand-written; checked by `tsc --noEmit`
// against test/types.ts).
import type { IncomingMessage } from 'node:http';

/** Options of Router.fromYaml / fromJson. Every field is optional; defaults follow SPEC. */
export interface RouterOptions {
  /** `namespace/name` of the Gateway to serve (default: the only Gateway served). */
  gateway?: string | null;
  /** Serve only Gateways whose GatewayClass names this controllerName (default: every Gateway in the configuration). */
  controllerName?: string;
  /** Envoy-style virtual hosts: no fallback to less specific hostnames (default false). */
  hostIsolation?: boolean;
  /** Only routes of the listener selected by the Host compete (default true). */
  listenerIsolation?: boolean;
  /** Rank of RegularExpression paths (default 'betweenExactAndPrefix'). */
  regexRank?: 'betweenExactAndPrefix' | 'belowPrefix';
  /** How a header on several lines is compared (default 'join'). */
  repeatedHeaders?: 'join' | 'first' | 'any';
  /** Status when every backend weight is 0 (default 500; any status but 200). */
  allWeightsZeroStatus?: EngineStatus;
  /** Compiled size limit of one regular expression, in bytes (default 1 MiB). */
  regexSizeLimit?: number;
  /** Longer paths never match (default 16384). */
  maxPathLen?: number;
  /** A longer query (bytes after `?`) counts as absent: query conditions fail (default 16384). */
  maxQueryLen?: number;
  /** A longer header value never satisfies a header condition (default 16384). */
  maxHeaderValueLen?: number;
  /** DFA bytes one route's regexes may take; rules over it are dropped and reported
   * (default 2 MiB). */
  regexRouteBudget?: number;
  /** DFA bytes all regexes of the Router may take; rules over it are dropped and reported
   * (default 64 MiB). */
  regexRouterBudget?: number;
  /** ExtensionRef filter kinds you implement, as `group/kind` (others answer 500; default none). */
  extensionKinds?: readonly string[];
  /** With `strict: false`: unknown fields are warnings ('warn', the default) or ignored ('ignore'). */
  unknownFields?: 'error' | 'warn' | 'ignore';
  /** Count the requests each rule wins and each listener's 404 and 421 answers (sharded
   * counters, summed on read: router.stats(), router.prometheusText(); default false). */
  counters?: boolean;
  /** Route Ingresses (`fromIngress`) as ingress-nginx does rather than as the Ingress
   * specification says (docs/ingress.md, "The ingress-nginx flavor"; default false). */
  ingressNginx?: boolean;
  /** Refuse a configuration with any invalid object or any unknown field (default true:
   * throws ConfigError, e.g. `spec.rules[0].backendRef: unknown field, did you mean
   * backendRefs?`, as `kubectl apply` with strict field validation refuses it); false serves
   * the rest, lists invalid objects in `router.errors` and unknown fields in
   * `router.warnings`. */
  strict?: boolean;
}

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
type ToNumber<S> = S extends `${infer N extends number}` ? N : never;
/** An HTTP status code, 100 to 599. */
export type HttpStatus = ToNumber<`${1 | 2 | 3 | 4 | 5}${Digit}${Digit}`>;
/** A status the engine answers itself (500 for an invalid backend's share, 503, or the
 * configured allWeightsZeroStatus): never 200, so `status === 200` narrows to a backend. */
export type EngineStatus = Exclude<HttpStatus, 200>;

/** Headers: an object (values may be arrays for repeated lines) or a flat
 * `[name, value, name, value, ...]` array like `IncomingMessage.rawHeaders` (fastest). */
export type HeadersInput = Record<string, string | readonly string[]> | readonly string[];

/** A request to route. */
export interface RouteInput {
  /** Method token (default 'GET'). */
  method?: string;
  /** Host or `:authority`, a port is allowed and ignored. */
  host?: string;
  /** The request-target: path with an optional `?query`. */
  path: string;
  headers?: HeadersInput;
  /** Port of the Gateway listener the request arrived on (default: the lowest port). */
  port?: number;
  /** TLS server name, for HTTPS listeners. */
  sni?: string;
  /** `http` or `https` as seen by the client (apply() only). */
  scheme?: string;
}

/** Anything shaped like an http.IncomingMessage. */
export interface IncomingLike {
  method?: string;
  url?: string;
  rawHeaders: readonly string[];
  socket?: { servername?: string | false | null; encrypted?: boolean } | null;
}

export interface RouteRequestOptions {
  /** Gateway listener port (default: the lowest). */
  port?: number;
  /** TLS server name (default: the socket's servername). */
  sni?: string;
}

export interface ApplyOptions {
  /** Uniform random number in [0, 1) for the weighted backend draw (default Math.random()):
   * the backend whose share of the cumulative weights contains `random * totalWeight`. */
  random?: number;
  /** For IncomingMessage input: listener port, SNI, scheme. */
  port?: number;
  sni?: string;
  scheme?: string;
}

export interface RouteRef {
  kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute' | 'Ingress';
  namespace: string;
  name: string;
}

export interface Backend {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  port: number | null;
  weight: number;
  appProtocol: string | null;
  /** false: the reference did not resolve; requests drawn to it get 500. */
  valid: boolean;
  problem: { reason: string; message: string } | null;
  /** Position of the backendRef in its rule. */
  index: number;
  /** The BackendTLSPolicy in effect on the Service port (dial over TLS), or null. */
  tls: {
    /** `namespace/name` of the policy. */
    policy: string;
    /** The SNI to send and, without SANs, the name to verify. */
    hostname: string;
    /** The PEM CA bundle to verify the backend with. */
    caBundle: string | null;
    /** Verify with the system's trusted roots. */
    systemRoots: boolean;
    /** Names the backend certificate must carry one of (empty: the hostname). */
    subjectAltNames: { type: string; value: string }[];
  } | null;
  /** The XBackendTrafficPolicy in effect on the Service, or null. */
  traffic: {
    /** `namespace/name` of the policy. */
    policy: string;
    /** Retries at most `percent` of active requests within `intervalMs`. */
    retryBudget: { percent: number; intervalMs: number } | null;
    /** Retries always allowed: `count` per `intervalMs`. */
    minRetryRate: { count: number; intervalMs: number } | null;
    /** `sessionPersistence` as written. */
    sessionPersistence: Record<string, unknown> | null;
  } | null;
}

/** One certificate a listener serves. */
export interface Certificate {
  /** `namespace/name` of the Secret. */
  readonly secret: string;
  /** `tls.crt`: the chain, PEM, leaf first (empty when the Secret carried no data). */
  readonly chainPem: string;
  /** `tls.key`: the private key, PEM (not enumerable). */
  readonly keyPem: string;
}

/** The certificates of one TLS-terminating listener. */
export interface ListenerCertificates {
  readonly listener: string;
  readonly port: number;
  readonly hostname: string | null;
  readonly certificates: readonly Certificate[];
}

/** A port's client-certificate validation (`spec.tls.frontend`). */
export interface FrontendValidation {
  readonly port: number;
  readonly mode: 'AllowValidOnly' | 'AllowInsecureFallback' | string;
  readonly caBundlePem: string;
  readonly caConfigMaps: readonly string[];
  /** `spec.tls.frontend.default` or `spec.tls.frontend.perPort[i].tls`. */
  readonly source: string;
  /** false: no CA certificate reference is valid; every connection is rejected. */
  readonly usable: boolean;
}

export interface Duration {
  /** As configured, e.g. `1m30s`. */
  text: string;
  ms: number;
}

export interface Policies {
  timeouts: { request: Duration | null; backendRequest: Duration | null } | null;
  retry: { attempts: number | null; codes: number[]; backoff: Duration | null } | null;
  session: {
    type: string;
    name: string | null;
    absoluteTimeout: Duration | null;
    idleTimeout: Duration | null;
    permanent: boolean;
  } | null;
}

export interface HeaderEdit {
  op: 'set' | 'add' | 'remove';
  name: string;
  value: string;
}

interface ActionCommon {
  scheme: 'http' | 'https';
  /** Upstream Host / :authority. */
  authority: string;
  /** Upstream path and query. */
  pathAndQuery: string;
  requestHeaders: HeaderEdit[];
  responseHeaders: HeaderEdit[];
  mirrors: { backend: Backend; percent: number }[];
  /** ExtensionRef filters reached (an unknown one must answer 500). */
  extensions: { group: string; kind: string; name: string }[];
  policies: Policies;
}

/** Forward the request to `backend`. */
export interface ForwardAction extends ActionCommon {
  kind: 'forward';
  status: 200;
  backend: Backend;
  location: null;
}

/** Answer with a redirect to `location`. */
export interface RedirectAction extends ActionCommon {
  kind: 'redirect';
  status: 301 | 302 | 303 | 307 | 308;
  backend: null;
  location: string;
}

/** The engine answers itself (500 for an invalid backend, no backends, ...). */
export interface RespondAction extends ActionCommon {
  kind: 'respond';
  status: EngineStatus;
  backend: null;
  location: null;
}

/** What the proxy must do with a matched request: narrows on `kind` or on `status === 200`. */
export type Action = ForwardAction | RedirectAction | RespondAction;

/** The result of pick(): narrows on `status === 200` (or `backend !== null`). */
export type Target = { backend: Readonly<Backend>; status: 200 } | { backend: null; status: EngineStatus };

/**
 * A rule that matched. Match objects are frozen and cached, one per distinct match, except
 * for a RegularExpression path with named groups: its Match is new per lookup, with that
 * request's `params`.
 */
export declare class Match {
  private constructor();
  readonly kind: 'matched';
  readonly matched: true;
  readonly route: Readonly<RouteRef>;
  readonly ruleIndex: number;
  readonly ruleName: string | null;
  readonly matchIndex: number;
  readonly pathMatch: Readonly<{ type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string }>;
  /**
   * Path parameters: the named groups of a RegularExpression path (`(?P<id>[0-9]+)`), name →
   * value. Unnamed groups are not parameters; empty for Exact and PathPrefix paths and for
   * regexes that are not one-pass (such as `(?P<a>.*)/(?P<b>.*)`).
   */
  readonly params: Readonly<Record<string, string>>;
  /** The effective hostname matched (`*` for any host). */
  readonly hostname: string;
  readonly listener: string;
  readonly port: number;
  readonly tls: boolean;
  readonly backends: readonly Readonly<Backend>[];
  readonly totalWeight: number;
  readonly policies: Readonly<Policies>;
  /** The matched route template for OpenTelemetry's `http.route` (low-cardinality): the Exact
   * or PathPrefix value, the RegularExpression path as configured, or a GRPCRoute's
   * `/{service}/{method}`. */
  readonly httpRoute: string;
  /** OpenTelemetry span attributes: `http.route`, `trieway.gateway`, `trieway.listener`,
   * `trieway.hostname`, `trieway.route.kind`, `trieway.route.namespace`, `trieway.route.name`,
   * `trieway.rule.index` (a number), `trieway.rule.name` (when set). Values come from the
   * configuration only: `span.setAttributes(m.attributes)`. */
  readonly attributes: Readonly<MatchAttributes>;
  /** Draws a backend (random in [0, 1), default Math.random()). */
  pick(random?: number): Target;
  /** Applies the filters to the request that was routed (another request throws,
   * `ERR_TRIEWAY_OTHER_REQUEST`). */
  apply(req: RouteInput | IncomingLike | IncomingMessage, options?: ApplyOptions): Action;
}

export interface NotFound {
  readonly kind: 'notFound';
  readonly matched: false;
  readonly status: 404;
}

export interface Misdirected {
  readonly kind: 'misdirected';
  readonly matched: false;
  readonly status: 421;
}

export type Outcome = Match | NotFound | Misdirected;

/** Match.attributes. */
export interface MatchAttributes {
  'http.route': string;
  'trieway.gateway': string;
  'trieway.listener'?: string;
  'trieway.hostname'?: string;
  'trieway.route.kind': string;
  'trieway.route.namespace': string;
  'trieway.route.name': string;
  'trieway.rule.index': number;
  'trieway.rule.name'?: string;
}

/** A rule of an Explanation (route, rule, match). */
export interface ExplainedMatch {
  kind: string;
  namespace: string;
  name: string;
  rule: number;
  rule_name: string | null;
  match_index: number;
}

/** One candidate rule match of an Explanation, with its verdict. */
export type ExplainedCandidate = ExplainedMatch & {
  hostname: string;
  listener: string;
  path: string;
} & (
    | { verdict: 'matched' | 'host_isolated' | 'other_listener' }
    | {
        verdict: 'failed';
        condition: {
          kind: 'path' | 'method' | 'header' | 'query_param' | 'grpc_method';
          name: string | null;
          expected: string;
          actual: string | null;
        };
      }
    | { verdict: 'shadowed'; by: ExplainedMatch; step: string }
  );

/** router.explain(): the JSON of `trieway explain -o json` (snake_case keys, as the CLI). */
export interface Explanation {
  gateway: string;
  listener: {
    port: number | null;
    listener: string | null;
    host: string | null;
    sni_listener: string | null;
    selected: boolean;
    reason: string;
  };
  hostnames: { hostname: string; tried: boolean; candidates: number }[];
  candidates: ExplainedCandidate[];
  not_attached: {
    kind: string;
    namespace: string;
    name: string;
    parent: string;
    section_name: string | null;
    reason: string;
    message: string;
    matching_rules: number[] | null;
  }[];
  notes: string[];
  outcome:
    | { result: 'matched'; matched: ExplainedMatch; hostname: string; listener: string }
    | { result: 'not_found' }
    | { result: 'misdirected' };
}

/** router.stats() (snake_case keys, as the Rust `Stats`). */
export interface Stats {
  gateway: string;
  rules: {
    kind: string;
    namespace: string;
    name: string;
    rule_index: number;
    rule_name: string | null;
    matches: number;
  }[];
  listeners: { port: number | null; listener: string | null; not_found: number; misdirected: number }[];
}

/** An object of a change set. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/** One change of Live.apply(): YAML/JSON text (every object is upserted), a Kubernetes
 * object, or a delete. */
export type Change =
  | string
  | Uint8Array
  | readonly ['delete', string, string | null, string]
  | { delete: { kind: string; namespace?: string | null; name: string } }
  | { apiVersion: string; kind: string; metadata: object; [key: string]: unknown };

/** What Live.apply() did. */
export interface ApplyResult {
  /** The version serving after the call. */
  version: number;
  /** Whether a new Router was published. */
  published: boolean;
  applied: ObjectRef[];
  /** Upserts of objects stored exactly so already. */
  unchanged: ObjectRef[];
  /** Upserts refused (the previous version of the object keeps serving). */
  rejected: { object: ObjectRef; errors: Issue[] }[];
  warnings: Issue[];
  /** Why the next Router could not be built (nothing applied), or null. */
  failed: string | null;
  /**
   * Whether the published Router was built incrementally from the previous one (a change set
   * of HTTPRoutes, GRPCRoutes, Services, ReferenceGrants to Services and Namespaces).
   */
  incremental: boolean;
  /** For a published Router built in full: why (not incrementally); else null. */
  full_build: string | null;
}

/** A TLS, TCP or UDP connection's route (routeTls / routeTcp / routeUdp). */
export declare class L4Match {
  private constructor();
  readonly kind: 'matched';
  readonly matched: true;
  readonly route: Readonly<RouteRef>;
  readonly listener: string;
  /** The effective hostname the SNI matched (`*` for TCP and UDP). */
  readonly hostname: string;
  readonly port: number;
  /** true: the backend receives the client's TLS stream (TLS Passthrough). */
  readonly passthrough: boolean;
  readonly backends: readonly Readonly<Backend>[];
  /** Draws a backend per connection or flow: status !== 200 means reject. */
  pick(random?: number): Target;
}

/** routeTls's answer when the SNI selects an HTTPS listener: terminate TLS, route with route(). */
export interface Terminate {
  readonly kind: 'terminate';
  readonly matched: false;
}
export declare const TERMINATE: Terminate;

/** A gRPC call to route. */
export interface GrpcInput {
  host?: string;
  /** `/package.Service/Method`. */
  path: string;
  headers?: HeadersInput;
  port?: number;
  sni?: string;
  scheme?: string;
}

export declare const NOT_FOUND: NotFound;
export declare const MISDIRECTED: Misdirected;

export interface Issue {
  /** Kind of the object, or ''. */
  kind: string;
  /** `namespace/name`, or ''. */
  object: string;
  origin: { file: string; index: number } | null;
  /** Field path such as `spec.rules[2].matches[0].path.value`, or ''. */
  field: string;
  message: string;
  /** The full message, as the Rust engine prints it. */
  text: string;
}

export type ConfigErrorCode =
  | 'ERR_TRIEWAY_INVALID_CONFIG'
  | 'ERR_TRIEWAY_GATEWAY'
  | 'ERR_TRIEWAY_LIMIT'
  | 'ERR_TRIEWAY_IO'
  | 'ERR_TRIEWAY_CONFIG';

/** A configuration that cannot be loaded or compiled. */
export declare class ConfigError extends Error {
  constructor(message: string, init?: { code?: ConfigErrorCode; issues?: Issue[] });
  readonly name: 'ConfigError';
  code: ConfigErrorCode;
  /** Every problem, in input order (empty for Gateway selection errors). */
  issues: Issue[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface Report {
  routes: readonly {
    kind: RouteRef['kind'];
    namespace: string;
    name: string;
    parents: readonly {
      parentKind: string;
      parent: string;
      sectionName: string | null;
      port: number | null;
      conditions: readonly Condition[];
    }[];
  }[];
  listeners: readonly {
    gateway: string;
    name: string;
    /** `namespace/name` of the ListenerSet that declared the listener; absent for the
     * Gateway's own. */
    listenerSet?: string;
    attachedRoutes: number;
    supportedKinds: readonly string[];
    conditions: readonly Condition[];
  }[];
  /** Notes that are no object's condition, e.g. a Gateway served although its GatewayClass
   * is not in the configuration. */
  warnings: readonly string[];
  /** GatewayClasses of the controller: `Accepted`, `SupportedVersion`. */
  gatewayClasses: readonly { name: string; conditions: readonly Condition[] }[];
  /** Served Gateways: `Accepted`, `Programmed`. */
  gateways: readonly { namespace: string; name: string; conditions: readonly Condition[] }[];
  /** ListenerSets naming a served Gateway (`gateway`, `namespace/name`): `Accepted`
   * (`NotAllowed` when the Gateway refuses it), `Programmed`. */
  listenerSets: readonly {
    namespace: string;
    name: string;
    gateway: string;
    conditions: readonly Condition[];
  }[];
  /** BackendTLSPolicies, one entry per ancestor Gateway (`gateway`, `namespace/name`):
   * `Accepted` (`Conflicted`, `NoValidCACertificate`, ...) and `ResolvedRefs`. */
  backendTlsPolicies: readonly {
    namespace: string;
    name: string;
    gateway: string;
    conditions: readonly Condition[];
  }[];
  /** XBackendTrafficPolicies, one entry per ancestor Gateway: `Accepted`. */
  backendTrafficPolicies: readonly {
    namespace: string;
    name: string;
    gateway: string;
    conditions: readonly Condition[];
  }[];
}

/** The compiled routing table of one Gateway. Immutable; not transferable between worker
 * threads, but share() / fromShared() give another thread the same table without
 * recompiling. */
export declare class Router {
  private constructor();
  /** Loads YAML (or JSON) text and compiles it. Throws ConfigError. */
  static fromYaml(text: string | Uint8Array, options?: RouterOptions): Router;
  /** Loads JSON text or objects and compiles them. Throws ConfigError. */
  static fromJson(json: string | object | readonly object[], options?: RouterOptions): Router;
  /** Loads a file, or every .yaml/.yml/.json file below a directory, and compiles it. */
  static fromPath(path: string | URL, options?: RouterOptions): Router;
  /** Compiles the Ingresses of `options.ingressClass` (default: every Ingress). */
  static fromIngress(text: string | Uint8Array, options?: RouterOptions & { ingressClass?: string | null }): Router;
  /** fromYaml on the libuv thread pool: the event loop keeps running. */
  static fromYamlAsync(text: string | Uint8Array, options?: RouterOptions): Promise<Router>;
  /** fromJson on the libuv thread pool. */
  static fromJsonAsync(json: string | object | readonly object[], options?: RouterOptions): Promise<Router>;
  /** fromPath on the libuv thread pool. */
  static fromPathAsync(path: string | URL, options?: RouterOptions): Promise<Router>;
  /** A Router over a table registered by share() in any thread of this process. */
  static fromShared(token: number): Router;
  /** `namespace/name` of the Gateway served. */
  readonly gateway: string;
  /** Problems of the configuration (non-strict loading only). */
  readonly errors: readonly Issue[];
  readonly warnings: readonly Issue[];
  route(req: RouteInput): Outcome;
  /** Routes a gRPC call over the GRPCRoutes. */
  routeGrpc(req: GrpcInput): Outcome;
  /** Routes a TLS connection by port and SNI. */
  routeTls(port: number, sni?: string | null): L4Match | Terminate | null;
  /** The listener certificates for a TLS handshake by port and SNI (exact hostname, then
   * longest wildcard, then no hostname), or null. */
  certificateFor(port: number, sni?: string | null): ListenerCertificates | null;
  /** The certificates of every usable TLS-terminating listener. */
  listenerCertificates(): readonly ListenerCertificates[];
  /** The client-certificate validation of a port, or null. */
  frontendValidation(port: number): FrontendValidation | null;
  /** What to do with a connection after client-certificate verification. */
  clientCertificateDecision(
    port: number,
    client: 'absent' | 'valid' | 'invalid',
  ): 'accept' | 'reject' | 'insecureFallback';
  /** Routes a TCP connection by port. */
  routeTcp(port: number): L4Match | null;
  /** Routes a UDP flow by port. */
  routeUdp(port: number): L4Match | null;
  routeRequest(req: IncomingLike | IncomingMessage, options?: RouteRequestOptions): Outcome;
  routeBatch(requests: readonly RouteInput[]): Outcome[];
  routePaths(
    paths: readonly string[],
    common?: { method?: string; host?: string; headers?: HeadersInput; port?: number },
  ): Outcome[];
  /** Why route() decides as it does for `req` (diagnosis: allocates, scans every candidate). */
  explain(req: RouteInput): Explanation;
  /** explain() for a gRPC call, as routeGrpc() routes it. */
  explainGrpc(req: GrpcInput): Explanation;
  /** The counters (compiled with `counters: true`), or null. */
  stats(): Stats | null;
  /** The counters in the Prometheus text format 0.0.4 for a `/metrics` handler, or null. */
  prometheusText(): string | null;
  report(): Report;
  share(): number;
  unshare(): void;
}

/** The current Router of a changing configuration (live updates). */
export declare class Live {
  private constructor();
  static fromYaml(text: string | Uint8Array, options?: RouterOptions): Live;
  static fromJson(json: string | object | readonly object[], options?: RouterOptions): Live;
  static fromPath(path: string | URL, options?: RouterOptions): Live;
  static fromIngress(text: string | Uint8Array, options?: RouterOptions & { ingressClass?: string | null }): Live;
  /** The Router of the current version (keep it for a whole request). */
  readonly router: Router;
  /** 1 for the first Router, one more per published change set. */
  readonly version: number;
  route(req: RouteInput): Outcome;
  routeRequest(req: IncomingLike | IncomingMessage, options?: RouteRequestOptions): Outcome;
  routeGrpc(req: GrpcInput): Outcome;
  explain(req: RouteInput): Explanation;
  /** Applies a change set and publishes the next Router. Throws ConfigError for text that
   * does not parse (nothing applied); invalid objects are rejected in the result. */
  apply(changes: Change | readonly Change[]): ApplyResult;
  /** apply() on the libuv thread pool. */
  applyAsync(changes: Change | readonly Change[]): Promise<ApplyResult>;
  /** Reloads changed files (debounced); each reload calls `callback` on the event loop, the
   * first (every file) right after this call. A running watcher keeps the process alive. */
  watch(
    paths: string | URL | readonly (string | URL)[],
    callback: (reload: Reload) => void,
    options?: { debounceMs?: number },
  ): Watcher;
}

/** One reload of Live.watch(). */
export interface Reload {
  /** The files read (or found deleted). */
  files: string[];
  /** Files that could not be read. */
  unreadable: Issue[];
  result: ApplyResult;
}

/** A running Live.watch(). */
export interface Watcher {
  /** Stops watching (waits for a reload in progress). Idempotent. */
  stop(): void;
}

/** Applies header edits to a flat `[name, value, ...]` list and returns a new list. */
export declare function editHeaders(edits: readonly HeaderEdit[], rawHeaders: readonly string[]): string[];

/** The `trieway check --output json` document (keys in camelCase, as report()). */
export type CheckResult = Omit<Report, 'warnings'> & {
  /** Invalid objects and fields (unknown fields included). */
  readonly errors: readonly Issue[];
  /** Things skipped without harm, and the report's notes (as Issues with only `message`). */
  readonly warnings: readonly Issue[];
};

/** Checks YAML or JSON text: every problem and every status condition. Never throws for an
 * invalid configuration. */
export declare function check(text: string | Uint8Array, options?: { controllerName?: string }): CheckResult;
