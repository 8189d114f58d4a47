// Compile-time checks of index.d.ts (`npx tsc --noEmit -p tsconfig.json`); never run.
import { createServer, type IncomingMessage } from 'node:http';
import {
  ConfigError,
  editHeaders,
  MISDIRECTED,
  NOT_FOUND,
  Router,
  type Action,
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
  const kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute' = outcome.route.kind;
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
  const action: Action = outcome.apply({ host: 'example.com', path: '/a' }, { random: 0.1 });
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
