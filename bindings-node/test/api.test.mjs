import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { YAML } from './fixtures.mjs';
import { githubYaml, githubTemplates, githubPath, tenantSet } from '../bench/gen.mjs';

const require = createRequire(import.meta.url);
const { Router, Match, NOT_FOUND, MISDIRECTED, editHeaders } = require('../index.js');

const router = Router.fromYaml(YAML);

test('fromYaml compiles the only Gateway', () => {
  assert.equal(router.gateway, 'default/gw');
  assert.deepEqual(router.errors, []);
});

test('route: prefix, header, method, query and exact matches', () => {
  const api = router.route({ method: 'GET', host: 'edge.test', path: '/api/users' });
  assert.ok(api instanceof Match);
  assert.equal(api.kind, 'matched');
  assert.deepEqual({ ...api.route }, { kind: 'HTTPRoute', namespace: 'default', name: 'web' });
  assert.equal(api.ruleName, 'api');
  assert.equal(api.ruleIndex, 0);
  assert.deepEqual({ ...api.pathMatch }, { type: 'PathPrefix', value: '/api' });
  assert.equal(api.hostname, 'edge.test');
  assert.equal(api.listener, 'http');
  assert.equal(api.port, 80);
  assert.equal(api.tls, false);
  assert.equal(api.backends.length, 1);
  assert.equal(api.backends[0].name, 'a');
  assert.equal(api.backends[0].valid, true);

  // Headers as an object, a flat array, an array value; names are case-insensitive.
  for (const headers of [{ 'X-Version': '2' }, ['x-version', '2'], { 'x-version': ['2'] }]) {
    assert.equal(router.route({ host: 'edge.test', path: '/api/x', headers }).ruleName, 'api-v2');
  }
  assert.equal(router.route({ host: 'edge.test', path: '/api/x', headers: { 'x-version': '3' } }).ruleName, 'api');
  assert.equal(router.route({ method: 'GET', host: 'edge.test', path: '/healthz' }).ruleName, 'health');
  assert.equal(router.route({ method: 'POST', host: 'edge.test', path: '/healthz' }), NOT_FOUND);
  assert.equal(router.route({ host: 'edge.test', path: '/search?q=cats' }).ruleName, 'search');
  assert.equal(router.route({ host: 'edge.test', path: '/search?q=dogs' }), NOT_FOUND);
  // Host with port and upper case.
  assert.equal(router.route({ host: 'EDGE.test:80', path: '/api' }).ruleName, 'api');
});

test('route: not found and misdirected are frozen singletons', () => {
  assert.equal(router.route({ host: 'nope.test', path: '/' }), NOT_FOUND);
  assert.equal(NOT_FOUND.status, 404);
  assert.equal(router.route({ host: 'app.secure.test', path: '/', port: 443, sni: 'www.other.test' }), MISDIRECTED);
  assert.equal(MISDIRECTED.status, 421);
  assert.ok(Object.isFrozen(NOT_FOUND));
  const ok = router.route({ host: 'app.secure.test', path: '/', port: 443, sni: 'app.secure.test' });
  assert.equal(ok.listener, 'https');
  assert.equal(ok.tls, true);
});

test('the same match is the same cached, frozen object', () => {
  const a = router.route({ host: 'edge.test', path: '/api/1' });
  const b = router.route({ host: 'edge.test', path: '/api/2' });
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.ok(Object.isFrozen(a.backends[0]));
});

test('routeRequest reads IncomingMessage-shaped input', () => {
  const req = { method: 'GET', url: '/api/x?y=1', rawHeaders: ['User-Agent', 'x', 'Host', 'edge.test', 'X-Version', '2'], socket: {} };
  assert.equal(router.routeRequest(req).ruleName, 'api-v2');
  // HTTP/2 compatibility API: :authority.
  const h2 = { method: 'GET', url: '/api', rawHeaders: [':authority', 'edge.test', ':path', '/api'], socket: {} };
  assert.equal(router.routeRequest(h2).ruleName, 'api');
  // TLS socket: servername is the SNI.
  const tls = { method: 'GET', url: '/', rawHeaders: ['host', 'app.secure.test'], socket: { servername: 'www.other.test' } };
  assert.equal(router.routeRequest(tls, { port: 443 }), MISDIRECTED);
  assert.equal(router.routeRequest(tls, { port: 443, sni: 'app.secure.test' }).listener, 'https');
  assert.equal(router.routeRequest({ method: 'GET', url: '/', rawHeaders: [] }), NOT_FOUND);
});

test('routeBatch and routePaths agree with route', () => {
  const reqs = [
    { host: 'edge.test', path: '/api' },
    { host: 'edge.test', path: '/nothing' },
    { host: 'edge.test', path: '/split/x' },
  ];
  assert.deepEqual(router.routeBatch(reqs), reqs.map((r) => router.route(r)));
  assert.deepEqual(
    router.routePaths(['/api', '/nothing', '/split/x'], { host: 'edge.test' }),
    reqs.map((r) => router.route(r)),
  );
});

