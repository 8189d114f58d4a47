"""Every ```python block of bindings-python/README.md runs as written, in order, in one
namespace per block, from the repository root (where the README's paths point)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "bindings-python" / "README.md"


def blocks() -> List[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(), re.M | re.S)


def test_readme_has_python_blocks() -> None:
    assert len(blocks()) >= 3


@pytest.mark.parametrize("index", range(len(blocks())))
def test_readme_block_runs(index: int) -> None:
    code = blocks()[index]
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"README block {index} failed:\n{code}\n{r.stdout}\n{r.stderr}"
