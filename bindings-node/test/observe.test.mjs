// Explain, counters and Prometheus text, OpenTelemetry attributes, and Live (change sets,
// applyAsync on the libuv thread pool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Router, Live, ConfigError } = require('../index.js');
const EXAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');
const DEMO = path.join(EXAMPLES, 'demo.yaml');

const REQUESTS = [
  { method: 'GET', host: 'store.example.com', path: '/api/orders', headers: ['x-api-version', 'v2'], port: 443 },
  { method: 'GET', host: 'store.example.com', path: '/api/orders', port: 443 },
  { method: 'GET', host: 'store.example.com', path: '/', port: 443 },
  { method: 'GET', host: 'blog.example.com', path: '/posts/42', port: 443 },
  { method: 'GET', host: 'blog.example.com', path: '/posts/abc', port: 443 },
  { method: 'POST', host: 'store.example.com', path: '/cart', port: 443 },
  { method: 'GET', host: 'nowhere.example', path: '/', port: 443 },
  { method: 'GET', host: 'store.example.com', path: '/', port: 80 },
];

function winner(e) {
  if (e.outcome.result !== 'matched') return null;
  const m = e.outcome.matched;
  return `${m.namespace}/${m.name}#${m.rule}`;
}

function routed(m) {
  return m.matched ? `${m.route.namespace}/${m.route.name}#${m.ruleIndex}` : null;
}

test("explain's winner is route()'s answer", () => {
  const router = Router.fromPath(DEMO);
  for (const req of REQUESTS) {
    const e = router.explain(req);
    const m = router.route(req);
    assert.equal(winner(e), routed(m), JSON.stringify(req));
    const matched = e.candidates.filter((c) => c.verdict === 'matched');
    assert.equal(matched.length, m.matched ? 1 : 0);
    if (!m.matched) assert.deepEqual(e.outcome, { result: 'not_found' });
  }
});

test('explain gives the reason of a 404 and the failed condition', () => {
  const router = Router.fromPath(DEMO);
  const e = router.explain({ host: 'nowhere.example', path: '/', port: 443 });
  assert.equal(router.route({ host: 'nowhere.example', path: '/', port: 443 }).status, 404);
  assert.equal(e.gateway, 'infra/edge');
  assert.equal(e.listener.selected, false);
  assert.ok(e.listener.reason.length > 0);
  assert.deepEqual(e.candidates, []);
  const near = router.explain({ host: 'store.example.com', path: '/api/orders', port: 443 });
  const header = near.candidates.find((c) => c.verdict === 'failed' && c.condition.kind === 'header');
  assert.ok(header, JSON.stringify(near.candidates));
  assert.equal(header.condition.name.toLowerCase(), 'x-api-version');
  assert.equal(header.condition.actual, null);
  const g = router.explainGrpc({ host: 'store.example.com', path: '/shop.Cart/Get', port: 443 });
  assert.equal(g.outcome.result, 'not_found');
  assert.throws(() => router.explain({ path: '/', port: 70000 }), RangeError);
  assert.throws(() => router.explain(null), TypeError);
});

