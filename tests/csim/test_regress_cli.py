"""`accelgen regress`: in process and on a Dask LocalCluster, summary table, saved failures."""

from __future__ import annotations

import subprocess
import sys

from generator.regress import Case, build_case
from sim.regress import run_case


def regress(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "regress", "--quiet", *args], capture_output=True, text=True)


def test_regress_in_process(engine_cache):
    r = regress("--ops", "conv,add,shuffle", "--count", "6", "--seed", "3", "--scheduler", "none",
                "--work-dir", str(engine_cache.parent))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6 passed, 0 failed" in r.stdout
    assert "conv" in r.stdout and "shuffle" in r.stdout


def test_regress_dask_local_cluster(engine_cache):
    r = regress("--ops", "dwconv,deform_dwconv", "--count", "4", "--seed", "5", "--workers", "2",
                "--work-dir", str(engine_cache.parent))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "4 passed, 0 failed" in r.stdout


def test_failing_case_is_saved_for_replay(tmp_path, monkeypatch):
    import sim.regress as mod

    def broken(*args, **kwargs):
        from generator.errors import MismatchError

        raise MismatchError("layer y: C-sim differs from golden at index [0, 0, 0]")

    monkeypatch.setattr(mod, "run_on_engine", broken)
    monkeypatch.setattr(mod, "csim_library", lambda engine, cache: None)
    case = Case(7, 1234, "conv", True, 8, 8)
    res = run_case(case, "csim", str(tmp_path / "engines"), str(tmp_path / "failures"))
    assert not res["ok"] and "index [0, 0, 0]" in res["error"]
    saved = tmp_path / "failures" / f"{case.name}.json"
    assert res["saved"] == str(saved) and saved.exists()
    r = subprocess.run([sys.executable, "-m", "generator", "golden", str(saved), "--inputs",
                        str(tmp_path / "failures" / f"{case.name}.inputs.npz"), "--outputs", str(tmp_path / "o.npz")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    net, _ = build_case(case)
    assert net.name == case.name


def test_unknown_op_is_a_user_error():
    r = regress("--ops", "conv,fft", "--count", "1")
    assert r.returncode == 2 and "--ops: unknown op 'fft'" in r.stderr
