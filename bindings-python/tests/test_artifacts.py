"""The release artifacts as users install them (bindings-python/ci.sh builds them first).

``TRIEWAY_WHEEL`` is the wheel ``maturin build --release`` made, ``TRIEWAY_SDIST`` the sdist.
The wheel is installed into a fresh venv with cargo and rustc removed from PATH (a machine
without Rust) and routes a request; the sdist is built into a wheel in a second venv, as
``pip`` does on a platform without a matching wheel. Without the variables these tests are
skipped, unless ``TRIEWAY_REQUIRE_E2E=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEEL = os.environ.get("TRIEWAY_WHEEL")
SDIST = os.environ.get("TRIEWAY_SDIST")

ROUTE_SCRIPT = """
import pathlib, trieway
router = trieway.Router.from_path(pathlib.Path(r"{demo}"))
m = router.route("GET", "store.example.com", "/api/orders", {{"x-api-version": "v2"}}, port=443)
print("installed at", trieway.__file__)
print("routed", m.route, m.rule_name, m.apply(0.25).backend.name)
"""


def artifact(value: str | None, what: str) -> Path:
    if not value:
        if os.environ.get("TRIEWAY_REQUIRE_E2E") == "1":
            pytest.fail(f"{what} is not set (bindings-python/ci.sh sets it)")
        pytest.skip(f"{what} not set: run bindings-python/ci.sh")
    return Path(value).resolve()


def elf_sections(data: bytes) -> List[str]:
    """Section names of a 64-bit little-endian ELF file."""
    assert data[:6] == b"\x7fELF\x02\x01", "not a 64-bit little-endian ELF file"
    shoff = int.from_bytes(data[0x28:0x30], "little")
    entsize, count, strndx = (int.from_bytes(data[o : o + 2], "little") for o in (0x3A, 0x3C, 0x3E))

    def header(i: int) -> Tuple[int, int, int]:
        h = data[shoff + i * entsize : shoff + (i + 1) * entsize]
        name, offset, size = (int.from_bytes(h[a:b], "little") for a, b in ((0, 4), (0x18, 0x20), (0x20, 0x28)))
        return name, offset, size

    _, str_off, str_size = header(strndx)
    names = data[str_off : str_off + str_size]
    return [names[n : names.index(b"\0", n)].decode() for n, _, _ in (header(i) for i in range(count))]


def without_rust() -> Dict[str, str]:
    """The environment with every PATH entry that holds cargo or rustc removed."""
    dirs = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not any(os.path.exists(os.path.join(d, t)) for t in ("cargo", "rustc"))
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO", "RUSTUP"))}
    env["PATH"] = os.pathsep.join(dirs)
    assert shutil.which("cargo", path=env["PATH"]) is None
    assert shutil.which("rustc", path=env["PATH"]) is None
    return env


def venv(path: Path, env: Dict[str, str]) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], env=env, check=True)
    return path / "bin" / "python"


def run(cmd: List[str], env: Dict[str, str], cwd: Path) -> str:
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, f"{cmd} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def routes_without_rust(python: Path, cwd: Path) -> None:
    env = without_rust()
    script = ROUTE_SCRIPT.format(demo=ROOT / "examples" / "demo.yaml")
    out = run([str(python), "-c", script], env, cwd)
    assert "routed tenant-a/store api-v2 store-api-v2" in out, out
    assert f"installed at {python.parent.parent}" in out, out


def test_wheel_is_abi3_manylinux_and_stripped() -> None:
    wheel = artifact(WHEEL, "TRIEWAY_WHEEL")
    tag = re.fullmatch(r"trieway-[^-]+-cp310-abi3-(.+)\.whl", wheel.name)
    assert tag, wheel.name
    assert tag.group(1).startswith("manylinux_2_") or tag.group(1).startswith("manylinux2014"), tag
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        so = [n for n in names if n.endswith(".so")]
        assert so == ["trieway/_trieway.abi3.so"], names
        data = z.read(so[0])
        assert "trieway/py.typed" in names and "trieway/_trieway.pyi" in names
    # Stripped: no DWARF sections, no symbol table (only the dynamic one).
    sections = elf_sections(data)
    assert ".dynsym" in sections and ".text" in sections, sections
    assert not [s for s in sections if s.startswith(".debug") or s == ".symtab"], sections
    print(f"\nwheel {wheel.name}: {wheel.stat().st_size} bytes, extension {len(data)} bytes")


def test_wheel_installs_and_routes_without_rust(tmp_path: Path) -> None:
    wheel = artifact(WHEEL, "TRIEWAY_WHEEL")
    env = without_rust()
    python = venv(tmp_path / "venv", env)
    run([str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", str(wheel)], env, tmp_path)
    routes_without_rust(python, tmp_path)


def test_sdist_builds_into_a_wheel(tmp_path: Path) -> None:
    sdist = artifact(SDIST, "TRIEWAY_SDIST")
    env = dict(os.environ)
    # Reuse the dependencies compiled for the wheel: only trieway and the extension build.
    env["CARGO_TARGET_DIR"] = str(ROOT / "target")
    python = venv(tmp_path / "venv", env)
    # As an activated venv: the maturin backend runs the venv's `maturin` executable.
    env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(python.parent.parent)
    pins = (ROOT / "bindings-python" / "requirements-dev.txt").read_text()
    maturin = re.search(r"^maturin==\S+", pins, re.M)
    assert maturin
    run([str(python), "-m", "pip", "install", "--quiet", maturin.group(0)], env, tmp_path)
    out = tmp_path / "wheels"
    run(
        [str(python), "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), str(sdist)],
        env,
        tmp_path,
    )
    built = list(out.glob("trieway-*.whl"))
    assert len(built) == 1, built
    run([str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", str(built[0])], env, tmp_path)
    routes_without_rust(python, tmp_path)
