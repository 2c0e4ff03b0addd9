"""Jobs: what the host side asks a testbench to do, as files (the simulator runs in its own process).

A job folder holds job.json (network file, engine, frames of inputs, traffic options) and the
testbench writes result.json (cycles per pass and frame) and frame<i>.npz (every tensor of the
network as computed with the RTL doing the engine passes and the golden ops doing ARM steps).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cocotb
import numpy as np

from generator.fileio import read_npz, write_npz
from generator.hw.engine import EngineConfig, KernelSpec
from generator.hw.layout import beats_per_pixel, pack_tensor, unpack_tensor
from generator.hw.schedule import Schedule, build_schedule
from generator.ir.io import load_network
from generator.ir.network import Network
from generator.reference import check_inputs
from sim.tb.tb import EngineTB

WEIGHTS_BASE = 0x10000  # byte address of the weight image in the testbench's AXI RAM


def engine_from_json(d: dict[str, Any]) -> EngineConfig:
    kernels = tuple(KernelSpec(**k) for k in d["kernels"])
    return EngineConfig(d["network"], d["board"], d["clock_mhz"], d["act_bits"], d["w_bits"], kernels, d.get("fold", False))


def job_path() -> Path:
    return Path(cocotb.plusargs["job"])


async def run_schedule(tb: EngineTB, net: Network, sched: Schedule, inputs: dict[str, np.ndarray]
                       ) -> tuple[dict[str, np.ndarray], list[dict[str, Any]]]:
    """Every tensor of one frame and the cycles of each engine pass."""
    tensors = check_inputs(net, inputs)
    layers = net.by_name
    types = net.types
    passes = []
    for step in sched.steps:
        layer = layers[step.layer]
        if step.where == "arm":
            xs = [tensors[n] for n in step.inputs]
            tensors[step.layer] = layer.golden(xs, net.layer_arrays(layer), types[step.layer])
            continue
        ins = [pack_tensor(tensors[n], sched.act_bits) for n in step.inputs]
        info = sched.tensors[step.output]
        h, w, c = info.shape
        n_out = h * w * beats_per_pixel(c, sched.act_bits)
        regs = dict(step.regs)
        out, cycles = await tb.run_pass(regs, ins[0], ins[1] if len(ins) > 1 else None, n_out)
        tensors[step.layer] = unpack_tensor(out, info.shape, sched.act_bits, info.signed)
        passes.append({"layer": step.layer, "kernel": step.kernel, "regs": regs, "cycles": int(cycles)})
    return tensors, passes


async def run_network_job(dut) -> None:
    path = job_path()
    job = json.loads((path / "job.json").read_text())
    net = load_network(job["network"])
    engine = engine_from_json(job["engine"])
    sched, image = build_schedule(net, engine)
    tb = EngineTB(dut, seed=job.get("seed", 0), bubbles=job.get("bubbles", 0.0),
                  backpressure=job.get("backpressure", 0.0))
    await tb.reset()
    tb.ram.write(WEIGHTS_BASE, image.astype("<u8").tobytes())
    await tb.write_reg("weights", WEIGHTS_BASE)
    result: dict[str, Any] = {"frames": [], "mode": job.get("mode", "pass")}
    if result["mode"] == "list":
        from generator.hw.commands import descriptor_table
        from sim.tb.listmode import ListRams, layout, run_schedule_list

        cmds, act, size = layout(sched, WEIGHTS_BASE, len(image))
        rams = ListRams(tb, size, seed=job.get("seed", 0), bubbles=job.get("bubbles", 0.0),
                        backpressure=job.get("backpressure", 0.0))
        tb.ram.write(cmds, descriptor_table(sched).astype("<u8").tobytes())
    for i, frame in enumerate(job["frames"]):
        lists = None
        if result["mode"] == "list":
            tensors, passes, lists = await run_schedule_list(tb, rams, net, sched, cmds, act, read_npz(frame))
        else:
            tensors, passes = await run_schedule(tb, net, sched, read_npz(frame))
        write_npz(path / f"frame{i}.npz", tensors)
        result["frames"].append({"passes": passes, "cycles": sum(p["cycles"] for p in passes),
                                 **({"lists": lists} if lists is not None else {})})
    (path / "result.json").write_text(json.dumps(result, indent=1))
