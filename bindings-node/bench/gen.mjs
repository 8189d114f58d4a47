// Route-set generators for the benchmark (and the tests that check them).
import { readFileSync } from 'node:fs';

const HEAD = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: bench}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: bench
  listeners:
    - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
`;

function service(ns, name, port = 80) {
  return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec: {ports: [{port: ${port}}]}
`;
}

/** The GitHub API templates (`/users/{p1}`), in file order. */
export function githubTemplates(file = new URL('./github_routes.txt', import.meta.url)) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** A request path for a template: the braces removed (`/users/{p1}` -> `/users/p1`). */
export function githubPath(template) {
  return template.replace(/[{}]/g, '');
}

function escapeRegex(s) {
  return s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

/**
 * The GitHub set as HTTPRoutes: one rule per template (16 rules per route, the CRD limit);
 * a static template is an Exact path, a template with `{pN}` segments a RegularExpression
 * with `[^/]+` for each such segment. Every rule has its own backend name so that a lookup
 * can be checked.
 */
export function githubYaml(templates = githubTemplates()) {
  let out = HEAD + service('default', 'api');
  for (let r = 0; r * 16 < templates.length; r++) {
    out += `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: github-${r}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
`;
    for (const t of templates.slice(r * 16, r * 16 + 16)) {
      const dynamic = t.includes('{');
      const value = dynamic
        ? t
            .split('/')
            .map((seg) => (seg.startsWith('{') ? '[^/]+' : escapeRegex(seg)))
            .join('/')
        : t;
      const type = dynamic ? 'RegularExpression' : 'Exact';
      out += `    - matches: [{path: {type: ${type}, value: ${JSON.stringify(value)}}}]
      backendRefs: [{name: api, port: 80}]
`;
    }
  }
  return out;
}

/**
 * A multi-tenant set of `tenants * routesPerTenant * rulesPerRoute` rules: tenant `t` owns
 * host `t<t>.example.com`; each of its routes serves `/svc<r>`, each rule a path below it:
 * rule 0 is `PathPrefix /svc<r>`, odd rules `PathPrefix /svc<r>/v<k>`, even rules an Exact
 * path `/svc<r>/v<k>/status`, and every fourth rule also needs header `x-canary: true`.
 * Returns the YAML and sample requests with the rule each must reach.
 */
export function tenantSet({ tenants = 100, routesPerTenant = 10, rulesPerRoute = 10 } = {}) {
  let out = HEAD;
  const requests = [];
  for (let t = 0; t < tenants; t++) {
    const ns = `tenant-${t}`;
    out += `---
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
`;
    out += service(ns, 'app');
    for (let r = 0; r < routesPerTenant; r++) {
      out += `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: svc-${r}, namespace: ${ns}}
spec:
  parentRefs: [{name: gw, namespace: default}]
  hostnames: [t${t}.example.com]
  rules:
`;
      for (let k = 0; k < rulesPerRoute; k++) {
        let match;
        let path;
        if (k === 0) {
          match = `{path: {type: PathPrefix, value: /svc${r}}}`;
          path = `/svc${r}/other/page`;
        } else if (k % 2 === 1) {
          match = `{path: {type: PathPrefix, value: /svc${r}/v${k}}}`;
          path = `/svc${r}/v${k}/items/42`;
        } else {
          match = `{path: {type: Exact, value: /svc${r}/v${k}/status}}`;
          path = `/svc${r}/v${k}/status`;
        }
        const canary = k % 4 === 3;
        if (canary) match = match.replace(/}$/, `, headers: [{name: x-canary, value: "true"}]}`);
        out += `    - name: r${k}
      matches: [${match}]
      backendRefs: [{name: app, port: 80}]
`;
        requests.push({
          method: 'GET',
          host: `t${t}.example.com`,
          path,
          headers: canary ? ['x-canary', 'true'] : undefined,
          expect: { namespace: ns, route: `svc-${r}`, rule: k },
        });
      }
    }
  }
  return { yaml: out, requests, rules: tenants * routesPerTenant * rulesPerRoute };
}
