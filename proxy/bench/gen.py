#!/usr/bin/env python3
"""Writes the configurations of the side-by-side benchmark: one route table of N routes,
rendered for trieway-proxy, nginx and HAProxy.

usage: gen.py N OUTDIR [ROUTES_PER_HOST]

The table: N routes over max(1, N // ROUTES_PER_HOST) hosts (default 10 routes per host;
h0.example.com, h1.example.com, ...), spread round-robin (route i on host i % hosts). Route i
has its own path, of one of three kinds in turn, counted from the end so the last route is a
regex:
  (N-1-i) % 3 == 2  Exact              /e<i>/item
  (N-1-i) % 3 == 1  PathPrefix         /p<i>          (requests: /p<i> and /p<i>/...)
  (N-1-i) % 3 == 0  RegularExpression  /r<i>/[0-9]+   (anchored to the whole path, as the
                                                     Gateway's RE2 semantics say)
and goes to backend web-v1 (even i) or web-v2 (odd i). Paths are distinct per route, so every
proxy answers a request with the same route whatever its precedence rules; the three
configurations list the routes in table order. The measured request hits route N - 1, the
LAST route of the table, a regex route on the last host: a proxy that tries routes in order
(HAProxy's use_backend rules) pays for all N; nginx picks the server block by a hash of the
Host and then tries that block's regex locations in order (the measured one last);
trieway-proxy looks the host and path up in its compiled router.

Writes to OUTDIR:
  gateway.yaml   Gateway (listener port 80, moved with --port-offset) + HTTPRoutes of at most
                 16 rules (the Gateway API's limit), one rule per route, per host
  nginx.conf     one server block per host: `location =` (exact), `location ^~` (prefix),
                 `location ~` (regex), and `location /` answering 404
  haproxy.cfg    one frontend with one `use_backend ... if { hdr(host) ... } { path ... }` per
                 route (path / path_beg / path_reg), in table order; no match: 404
  upstream.conf  the upstream: nginx answering 200 "ok" on both backend ports
  measured.txt   HOST PATH of the measured request (the last route), and the checks:
                 one request per path kind on the last host (all 200) and one that matches
                 nothing (404)
Ports: trieway-proxy 18080, nginx 18081, HAProxy 18082, upstreams 19001 (web-v1) and
19002 (web-v2); all on 127.0.0.1.
"""
import os
import sys

PORTS = {"trieway": 18080, "nginx": 18081, "haproxy": 18082}
BACKENDS = {"web-v1": 19001, "web-v2": 19002}
KINDS = ("exact", "prefix", "regex")


def kind(i, n):
    return ("regex", "prefix", "exact")[(n - 1 - i) % 3]


