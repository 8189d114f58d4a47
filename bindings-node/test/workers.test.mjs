// Routers and worker threads. A Router is a native object bound to the thread that made it:
// it cannot be posted to a worker (structured clone keeps none of its native state). Two ways
// work, and both are tested here with several workers routing at the same time:
//  1. each worker compiles its own Router from the same YAML text (workerData);
//  2. the main thread calls router.share() and posts the token (a number); each worker calls
//     Router.fromShared(token) and uses the same compiled table (one copy in memory, no
//     recompilation; the Rust Router is immutable and Send + Sync).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { tenantSet } from '../bench/gen.mjs';

const require = createRequire(import.meta.url);
const { Router } = require('../index.js');

const set = tenantSet({ tenants: 20, routesPerTenant: 5, rulesPerRoute: 10 });
const requests = set.requests.map(({ method, host, path, headers }) => ({ method, host, path, headers }));
const expected = set.requests.map((r) => `${r.expect.namespace}/${r.expect.route}#${r.expect.rule}`);

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Router } = require(workerData.index);
const router = workerData.token !== undefined ? Router.fromShared(workerData.token) : Router.fromYaml(workerData.yaml);
const out = [];
for (let round = 0; round < workerData.rounds; round++) {
  for (const r of workerData.requests) {
    const m = router.route(r);
    if (round === 0) out.push(m.matched ? m.route.namespace + '/' + m.route.name + '#' + m.ruleIndex : m.kind);
    else if (!m.matched) throw new Error('miss in round ' + round);
  }
}
parentPort.postMessage(out);
`;

function runWorkers(n, data) {
  const index = require.resolve('../index.js');
  return Promise.all(
    Array.from({ length: n }, () =>
      new Promise((resolve, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { index, requests, rounds: 20, ...data } });
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => code !== 0 && reject(new Error(`worker exit ${code}`)));
      }),
    ),
  );
}

test('a Router cannot be posted: its clone has no native state', () => {
  const r = Router.fromYaml(set.yaml);
  const clone = structuredClone(r);
  assert.ok(!(clone instanceof Router));
  assert.equal(typeof clone.route, 'undefined');
});

test('four workers, each compiling the same YAML, route concurrently', async () => {
  const results = await runWorkers(4, { yaml: set.yaml });
  for (const r of results) assert.deepEqual(r, expected);
});

test('four workers share one compiled table through share()/fromShared()', async () => {
  const router = Router.fromYaml(set.yaml);
  const token = router.share();
  // The main thread routes at the same time as the workers.
  const running = runWorkers(4, { token });
  for (let i = 0; i < 20; i++) for (const r of requests) assert.ok(router.route(r).matched);
  const results = await running;
  for (const r of results) assert.deepEqual(r, expected);
  router.unshare();
});
