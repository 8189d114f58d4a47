"""The release workflow of the bindings (.github/workflows) passes actionlint, and builds every
platform the Node package declares a prebuilt package for."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str:
    exe = Path(sys.executable).parent / "actionlint"
    if exe.exists():
        return str(exe)
    found = shutil.which("actionlint")
    if found:
        return found
    if os.environ.get("TRIEWAY_REQUIRE_E2E") == "1":
        pytest.fail("actionlint is not installed (bindings-python/ci.sh installs it into the venv)")
    pytest.skip("actionlint is not installed: run bindings-python/ci.sh")


def test_workflows_pass_actionlint() -> None:
    assert WORKFLOWS, "no workflow files"
    r = subprocess.run([actionlint(), *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_workflow_builds_every_declared_node_platform() -> None:
    text = (ROOT / ".github" / "workflows" / "bindings.yml").read_text()
    built = set(re.findall(r"platform: ([a-z0-9-]+)\}", text))
    declared = {p.name for p in (ROOT / "bindings-node" / "npm").iterdir()}
    assert built == declared
    for platform in declared:
        pkg = json.loads((ROOT / "bindings-node" / "npm" / platform / "package.json").read_text())
        assert pkg["name"] == f"trieway-{platform}" and pkg["main"] == f"trieway.{platform}.node"
