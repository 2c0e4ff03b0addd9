"""Run networks through the RTL: job files for the cocotb testbench, results back as tensors.

`run_network` is what `accelgen rtlsim` and `accelgen regress --backend rtl` call: it renders (or
takes) the RTL, runs the schedule's engine passes in the simulator and the ARM steps with the
golden ops, and returns every tensor plus the cycles of each pass.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.fileio import read_npz, write_npz
from generator.hw.engine import EngineConfig
from generator.ir.io import save_network
from generator.ir.network import Network
from generator.reference import check_inputs
from generator.rtl.context import TOP
from generator.rtl.render import render

log = logging.getLogger(__name__)

TB_MODULE = "sim.tb.test_engine"


@dataclass(frozen=True)
class RtlRun:
    frames: list[dict[str, np.ndarray]]  # every tensor, per frame
    passes: list[list[dict[str, Any]]]  # per frame: layer, kernel, regs, cycles
    lists: list[list[dict[str, Any]]] | None = None  # per frame, list mode: each list's cycles and passes


def write_job(job_dir: Path, net: Network, engine: EngineConfig, frames: list[dict[str, np.ndarray]],
              seed: int = 0, bubbles: float = 0.0, backpressure: float = 0.0, mode: str = "pass") -> Path:
    """A job folder for the engine testbench; `mode` "list" runs command lists (one start per run
    of engine passes, activations in the testbench's AXI RAM), "pass" one start per pass (streams)."""
    job_dir = Path(job_dir).resolve()
    job_dir.mkdir(parents=True, exist_ok=True)
    net_path = save_network(net, job_dir / f"{net.name}.json")
    paths = []
    for i, f in enumerate(frames):
        p = job_dir / f"inputs{i}.npz"
        write_npz(p, check_inputs(net, f))
        paths.append(str(p))
    job = {"network": str(net_path), "engine": engine.to_json(), "signature": engine.signature,
           "frames": paths, "seed": seed, "bubbles": bubbles, "backpressure": backpressure,
           "mode": mode}
    (job_dir / "job.json").write_text(json.dumps(job, indent=1))
    for old in job_dir.glob("frame*.npz"):
        old.unlink()
    return job_dir


def read_result(job_dir: Path) -> RtlRun:
    res = json.loads((job_dir / "result.json").read_text())
    frames = [read_npz(job_dir / f"frame{i}.npz") for i in range(len(res["frames"]))]
    lists = [f["lists"] for f in res["frames"]] if res.get("mode") == "list" else None
    return RtlRun(frames, [f["passes"] for f in res["frames"]], lists)


def simulate(rtl_dir: Path, job_dir: Path, simulator: str, build_dir: Path, testcase: str = "run_job",
             top: str = TOP, tb_module: str = TB_MODULE) -> RtlRun | None:
    """Run one testcase of an engine testbench on the job; the run's results (None for tests
    that write none)."""
    from sim import runner

    runner.run(simulator, runner.rtl_sources(rtl_dir), top, tb_module, build_dir, testcase=testcase,
               plusargs=[f"+job={Path(job_dir).resolve()}"])
    return read_result(job_dir) if (Path(job_dir) / "result.json").exists() else None


def run_network(project_dir_or_engine: Path | str | EngineConfig, net: Network,
                inputs: dict[str, np.ndarray] | list[dict[str, np.ndarray]], simulator: str = "icarus",
                rtl_dir: Path | str | None = None, work_dir: Path | str | None = None, **traffic: Any
                ) -> tuple[dict[str, np.ndarray], list[dict[str, Any]]]:
    """(tensors, passes) of `net` on `inputs` computed with the RTL; a list of inputs runs frames
    back to back and returns the last frame's tensors and all frames' passes.

    `project_dir_or_engine`: a project directory holding rtl/ and host/engine.json, or an
    EngineConfig (the RTL is then rendered into a temporary or `work_dir` folder). `traffic`:
    write_job's seed, bubbles, backpressure and mode ("pass" or "list").
    """
    run = run_frames(project_dir_or_engine, net, inputs, simulator, rtl_dir, work_dir, **traffic)
    return run.frames[-1], [p for f in run.passes for p in f]


def run_frames(project_dir_or_engine: Path | str | EngineConfig, net: Network,
               inputs: dict[str, np.ndarray] | list[dict[str, np.ndarray]], simulator: str = "icarus",
               rtl_dir: Path | str | None = None, work_dir: Path | str | None = None, **traffic: Any) -> RtlRun:
    """run_network's whole result: every frame's tensors, passes and (list mode) lists."""
    frames = inputs if isinstance(inputs, list) else [inputs]
    tmp = None
    if isinstance(project_dir_or_engine, EngineConfig):
        engine = project_dir_or_engine
        if work_dir is None:
            tmp = tempfile.TemporaryDirectory(prefix="accelgen_rtl_")
            work_dir = tmp.name
        work = Path(work_dir)
        if rtl_dir is None:
            rtl_dir = work / "rtl"
            render(engine, rtl_dir)
    else:
        project = Path(project_dir_or_engine)
        from sim.tb.job import engine_from_json

        engine = engine_from_json(json.loads((project / "host" / "engine.json").read_text()))
        work = Path(work_dir) if work_dir else project / "rtlsim_work"
        rtl_dir = Path(rtl_dir) if rtl_dir else project / "rtl"
    try:
        job = write_job(work / "job", net, engine, frames, **traffic)
        run = simulate(Path(rtl_dir), job, simulator, work / f"build_{simulator}")
        assert run is not None
        return run
    finally:
        if tmp is not None:
            tmp.cleanup()