test('pick draws by weight with the caller random number', () => {
  const m = router.route({ host: 'edge.test', path: '/split' });
  assert.equal(m.totalWeight, 4);
  let a = 0;
  for (let i = 0; i < 400; i++) if (m.pick(i / 400).backend.name === 'a') a++;
  assert.equal(a, 300);
  assert.equal(m.pick(0).status, 200);
  const broken = router.route({ host: 'edge.test', path: '/broken' });
  assert.deepEqual({ ...broken.pick(0.5) }, { backend: null, status: 500 });
  assert.equal(broken.backends[0].problem.reason, 'BackendNotFound');
});

test('apply: header edits, rewrite, redirect, respond', () => {
  const req = { method: 'GET', host: 'edge.test', path: '/api/users?page=2', headers: ['X-Debug', '1', 'X-Via', 'client'] };
  const a = router.route(req).apply(req, { random: 0.5 });
  assert.equal(a.kind, 'forward');
  assert.equal(a.status, 200);
  assert.equal(a.backend.name, 'a');
  assert.equal(a.authority, 'edge.test');
  assert.equal(a.pathAndQuery, '/v1/users?page=2');
  assert.deepEqual(a.requestHeaders, [
    { op: 'set', name: 'x-tenant', value: 't1' },
    { op: 'add', name: 'x-via', value: 'trieway' },
    { op: 'remove', name: 'x-debug', value: '' },
  ]);
  assert.deepEqual(a.responseHeaders, [{ op: 'set', name: 'x-served-by', value: 'edge' }]);
  assert.deepEqual(editHeaders(a.requestHeaders, ['Host', 'edge.test', 'X-Debug', '1', 'X-Via', 'client']), [
    'Host', 'edge.test', 'X-Via', 'client,trieway', 'x-tenant', 't1',
  ]);

  const old = { host: 'edge.test', path: '/old/page?x=1' };
  const r = router.route(old).apply(old);
  assert.equal(r.kind, 'redirect');
  assert.equal(r.status, 301);
  assert.equal(r.location, 'http://edge.test/new/page?x=1');
  assert.equal(r.backend, null);

  const broken = { host: 'edge.test', path: '/broken' };
  const b = router.route(broken).apply(broken);
  assert.equal(b.kind, 'respond');
  assert.equal(b.status, 500);

  // IncomingMessage input.
  const im = { method: 'GET', url: '/api/z', rawHeaders: ['Host', 'edge.test'], socket: {} };
  assert.equal(router.routeRequest(im).apply(im).pathAndQuery, '/v1/z');
});

test('report: conditions per route and listener', () => {
  const rep = router.report();
  const web = rep.routes.find((r) => r.name === 'web');
  assert.equal(web.kind, 'HTTPRoute');
  const accepted = web.parents[0].conditions.find((c) => c.type === 'Accepted');
  assert.equal(accepted.status, 'True');
  const resolved = web.parents[0].conditions.find((c) => c.type === 'ResolvedRefs');
  assert.equal(resolved.status, 'False'); // the `broken` rule names a missing Service
  const http = rep.listeners.find((l) => l.name === 'http');
  assert.equal(http.attachedRoutes, 1);
  assert.ok(Object.isFrozen(rep));
});

