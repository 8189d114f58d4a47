#!/usr/bin/env python3
"""Writes the configurations of the side-by-side benchmark from one route table.

usage: gen.py ROUTES.tsv OUTDIR

ROUTES.tsv: one route a line, `host<TAB>path-prefix<TAB>backend` (backend: web-v1 or web-v2;
`#` starts a comment). Writes to OUTDIR:
  gateway.yaml   the Gateway API objects trieway-proxy serves (listener port 80; run it with
                 --port-offset to move it), one HTTPRoute per host, one rule per prefix
  nginx.conf     nginx: one server block per host, one prefix location per route
  haproxy.cfg    HAProxy: one map file (host+path prefix -> backend, map_beg)
  haproxy.map
  upstream.conf  the upstream: nginx answering 200 "ok" on both backend ports
  requests.lua   wrk: one request per route (Host and a path under the prefix), in turn
Ports: trieway-proxy 18080, nginx 18081, HAProxy 18082, upstreams 19001 (web-v1) and
19002 (web-v2); all on 127.0.0.1.
"""
import os
import sys

PORTS = {"trieway": 18080, "nginx": 18081, "haproxy": 18082}
BACKENDS = {"web-v1": 19001, "web-v2": 19002}


def read(path):
    routes = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 3 or not parts[1].startswith("/") or parts[2] not in BACKENDS:
                sys.exit(f"{path}:{n}: want host, path prefix (/...), backend in {list(BACKENDS)}")
            routes.append(tuple(parts))
    return routes


def by_host(routes):
    hosts = {}
    for host, prefix, backend in routes:
        hosts.setdefault(host, []).append((prefix, backend))
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
    for i, (host, rules) in enumerate(by_host(routes).items()):
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
        for prefix, backend in rules:
            out.append(
                f"    - {{matches: [{{path: {{type: PathPrefix, value: {prefix}}}}}], "
                f"backendRefs: [{{name: {backend}, port: 80}}]}}"
            )
    return "\n".join(out) + "\n"


def nginx(routes, out):
    ups = "".join(
        f"  upstream {b} {{ server 127.0.0.1:{p}; keepalive 64; }}\n" for b, p in BACKENDS.items()
    )
    servers = ""
    for host, rules in by_host(routes).items():
        locs = ""
        for prefix, backend in rules:
            # Gateway PathPrefix /a matches /a and /a/..., not /ab.
            p = prefix.rstrip("/")
            if p:
                locs += f"    location = {p} {{ proxy_pass http://{backend}; }}\n"
            locs += f"    location {p}/ {{ proxy_pass http://{backend}; }}\n"
        servers += (
            f"  server {{\n    listen 127.0.0.1:{PORTS['nginx']};\n    server_name {host};\n"
            f"{locs}  }}\n"
        )
    return f"""worker_processes 1;
daemon off;
user root;
pid {out}/nginx.pid;
error_log {out}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {out}/tmp;
  proxy_temp_path {out}/tmp;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $host;
{ups}  server {{ listen 127.0.0.1:{PORTS['nginx']} default_server; return 404; }}
{servers}}}
"""


def haproxy(out):
    backends = "".join(
        f"backend {b}\n  server s 127.0.0.1:{p} pool-max-conn 64\n" for b, p in BACKENDS.items()
    )
    return f"""global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend bench
  bind 127.0.0.1:{PORTS['haproxy']}
  # The longest matching host+path prefix; exact prefixes ("/a" itself) are in the map too.
  use_backend %[base,map_beg({out}/haproxy.map)]
  default_backend notfound
backend notfound
  http-request return status 404
{backends}"""


def haproxy_map(routes):
    lines = []
    for host, prefix, backend in routes:
        p = prefix.rstrip("/")
        # map_beg takes the first match in file order: longer prefixes first.
        lines.append((len(host + p), f"{host}{p}/ {backend}"))
        if p:
            lines.append((len(host + p), f"{host}{p} {backend}"))
    lines.sort(key=lambda x: -x[0])
    return "\n".join(l for _, l in lines) + "\n"


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


def lua(routes):
    reqs = ",\n".join(
        f'  wrk.format("GET", "{prefix.rstrip("/")}/item?id=7", {{Host = "{host}"}})'
        for host, prefix, _ in routes
    )
    return f"""-- One request per route of the table, in turn (each wrk thread from its own start).
local requests = {{
{reqs}
}}
local i = 0
request = function()
  i = i % #requests + 1
  return requests[i]
end
"""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    routes = read(sys.argv[1])
    out = os.path.abspath(sys.argv[2])
    os.makedirs(f"{out}/tmp", exist_ok=True)
    files = {
        "gateway.yaml": gateway(routes),
        "nginx.conf": nginx(routes, out),
        "haproxy.cfg": haproxy(out),
        "haproxy.map": haproxy_map(routes),
        "upstream.conf": upstream(out),
        "requests.lua": lua(routes),
    }
    for name, text in files.items():
        with open(f"{out}/{name}", "w") as f:
            f.write(text)


main()
