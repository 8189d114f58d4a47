// The whole engine from Node: gRPC, TLS, TCP and UDP routing, Ingress routing, fromPath,
// check(), apply() bound to the routed request, and compiling off the event loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { L4 } from './engine-fixture.mjs';
import { YAML } from './fixtures.mjs';

const require = createRequire(import.meta.url);
const { Router, L4Match, TERMINATE, ConfigError, check } = require('../index.js');
const EXAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

const l4 = Router.fromYaml(L4);

test('routeGrpc routes gRPC calls over the GRPCRoutes', () => {
  const m = l4.routeGrpc({ host: 'grpc.example.com', path: '/foo.Echo/Ping', port: 80 });
  assert.equal(m.kind, 'matched');
  assert.deepEqual(m.route, { kind: 'GRPCRoute', namespace: 'default', name: 'g' });
  assert.equal(m.ruleIndex, 0);
  const req = { host: 'grpc.example.com', path: '/foo.Echo/Ping', port: 80 };
  const a = l4.routeGrpc(req).apply(req, { random: 0.5 });
  assert.equal(a.kind, 'forward');
  assert.equal(a.backend.name, 'svc-a');
  const m2 = l4.routeGrpc({ host: 'grpc.example.com', path: '/foo.Other/X', headers: ['x-a', '1'], port: 80 });
  assert.equal(m2.ruleIndex, 1);
  assert.equal(l4.routeGrpc({ host: 'grpc.example.com', path: '/foo.Other/X', port: 80 }).status, 404);
  assert.equal(l4.routeGrpc({ host: 'grpc.example.com', path: '/nope/X', port: 80 }).status, 404);
});