test('report: GatewayClass, Gateway and ListenerSet status', () => {
  const yaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/x}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: c
  allowedListeners: {namespaces: {from: All}}
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: a.example.com}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: tenant, namespace: other}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners: [{name: steal, port: 80, protocol: HTTP, hostname: a.example.com}]
`;
  const rep = Router.fromYaml(yaml).report();
  const conds = (o) => Object.fromEntries(o.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
  assert.deepEqual(conds(rep.gateways[0]), { Accepted: 'True/Accepted', Programmed: 'True/Programmed' });
  assert.deepEqual(conds(rep.gatewayClasses[0]), { Accepted: 'True/Accepted', SupportedVersion: 'True/SupportedVersion' });
  assert.deepEqual([rep.backendTlsPolicies, rep.backendTrafficPolicies], [[], []]);
  const ls = rep.listenerSets[0];
  assert.equal(ls.gateway, 'infra/gw');
  assert.deepEqual(conds(ls), { Accepted: 'False/ListenersNotValid', Programmed: 'False/Invalid' });
  // The tenant's listener loses; the Gateway's own keeps serving.
  const own = rep.listeners.find((l) => l.name === 'http');
  assert.equal(conds(own).Conflicted, 'False/NoConflicts');
  const steal = rep.listeners.find((l) => l.name === 'steal');
  assert.equal(steal.listenerSet, 'other/tenant');
  assert.equal(conds(steal).Conflicted, 'True/HostnameConflict');
});

test('fromJson compiles JSON objects and text', () => {
  const objs = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'example.com/gateway-under-test' } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'ns' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { ports: [{ port: 8080 }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns' }, spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ name: 's', port: 8080 }] }] } },
  ];
  for (const input of [objs, JSON.stringify(objs), { apiVersion: 'v1', kind: 'List', items: objs }]) {
    const r = Router.fromJson(input);
    assert.equal(r.gateway, 'ns/g');
    assert.equal(r.route({ host: 'any', path: '/x' }).backends[0].port, 8080);
  }
});

test('options: gateway, hostIsolation, strict: false', () => {
  const demo = readFileSync(new URL('../../examples/demo.yaml', import.meta.url), 'utf8');
  const r = Router.fromYaml(demo, { gateway: 'infra/edge', hostIsolation: true, regexRank: 'belowPrefix', repeatedHeaders: 'first', maxPathLen: 100 });
  assert.equal(r.gateway, 'infra/edge');
  assert.equal(r.route({ host: 'store.example.com', path: '/healthz', port: 443 }).ruleName, 'health');
  assert.equal(r.route({ host: 'store.example.com', path: '/' + 'a'.repeat(200), port: 443 }), NOT_FOUND);

  const lenient = Router.fromYaml(`${YAML}\n---\nkind: HTTPRoute\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: bad, namespace: default}\nspec: {rules: [{matches: [{path: {type: Exact, value: nope}}]}]}\n`, { strict: false });
  assert.ok(lenient.errors.length >= 1);
  assert.match(lenient.errors[0].text, /HTTPRoute default\/bad/);
  assert.equal(lenient.route({ host: 'edge.test', path: '/api' }).ruleName, 'api');
});

test('GitHub route set: every template reaches its rule', () => {
  const templates = githubTemplates();
  const gh = Router.fromYaml(githubYaml(templates));
  templates.forEach((t, i) => {
    const m = gh.route({ method: 'GET', host: 'api.github.com', path: githubPath(t) });
    assert.equal(m.route.name, `github-${i >> 4}`, t);
    assert.equal(m.ruleIndex, i & 15, t);
  });
});

test('multi-tenant set (small): every request reaches its rule', () => {
  const set = tenantSet({ tenants: 5, routesPerTenant: 3, rulesPerRoute: 10 });
  const r = Router.fromYaml(set.yaml);
  for (const q of set.requests) {
    const m = r.route(q);
    assert.deepEqual([m.route.namespace, m.route.name, m.ruleIndex], [q.expect.namespace, q.expect.route, q.expect.rule], `${q.host}${q.path}`);
  }
});

test('options: request and regex bounds (maxQueryLen, maxHeaderValueLen, regex budgets)', () => {
  const yaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: any
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - name: q
    matches: [{path: {value: /q}, queryParams: [{name: q, value: "1"}]}]
    backendRefs: [{name: svc, port: 80}]
  - name: h
    matches: [{path: {value: /h}, headers: [{name: x, value: long-value}]}]
    backendRefs: [{name: svc, port: 80}]
  - name: re
    matches: [{path: {type: RegularExpression, value: "/re/[a-z]+"}}]
    backendRefs: [{name: svc, port: 80}]
`;
  const loose = Router.fromYaml(yaml);
  assert.equal(loose.route({ host: 'a', path: '/q?q=1' }).ruleName, 'q');
  assert.equal(loose.route({ host: 'a', path: '/h', headers: { x: 'long-value' } }).ruleName, 'h');
  assert.equal(loose.route({ host: 'a', path: '/re/abc' }).ruleName, 're');

  const tight = Router.fromYaml(yaml, { maxQueryLen: 2, maxHeaderValueLen: 4, regexRouteBudget: 1, regexRouterBudget: 1 });
  assert.equal(tight.route({ host: 'a', path: '/q?q=1' }), NOT_FOUND);
  assert.equal(tight.route({ host: 'a', path: '/h', headers: { x: 'long-value' } }), NOT_FOUND);
  assert.equal(tight.route({ host: 'a', path: '/re/abc' }), NOT_FOUND);
  const conds = tight.report().routes[0].parents[0].conditions;
  const partial = conds.find((c) => c.type === 'PartiallyInvalid');
  assert.equal(partial.status, 'True');
  assert.match(partial.message, /regex_route_budget/);
  assert.throws(() => Router.fromYaml(yaml, { maxQueryLen: -1 }), /maxQueryLen/);
});

