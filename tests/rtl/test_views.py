"""The view readers (ag_view in front of pwconv, conv, dwconv) and the move kernel bit-exact
against the golden model: every source map (direct with a channel window, concat, shuffle2) and
nearest upsampling, on random data with random tvalid bubbles and tready back-pressure.

Fast: one case per map on Icarus. Slow: every case on both simulators, 8- and 16-bit containers.
"""

from __future__ import annotations

import pytest

from generator.hw.engine import build_engine
from generator.hw.fold import fold_plan
from generator.reference import random_inputs
from sim.tb.kernels import view_net
from tests.rtl.conftest import assert_exact, run_rtl

pytestmark = pytest.mark.rtl

TRAFFIC = dict(bubbles=0.3, backpressure=0.4)

CASES = {
    # direct: channel window [5, 17) of a 20-channel tensor (not beat-aligned on either end)
    "direct_cstart": dict(map="direct", h=3, w=4, c0=20, slice=(5, 17), reader="pwconv", k_out=12),
    # concat of 12 + 7 channels (in1 starts mid-beat)
    "concat": dict(map="concat", h=3, w=3, c0=12, c1=7, reader="pwconv", k_out=9, a_signed=True),
    # shuffle2 of 12 + 12, its second half (c_start 12) read by a depthwise 3x3
    "shuffle2": dict(map="shuffle2", h=4, w=5, c0=12, c1=12, slice=(12, 24), reader="dwconv"),
    # nearest upsampling x2 read by a 3x3 conv (row buffer replayed 2 x 2 times)
    "up2": dict(map="direct", h=3, w=4, c0=10, up=2, reader="conv", kernel=3, pad=1, k_out=6),
    # move: shuffle2 of a concat materialised (network output)
    "move_shuffle2": dict(map="shuffle2", h=3, w=4, c0=10, c1=10, reader="move"),
    # move: a slice of a concat, upsampled x2
    "move_up2": dict(map="concat", h=2, w=3, c0=9, c1=6, slice=(3, 14), up=2, reader="move"),
}

SLOW = {
    "direct_cstart_dw": dict(map="direct", h=5, w=4, c0=24, slice=(8, 24), reader="dwconv", kernel=3, stride=2),
    "concat_conv_s2": dict(map="concat", h=6, w=5, c0=8, c1=8, reader="conv", kernel=3, stride=2, pad=1, k_out=8),
    "shuffle2_odd": dict(map="shuffle2", h=3, w=3, c0=7, c1=7, slice=(3, 12), reader="pwconv", k_out=5),
    "up4_pw": dict(map="direct", h=2, w=2, c0=16, up=4, reader="pwconv", k_out=4),
    "shuffle2_up2": dict(map="shuffle2", h=2, w=3, c0=6, c1=6, up=2, reader="dwconv"),
    "move_direct_slice": dict(map="direct", h=4, w=4, c0=19, slice=(2, 11), reader="move"),
    "move_concat": dict(map="concat", h=3, w=2, c0=5, c1=13, reader="move"),
    "concat16": dict(map="concat", h=3, w=3, c0=6, c1=5, reader="pwconv", k_out=7, a_bits=12, a_signed=True),
    "shuffle2_16_move": dict(map="shuffle2", h=3, w=2, c0=5, c1=5, slice=(1, 9), up=2, reader="move", a_bits=12),
}


def check(tmp_path, cfg, simulator, seed=0, **traffic):
    net = view_net(cfg, seed)
    engine = build_engine(net, "ultra96", 200.0, parallelism={"pwconv": (8, 8), "conv": (4, 8), "dwconv": (1, 8)})
    steps = fold_plan(net)
    assert not any(s.kind == "arm" for s in steps), "the view must fold"
    kinds = [s.kind for s in steps]
    assert kinds == (["move"] if cfg["reader"] == "move" else ["engine"]), kinds
    assert steps[0].view is not None and not steps[0].view.is_plain
    frame = random_inputs(net, seed + 1)
    run = run_rtl(tmp_path, net, engine, [frame], simulator, tb_module="sim.tb.test_view", seed=seed, **traffic)
    assert run is not None
    assert [p["kernel"] for p in run.passes[0]] == [cfg["reader"]]
    assert_exact(net, frame, run.frames[0], f"view {cfg} on {simulator}: ")
    return run


@pytest.mark.parametrize("name", sorted(CASES))
def test_view_icarus(tmp_path, name):
    check(tmp_path, CASES[name], "icarus", **TRAFFIC)


ALL = {**CASES, **SLOW}


@pytest.mark.slow
@pytest.mark.parametrize("simulator", ["icarus", "verilator"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_view_matrix(tmp_path, simulator, name):
    i = sorted(ALL).index(name)
    check(tmp_path, ALL[name], simulator, seed=i, **(TRAFFIC if i % 2 == 0 else {}))