test('counters: stats() and prometheusText()', () => {
  const plain = Router.fromPath(DEMO);
  assert.equal(plain.stats(), null);
  assert.equal(plain.prometheusText(), null);
  const router = Router.fromPath(DEMO, { counters: true });
  const hit = { host: 'store.example.com', path: '/api/orders', headers: ['x-api-version', 'v2'], port: 443 };
  for (let i = 0; i < 3; i++) router.route(hit);
  router.route({ host: 'nowhere.example', path: '/', port: 443 });
  const stats = router.stats();
  assert.equal(stats.gateway, 'infra/edge');
  const v2 = stats.rules.filter((r) => r.rule_name === 'api-v2');
  assert.equal(v2.reduce((n, r) => n + r.matches, 0), 3);
  assert.equal(stats.rules.reduce((n, r) => n + r.matches, 0), 3);
  assert.equal(stats.listeners.reduce((n, l) => n + l.not_found, 0), 1);
  const text = router.prometheusText();
  assert.match(text, /# TYPE trieway_rule_matches_total counter/);
  const lines = text.split('\n').filter((l) => l.includes('rule="api-v2"') && l.endsWith(' 3'));
  assert.equal(lines.length, 1, text);
});

test('OpenTelemetry attributes for each path kind', () => {
  const router = Router.fromYaml(`${fs.readFileSync(DEMO, 'utf8')}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: health, namespace: infra}
spec:
  parentRefs: [{name: edge}]
  hostnames: [health.example.com]
  rules:
  - matches: [{path: {type: Exact, value: /healthz}}]
    backendRefs: [{name: health, port: 80}]
`, { strict: false });
  const cases = [
    ['store.example.com', '/api/orders', 'PathPrefix', '/api'],
    ['blog.example.com', '/posts/42', 'RegularExpression', '/posts/[0-9]+'],
    ['health.example.com', '/healthz', 'Exact', '/healthz'],
  ];
  for (const [host, p, type, template] of cases) {
    const m = router.route({ host, path: p, port: 443 });
    assert.ok(m.matched, `${host}${p}`);
    assert.equal(m.pathMatch.type, type);
    assert.equal(m.httpRoute, template);
    const a = m.attributes;
    assert.equal(Object.keys(a)[0], 'http.route');
    assert.equal(a['http.route'], template);
    assert.equal(a['trieway.gateway'], 'infra/edge');
    assert.equal(a['trieway.route.kind'], 'HTTPRoute');
    assert.equal(a['trieway.route.namespace'], m.route.namespace);
    assert.equal(a['trieway.route.name'], m.route.name);
    assert.equal(a['trieway.rule.index'], m.ruleIndex);
    assert.equal(a['trieway.rule.name'], m.ruleName ?? undefined);
    assert.equal(a['trieway.hostname'], m.hostname);
    assert.ok(Object.isFrozen(a));
  }
});

const ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: added, namespace: tenant-a}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [added.example.com]
  rules: [{backendRefs: [{name: store, port: 8080}]}]