test('match.params: named groups of a RegularExpression path', () => {
  const r = Router.fromYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: c
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: p, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: RegularExpression, value: '/users/(?P<id>[0-9]+)(?:-([a-z]+))?'}}]
  - matches: [{path: {type: RegularExpression, value: '/repos/(?P<owner>[^/]+)/(?<repo>[^/]+)(/.*)?'}}]
  - matches: [{path: {type: Exact, value: /exact}}]
`);
  const m = r.route({ method: 'GET', host: 'h', path: '/users/42-x?q=1' });
  // The unnamed group is not a parameter.
  assert.deepEqual({ ...m.params }, { id: '42' });
  assert.ok(Object.isFrozen(m.params) && Object.isFrozen(m));
  // A new Match per lookup, with that request's params.
  const other = r.route({ method: 'GET', host: 'h', path: '/users/7' });
  assert.deepEqual({ ...other.params }, { id: '7' });
  assert.deepEqual({ ...m.params }, { id: '42' });
  assert.deepEqual(
    { ...r.route({ method: 'GET', host: 'h', path: '/repos/é/w/issues' }).params },
    { owner: 'é', repo: 'w' },
  );
  assert.deepEqual(
    r.routePaths(['/repos/a/b', '/exact'], { method: 'GET', host: 'h' }).map((x) => ({ ...x.params })),
    [{ owner: 'a', repo: 'b' }, {}],
  );
  const exact = r.route({ method: 'GET', host: 'h', path: '/exact' });
  assert.deepEqual({ ...exact.params }, {});
  assert.equal(exact, r.route({ method: 'GET', host: 'h', path: '/exact' }));
  const msg = { method: 'GET', url: '/users/9', rawHeaders: ['Host', 'h'] };
  assert.deepEqual({ ...r.routeRequest(msg).params }, { id: '9' });
});

test('route: strings of any length and script read alike on the simple and the general path', () => {
  // route() without headers, port and SNI calls a three-argument native function; with any
  // of them, the general one. Strings shorter than 128 UTF-16 units are read as UTF-16 and
  // transcoded in Rust, longer ones as UTF-8 by N-API: lengths on both sides of that limit,
  // and non-ASCII text (2-, 3- and 4-byte UTF-8, lone surrogates) in header values.
  const paths = [125, 126, 127, 128, 300].map((n) => '/' + 'a'.repeat(n - 1));
  const values = ['é/ü/€/😀', 'é'.repeat(150), `x${'\ud800'}y`];
  const rules = [
    ...paths.map((p) => `  - matches: [{path: {type: Exact, value: ${p}}}]`),
    ...values.map((v) => `  - matches: [{path: {type: PathPrefix, value: /h}, headers: [{name: x-v, value: ${JSON.stringify(v.replace('\ud800', '\ufffd'))}}]}]`),
  ];
  const r = Router.fromYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/c}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: c
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [h.test]
  rules:
${rules.join('\n')}
`);
  paths.forEach((path, i) => {
    for (const req of [{ host: 'h.test', path }, { host: 'h.test', path, headers: [] }, { host: 'h.test', path, port: 80 }]) {
      assert.equal(r.route(req).ruleIndex, i, `${path.length} units, ${Object.keys(req)}`);
      assert.equal(r.route({ ...req, path: path + 'b' }), NOT_FOUND);
      assert.equal(r.route({ ...req, path: path.slice(0, -1) + 'b' }), NOT_FOUND);
    }
  });
  values.forEach((value, i) => {
    for (const headers of [['x-v', value], { 'x-v': value }]) {
      assert.equal(r.route({ host: 'h.test', path: '/h', headers }).ruleIndex, paths.length + i, JSON.stringify(value));
    }
  });
  // The method defaults to GET; the host may be absent; both read the same either way.
  assert.equal(r.route({ host: 'H.TEST:80', path: paths[0] }).ruleIndex, 0);
  assert.equal(r.route({ method: undefined, host: 'h.test', path: paths[0] }).ruleIndex, 0);
  assert.equal(r.route({ method: null, host: null, path: paths[0] }), NOT_FOUND);
  assert.equal(r.route({ method: 'GET', host: 'other.test', path: paths[0] }), NOT_FOUND);
  assert.equal(
    router.route({ host: 'edge.test', path: '/api/ü/\ud800' }),
    router.route({ host: 'edge.test', path: '/api/ü/\ud800', headers: [] }),
  );
  // What the router read, as explain() reports it: a lone surrogate becomes U+FFFD.
  for (const path of ['/api/ü/\ud800', '/api/' + 'ü'.repeat(200) + '\ud800']) {
    const e = JSON.parse(JSON.stringify(router.explain({ host: 'edge.test', path })));
    const actual = e.candidates.map((c) => c.condition && c.condition.actual).filter(Boolean);
    assert.ok(actual.includes(path.replace('\ud800', '\ufffd')), JSON.stringify(actual));
  }
});
