// The binding against the Rust engine on every conformance case (spec-tests/cases and
// spec-tests/own-cases): for each request, `trieway eval CASE.json` (the CLI, which uses the
// Rust API directly) prints a decision; this test routes and applies the same request through
// the JS API and checks that both agree on status, backend, route, rule, redirect Location,
// upstream host, path and headers.
//
// Compared: every request eval did not skip that is plain HTTP (no `protocol`, or `h2`,
// `h2c-prior-knowledge`, `websocket`) and belongs to phase 0 (or to a case without
// mutations). Left out, and counted in the diagnostics:
// - gRPC, TLS, TCP and UDP requests: the binding has no API for them (route_grpc /
//   route_tls / route_tcp / route_udp are not exposed);
// - HTTPS requests that eval answered at the TLS layer (a TLSRoute on the listener; the
//   decision carries `tls`): same reason;
// - requests of later phases of cases with mutations: they need eval's object-list edits;
// - requests eval skipped (frontend client-certificate validation without the CLI's tls-check
//   feature) and those whose client-certificate handshake eval simulated (`handshake`: eval
//   fills the case's CA ConfigMaps with certificates it generates).
//
// The CLI binary: $TRIEWAY_BIN, else target/debug/trieway or target/release/trieway under the
// repository root (or $CARGO_TARGET_DIR); built with `cargo build -q -p trieway-cli` only if
// none exists (in CI `cargo test --workspace` has built it already). An existing binary is
// used as it is: after changing core/ or cli/, rebuild it (or the comparison is with old code).
//
// Routers are built like eval's: one per (case, Gateway), `strict: false` (invalid objects are
// dropped, as a controller would); a Gateway the binding refuses to serve (ERR_TRIEWAY_GATEWAY)
// must be one eval answers 404 for. Backends are drawn with random 0, as eval does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Router, ConfigError, editHeaders } = require('../index.js');
// The controller the spec cases are written for (`trieway eval` serves it too).
const CONFORMANCE_CONTROLLER = 'example.com/gateway-under-test';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const exe = process.platform === 'win32' ? 'trieway.exe' : 'trieway';

/** Requests where the binding knowingly disagrees with the engine: `file|request name` →
 * reason. Each is reported as a todo, never silently passed. (Empty: none known.) */
const KNOWN = new Map([]);

/** Request protocols the binding's route()/apply() cover. */
const HTTP_PROTOCOLS = new Set([undefined, 'h2', 'h2c-prior-knowledge', 'websocket']);