`;
const ADDED = { host: 'added.example.com', path: '/', port: 443 };

test('Live: apply text, objects and deletes', () => {
  const live = Live.fromPath(DEMO);
  assert.equal(live.version, 1);
  const before = live.router;
  assert.equal(live.route(ADDED).status, 404);
  const r = live.apply(ROUTE);
  assert.equal(r.published, true);
  assert.deepEqual(r.applied, [{ kind: 'HTTPRoute', namespace: 'tenant-a', name: 'added' }]);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.failed, null);
  // A change set of routes only is applied incrementally (issue #18).
  assert.equal(r.incremental, true);
  assert.equal(r.full_build, null);
  assert.equal(r.version, 2);
  assert.equal(live.version, 2);
  assert.equal(routed(live.route(ADDED)), 'tenant-a/added#0');
  assert.equal(before.route(ADDED).status, 404); // the old version keeps its answers
  const again = live.apply(ROUTE);
  assert.equal(again.published, false);
  assert.deepEqual(again.unchanged, r.applied);
  assert.equal(live.version, 2);
  assert.equal(live.apply(['delete', 'HTTPRoute', 'tenant-a', 'added']).published, true);
  assert.equal(live.route(ADDED).status, 404);
  const obj = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'added', namespace: 'tenant-a' },
    spec: {
      parentRefs: [{ name: 'edge', namespace: 'infra' }],
      hostnames: ['added.example.com'],
      rules: [{ backendRefs: [{ name: 'store', port: 8080 }] }],
    },
  };
  const bad = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name: 'bad', namespace: 'tenant-a' }, spec: { rules: [{ backendRef: [] }] } };
  const mixed = live.apply([obj, bad]);
  assert.deepEqual(mixed.applied.map((a) => a.name), ['added']);
  assert.equal(mixed.rejected.length, 1);
  assert.deepEqual(mixed.rejected[0].object, { kind: 'HTTPRoute', namespace: 'tenant-a', name: 'bad' });
  assert.ok(mixed.rejected[0].errors.some((e) => e.text.includes('backendRef')), JSON.stringify(mixed));
  assert.equal(live.route(ADDED).matched, true);
  live.apply({ delete: { kind: 'HTTPRoute', namespace: 'tenant-a', name: 'added' } });
  assert.equal(live.route(ADDED).status, 404);
  assert.equal(live.version, 5);
  assert.throws(() => live.apply('kind: [unclosed'), ConfigError);
  assert.throws(() => live.apply(42), TypeError);
  assert.throws(() => live.apply([['remove', 'HTTPRoute', 'a', 'b']]), TypeError);
  assert.equal(live.version, 5);
});

test('Live: applyAsync runs off the event loop', async () => {
  const live = Live.fromPath(DEMO, { counters: true });
  let ticks = 0;
  let done = false;
  const ticker = (async () => {
    while (!done) {
      ticks++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const r = await live.applyAsync(ROUTE);
  done = true;
  await ticker;
  assert.equal(r.published, true);
  assert.equal(r.version, 2);
  assert.ok(ticks >= 1);
  assert.equal(live.route(ADDED).matched, true);
  // Counters and explain on the current version.
  assert.deepEqual(live.router.stats().rules.filter((x) => x.name === 'added').map((x) => x.matches), [1]);
  assert.equal(winner(live.explain(ADDED)), 'tenant-a/added#0');
  await assert.rejects(live.applyAsync('kind: [unclosed'), ConfigError);
});

test('Live: constructors and errors', () => {
  assert.throws(() => Live.fromYaml('kind: HTTPRoute\nmetadata: {name: x}\nspec: {rules: 3}\n'), ConfigError);
  assert.throws(() => Live.fromPath(DEMO, { maxPath: 3 }), TypeError);
  const ingress = Live.fromIngress(fs.readFileSync(path.join(EXAMPLES, 'ingress.yaml'), 'utf8'));
  const m = ingress.route({ host: 'shop.example.com', path: '/products/42' });
  assert.equal(m.route.kind, 'Ingress');
});

test('Live: watch reloads changed files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trieway-watch-'));
  fs.copyFileSync(DEMO, path.join(dir, 'demo.yaml'));
  const live = Live.fromPath(dir);
  const reloads = [];
  let wake = null;
  // The next reload that satisfies `pred`: bounded by a 30 s timer, not a sleep.
  const next = (pred) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reload within 30 s')), 30_000);
    const check = () => {
      const i = reloads.findIndex(pred);
      if (i >= 0) {
        clearTimeout(timer);
        wake = null;
        resolve(reloads.splice(0, i + 1)[i]);
      } else {
        wake = check;
      }
    };
    check();
  });
  const watcher = live.watch(dir, (r) => {
    reloads.push(r);
    if (wake) wake();
  }, { debounceMs: 50 });
  try {
    const first = await next(() => true);
    assert.ok(first.files.some((f) => f.endsWith('demo.yaml')));
    assert.deepEqual(first.result.rejected, []);
    fs.writeFileSync(path.join(dir, 'added.yaml'), ROUTE);
    const added = await next((r) => r.result.applied.some((a) => a.name === 'added'));
    assert.ok(added.files.some((f) => f.endsWith('added.yaml')));
    assert.equal(added.result.published, true);
    assert.equal(live.route(ADDED).matched, true); // live moved before the callback ran
    fs.unlinkSync(path.join(dir, 'added.yaml'));
    await next((r) => r.result.applied.some((a) => a.name === 'added'));
    assert.equal(live.route(ADDED).status, 404);
  } finally {
    watcher.stop();
    watcher.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => live.watch(path.join(dir, 'missing'), () => {}), ConfigError);
  assert.throws(() => live.watch(dir, 42), TypeError);
});
