"""RTL test helpers: simulator availability (skip with the reason), single runs of the testbenches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from generator.hw.engine import EngineConfig
from generator.ir.network import Network
from generator.reference import random_inputs, run_golden
from generator.rtl.render import render, render_library
from generator.rtl.sim import RtlRun, simulate, write_job
from sim import runner


def need(simulator: str) -> None:
    why = runner.missing(simulator)
    if why:
        pytest.skip(f"{simulator}: {why}")


def run_rtl(tmp: Path, net: Network, engine: EngineConfig, frames: list[dict[str, np.ndarray]], simulator: str,
            tb_module: str = "sim.tb.test_engine", testcase: str = "run_job", **traffic: Any) -> RtlRun | None:
    need(simulator)
    rtl = tmp / "rtl"
    render(engine, rtl)
    job = write_job(tmp / "job", net, engine, frames, **traffic)
    return simulate(rtl, job, simulator, tmp / f"build_{simulator}", testcase=testcase, tb_module=tb_module)


def assert_exact(net: Network, frame: dict[str, np.ndarray], got: dict[str, np.ndarray], what: str = "") -> None:
    """Every tensor the run materialised equals golden; folded views (slice, concat, shuffle,
    upsample read through a view reader) exist only as streams, network outputs always exist."""
    want = run_golden(net, frame)
    missing = [o for o in net.outputs if o not in got]
    if missing:
        pytest.fail(f"{what}network output {missing[0]} was not computed")
    for layer in net.layers:
        if layer.name not in got:
            continue
        a, b = got[layer.name], want[layer.name]
        if not np.array_equal(a, b):
            idx = tuple(int(i) for i in np.argwhere(a != b)[0])
            pytest.fail(f"{what}layer {layer.name}: {int((a != b).sum())} of {a.size} values differ, "
                        f"first at (h, w, c) = {idx}: rtl {a[idx]}, golden {b[idx]}")


def unit(tmp: Path, simulator: str, top: str, module: str, params: dict[str, int], plusargs: list[str]) -> None:
    need(simulator)
    srcs = render_library(tmp / "lib")
    runner.run(simulator, srcs, top, module, tmp / f"build_{simulator}", parameters=params, plusargs=plusargs)


__all__ = ["need", "run_rtl", "assert_exact", "unit", "random_inputs"]
