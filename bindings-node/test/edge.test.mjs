// End to end: examples/edge_server.mjs forwards for real to two upstream servers on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { YAML } from './fixtures.mjs';
import { createEdgeServer } from '../../examples/edge_server.mjs';

const require = createRequire(import.meta.url);
const { Router } = require('../index.js');

// Each upstream answers with what it received.
function upstream(name) {
  return http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.setHeader('x-upstream', name);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ server: name, method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const servers = [];
let edgePort;
let draws = [];

before(async () => {
  const a = upstream('A');
  const b = upstream('B');
  const edge = createEdgeServer({
    router: Router.fromYaml(YAML),
    upstreams: {
      'default/a:80': { host: '127.0.0.1', port: await listen(a) },
      'default/b:80': { host: '127.0.0.1', port: await listen(b) },
    },
    gatewayPort: 80,
    // Deterministic draws for the weighted split: 0, 0.01, ... 0.99 repeating.
    random: () => {
      const r = draws.length % 100 / 100;
      draws.push(r);
      return r;
    },
  });
  edgePort = await listen(edge);
  servers.push(a, b, edge);
});

after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

function request(path, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: edgePort, method, path, headers: { host: 'edge.test', ...headers }, agent: false },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () => {
          let json = null;
          try {
            json = JSON.parse(data);
          } catch {}
          resolve({ status: res.statusCode, headers: res.headers, body: data, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('routing: prefix to A, header match to B, exact + method, not found', async () => {
  const a = await request('/api/users');
  assert.equal(a.status, 200);
  assert.equal(a.json.server, 'A');
  const b = await request('/api/users', { headers: { 'x-version': '2' } });
  assert.equal(b.json.server, 'B');
  assert.equal(b.json.url, '/api/users');
  assert.equal((await request('/healthz')).json.server, 'B');
  assert.equal((await request('/healthz', { method: 'DELETE' })).status, 404);
  assert.equal((await request('/api', { headers: { host: 'other.test' } })).status, 404);
});

test('header filters and path rewrite reach the upstream and the client', async () => {
  const r = await request('/api/users?page=2', { headers: { 'x-debug': '1', 'x-via': 'client', 'x-tenant': 'forged' } });
  assert.equal(r.json.server, 'A');
  assert.equal(r.json.url, '/v1/users?page=2');
  assert.equal(r.json.headers['x-tenant'], 't1');
  assert.equal(r.json.headers['x-via'], 'client,trieway');
  assert.equal(r.json.headers['x-debug'], undefined);
  assert.equal(r.json.headers.host, 'edge.test');
  assert.equal(r.headers['x-served-by'], 'edge');
  assert.equal(r.headers['x-upstream'], 'A');
});

test('bodies are forwarded', async () => {
  const r = await request('/api/items', { method: 'POST', body: 'hello edge', headers: { 'content-type': 'text/plain' } });
  assert.equal(r.json.method, 'POST');
  assert.equal(r.json.body, 'hello edge');
});

test('redirects are answered by the edge', async () => {
  const r = await request('/old/page?x=1');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, 'http://edge.test/new/page?x=1');
});

test('an unresolved backend gets 500', async () => {
  assert.equal((await request('/broken')).status, 500);
});

test('weights: 3:1 split over 100 requests', async () => {
  draws = [];
  const counts = { A: 0, B: 0 };
  for (let i = 0; i < 100; i++) counts[(await request(`/split/${i}`)).json.server]++;
  assert.deepEqual(counts, { A: 75, B: 25 });
});
