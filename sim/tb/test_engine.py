"""Engine-level testbench: whole networks (the schedule), register access, reset mid-stream.

The per-kernel testbenches (test_pwconv.py, ...) run single-layer networks through this same
job runner; tests/rtl/ builds the networks and compares the results with the golden model.
"""

from __future__ import annotations

import json

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles

from generator.hw import regmap
from generator.hw.layout import pack_tensor
from generator.ir.io import load_network
from sim.tb.job import (
    WEIGHTS_BASE,
    build_schedule,
    engine_from_json,
    job_path,
    run_network_job,
    run_schedule,
)
from sim.tb.tb import EngineTB


@cocotb.test()
async def run_job(dut):
    """Run the job's network, frame after frame, through the RTL."""
    await run_network_job(dut)


@cocotb.test()
async def regs_readback(dut):
    """Every writable register reads back what was written; the signature reads the design's."""
    job = json.loads((job_path() / "job.json").read_text())
    tb = EngineTB(dut)
    await tb.reset()
    for i, r in enumerate(regmap.REGISTERS):
        if r.access == "w":
            value = (0x9E3779B97F4A7C15 * (i + 1)) & ((1 << r.width) - 1)
            await tb.write_reg(r.name, value)
    for i, r in enumerate(regmap.REGISTERS):
        if r.access == "w":
            value = (0x9E3779B97F4A7C15 * (i + 1)) & ((1 << r.width) - 1)
            got = await tb.read_reg(r.name)
            assert got == value, f"register {r.name} at {r.offset:#x}: wrote {value:#x}, read {got:#x}"
    # a NOP pass (one pass per start: n_cmds 0), then the signature
    await tb.write_reg("n_cmds", 0)
    await tb.write_reg("mode", regmap.MODES["nop"])
    await tb.write(regmap.CTRL, regmap.AP_START)
    await ClockCycles(dut.ap_clk, 20)
    assert await tb.read(regmap.CTRL) & regmap.AP_DONE, "NOP pass did not set ap_done"
    sig = await tb.read_reg("signature")
    assert sig == job["signature"], f"signature {sig:#x}, expected {job['signature']:#x}"


@cocotb.test()
async def reset_midstream(dut):
    """Reset while the first engine pass is half streamed, then run the whole job cleanly."""
    path = job_path()
    job = json.loads((path / "job.json").read_text())
    net = load_network(job["network"])
    engine = engine_from_json(job["engine"])
    sched, image = build_schedule(net, engine)
    tb = EngineTB(dut)
    await tb.reset()
    tb.ram.write(WEIGHTS_BASE, image.astype("<u8").tobytes())
    await tb.write_reg("weights", WEIGHTS_BASE)
    step = next(s for s in sched.steps if s.where == "engine")
    frame = dict(np.load(job["frames"][0]))
    from generator.reference import run_golden

    x = run_golden(net, frame)[step.inputs[0]]
    words = pack_tensor(x, sched.act_bits)
    for name in regmap.LAYER_REGS:
        await tb.write_reg(name, step.regs[name])
    tb.send(tb.in0, words[: len(words) // 2])
    await tb.write(regmap.CTRL, regmap.AP_START)
    await ClockCycles(dut.ap_clk, len(words) // 2 + 20)
    await tb.reset()  # registers and every kernel back to a clean state; stream models flushed
    tb.in0.clear()
    tb.in1.clear()
    tb.out.clear()
    await tb.write_reg("weights", WEIGHTS_BASE)
    tensors, passes = await run_schedule(tb, net, sched, frame)
    from sim.tb.job import write_npz

    write_npz(path / "frame0.npz", tensors)
    (path / "result.json").write_text(json.dumps({"frames": [{"passes": passes}]}))
