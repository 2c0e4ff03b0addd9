"""Data movement folded into the passes' input views: ShuffleNetV2 units run without ARM steps,
bit-exact in C-sim."""

from __future__ import annotations

import pytest

from generator.hw.engine import build_engine
from generator.hw.fold import fold_plan
from generator.ir.builder import NetworkBuilder
from generator.reference import random_inputs
from sim.run_csim import run_on_engine


def shufflenet_units(size: int = 9, c: int = 12):
    """Stride-1 and stride-2 ShuffleNetV2 units, a deformable neck and a nearest upsample."""
    b = NetworkBuilder("units", 3)
    q = dict(weight_bits=4, out_bits=8, out_signed=False)
    x = b.input("x", (size, size, c), 8, False)
    # stride-2 unit: both branches see x
    l1 = b.dwconv("b1_dw", x, kernel=3, stride=2, padding=1, **q)
    l1 = b.conv("b1_pw", l1, kernel=1, out_channels=c // 2, **q)
    r1 = b.conv("b2_pw1", x, kernel=1, out_channels=c // 2, **q)
    r1 = b.dwconv("b2_dw", r1, kernel=3, stride=2, padding=1, **q)
    r1 = b.conv("b2_pw2", r1, kernel=1, out_channels=c // 2, **q)
    t = b.layer("shuffle", "u1_shuf", [b.layer("concat", "u1_cat", [l1, r1])], groups=2)
    # stride-1 unit: split, one branch convolved, concat, shuffle
    a = b.layer("slice", "u2_a", [t], start=0, stop=c // 2)
    bb = b.layer("slice", "u2_b", [t], start=c // 2, stop=c)
    bb = b.conv("u2_pw1", bb, kernel=1, out_channels=c // 2, **q)
    bb = b.dwconv("u2_dw", bb, kernel=3, padding=1, **q)
    bb = b.conv("u2_pw2", bb, kernel=1, out_channels=c // 2, **q)
    t = b.layer("shuffle", "u2_shuf", [b.layer("concat", "u2_cat", [a, bb])], groups=2)
    # neck: upsample read straight by a 1x1 conv
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