function findCli() {
  if (process.env.TRIEWAY_BIN) {
    if (!existsSync(process.env.TRIEWAY_BIN)) {
      throw new Error(`TRIEWAY_BIN=${process.env.TRIEWAY_BIN} does not exist`);
    }
    return process.env.TRIEWAY_BIN;
  }
  const targets = [process.env.CARGO_TARGET_DIR, join(root, 'target')].filter(Boolean);
  const candidates = targets.flatMap((t) => [join(t, 'debug', exe), join(t, 'release', exe)]);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  execFileSync('cargo', ['build', '-q', '-p', 'trieway-cli'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const built = candidates.find((p) => existsSync(p));
  if (!built) throw new Error(`cargo build -p trieway-cli did not produce any of ${candidates.join(', ')}`);
  return built;
}

function caseFiles() {
  const out = [];
  for (const dir of ['spec-tests/cases', 'spec-tests/own-cases']) {
    for (const f of readdirSync(join(root, dir)).sort()) {
      if (f.endsWith('.json') && f !== 'INDEX.json') out.push(`${dir}/${f}`);
    }
  }
  return out;
}

/** Header lines as eval builds them: serde_json objects iterate in sorted key order, and a
 * non-string value becomes its JSON text. Returns a flat [name, value, ...] list. */
function headerLines(obj) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
  const out = [];
  for (const k of Object.keys(obj).sort(byteOrder)) {
    const v = obj[k];
    out.push(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return out;
}

function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function pairs(flat) {
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** The request exactly as cli/src/eval.rs builds it. */
function buildRequest(req) {
  const r = req.request || {};
  const port = Number.isInteger(req.listener_port) && req.listener_port >= 0 && req.listener_port <= 65535
    ? req.listener_port
    : undefined;
  const scheme = typeof r.scheme === 'string' ? r.scheme : 'http';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const fallbackHost = port !== undefined && port !== defaultPort ? `192.0.2.10:${port}` : '192.0.2.10';
  const input = {
    method: typeof r.method === 'string' ? r.method : 'GET',
    host: typeof r.host === 'string' ? r.host : fallbackHost,
    path: typeof r.path === 'string' ? r.path : '/',
    headers: headerLines(r.headers),
    scheme,
  };
  if (port !== undefined) input.port = port;
  if (typeof r.sni === 'string') input.sni = r.sni;
  return input;
}

/** The compared fields of eval's decision. */
function fromEval(d) {
  return {
    status: d.status,
    backend: d.backend ?? null,
    route: d.route ?? null,
    rule: d.rule ?? null,
    location: d.redirect ? d.redirect.location : null,
    upstreamHost: d.upstream ? d.upstream.host : null,
    upstreamPath: d.upstream ? d.upstream.path : null,
    upstreamHeaders: d.upstream ? d.upstream.headers : null,
  };
}

/** The same fields from the binding. */
function fromBinding(router, input) {
  if (router === null) {
    return { status: 404, backend: null, route: null, rule: null, location: null,
      upstreamHost: null, upstreamPath: null, upstreamHeaders: null };
  }
  const m = router.route(input);
  if (!m.matched) {
    return { status: m.status, backend: null, route: null, rule: null, location: null,
      upstreamHost: null, upstreamPath: null, upstreamHeaders: null };
  }
  const a = m.apply(input, { random: 0 });
  const forward = a.kind === 'forward';
  return {
    status: a.status,
    backend: forward && a.backend ? `${a.backend.namespace}/${a.backend.name}` : null,
    route: `${m.route.kind}/${m.route.namespace}/${m.route.name}`,
    rule: m.ruleIndex,
    location: a.kind === 'redirect' ? a.location : null,
    upstreamHost: forward ? a.authority : null,
    upstreamPath: forward ? a.pathAndQuery : null,
    upstreamHeaders: forward ? pairs(editHeaders(a.requestHeaders, input.headers)) : null,
  };
}

const cli = findCli();
const files = caseFiles();
const totals = { compared: 0, todo: 0, files: 0, excluded: {} };

function exclude(reason) {
  totals.excluded[reason] = (totals.excluded[reason] || 0) + 1;
}

for (const file of files) {
  test(file, async (t) => {
    totals.files++;
    const kase = JSON.parse(readFileSync(join(root, file), 'utf8'));
    const out = execFileSync(cli, ['eval', join(root, file)], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const decisions = out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
    const requests = kase.requests || [];
    assert.equal(decisions.length, requests.length, `${file}: one eval decision per request`);
    const mutations = Array.isArray(kase.mutations) && kase.mutations.length > 0;
    const routers = new Map();
    const routerFor = (gateway) => {
      if (!routers.has(gateway)) {
        let r;
        try {
          r = Router.fromJson(kase.resources || [], {
            gateway,
            strict: false,
            controllerName: CONFORMANCE_CONTROLLER,
          });
        } catch (e) {
          // Only "this Gateway cannot be served" is expected (eval answers 404 for it).
          if (!(e instanceof ConfigError) || e.code !== 'ERR_TRIEWAY_GATEWAY') throw e;
          r = null;
        }
        routers.set(gateway, r);
      }
      return routers.get(gateway);
    };
    let compared = 0;
    const failures = [];
    for (const [i, req] of requests.entries()) {
      const d = decisions[i];
      assert.equal(d.name, req.name, `${file}: decision ${i} is for request ${JSON.stringify(req.name)}`);
      const r = req.request || {};
      if (d.skipped !== undefined) {
        exclude(`skipped by eval (${d.skipped})`);
        continue;
      }
      if (d.handshake !== undefined) {
        exclude('client-certificate handshake simulated by eval (generated certificates)');
        continue;
      }
      if (mutations && (req.phase ?? 0) > 0) {
        exclude('phase > 0 of a case with mutations');
        continue;
      }
      if (!HTTP_PROTOCOLS.has(r.protocol)) {
        exclude(`protocol ${r.protocol} (no binding API)`);
        continue;
      }
      if (d.tls !== undefined) {
        exclude('HTTPS answered at the TLS layer by a TLSRoute (no binding API)');
        continue;
      }
      const check = () => {
        const input = buildRequest(req);
        const got = fromBinding(routerFor(req.gateway || ''), input);
        assert.deepEqual(got, fromEval(d), `${file} | ${req.name}: binding (actual) vs trieway eval (expected)`);
      };
      const known = KNOWN.get(`${file}|${req.name}`);
      if (known) {
        totals.todo++;
        await t.test(req.name, { todo: known }, check);
        continue;
      }
      compared++;
      try {
        check();
      } catch (e) {
        failures.push(e.message);
      }
    }
    totals.compared += compared;
    t.diagnostic(`${compared} requests compared`);
    if (failures.length > 0) {
      assert.fail(`${failures.length} of ${compared} requests disagree:\n\n${failures.join('\n\n')}`);
    }
  });
}

test('spec cases: enough requests compared', (t) => {
  if (totals.files < files.length) {
    t.skip(`only ${totals.files} of ${files.length} case files ran (name filter?)`);
    return;
  }
  t.diagnostic(`${totals.compared} requests compared in ${files.length} case files, ${totals.todo} todo`);
  for (const [reason, n] of Object.entries(totals.excluded)) t.diagnostic(`excluded ${n}: ${reason}`);
  assert.ok(totals.compared >= 300, `only ${totals.compared} requests compared`);
});
