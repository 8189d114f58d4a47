// An edge proxy on node:http routed by trieway: Gateway API HTTPRoutes decide where each
// request goes; header filters, rewrites, redirects and weighted splits are applied here.
//
//   node examples/edge_server.mjs CONFIG.yaml LISTEN_PORT NS/NAME:PORT=HOST:PORT ...
//   e.g. node examples/edge_server.mjs routes.yaml 8080 default/a:80=127.0.0.1:3001
//
// In an application, `require('trieway')` instead of the relative path below.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Router, editHeaders } = require('../bindings-node/index.js');

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded.
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

function withoutHop(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  }
  return out;
}

function answer(res, status, rawHeaders, body = '') {
  res.writeHead(status, [...rawHeaders, 'Content-Type', 'text/plain', 'Content-Length', String(Buffer.byteLength(body))]);
  res.end(body);
}

/**
 * An http.Server that routes with `router`.
 * - `upstreams`: `{"namespace/name:port": {host, port}}`, where each Service lives.
 * - `gatewayPort`: the Gateway listener port this server stands for (default: the lowest).
 * - `random`: the source of the weighted draw (default Math.random).
 */
export function createEdgeServer({ router, upstreams, gatewayPort, random = Math.random }) {
  return http.createServer((req, res) => {
    const outcome = router.routeRequest(req, { port: gatewayPort });
    if (!outcome.matched) {
      answer(res, outcome.status, [], outcome.kind === 'notFound' ? 'no route\n' : 'misdirected\n');
      return;
    }
    const action = outcome.apply(req, { random: random(), port: gatewayPort });
    if (action.kind === 'redirect') {
      answer(res, action.status, editHeaders(action.responseHeaders, ['Location', action.location]));
      return;
    }
    if (action.kind === 'respond') {
      answer(res, action.status, editHeaders(action.responseHeaders, []), `${action.status}\n`);
      return;
    }
    const b = action.backend;
    const up = upstreams[`${b.namespace}/${b.name}:${b.port}`];
    if (!up) {
      answer(res, 502, [], `no upstream for ${b.namespace}/${b.name}:${b.port}\n`);
      return;
    }
    // Request filters, then the upstream Host (possibly rewritten).
    const headers = editHeaders(
      [...action.requestHeaders, { op: 'set', name: 'Host', value: action.authority }],
      withoutHop(req.rawHeaders),
    );
    const upstream = http.request(
      { host: up.host, port: up.port, method: req.method, path: action.pathAndQuery, headers },
      (ures) => {
        res.writeHead(ures.statusCode, editHeaders(action.responseHeaders, withoutHop(ures.rawHeaders)));
        ures.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      if (!res.headersSent) answer(res, 502, [], `upstream error: ${e.message}\n`);
      else res.destroy(e);
    });
    req.pipe(upstream);
  });
}

// Run as a program.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [config, listen, ...maps] = process.argv.slice(2);
  if (!config || !listen) {
    console.error('usage: node examples/edge_server.mjs CONFIG.yaml LISTEN_PORT NS/NAME:PORT=HOST:PORT ...');
    process.exit(2);
  }
  const upstreams = {};
  for (const m of maps) {
    const [svc, target] = m.split('=');
    const i = target.lastIndexOf(':');
    upstreams[svc] = { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
  }
  const router = Router.fromYaml(readFileSync(config, 'utf8'));
  createEdgeServer({ router, upstreams }).listen(Number(listen), '127.0.0.1', () => {
    console.log(`edge server for Gateway ${router.gateway} on http://127.0.0.1:${listen}`);
  });
}
