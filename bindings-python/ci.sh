#!/usr/bin/env bash
# bindings-python/ci.sh: build and test the Python package from a clean state.
#
# Creates a venv (default target/py-venv, or $VENV), installs the pinned tools of
# requirements-dev.txt, builds and installs the package with `pip install ./bindings-python`
# (maturin as the PEP 517 backend), then runs `mypy --strict` on the tests and the example
# and `pytest -q`. Exits non-zero on any failure, including pytest's exit 5 (no tests
# collected). Run it from anywhere: it works from the repository root.
#
# Set TRIEWAY_BENCH=1 to also run a quick benchmark smoke (bench/bench.py --quick).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${VENV:-target/py-venv}
case $venv in /*) ;; *) venv="$root/$venv" ;; esac
py="$venv/bin/python"

echo "== python: venv $venv"
python3 -m venv "$venv"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet -r bindings-python/requirements-dev.txt

echo "== python: pip install ./bindings-python"
"$py" -m pip install --quiet --force-reinstall --no-deps ./bindings-python
"$py" -c 'import trieway; print("trieway", trieway.__version__, "from", trieway.__file__)'

echo "== python: mypy --strict"
(cd bindings-python && "$py" -m mypy --strict --no-incremental tests ../examples/asgi_gateway.py bench/bench.py)

echo "== python: pytest"
status=0
# Run from bindings-python so that the installed package (not a source tree) is imported.
(cd bindings-python && TRIEWAY_REQUIRE_E2E=1 "$py" -m pytest -q -p no:cacheprovider tests) || status=$?
if [ "$status" -eq 5 ]; then
  echo "== python: pytest collected no tests"
  exit 1
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi

if [ "${TRIEWAY_BENCH:-0}" = "1" ]; then
  echo "== python: benchmark smoke"
  "$py" bindings-python/bench/bench.py --quick --rounds 1
fi