test('routeTls, routeTcp, routeUdp', () => {
  const t = l4.routeTls(443, 'a.tls.example.com');
  assert.ok(t instanceof L4Match);
  assert.deepEqual(t.route, { kind: 'TLSRoute', namespace: 'default', name: 't' });
  assert.equal(t.listener, 'tls');
  assert.equal(t.hostname, '*.tls.example.com');
  assert.equal(t.port, 443);
  assert.equal(t.passthrough, true);
  assert.deepEqual(t.backends.map((b) => b.name), ['svc-a']);
  assert.equal(t.pick(0.99).backend.name, 'svc-a');
  assert.ok(Object.isFrozen(t));
  assert.equal(l4.routeTls(443, 'web.example.com'), TERMINATE);
  assert.equal(l4.routeTls(443, 'other.example.org'), null);
  assert.equal(l4.routeTls(443), null);
  assert.equal(l4.routeTls(444, 'a.tls.example.com'), null);

  const tcp = l4.routeTcp(9000);
  assert.deepEqual(tcp.route, { kind: 'TCPRoute', namespace: 'default', name: 'tcp' });
  assert.equal(tcp.hostname, '*');
  assert.equal(tcp.passthrough, false);
  // Weights 1:3: the draw is the same fraction of the total weight as in Python.
  const names = Array.from({ length: 8 }, (_, i) => tcp.pick((i + 0.5) / 8).backend.name);
  assert.deepEqual(names, ['svc-a', 'svc-a', 'svc-b', 'svc-b', 'svc-b', 'svc-b', 'svc-b', 'svc-b']);
  const udp = l4.routeUdp(9001);
  assert.deepEqual(udp.route, { kind: 'UDPRoute', namespace: 'default', name: 'udp' });
  assert.equal(l4.routeTcp(9001), null);
  assert.equal(l4.routeUdp(9000), null);
  for (const port of [0, -1, 70000, 1.5]) {
    assert.throws(() => l4.routeTcp(port), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: `port must be an integer from 1 to 65535, got ${port}` });
  }
  assert.throws(() => l4.routeUdp('80'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /^port must be an integer from 1 to 65535, got string/ });
  assert.throws(() => tcp.pick(1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
});

test('out-of-range ports name the argument in route() too', () => {
  assert.throws(() => l4.route({ host: 'web.example.com', path: '/', port: 70000 }), {
    name: 'RangeError',
    code: 'ERR_OUT_OF_RANGE',
    message: 'port must be an integer from 1 to 65535, got 70000',
  });
});

test('fromIngress routes Ingress objects', () => {
  const text = fs.readFileSync(path.join(EXAMPLES, 'ingress.yaml'), 'utf8');
  const r = Router.fromIngress(text);
  const m = r.route({ host: 'shop.example.com', path: '/products/42' });
  assert.deepEqual(m.route, { kind: 'Ingress', namespace: 'shop', name: 'storefront' });
  assert.deepEqual(m.pathMatch, { type: 'PathPrefix', value: '/products' });
  assert.equal(r.route({ host: 'api.shop.example.com', path: '/v1/status' }).route.name, 'api');
  assert.equal(r.route({ host: 'elsewhere.example.org', path: '/x' }).route.name, 'storefront');
  const other = Router.fromIngress(text, { ingressClass: 'nginx' });
  assert.equal(other.route({ host: 'shop.example.com', path: '/products/42' }).status, 404);
  assert.throws(() => Router.fromIngress(text, { ingressClass: 3 }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => Router.fromIngress('kind: Ingress\napiVersion: networking.k8s.io/v1\nspec: 3\n'), ConfigError);
});

test('fromIngress with ingressNginx ranks Exact first, as ingress-nginx does', () => {
  const text = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  rules:
  - host: foo.example.com
    http:
      paths:
      - {path: /a, pathType: Exact, backend: {service: {name: exact-a, port: {number: 80}}}}
      - {path: /a/, pathType: Prefix, backend: {service: {name: prefix-a, port: {number: 80}}}}
`;
  // The Ingress specification: the longer path string (/a/) wins.
  const spec = Router.fromIngress(text).route({ host: 'foo.example.com', path: '/a' });
  assert.equal(spec.backends[0].name, 'prefix-a');
  const nginx = Router.fromIngress(text, { ingressNginx: true }).route({ host: 'foo.example.com', path: '/a' });
  assert.equal(nginx.backends[0].name, 'exact-a');
});

test('fromPath reads a file, a directory or a file: URL', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trieway-'));
  try {
    const file = path.join(dir, 'gw.yaml');
    fs.writeFileSync(file, YAML);
    for (const p of [file, dir, pathToFileURL(file)]) {
      assert.equal(Router.fromPath(p).route({ host: 'edge.test', path: '/api' }).ruleName, 'api');
    }
    assert.throws(() => Router.fromPath(path.join(dir, 'missing.yaml')), { name: 'ConfigError', code: 'ERR_TRIEWAY_IO' });
    assert.throws(() => Router.fromPath(3), { code: 'ERR_INVALID_ARG_TYPE' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('check() reports problems and conditions without throwing', () => {
  const ok = check(L4);
  assert.deepEqual(ok.errors, []);
  assert.ok(ok.routes.some((r) => r.kind === 'TCPRoute' && r.name === 'tcp'));
  assert.ok(ok.gateways.some((g) => g.name === 'gw'));
  assert.ok(ok.listeners.every((l) => Array.isArray(l.conditions)));
  const bad = check(L4 + '---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: x, namespace: default}\nspec: {rules: [{backendRef: []}]}\n');
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0].text, /backendRef: unknown field, did you mean backendRefs\?/);
  assert.equal(bad.errors[0].field, 'spec.rules[0].backendRef');
  assert.deepEqual(check('').errors, []);
  assert.throws(() => check(3), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('apply() is bound to the request that was routed', () => {
  const r = Router.fromYaml(YAML);
  const req = { host: 'edge.test', path: '/api/x' };
  const m = r.route(req);
  assert.equal(m.ruleName, 'api');
  assert.equal(m.apply(req, { random: 0 }).kind, 'forward');
  // Another request that routes to the same match is the same routed request as far as the
  // match goes.
  assert.equal(m.apply({ host: 'edge.test', path: '/api/y' }, { random: 0 }).kind, 'forward');
  // A request that routes elsewhere (or nowhere) is refused, not given this rule's action.
  const elsewhere = { host: 'edge.test', path: '/split' };
  assert.notEqual(r.route(elsewhere), m);
  assert.throws(() => m.apply(elsewhere), { code: 'ERR_TRIEWAY_OTHER_REQUEST', message: /this Match is default\/\S+ rule \d+, but the request given routes to/ });
  assert.throws(() => m.apply({ host: 'nowhere.test', path: '/zzz', port: 443 }), { code: 'ERR_TRIEWAY_OTHER_REQUEST', message: /routes nowhere/ });
});

/** `rules` HTTPRoute rules (16 per route), as bindings-python/tests/test_engine.py. */
function bigConfig(rules) {
  const docs = [
    'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c}\nspec: {controllerName: example.com/gateway-under-test}',
    'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\nspec:\n  gatewayClassName: c\n  listeners: [{name: http, port: 80, protocol: HTTP}]',
    'apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: default}\nspec: {ports: [{port: 80}]}',
  ];
  for (let r = 0; r < rules / 16; r++) {
    const lines = [
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute',
      `metadata: {name: r${r}, namespace: default}`,
      `spec:\n  parentRefs: [{name: gw}]\n  hostnames: [h${r % 500}.example.com]\n  rules:`,
    ];
    for (let i = 0; i < 16; i++) {
      lines.push(
        `  - matches: [{path: {type: PathPrefix, value: /r${r}/p${i}}}, {headers: [{name: x-t, value: 'v${i}'}], path: {type: Exact, value: /e${r}/${i}}}]\n    backendRefs: [{name: svc, port: 80}]`,
      );
    }
    docs.push(lines.join('\n'));
  }
  return docs.join('\n---\n') + '\n';
}

/** Awaits `make()` while a ticker waits 1 ms per turn: {result, ticks, longest gap ms, ms}. */
async function ticksDuring(make) {
  let ticks = 0;
  let longest = 0;
  let last = performance.now();
  let stop = false;
  const ticker = (async () => {
    while (!stop) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 10));
  ticks = 0;
  longest = 0;
  const start = performance.now();
  const result = await make();
  const ms = performance.now() - start;
  stop = true;
  await ticker;
  return { result, ticks, longest, ms };
}

test('fromYamlAsync / fromPathAsync compile 10,000 rules without blocking the event loop', async () => {
  // Structural check, not a timing assertion: the ticker waits 1 ms per turn, so it runs at
  // least once per 10 ms of compile only if the loop is free. The synchronous fromYaml,
  // awaited the same way, lets it run at most twice.
  const text = bigConfig(10_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trieway-'));
  const file = path.join(dir, 'big.yaml');
  fs.writeFileSync(file, text);
  try {
    const blocked = await ticksDuring(async () => Router.fromYaml(text));
    const asyncYaml = await ticksDuring(() => Router.fromYamlAsync(text));
    const asyncPath = await ticksDuring(() => Router.fromPathAsync(file));
    const fmt = (name, r) => `${name} ${r.ms.toFixed(0)} ms, ${r.ticks} ticks, longest stall ${r.longest.toFixed(1)} ms`;
    console.log(`10,000-rule compile: ${fmt('blocking fromYaml', blocked)}; ${fmt('fromYamlAsync', asyncYaml)}; ${fmt('fromPathAsync', asyncPath)}`);
    for (const { result } of [asyncYaml, asyncPath]) {
      assert.ok(result instanceof Router);
      const m = result.route({ host: 'h3.example.com', path: '/r3/p7/x' });
      assert.deepEqual([m.route.name, m.ruleIndex], ['r3', 7]);
    }
    assert.ok(blocked.ticks <= 2, `blocking compile: ${blocked.ticks} ticks`);
    for (const r of [asyncYaml, asyncPath]) {
      assert.ok(r.ticks >= Math.max(3, Math.floor(r.ms / 10)), `${r.ticks} ticks in ${r.ms} ms`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('async constructors reject with the same errors', async () => {
  await assert.rejects(Router.fromYamlAsync('kind: HTTPRoute\n'), ConfigError);
  await assert.rejects(Router.fromPathAsync('/nonexistent/trieway.yaml'), { name: 'ConfigError', code: 'ERR_TRIEWAY_IO' });
  await assert.rejects(Router.fromYamlAsync(bigConfig(16), { maxPath: 3 }), { name: 'TypeError', message: /unknown option `maxPath`/ });
  await assert.rejects(Router.fromYamlAsync(3), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(Router.fromJsonAsync([], { strict: false }), { name: 'ConfigError', code: 'ERR_TRIEWAY_GATEWAY' });
  const gw = 'gateway.networking.k8s.io/v1';
  const r = await Router.fromJsonAsync([
    { apiVersion: gw, kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'example.com/x' } },
    { apiVersion: gw, kind: 'Gateway', metadata: { name: 'gw', namespace: 'd' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
    { apiVersion: gw, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'd' }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { type: 'Exact', value: '/x' } }] }] } },
  ]);
  assert.equal(r.route({ host: 'a.test', path: '/x' }).route.name, 'r');
});
