"""RTL simulation speed (simulated cycles per wall-clock second) of Icarus and Verilator on the
tiny network, plus the yosys resource table of the tiny engine (from the committed measurement
generator/cost/measurements/synth_tiny.json; `python -m generator.rtl.measure tiny` refreshes it)."""

from __future__ import annotations

import json
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from generator.hw.engine import build_engine
from generator.reference import random_inputs
from generator.rtl.render import render
from generator.rtl.sim import simulate, write_job
from generator.zoo import ZOO
from sim import runner

SYNTH = Path(__file__).resolve().parents[1] / "generator" / "cost" / "measurements" / "synth_tiny.json"
CLOCK_NS = 10


def sim_speed(simulator: str, work: Path) -> dict:
    net = ZOO["tiny"](0)
    engine = build_engine(net, "ultra96", 200.0)
    rtl = work / "rtl"
    render(engine, rtl)
    job = write_job(work / "job", net, engine, [random_inputs(net, 1)])
    build = work / f"build_{simulator}"
    t0 = time.perf_counter()
    run = simulate(rtl, job, simulator, build)
    first = time.perf_counter() - t0  # build + run
    case = ET.parse(build / "results_run_job.xml").getroot().find(".//testcase")
    assert case is not None and run is not None
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    sim_ns, real_s = float(props.get("sim_time_duration", 0)), float(case.get("time", 0))
    return {"simulator": simulator, "sim_cycles": int(sim_ns / CLOCK_NS), "sim_seconds": round(real_s, 3),
            "cycles_per_s": round(sim_ns / CLOCK_NS / real_s), "build_and_run_s": round(first, 1),
            "engine_cycles": sum(p["cycles"] for p in run.passes[0])}


def run() -> dict:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_rtl_") as tmp:
        for sim in runner.SIMULATORS:
            why = runner.missing(sim)
            rows.append({"simulator": sim, "skipped": why} if why else sim_speed(sim, Path(tmp) / sim))
    synth = json.loads(SYNTH.read_text()) if SYNTH.exists() else None
    table = {"kernels": synth["kernels"], "total": synth.get("total"), "tool": synth["tool"]} if synth else None
    summary = ", ".join(f"{r['simulator']} {r['cycles_per_s']} cycles/s" if "cycles_per_s" in r
                        else f"{r['simulator']} skipped" for r in rows)
    if table and table["total"]:
        t = table["total"]
        summary += f"; tiny engine yosys: {t['lut']} LUT, {t['ff']} FF, {t['bram18']} BRAM18, {t['dsp']} DSP"
    return {"simulators": rows, "synth_tiny": table, "summary": summary}
