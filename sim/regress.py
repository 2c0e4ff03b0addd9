"""Run regression cases (generator.regress) on a backend, in parallel through Dask.

Each worker builds the C-sim library of a case's engine in its own cache directory (keyed by the
engine's hash), so a remote cluster needs no shared file system. A failing case is saved as
NAME.json / NAME.npz / NAME.inputs.npz for replay with `accelgen csim` or `accelgen golden`.
"""

from __future__ import annotations

import logging
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from generator.boards import load_board
from generator.codegen.hls import hls_context, write_hls
from generator.errors import AccelgenError
from generator.hw.engine import EngineConfig
from generator.regress import Case, build_case, case_engine, engine_key, save_case
from sim.csim import CsimLibrary, load_library
from sim.run_csim import run_on_engine

log = logging.getLogger(__name__)
_LIBS: dict[str, CsimLibrary] = {}


def engine_project(engine: EngineConfig, cache: Path) -> Path:
    """Sources of `engine` under cache/<hash>/ (written once, atomically)."""
    dest = cache / engine_key(engine)
    if not (dest / "hls" / "accel_top.cpp").exists():
        cache.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".stage.", dir=cache))
        write_hls(stage / "hls", hls_context(engine, load_board(engine.board), weight_words=1 << 20))
        try:
            stage.rename(dest)
        except OSError:  # another worker won the race; its copy is identical
            import shutil

            shutil.rmtree(stage, ignore_errors=True)
    return dest


def csim_library(engine: EngineConfig, cache: Path) -> CsimLibrary:
    key = engine_key(engine)
    if key not in _LIBS:
        _LIBS[key] = load_library(engine_project(engine, cache))
    return _LIBS[key]


def run_case(case: Case, backend: str, cache: str, failures: str) -> dict[str, Any]:
    """One case: golden vs backend. Never raises: failures are reported in the result."""
    t0 = time.perf_counter()
    result: dict[str, Any] = {"case": case.name, "op": case.op, "ok": False, "error": ""}
    net = inputs = None
    try:
        net, inputs = build_case(case)
        engine = case_engine(case)
        if backend == "csim":
            run_on_engine(csim_library(engine, Path(cache)), net, engine, inputs)
        elif backend == "rtl":
            import numpy as np

            from generator.reference import run_golden
            from generator.rtl import run_network
            from sim.run_csim import first_mismatch

            got, _ = run_network(engine, net, inputs)
            want = run_golden(net, inputs)
            for name in want:
                if name in got and not np.array_equal(np.asarray(got[name]), want[name]):
                    raise first_mismatch(name, np.asarray(got[name]), want[name], "RTL")
            if not all(o in got for o in net.outputs):
                raise AccelgenError(f"RTL run returned no output '{next(o for o in net.outputs if o not in got)}'")
        else:
            raise AccelgenError(f"--backend {backend}: unknown (csim, rtl)")
        result["ok"] = True
    except AccelgenError as e:
        result["error"] = str(e)
    except Exception as e:  # a crash is a failure of the case, reported with its cause
        result["error"] = f"{type(e).__name__}: {e} ({traceback.format_exc(limit=1).splitlines()[-1]})"
    if not result["ok"] and net is not None and inputs is not None:
        result["saved"] = str(save_case(Path(failures), net, inputs))
    result["seconds"] = round(time.perf_counter() - t0, 3)
    return result


def run_all(cases: list[Case], backend: str, scheduler: str, workers: int, cache: Path, failures: Path,
            progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None) -> list[dict[str, Any]]:
    """Run every case; `scheduler` is 'local' (a LocalCluster), 'none' (in process) or an address."""
    progress = progress or (lambda it, total: it)
    args = (backend, str(cache), str(failures))
    if scheduler == "none":
        return [run_case(c, *args) for c in progress(cases, len(cases))]
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.WARNING)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(run_case, cases, *[[a] * len(cases) for a in args], pure=False)
        results = [f.result() for f in progress(as_completed(futures), len(futures))]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return sorted(results, key=lambda r: r["case"])
