"""Every kernel bit-exact against the golden model on random data, with random tvalid bubbles
and tready back-pressure (the testbench checks no beat is lost, duplicated or left over).

Fast subset: one configuration per kernel on Icarus, one on Verilator. Full matrix (slow): the
configurations below on both simulators, with and without traffic.
"""

from __future__ import annotations

import numpy as np
import pytest

from generator.reference import random_inputs
from sim.tb.kernels import BUILDERS, engine_for
from tests.rtl.conftest import assert_exact, run_rtl

pytestmark = pytest.mark.rtl

CASES = {
    "pwconv": [
        dict(h=4, w=5, c=12, k_out=20, pi=8, po=8, w_bits=4),
        dict(h=3, w=4, c=16, k_out=16, pi=4, po=8, w_bits=8, pack=False),
        dict(h=3, w=3, c=9, k_out=7, pi=8, po=4, w_bits=8, a_signed=True),
        dict(h=2, w=3, c=8, k_out=40, pi=2, po=16, w_bits=4),
        dict(h=3, w=3, c=20, k_out=12, pi=8, po=8, a_bits=12, w_bits=8),  # 16-bit containers, unpacked
    ],
    "conv": [
        dict(h=7, w=6, c=3, k_out=8, kernel=3, stride=2, pad=1, pi=4, po=8, w_bits=8),
        dict(h=6, w=5, c=10, k_out=6, kernel=3, stride=1, pad=1, pi=8, po=4, w_bits=4, a_signed=True),
        dict(h=8, w=7, c=4, k_out=8, kernel=3, stride=2, pad=0, pi=4, po=8, w_bits=4),
        dict(h=7, w=7, c=5, k_out=9, kernel=5, stride=1, pad=2, pi=4, po=4, w_bits=4, pack=False),
    ],
    "dwconv": [
        dict(h=6, w=7, c=12, kernel=3, stride=1, pad=1, po=8, a_signed=True),
        dict(h=7, w=8, c=20, kernel=3, stride=2, pad=1, po=8),
        dict(h=7, w=6, c=6, kernel=5, stride=1, pad=2, po=4, w_bits=8),
        dict(h=5, w=6, c=16, kernel=3, stride=1, pad=0, po=16),
        dict(h=5, w=5, c=9, kernel=3, stride=2, pad=1, po=4, a_bits=12, a_signed=True, o_bits=12),
    ],
    "deform": [
        dict(h=6, w=7, c=12, n=3, po=8),
        dict(h=7, w=8, c=8, n=1, po=8, stride=2, a_signed=True),
        dict(h=9, w=9, c=5, n=7, po=4, off_bits=4),
        dict(h=5, w=6, c=20, n=2, po=16, w_bits=8),
    ],
    "add": [
        dict(h=4, w=5, c=12, o_signed=True),
        dict(h=3, w=3, c=20, a_signed=True, b_signed=False, o_signed=True, mult=[1 << 14, 3 << 13], shift=13),
        dict(h=2, w=3, c=5, a_bits=12, b_bits=10, o_bits=12, mult=[7, 9], shift=2),
    ],
}

TRAFFIC = dict(bubbles=0.3, backpressure=0.4)


def check(tmp_path, kind, cfg, simulator, seed=0, **traffic):
    net = BUILDERS[kind](cfg, seed)
    engine = engine_for(net, kind, cfg)
    frame = random_inputs(net, seed + 1)
    run = run_rtl(tmp_path, net, engine, [frame], simulator, tb_module=f"sim.tb.test_{kind}", seed=seed, **traffic)
    assert run is not None
    assert_exact(net, frame, run.frames[0], f"{kind} {cfg} on {simulator}: ")
    return run


@pytest.mark.parametrize("kind", sorted(CASES))
def test_kernel_icarus(tmp_path, kind):
    check(tmp_path, kind, CASES[kind][0], "icarus", **TRAFFIC)


def test_kernel_verilator(tmp_path):
    check(tmp_path, "pwconv", CASES["pwconv"][0], "verilator", **TRAFFIC)


MATRIX = [(k, i) for k in sorted(CASES) for i in range(len(CASES[k]))]


@pytest.mark.slow
@pytest.mark.parametrize("simulator", ["icarus", "verilator"])
@pytest.mark.parametrize("kind,i", MATRIX, ids=[f"{k}{i}" for k, i in MATRIX])
def test_kernel_matrix(tmp_path, simulator, kind, i):
    check(tmp_path, kind, CASES[kind][i], simulator, seed=i, **(TRAFFIC if i % 2 else {}))


# The weight loader's awkward cases (ag_wload + ag_wlanemem, a run of up to WL = 64/w_bits elements
# per cycle): channel groups cut short (C % PI != 0) and straddling words, PI above and below WL,
# 4-, 8- and 16-bit containers, k < k_max on the depthwise kernel (a run per filter row), a deform
# group that ends mid-word; with random weight-read latency and arready back-pressure (TRAFFIC).
WLOAD_CASES = [
    ("pwconv", dict(h=2, w=3, c=13, k_out=11, pi=8, po=4, w_bits=4)),
    ("pwconv", dict(h=2, w=2, c=21, k_out=6, pi=16, po=2, w_bits=8, pack=False)),
    ("pwconv", dict(h=2, w=2, c=7, k_out=5, pi=2, po=4, w_bits=12, pack=False)),
    ("conv", dict(h=5, w=4, c=5, k_out=6, kernel=3, stride=1, pad=1, pi=4, po=4, w_bits=4)),
    ("dwconv_pair", dict(h=5, w=6, c=12, kernel=3, kernel2=1, po=8, w_bits=4)),
    ("dwconv_pair", dict(h=6, w=5, c=10, kernel=5, kernel2=3, po=4, w_bits=8)),
    ("deform", dict(h=5, w=5, c=7, n=1, po=4, w_bits=4)),
]


@pytest.mark.parametrize("kind,cfg", WLOAD_CASES, ids=[f"{k}{i}" for i, (k, _) in enumerate(WLOAD_CASES)])
def test_weight_load_runs(tmp_path, kind, cfg):
    net = BUILDERS[kind](cfg, 3)
    engine = engine_for(net, kind.split("_")[0], cfg)
    frame = random_inputs(net, 4)
    tb = f"sim.tb.test_{kind.split('_')[0]}"
    run = run_rtl(tmp_path, net, engine, [frame], "icarus", tb_module=tb, seed=5, **TRAFFIC)
    assert run is not None
    assert_exact(net, frame, run.frames[0], f"{kind} {cfg}: ")


def test_deform_every_offset(tmp_path):
    """Every d in 0..N (and beyond, clamped) at every pixel, borders included, one frame per d,
    then a random frame: the 2N+1-row line buffer must hold the rows d = N reaches."""
    cfg = dict(h=7, w=8, c=8, n=3, po=8, off_bits=3)
    net = BUILDERS["deform"](cfg, 4)
    engine = engine_for(net, "deform", cfg)
    base = random_inputs(net, 5)
    frames = []
    for d in range(cfg["n"] + 2):
        f = dict(base)
        f["off"] = np.full_like(base["off"], d)
        frames.append(f)
    frames.append(base)
    run = run_rtl(tmp_path, net, engine, frames, "icarus", tb_module="sim.tb.test_deform")
    assert run is not None
    for d, (frame, got) in enumerate(zip(frames, run.frames)):
        assert_exact(net, frame, got, f"offset frame {d}: ")
