#!/usr/bin/env bash
# kube-testenv/stop.sh [DIR]: stops the kube-apiserver and etcd that start.sh started in DIR
# (default target/kube-testenv), by the PIDs it recorded there.
set -euo pipefail
dir=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/kube-testenv}
for name in apiserver etcd; do
  file=$dir/$name.pid
  [ -f "$file" ] || continue
  pid=$(cat "$file")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
done
