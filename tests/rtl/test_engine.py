"""The engine top: the whole tiny network bit-exact, frames back to back, register access,
reset in the middle of a stream, and cycle counts against the ideal of large layers."""

from __future__ import annotations

import numpy as np
import pytest

from generator.hw.engine import build_engine
from generator.reference import random_inputs
from generator.rtl.cycles import ideal_cycles
from generator.zoo import ZOO
from sim.tb.kernels import BUILDERS, engine_for
from tests.rtl.conftest import assert_exact, run_rtl

pytestmark = pytest.mark.rtl


def tiny():
    net = ZOO["tiny"](0)
    return net, build_engine(net, "ultra96", 200.0)


def test_tiny_two_frames_icarus(tmp_path):
    """tiny bit-exact; two different frames back to back each equal to the golden model alone."""
    net, engine = tiny()
    frames = [random_inputs(net, 1), random_inputs(net, 2)]
    run = run_rtl(tmp_path, net, engine, frames, "icarus")
    assert run is not None
    for i, (frame, got) in enumerate(zip(frames, run.frames)):
        assert_exact(net, frame, got, f"frame {i}: ")
    assert [p["cycles"] for p in run.passes[0]] == [p["cycles"] for p in run.passes[1]]


@pytest.mark.slow
def test_tiny_verilator_traffic(tmp_path):
    net, engine = tiny()
    frames = [random_inputs(net, 3), random_inputs(net, 3)]
    run = run_rtl(tmp_path, net, engine, frames, "verilator", bubbles=0.2, backpressure=0.3)
    assert run is not None
    for i, (frame, got) in enumerate(zip(frames, run.frames)):
        assert_exact(net, frame, got, f"frame {i}: ")


@pytest.mark.slow
def test_tiny_command_lists_verilator(tmp_path):
    net, engine = tiny()
    frame = random_inputs(net, 4)
    run = run_rtl(tmp_path, net, engine, [frame], "verilator", mode="list", bubbles=0.3, backpressure=0.3)
    assert run is not None
    assert_exact(net, frame, run.frames[0], "command lists: ")


def test_registers_readback(tmp_path):
    net, engine = tiny()
    run_rtl(tmp_path, net, engine, [random_inputs(net, 0)], "icarus", testcase="regs_readback")


def test_reset_midstream(tmp_path):
    """Reset while a pass is half streamed; afterwards the network runs bit-exact."""
    net, engine = tiny()
    frame = random_inputs(net, 7)
    run = run_rtl(tmp_path, net, engine, [frame], "icarus", testcase="reset_midstream")
    assert run is not None
    assert_exact(net, frame, run.frames[0])


# Large enough that the fixed costs (weight load at one element per cycle, 2 words of quant
# parameters per channel, line-buffer fill, pipeline latency; docs/rtl.md) stay under 10 %.
LARGE = [
    ("pwconv", dict(h=32, w=32, c=64, k_out=64, pi=8, po=8, w_bits=4)),
    ("dwconv", dict(h=64, w=64, c=16, kernel=3, stride=1, pad=1, po=8)),
    ("deform", dict(h=96, w=96, c=16, n=3, po=8)),
]


@pytest.mark.slow
@pytest.mark.parametrize("kind,cfg", LARGE, ids=[k for k, _ in LARGE])
def test_cycles_near_ideal(tmp_path, kind, cfg):
    """Large enough layers take within 10 % of the ideal cycle count (docs/rtl.md: overheads)."""
    net = BUILDERS[kind](cfg, 0)
    engine = engine_for(net, kind, cfg)
    frame = random_inputs(net, 1)
    run = run_rtl(tmp_path, net, engine, [frame], "verilator")
    assert run is not None
    assert_exact(net, frame, run.frames[0])
    p = run.passes[0][0]
    ideal = ideal_cycles(kind, p["regs"], engine.kernel(kind))
    assert p["cycles"] <= 1.10 * ideal, f"{kind}: {p['cycles']} cycles, ideal {ideal} ({p['cycles'] / ideal:.3f})"
    assert np.isfinite(ideal)


def test_tiny_command_lists_icarus_traffic(tmp_path):
    """Command lists (cut at tiny's ARM steps): two frames bit-exact, with random latency (R valid,
    B) and back-pressure (AR, AW, W ready) on every AXI master; one start per list."""
    net, engine = tiny()
    frames = [random_inputs(net, 1), random_inputs(net, 2)]
    run = run_rtl(tmp_path, net, engine, frames, "icarus", mode="list", bubbles=0.2, backpressure=0.3)
    assert run is not None and run.lists is not None
    for i, (frame, got) in enumerate(zip(frames, run.frames)):
        assert_exact(net, frame, got, f"frame {i} (command lists): ")
        assert len(run.lists[i]) >= 2 and sum(x["passes"] for x in run.lists[i]) == len(run.passes[i])
        assert all(sum(x["pass_cycles"]) <= x["cycles"] for x in run.lists[i])


def test_list_overhead_vs_model(tmp_path):
    """Each pass of a command list costs what generator.plan.model.list_pass_cycles predicts over
    the same pass started alone (its streams ready), at the testbench RAM's measured latencies."""
    from generator.hw.layout import beats_per_pixel
    from generator.plan.model import list_pass_cycles

    net, engine = tiny()
    frame = random_inputs(net, 1)
    lst = run_rtl(tmp_path / "list", net, engine, [frame], "icarus", mode="list")
    one = run_rtl(tmp_path / "pass", net, engine, [frame], "icarus")
    assert lst is not None and one is not None
    assert_exact(net, frame, lst.frames[0])
    errs = []
    for a, b in zip(lst.passes[0], one.passes[0], strict=True):
        assert a["layer"] == b["layer"]
        r = a["regs"]
        beats = r["out_h"] * r["out_w"] * beats_per_pixel(r["out_c"], engine.act_bits)
        want = list_pass_cycles(beats, a["kernel"] not in ("add", "move"), a["fetch_latency"], a["write_drain"])
        errs.append((a["layer"], a["cycles"] - b["cycles"], want))
    mean_got = sum(g for _, g, _ in errs) / len(errs)
    mean_want = sum(w for _, _, w in errs) / len(errs)
    assert abs(mean_got - mean_want) <= 0.1 * mean_want, errs
    assert all(abs(g - w) <= 12 for _, g, w in errs), errs
