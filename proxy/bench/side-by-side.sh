#!/usr/bin/env bash
# The side-by-side benchmark of issue #23: trieway-proxy, nginx and HAProxy routing the same
# route table to the same local upstream, for N = 10, 1,000 and 10,000 routes, measured with
# h2load on 127.0.0.1, interleaved round by round. Not part of .ci/run.
#
#   proxy/bench/side-by-side.sh [ROUNDS] [SECONDS] [CONNECTIONS] [N...]
#       defaults: 3 rounds, 10 s per proxy per round, 32 connections, N = 10 1000 10000
#   e.g. proxy/bench/side-by-side.sh 2 5 32        # the run in proxy/README.md
#
# Needs nginx, haproxy, h2load (Debian nghttp2-client), taskset, curl, python3. Run as root,
# it installs the missing Debian packages itself (apt-get install nginx haproxy
# nghttp2-client); otherwise it says what to install. trieway-proxy is
# $TRIEWAY_PROXY, default target/release/trieway-proxy (built with cargo if absent).
#
# Route tables (gen.py): N routes over max(1, N/ROUTES_PER_HOST) hosts (environment,
# default 10: many hosts; ROUTES_PER_HOST=N puts them all on one host), exact / prefix / regex paths in
# turn; the measured request hits the LAST route of the table (a regex route on the last
# host). Each proxy gets the table in its own terms: Gateway API YAML (one HTTPRoute per
# host), nginx (a server block per host; `location =`, `location ^~`, `location ~`), HAProxy
# (one `use_backend ... if { hdr(host) } { path | path_beg | path_reg }` per route, in order).
# The upstream is one nginx answering 200 "ok" on two ports (the two backends).
#
# Load generator: h2load (nghttp2-client) over HTTP/1.1 (--h1), one thread, CONNECTIONS
# keep-alive connections, one request in flight per connection (-m 1), for SECONDS after a
# separate 2 s warm-up; latency percentiles come from h2load's per-request log.
#
# Before measuring, each proxy must answer the measured request with the upstream's 200 "ok",
# one request of each path kind on the last host with 200, and requests that match no route
# with 404 (the checks in measured.txt); else the script stops. A run with any non-2xx answer
# is reported as such.
#
# CPU budget: each proxy is pinned to CPU $PROXY_CPU (default 0) with taskset and runs one
# worker (nginx worker_processes 1, HAProxy nbthread 1, trieway-proxy's tokio runtime sees one
# CPU); h2load and the upstream share CPU $LOAD_CPU (default 1). CPU seconds per 10,000
# requests: utime + stime of the proxy's process and its children (nginx's worker) from
# /proc/PID/stat, read before and after each measured run.
#
# Prints one markdown table: per N and proxy the medians over the rounds of requests/s, p50
# and p99 latency and CPU seconds per 10,000 requests, each also as a ratio to nginx's median
# in the same run, and the proxy's resident memory after the runs. Raw output stays in the
# directory it names.
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNS=${3:-32}
shift $(($# < 3 ? $# : 3))
NS=("$@")
[ ${#NS[@]} -gt 0 ] || NS=(10 1000 10000)
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
WARMUP=${WARMUP:-2}
ROUTES_PER_HOST=${ROUTES_PER_HOST:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

missing=()
for tool in nginx haproxy h2load taskset curl python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "side-by-side: installing nginx haproxy nghttp2-client (missing: ${missing[*]})" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx haproxy nghttp2-client util-linux curl python3 >/dev/null
  else
    echo "side-by-side: missing ${missing[*]}: apt-get install -y nginx haproxy nghttp2-client (as root)" >&2
    exit 1
  fi
fi
BIN=${TRIEWAY_PROXY:-$ROOT/target/release/trieway-proxy}
if [ ! -x "$BIN" ]; then
  (cd "$ROOT" && cargo build --release -p trieway-proxy)
fi

OUT=$(mktemp -d /tmp/trieway-side-by-side.XXXXXX)
ORDER=(trieway-proxy nginx haproxy)
declare -A PORT=([trieway-proxy]=18080 [nginx]=18081 [haproxy]=18082)
declare -A PID=()
UPSTREAM=""
stop() { # PID: end it and wait for it
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  for p in "${PID[@]}" $UPSTREAM; do stop "$p"; done
}
trap cleanup EXIT

# utime + stime (clock ticks) of process $1 and its children (nginx's worker).
cpu_ticks() {
  local total=0 p f
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    [ -r /proc/"$p"/stat ] || continue
    read -r -a f < <(sed 's/^.*) //' /proc/"$p"/stat)
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}
# Resident memory (kB) of process $1 and its children.
rss_kb() {
  local total=0 p kb
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    kb=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
# h2load for $1 seconds against port $3, the measured request; output in $2.txt, per-request
# log in $2.tsv. The Host goes in as :authority (h2load's `-H Host:` would add a second Host
# header: 400). h2load can hang in timing mode when a server closes connections, so it is
# bounded by `timeout`.
load() {
  timeout -k 5 $(($1 + 60)) taskset -c "$LOAD_CPU" h2load --h1 -t1 -c"$CONNS" -m1 -D "$1" \
    -H ":authority: $HOST" --log-file="$2.tsv" "http://127.0.0.1:$3$PATH_" >"$2.txt" ||
    { echo "side-by-side: h2load failed or hung against port $3 (N=$N), output in $2.txt" >&2; exit 1; }
}
# HTTP status and body of GET http://127.0.0.1:PORT$3 with Host $2.
fetch() { curl -s -m 5 -w ' %{http_code}' -H "Host: $2" "http://127.0.0.1:$1$3" || true; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -r)" | tee "$OUT/machine.txt"
echo "versions: $(nginx -v 2>&1 | sed 's/.*: //'), $(haproxy -v | head -1 | cut -d' ' -f1-3), $(h2load --version | head -1), trieway-proxy $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')" | tee -a "$OUT/machine.txt"
echo "run: $ROUNDS rounds x ${SECONDS_PER_RUN} s per proxy per N, $ROUTES_PER_HOST routes per host, $CONNS connections, proxies on CPU $PROXY_CPU, load+upstream on CPU $LOAD_CPU" | tee -a "$OUT/machine.txt"

python3 "$HERE/gen.py" 1 "$OUT/upstream"
taskset -c "$LOAD_CPU" nginx -c "$OUT/upstream/upstream.conf" 2>"$OUT/upstream.log" &
UPSTREAM=$!

for N in "${NS[@]}"; do
  D="$OUT/n$N"
  python3 "$HERE/gen.py" "$N" "$D" "$ROUTES_PER_HOST"
  taskset -c "$PROXY_CPU" "$BIN" -c "$D/gateway.yaml" --port-offset 18000 --listen-addr 127.0.0.1 \
    --no-admin --no-watch --quiet \
    --backend default/web-v1=127.0.0.1:19001 --backend default/web-v2=127.0.0.1:19002 \
    >"$D/trieway.log" 2>&1 &
  PID[trieway-proxy]=$!
  taskset -c "$PROXY_CPU" nginx -c "$D/nginx.conf" >"$D/nginx.log" 2>&1 &
  PID[nginx]=$!
  taskset -c "$PROXY_CPU" haproxy -f "$D/haproxy.cfg" -db >"$D/haproxy.log" 2>&1 &
  PID[haproxy]=$!

  read -r _ HOST PATH_ < <(grep '^measure ' "$D/measured.txt")
  for p in "${ORDER[@]}"; do
    got=""
    for _ in $(seq 300); do
      kill -0 "${PID[$p]}" 2>/dev/null || { echo "side-by-side: $p exited at N=$N; see $D/$p.log" >&2; exit 1; }
      got=$(fetch "${PORT[$p]}" "$HOST" "$PATH_")
      [ "$got" = $'ok\n 200' ] && break
      sleep 0.2
    done
    [ "$got" = $'ok\n 200' ] || { echo "side-by-side: $p (N=$N) answers '$got' to $HOST$PATH_, not the upstream's 200 ok" >&2; exit 1; }
    while read -r want host path; do
      [ "$want" = measure ] && continue
      code=$(fetch "${PORT[$p]}" "$host" "$path")
      code=${code##* }
      [ "$code" = "$want" ] || { echo "side-by-side: $p (N=$N) answers $code to $host$path, want $want" >&2; exit 1; }
    done < "$D/measured.txt"
    echo "N=$N $p: checks passed ($(($(wc -l < "$D/measured.txt") - 1)) requests + the measured one)"
    load "$WARMUP" "$D/warmup-$p" "${PORT[$p]}"
  done

  echo "N=$N load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
  for r in $(seq "$ROUNDS"); do
    for p in "${ORDER[@]}"; do
      before=$(cpu_ticks "${PID[$p]}")
      load "$SECONDS_PER_RUN" "$D/h2load-$p-$r" "${PORT[$p]}"
      after=$(cpu_ticks "${PID[$p]}")
      echo "$((after - before))" >"$D/cpu-$p-$r.txt"
    done
  done
  echo "N=$N load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
  for p in "${ORDER[@]}"; do
    rss_kb "${PID[$p]}" >"$D/rss-$p.txt"
    stop "${PID[$p]}"
    unset "PID[$p]"
  done
done

python3 - "$OUT" "$ROUNDS" "$(getconf CLK_TCK)" "${NS[*]}" "${ORDER[@]}" <<'PY'
import re, statistics, sys
out, rounds, hz, ns, procs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(), sys.argv[5:]

def run(d, p, r):
    text = open(f"{d}/h2load-{p}-{r}.txt").read()
    # h2load's log holds the requests of the measured duration (and any done after it).
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
    done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1))
    lat, bad = [], 0
    for line in open(f"{d}/h2load-{p}-{r}.tsv"):
        _, status, us = line.split("\t")
        lat.append(int(us) / 1000)
        bad += not status.startswith("2")
    lat.sort()
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] if lat else float("nan")
    failed = re.search(r"(\d+) failed, (\d+) errored, (\d+) timeout", text).groups()
    cpu = int(open(f"{d}/cpu-{p}-{r}.txt").read()) / hz
    return dict(rps=rps, p50=q(0.50), p99=q(0.99), cpu=cpu / max(done, 1) * 10_000,
                bad=bad + sum(map(int, failed)), done=done)

rows = []
for n in ns:
    d = f"{out}/n{n}"
    med = {}
    for p in procs:
        runs = [run(d, p, r) for r in range(1, rounds + 1)]
        for i, x in enumerate(runs, 1):
            print(f"  N={n:>5} round {i} {p:14} {x['rps']:9.0f} req/s  p50 {x['p50']:6.3f} ms  "
                  f"p99 {x['p99']:7.3f} ms  cpu/10k {x['cpu']:6.3f} s  non-2xx/failed {x['bad']}",
                  file=sys.stderr)
        med[p] = {k: statistics.median(x[k] for x in runs) for k in ("rps", "p50", "p99", "cpu")}
        med[p]["bad"] = sum(x["bad"] for x in runs)
        med[p]["rss"] = int(open(f"{d}/rss-{p}.txt").read()) / 1024
    base = med["nginx"]
    for p in procs:
        m = med[p]
        ratio = lambda k: f"{m[k] / base[k]:.2f}" if base[k] else "-"
        bad = f" ({m['bad']} not 2xx!)" if m["bad"] else ""
        rows.append(f"| {n} | {p}{bad} | {m['rps']:.0f} | {m['p50']:.3f} ms | {m['p99']:.3f} ms | "
                    f"{m['cpu']:.3f} | {ratio('rps')} | {ratio('p50')} | {ratio('p99')} | "
                    f"{ratio('cpu')} | {m['rss']:.1f} MiB |")
print()
print("| routes N | proxy | requests/s | p50 latency | p99 latency | CPU s / 10k requests "
      "| req/s ÷ nginx | p50 ÷ nginx | p99 ÷ nginx | CPU ÷ nginx | RSS after |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print("\n".join(rows))
print(f"\n(median of {rounds} rounds per proxy per N; raw h2load output, logs and configurations in {out})")
PY
cat "$OUT/load.txt"