def table(n, per_host):
    """[(host, kind, path value, backend)] in table order."""
    hosts = max(1, n // per_host)
    routes = []
    for i in range(n):
        k = kind(i, n)
        path = {"exact": f"/e{i}/item", "prefix": f"/p{i}", "regex": f"/r{i}/[0-9]+"}[k]
        routes.append((f"h{i % hosts}.example.com", k, path, "web-v1" if i % 2 == 0 else "web-v2"))
    return routes


def request_path(k, path):
    """A request path that the route of this kind and path value matches."""
    return {"exact": path, "prefix": f"{path}/item", "regex": path.replace("[0-9]+", "12345")}[k]


def by_host(routes):
    hosts = {}
    for host, k, path, backend in routes:
        hosts.setdefault(host, []).append((k, path, backend))
    return hosts


def gateway(routes):
    out = [
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: Gateway",
        "metadata: {name: bench, namespace: default}",
        "spec:",
        "  gatewayClassName: trieway",
        "  listeners: [{name: http, port: 80, protocol: HTTP}]",
    ]
    gw_type = {"exact": "Exact", "prefix": "PathPrefix", "regex": "RegularExpression"}
    chunks = [
        (host, rules[j : j + 16])
        for host, rules in by_host(routes).items()
        for j in range(0, len(rules), 16)
    ]
    for i, (host, rules) in enumerate(chunks):
        out += [
            "---",
            "apiVersion: gateway.networking.k8s.io/v1",
            "kind: HTTPRoute",
            f"metadata: {{name: r{i}, namespace: default}}",
            "spec:",
            "  parentRefs: [{name: bench}]",
            f"  hostnames: [{host}]",
            "  rules:",
        ]
        for k, path, backend in rules:
            out.append(
                f"    - {{matches: [{{path: {{type: {gw_type[k]}, value: '{path}'}}}}], "
                f"backendRefs: [{{name: {backend}, port: 80}}]}}"
            )
    return "\n".join(out) + "\n"


def nginx(routes, out):
    ups = "".join(
        f"  upstream {b} {{ server 127.0.0.1:{p}; keepalive 64; }}\n" for b, p in BACKENDS.items()
    )
    servers = []
    for host, rules in by_host(routes).items():
        locs = []
        for k, path, backend in rules:
            if k == "exact":
                locs.append(f"    location = {path} {{ proxy_pass http://{backend}; }}")
            elif k == "prefix":
                # Gateway PathPrefix /p matches /p and /p/..., not /px.
                locs.append(f"    location = {path} {{ proxy_pass http://{backend}; }}")
                locs.append(f"    location ^~ {path}/ {{ proxy_pass http://{backend}; }}")
            else:
                locs.append(f"    location ~ ^{path}$ {{ proxy_pass http://{backend}; }}")
        locs.append("    location / { return 404; }")
        servers.append(
            f"  server {{\n    listen 127.0.0.1:{PORTS['nginx']};\n    server_name {host};\n"
            + "\n".join(locs)
            + "\n  }\n"
        )
    return f"""worker_processes 1;
daemon off;
user root;
pcre_jit on;
pid {out}/nginx.pid;
error_log {out}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {out}/tmp;
  proxy_temp_path {out}/tmp;
  server_names_hash_max_size 16384;
  server_names_hash_bucket_size 128;
  keepalive_requests 1000000;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $host;
{ups}  server {{ listen 127.0.0.1:{PORTS['nginx']} default_server; return 404; }}
{"".join(servers)}}}
"""


def haproxy(routes):
    backends = "".join(
        f"backend {b}\n  server s 127.0.0.1:{p} pool-max-conn 64\n" for b, p in BACKENDS.items()
    )
    acl = {"exact": "path", "prefix": "path_beg", "regex": "path_reg"}
    rules = []
    for host, k, path, backend in routes:
        if k == "prefix":
            # Gateway PathPrefix /p matches /p and /p/..., not /px.
            cond = f"{{ path {path} }} or {{ hdr(host) -i {host} }} {{ path_beg {path}/ }}"
            rules.append(f"  use_backend {backend} if {{ hdr(host) -i {host} }} {cond}")
        elif k == "regex":
            rules.append(f"  use_backend {backend} if {{ hdr(host) -i {host} }} {{ path_reg ^{path}$ }}")
        else:
            rules.append(f"  use_backend {backend} if {{ hdr(host) -i {host} }} {{ {acl[k]} {path} }}")
    return f"""global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
  option http-keep-alive
frontend bench
  bind 127.0.0.1:{PORTS['haproxy']}
  # One rule per route, in table order: HAProxy tries them in turn.
{chr(10).join(rules)}
  default_backend notfound
backend notfound
  http-request return status 404
{backends}"""


def upstream(out):
    listens = "".join(f"    listen 127.0.0.1:{p};\n" for p in BACKENDS.values())
    return f"""worker_processes 1;
daemon off;
user root;
pid {out}/upstream.pid;
error_log {out}/upstream-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  server {{
{listens}    location / {{ return 200 "ok\\n"; }}
  }}
}}
"""


def measured(routes):
    host, k, path, _ = routes[-1]
    lines = [f"measure {host} {request_path(k, path)}"]
    last = [(k2, p) for h, k2, p, _ in routes if h == host]
    for want in KINDS:
        for k2, p in last:
            if k2 == want:
                lines.append(f"200 {host} {request_path(k2, p)}")
                if k2 == "prefix":
                    lines.append(f"200 {host} {p}")
                break
    lines.append(f"404 {host} /nothing/here")
    lines.append(f"404 {host} {path}x" if k != "regex" else f"404 {host} {path.replace('[0-9]+', 'abc')}")
    lines.append(f"404 nohost.example.com {request_path(k, path)}")
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 3) or not all(a.isdigit() and int(a) > 0 for a in args[:1] + args[2:]):
        sys.exit(__doc__)
    routes = table(int(args[0]), int(args[2]) if len(args) == 3 else 10)
    out = os.path.abspath(args[1])
    os.makedirs(f"{out}/tmp", exist_ok=True)
    files = {
        "gateway.yaml": gateway(routes),
        "nginx.conf": nginx(routes, out),
        "haproxy.cfg": haproxy(routes),
        "upstream.conf": upstream(out),
        "measured.txt": measured(routes),
    }
    for name, text in files.items():
        with open(f"{out}/{name}", "w") as f:
            f.write(text)


main()
