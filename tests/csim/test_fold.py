"""Data movement folded into the passes' input views: ShuffleNetV2 units run without ARM steps,
bit-exact in C-sim."""

from __future__ import annotations

import pytest

from generator.hw.engine import build_engine
from generator.hw.fold import fold_plan
from generator.ir.builder import NetworkBuilder
from generator.reference import random_inputs
from sim.run_csim import run_on_engine
from sim.tb.kernels import shufflenet_s1_unit, shufflenet_s2_unit


def shufflenet_units(size: int = 9, c: int = 12):
    """Stride-1 and stride-2 ShuffleNetV2 units, then a nearest upsample read straight by a 1x1
    conv."""
    b = NetworkBuilder("units", 3)
    q = dict(weight_bits=4, out_bits=8, out_signed=False)
    x = b.input("x", (size, size, c), 8, False)
    t = shufflenet_s1_unit(b, shufflenet_s2_unit(b, x, c, q)[2], c, q)
    up = b.layer("upsample", "up", [t], factor=2)
    y = b.conv("head", up, kernel=1, out_channels=5, weight_bits=8, out_bits=8, out_signed=True)
    return b.build([y])


def test_units_fold_without_arm_steps():
    net = shufflenet_units()
    steps = fold_plan(net)
    assert [s for s in steps if s.kind == "arm"] == []
    by = {s.name: s for s in steps}
    assert by["u2_pw1"].view.src_map == "shuffle2" and by["u2_pw1"].view.c_start == 6
    assert by["head"].view.up == 2 and by["head"].view.src_map == "shuffle2"
    moves = [s.name for s in steps if s.kind == "move"]
    assert moves == ["u2_a"]  # the concat of a slice is materialised once per stride-1 unit
    assert all(s.kind != "arm" for s in fold_plan(net, fold=False)[:1])
    assert sum(s.kind == "arm" for s in fold_plan(net, fold=False)) == 7


@pytest.mark.parametrize("fold", [True, False])
def test_units_bit_exact(compile_engine, fold):
    net = shufflenet_units()
    engine = build_engine(net, "ultra96", 250, fold=fold)
    lib = compile_engine(engine)
    for seed in (0, 1):
        run_on_engine(lib, net, engine, random_inputs(net, seed))
