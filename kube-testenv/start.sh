#!/usr/bin/env bash
# kube-testenv/start.sh: a real Kubernetes API server (kube-apiserver + etcd, built from the
# Go modules pinned in go.mod/go.sum of this folder) on 127.0.0.1, for trieway's `kube` tests.
#
#   kube-testenv/start.sh [DIR]       build (once), start etcd + kube-apiserver, install the
#                                     Gateway API CRDs of core/crds, print the kubeconfig path
#   kube-testenv/start.sh --build     only build (or find) the binaries, print their folder
#   kube-testenv/start.sh --restart-apiserver DIR
#                                     stop and start the API server of DIR (same port, same
#                                     etcd: the objects stay), wait until it is ready again
#   kube-testenv/start.sh --compact-restart DIR
#                                     stop the API server, compact etcd's history up to its
#                                     current revision, start the API server: a watch that
#                                     resumes from an older resourceVersion gets 410 Gone
#   kube-testenv/stop.sh DIR          stop both
#
# DIR (default target/kube-testenv in the repository) holds the certificates, the static
# token, etcd's data, the logs, the PIDs and `kubeconfig`. It is wiped on start.
#
# The binaries are cached under ${XDG_CACHE_HOME:-~/.cache}/trieway-kube/<hash of go.mod,
# go.sum and etcd/main.go>: the first build (k8s.io/kubernetes cmd/kube-apiserver and
# go.etcd.io/etcd/server/v3 etcdmain) takes minutes, a rerun none. Go's own build and module
# caches stay where Go keeps them.
#
# Needs: go (the version go.mod names), openssl, curl. No network but the Go module proxy (on
# the first build only).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

log() { echo "kube-testenv: $*" >&2; }

binaries() {
  local hash cache version ldflags
  # The version kube-apiserver reports (k8s.io/component-base/version): it must parse as
  # major.minor (pod-security admission panics on an empty minor).
  version=$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=$(echo "$version" | cut -d. -f1 | tr -d v)"
  ldflags+=" -X k8s.io/component-base/version.gitMinor=$(echo "$version" | cut -d. -f2)"
  hash=$( (cat "$here/go.mod" "$here/go.sum" "$here/etcd/main.go" && echo "$ldflags") | sha256sum | cut -c1-16)
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/trieway-kube/$hash
  if [ ! -x "$cache/kube-apiserver" ] || [ ! -x "$cache/etcd" ]; then
    local start tmp
    start=$(date +%s)
    log "building kube-apiserver and etcd into $cache (first time: several minutes)"
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/.build.XXXXXX")
    (
      cd "$here"
      go build -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" \
        k8s.io/kubernetes/cmd/kube-apiserver
      go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./etcd
    )
    mv "$tmp/kube-apiserver" "$tmp/etcd" "$cache/"
    rmdir "$tmp"
    log "built in $(($(date +%s) - start)) s"
  fi
  echo "$cache"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for WHAT SECONDS CMD...: retries CMD every 0.2 s until it succeeds.
wait_for() {
  local what=$1 limit=$2 i=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt $((limit * 5)) ]; then
      log "$what not ready after ${limit}s"
      return 1
    fi
    sleep 0.2
  done
}

certs() {
  local dir=$1
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=trieway-testenv-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
      -keyout apiserver.key -out apiserver.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n' >san.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
      -extfile san.ext -out apiserver.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    openssl rand -hex 24 >token
    echo "$(cat token),trieway-admin,trieway-admin,system:masters" >tokens.csv
  )
}

start_apiserver() {
  local dir=$1 bin port etcd_port
  bin=$(cat "$dir/bin")
  port=$(cat "$dir/apiserver.port")
  etcd_port=$(cat "$dir/etcd.port")
  "$bin/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
    --tls-cert-file="$dir/apiserver.crt" --tls-private-key-file="$dir/apiserver.key" \
    --client-ca-file="$dir/ca.crt" --token-auth-file="$dir/tokens.csv" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$dir/sa.pub" --service-account-signing-key-file="$dir/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 \
    --cert-dir="$dir/apiserver-certs" \
    --enable-priority-and-fairness=false \
    >>"$dir/apiserver.log" 2>&1 </dev/null &
  echo $! >"$dir/apiserver.pid"
  wait_for "kube-apiserver (log: $dir/apiserver.log)" 120 \
    curl -sf --cacert "$dir/ca.crt" -H "Authorization: Bearer $(cat "$dir/token")" \
    "https://127.0.0.1:$port/readyz"
}

stop_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

api() {
  local dir=$1
  shift
  curl -sf --cacert "$dir/ca.crt" -H "Authorization: Bearer $(cat "$dir/token")" "$@"
}

case "${1:-}" in
--build)
  binaries
  exit 0
  ;;
--restart-apiserver)
  dir=${2:?usage: start.sh --restart-apiserver DIR}
  stop_pid "$dir/apiserver.pid"
  start_apiserver "$dir"
  exit 0
  ;;
--compact-restart)
  dir=${2:?usage: start.sh --compact-restart DIR}
  stop_pid "$dir/apiserver.pid"
  etcd_url=http://127.0.0.1:$(cat "$dir/etcd.port")
  # etcd's JSON gateway: the current revision, then a compaction up to it.
  revision=$(curl -sf "$etcd_url/v3/kv/range" -d '{"key":"AA=="}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["header"]["revision"])')
  curl -sf "$etcd_url/v3/kv/compaction" -d "{\"revision\": $revision, \"physical\": true}" >/dev/null
  log "etcd compacted at revision $revision"
  start_apiserver "$dir"
  exit 0
  ;;
esac

dir=${1:-$root/target/kube-testenv}
bin=$(binaries)
if [ -d "$dir" ]; then
  "$here/stop.sh" "$dir" || true
  rm -rf "$dir"
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
echo "$bin" >"$dir/bin"
started=$(date +%s%N)
certs "$dir"
etcd_port=$(free_port)
peer_port=$(free_port)
port=$(free_port)
echo "$etcd_port" >"$dir/etcd.port"
echo "$port" >"$dir/apiserver.port"

"$bin/etcd" --name testenv --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "testenv=http://127.0.0.1:$peer_port" \
  --unsafe-no-fsync --log-level warn \
  >"$dir/etcd.log" 2>&1 </dev/null &
echo $! >"$dir/etcd.pid"
wait_for "etcd (log: $dir/etcd.log)" 60 curl -sf "http://127.0.0.1:$etcd_port/health"

start_apiserver "$dir"

cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $dir/ca.crt
users:
- name: admin
  user:
    token: $(cat "$dir/token")
contexts:
- name: testenv
  context: {cluster: testenv, user: admin, namespace: default}
current-context: testenv
EOF

# The Gateway API CRDs trieway loads (core/crds, copied from the Gateway API: see its README).
for crd in "$root"/core/crds/*.yaml; do
  api "$dir" -o /dev/null -X POST -H "Content-Type: application/yaml" --data-binary "@$crd" \
    "https://127.0.0.1:$port/apis/apiextensions.k8s.io/v1/customresourcedefinitions" \
    || { log "cannot install $crd"; exit 1; }
done
for plural in gatewayclasses gateways listenersets httproutes grpcroutes tlsroutes tcproutes \
  udproutes referencegrants backendtlspolicies; do
  wait_for "CRD $plural" 60 api "$dir" "https://127.0.0.1:$port/apis/gateway.networking.k8s.io/v1/$plural"
done
log "ready in $((($(date +%s%N) - started) / 1000000)) ms (API server https://127.0.0.1:$port)"
echo "$dir/kubeconfig"
