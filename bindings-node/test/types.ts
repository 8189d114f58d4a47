// Compile-time checks of index.d.ts (`npx tsc --noEmit -p tsconfig.json`); never run.
import { createServer, type IncomingMessage } from 'node:http';
import {
  check,
  ConfigError,
  editHeaders,
  L4Match,
  MISDIRECTED,
  NOT_FOUND,
  Router,
  Live,
  type ApplyResult,
  type Explanation,
  type Stats,
  type Reload,
  type Watcher,
  TERMINATE,
  type Action,
  type CheckResult,
  type Backend,
  type Outcome,
  type Report,
  type RouterOptions,
} from '../index.js';

const options: RouterOptions = { hostIsolation: true, regexRank: 'belowPrefix', repeatedHeaders: 'any', strict: false };
const router: Router = Router.fromYaml('kind: Gateway', options);
const fromJson: Router = Router.fromJson([{ kind: 'Gateway' }]);
const shared: Router = Router.fromShared(router.share());
router.unshare();

const outcome: Outcome = router.route({ method: 'GET', host: 'example.com', path: '/a?b=1', headers: ['x-a', '1'], port: 80 });
if (outcome.matched) {
  const name: string = outcome.route.name;
  const kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute' | 'Ingress' = outcome.route.kind;
  const backends: readonly Backend[] = outcome.backends;
  const id: string | undefined = outcome.params['id'];
  void id;
  const target = outcome.pick(0.5);
  if (target.backend) {
    const n: string = target.backend.name;
    void n;
  } else {
    const s: number = target.status;
    void s;
  }
  // status === 200 narrows to a backend (issue: `t.backend` was "possibly null").
  if (target.status === 200) {
    const n: string = target.backend.name;
    void n;
  } else {
    // @ts-expect-error: no backend when the engine answers
    void target.backend.name;
  }
  const action: Action = outcome.apply({ host: 'example.com', path: '/a' }, { random: 0.1 });
  if (action.status === 200) {
    const up: string = action.backend.name;
    void up;
  }
  if (action.kind === 'redirect') {
    const location: string = action.location;
    const code: 301 | 302 | 303 | 307 | 308 = action.status;
    void [location, code];
  }
  const loc: string | null = action.location;
  const edited: string[] = editHeaders(action.requestHeaders, ['Host', 'example.com']);
  void [name, kind, backends, loc, edited];
} else {
  const status: 404 | 421 = outcome.status;
  const k: 'notFound' | 'misdirected' = outcome.kind;
  void [status, k];
}
const same: boolean = outcome === NOT_FOUND || outcome === MISDIRECTED;

createServer((req: IncomingMessage, res) => {
  const o = router.routeRequest(req, { port: 80 });
  if (o.kind === 'matched') {
    const a = o.apply(req);
    res.statusCode = a.status;
  } else {
    res.statusCode = o.status;
  }
  res.end();
});

const grpc: Outcome = router.routeGrpc({ host: 'example.com', path: '/pkg.Svc/Method', port: 80 });
const tls = router.routeTls(443, 'a.example.com');
if (tls?.kind === 'terminate') {
  const same: boolean = tls === TERMINATE;
  void same;
  const k: 'terminate' = tls.kind;
  void k;
} else if (tls) {
  const t: L4Match = tls;
  const passthrough: boolean = t.passthrough;
  const pick = t.pick(0.5);
  if (pick.status === 200) void pick.backend.name;
  void passthrough;
}
const tcp: L4Match | null = router.routeTcp(9000);
const udp: L4Match | null = router.routeUdp(9001);
const ingress: Router = Router.fromIngress('kind: Ingress', { ingressClass: 'nginx', strict: false });
const fromPath: Router = Router.fromPath(new URL('file:///etc/gateway.yaml'));
const pending: Promise<Router>[] = [Router.fromYamlAsync(''), Router.fromJsonAsync([]), Router.fromPathAsync('/x.yaml')];
const checked: CheckResult = check('kind: Gateway', { controllerName: 'example.com/x' });
const firstError: string | undefined = checked.errors[0]?.field;
// @ts-expect-error: 200 is not an engine status
Router.fromYaml('', { allWeightsZeroStatus: 200 });
void [grpc, tcp, udp, ingress, fromPath, pending, firstError];

const many: Outcome[] = router.routeBatch([{ path: '/' }, { path: '/x', host: 'a' }]);
const paths: Outcome[] = router.routePaths(['/a', '/b'], { host: 'example.com' });
const report: Report = router.report();
const attached: number = report.listeners[0].attachedRoutes;

try {
  Router.fromYaml('a: [');
} catch (e) {
  if (e instanceof ConfigError) {
    const code: string = e.code;
    const field: string = e.issues[0].field;
    void [code, field];
  }
}

// @ts-expect-error: path is required
router.route({ host: 'example.com' });
// @ts-expect-error: header values are strings
router.route({ path: '/', headers: { 'x-a': 1 } });
// @ts-expect-error: regexRank is an enum
Router.fromYaml('', { regexRank: 'first' });
// @ts-expect-error: no public constructor
new Router();

void [fromJson, shared, same, many, paths, attached];

// Explain, counters, OpenTelemetry attributes, Live.
{
  const r = Router.fromYaml('', { counters: true });
  const e: Explanation = r.explain({ path: '/' });
  const result: 'matched' | 'not_found' | 'misdirected' = e.outcome.result;
  if (e.outcome.result === 'matched') {
    const n: string = e.outcome.matched.name;
    void n;
  }
  for (const c of e.candidates) {
    if (c.verdict === 'failed') {
      const k: string = c.condition.kind;
      void k;
    }
  }
  const s: Stats | null = r.stats();
  const t: string | null = r.prometheusText();
  const o = r.route({ path: '/' });
  if (o.matched) {
    const h: string = o.httpRoute;
    const i: number = o.attributes['trieway.rule.index'];
    void h;
    void i;
  }
  const live = Live.fromYaml('');
  const v: number = live.version;
  const router: Router = live.router;
  const a: ApplyResult = live.apply(['delete', 'HTTPRoute', 'ns', 'name']);
  const b: Promise<ApplyResult> = live.applyAsync([{ delete: { kind: 'HTTPRoute', name: 'x' } }, 'kind: Service']);
  const w: Watcher = live.watch('config/', (reload: Reload) => {
    const files: string[] = reload.files;
    const published: boolean = reload.result.published;
    void [files, published];
  }, { debounceMs: 50 });
  w.stop();
  void [result, s, t, v, router, a, b];
}
