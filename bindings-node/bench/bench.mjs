// route() calls per second: trieway on the GitHub API set and on a 10,000-rule multi-tenant
// set, side by side with find-my-way on the same GitHub set, in one run.
//
//   node bench/bench.mjs            (about 30 s; BENCH_MS=200 for a quick smoke run)
//
// Each case runs ROUNDS rounds of about BENCH_MS milliseconds over a fixed request list and
// reports the median ns per call. Ratios compare medians of this one run.
//
// Time is this process's CPU time (process.cpuUsage(): user + system), not wall-clock time: on
// a shared machine a wall-clock round also counts the time spent waiting for a core, which
// made one case of a run look 6x slower than the next (BENCH_CLOCK=wall restores wall time).
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { githubTemplates, githubPath, githubYaml, tenantSet } from './gen.mjs';

const require = createRequire(import.meta.url);
const { Router } = require('../index.js');
const FindMyWay = require('find-my-way');

const BENCH_MS = Number(process.env.BENCH_MS || 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

let sink = 0;

const WALL = process.env.BENCH_CLOCK === 'wall';

/** The clock in ns: CPU time of this process (default) or wall-clock time. */
function now() {
  if (WALL) return Number(process.hrtime.bigint());
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** Median ns per call of `run(n)`, which performs `n` calls. */
function measure(run, perIteration = 1) {
  // Calibrate: how many iterations fit in BENCH_MS.
  let n = 1000;
  for (;;) {
    const t0 = now();
    run(n);
    const dt = (now() - t0) / 1e6;
    if (dt > 50) {
      n = Math.max(1, Math.round((n * BENCH_MS) / dt));
      break;
    }
    n *= 4;
  }
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = now();
    run(n);
    const dt = now() - t0;
    samples.push(dt / (n * perIteration));
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

function check(cond, msg) {
  if (!cond) throw new Error(`benchmark self-check failed: ${msg}`);
}

const results = [];
function report(name, ns, note = '') {
  results.push({ name, ns });
  const perSec = 1e9 / ns;
  console.log(
    `${name.padEnd(52)} ${ns.toFixed(1).padStart(8)} ns/call ${(perSec / 1e6).toFixed(2).padStart(7)} M calls/s ${note}`,
  );
}

// --- GitHub API set ------------------------------------------------------------------------
const templates = githubTemplates();
const paths = templates.map(githubPath);
let t0 = performance.now();
const gh = Router.fromYaml(githubYaml(templates));
const ghCompileMs = performance.now() - t0;
const ghReqs = paths.map((path) => ({ method: 'GET', host: 'api.github.com', path }));
for (let i = 0; i < paths.length; i++) {
  const m = gh.route(ghReqs[i]);
  check(m.matched, `GitHub ${paths[i]} did not match`);
  check(m.route.name === `github-${i >> 4}` && m.ruleIndex === (i & 15), `GitHub ${paths[i]} -> wrong rule`);
}

const fmw = FindMyWay();
for (const t of templates) fmw.on('GET', t.replace(/\{(p\d+)\}/g, ':$1'), () => {});
for (const p of paths) check(fmw.find('GET', p) !== null, `find-my-way ${p}`);

console.log(
  `node ${process.version}, ${templates.length} GitHub templates (compile ${ghCompileMs.toFixed(1)} ms); ` +
    `${ROUNDS} rounds of ~${BENCH_MS} ms, median, clock ${WALL ? 'wall' : 'process CPU time'}`,
);

const L = paths.length;
const fmwNs = measure((n) => {
  for (let i = 0; i < n; i++) {
    const r = fmw.find('GET', paths[i % L]);
    sink += r === null ? 0 : 1;
  }
});
report('find-my-way find() GitHub', fmwNs);

const ghNs = measure((n) => {
  for (let i = 0; i < n; i++) {
    const m = gh.route(ghReqs[i % L]);
    sink += m.matched ? 1 : 0;
  }
});
report('trieway route({method, host, path}) GitHub', ghNs, `x${(ghNs / fmwNs).toFixed(2)} find-my-way`);

// The static templates alone: an Exact hit, no regular expression scanned, so this is close
// to the binding's own cost per call.
const statics = ghReqs.filter((r) => !r.path.includes('p1'));
const S = statics.length;
const fmwStaticNs = measure((n) => {
  for (let i = 0; i < n; i++) sink += fmw.find('GET', statics[i % S].path) === null ? 0 : 1;
});
report(`find-my-way find() GitHub, ${S} static paths`, fmwStaticNs);
const ghStaticNs = measure((n) => {
  for (let i = 0; i < n; i++) sink += gh.route(statics[i % S]).matched ? 1 : 0;
});
report(`trieway route() GitHub, ${S} static paths (Exact)`, ghStaticNs, `x${(ghStaticNs / fmwStaticNs).toFixed(2)} find-my-way`);

const ghBatchNs = measure((n) => {
  for (let i = 0; i < n; i++) sink += gh.routePaths(paths, { method: 'GET', host: 'api.github.com' }).length;
}, L);
report('trieway routePaths(paths) GitHub, per path', ghBatchNs, `x${(ghBatchNs / fmwNs).toFixed(2)} find-my-way`);

const ghBatchObjNs = measure((n) => {
  for (let i = 0; i < n; i++) sink += gh.routeBatch(ghReqs).length;
}, L);
report('trieway routeBatch(requests) GitHub, per request', ghBatchObjNs, `x${(ghBatchObjNs / fmwNs).toFixed(2)} find-my-way`);

// --- 10,000-rule multi-tenant set ----------------------------------------------------------
const set = tenantSet();
t0 = performance.now();
const mt = Router.fromYaml(set.yaml);
const mtCompileMs = performance.now() - t0;
for (const r of set.requests) {
  const m = mt.route(r);
  check(
    m.matched && m.route.namespace === r.expect.namespace && m.route.name === r.expect.route && m.ruleIndex === r.expect.rule,
    `tenant ${r.host}${r.path} -> ${m.matched ? `${m.route.namespace}/${m.route.name}#${m.ruleIndex}` : m.kind}`,
  );
}
console.log(`${set.rules} multi-tenant rules (compile ${mtCompileMs.toFixed(0)} ms), ${set.requests.length} distinct requests`);

// A fixed pseudo-random order, so that lookups do not walk the table in rule order.
const order = [];
let x = 12345;
for (let i = 0; i < 4096; i++) {
  x = (x * 1103515245 + 12345) & 0x7fffffff;
  order.push(set.requests[x % set.requests.length]);
}
const M = order.length;
const mtNs = measure((n) => {
  for (let i = 0; i < n; i++) {
    const m = mt.route(order[i % M]);
    sink += m.matched ? 1 : 0;
  }
});
report(`trieway route() ${set.rules} rules`, mtNs);

const mtBatchNs = measure((n) => {
  for (let i = 0; i < n; i++) sink += mt.routeBatch(order).length;
}, M);
report(`trieway routeBatch() ${set.rules} rules, per request`, mtBatchNs);

// routeRequest on IncomingMessage-shaped objects with typical browser headers.
const browser = [
  'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language', 'en-US,en;q=0.5',
  'Accept-Encoding', 'gzip, deflate, br',
  'Connection', 'keep-alive',
  'Cookie', 'session=abc123; theme=dark',
];
const incoming = order.map((r) => ({
  method: r.method,
  url: r.path,
  rawHeaders: ['Host', r.host, ...browser, ...(r.headers || [])],
  socket: {},
}));
for (let i = 0; i < 64; i++) {
  const a = mt.routeRequest(incoming[i]);
  const b = mt.route(order[i]);
  check(a === b, `routeRequest and route disagree on ${order[i].host}${order[i].path}`);
}
const mtRawNs = measure((n) => {
  for (let i = 0; i < n; i++) {
    const m = mt.routeRequest(incoming[i % M]);
    sink += m.matched ? 1 : 0;
  }
});
report(`trieway routeRequest(rawHeaders: 7 lines) ${set.rules} rules`, mtRawNs);

console.log('');
console.log(`ratio trieway route() / find-my-way find() on GitHub: ${(ghNs / fmwNs).toFixed(2)}`);
console.log(`ratio trieway routePaths() / find-my-way find() on GitHub: ${(ghBatchNs / fmwNs).toFixed(2)}`);
console.log(`ratio trieway route() / find-my-way find() on GitHub static paths: ${(ghStaticNs / fmwStaticNs).toFixed(2)}`);
console.log(`target route() < 1000 ns at ${set.rules} rules: ${mtNs < 1000 ? 'met' : 'NOT met'} (${mtNs.toFixed(0)} ns)`);
if (sink === 42) console.log('');
