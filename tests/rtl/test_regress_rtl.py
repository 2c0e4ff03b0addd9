"""`accelgen regress --backend rtl`: random layers golden vs the RTL (Icarus), folded views
read by the RTL's view readers and move kernel (the same folded schedule as HLS)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.rtl.conftest import need

pytestmark = pytest.mark.rtl


def test_regress_rtl_backend(tmp_path):
    need("icarus")
    r = subprocess.run([sys.executable, "-m", "generator", "regress", "--backend", "rtl", "--ops", "add,view",
                        "--count", "2", "--seed", "1", "--scheduler", "none", "--quiet", "--work-dir", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed, 0 failed" in r.stdout
