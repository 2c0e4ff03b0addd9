"""Every op and kernel, C-sim vs golden, on random layers (odd H/W, C and K not multiples of
PI/PO, stride 1 and 2, weight and activation bits 2..8, signed/unsigned, extreme values),
packed and unpacked MACs. Each case runs on a compiled engine that has just run other layers,
so these also show that no state leaks between passes."""

from __future__ import annotations

import numpy as np
import pytest

from generator.regress import OPS, Case, build_case, draw_cases, universal_engine
from sim.run_csim import run_on_engine

ENGINES = [(True, 8, 8), (False, 2, 16), (True, 1, 2)]
FAST_CASES = 24
SLOW_CASES = 300


def run_cases(compile_engine, cases: list[Case]) -> None:
    for c in cases:
        net, inputs = build_case(c)
        engine = universal_engine(c.pack, c.pi, c.po)
        run_on_engine(compile_engine(engine), net, engine, inputs)  # raises naming layer and index


@pytest.mark.parametrize("pack,pi,po", ENGINES, ids=[f"{'packed' if p else 'unpacked'}-{i}x{o}" for p, i, o in ENGINES])
def test_random_layers(compile_engine, pack, pi, po):
    cases = [Case(c.index, c.seed, c.op, pack, pi, po) for c in draw_cases(list(OPS), FAST_CASES, seed=po)]
    run_cases(compile_engine, cases)


@pytest.mark.slow
def test_random_layers_full_matrix(compile_engine):
    cases = draw_cases(list(OPS), SLOW_CASES, seed=99)
    run_cases(compile_engine, cases)


def test_case_generator_covers_the_space():
    """The regression draws what the issue asks for: odd sizes, both strides, 2..8 bits, both signs."""
    seen = {"odd_hw": False, "stride2": False, "signed_in": False, "unsigned_in": False, "odd_c": False}
    bits = set()
    for c in draw_cases(["conv", "dwconv", "deform_dwconv"], 90, seed=0):
        net, _ = build_case(c)
        x = net.inputs[0].type
        layer = net.layers[0]
        seen["odd_hw"] |= x.shape[0] % 2 == 1 and x.shape[1] % 2 == 1
        seen["stride2"] |= getattr(layer, "stride", 1) == 2
        seen["signed_in"] |= x.signed
        seen["unsigned_in"] |= not x.signed
        seen["odd_c"] |= x.shape[2] % 2 == 1
        bits |= {x.bits, layer.weight_width()}
    assert all(seen.values()), seen
    assert bits >= set(range(2, 9))


def test_mismatch_names_layer_and_index(compile_engine):
    """A wrong result is reported with the layer and the first differing index."""
    from generator.errors import MismatchError
    from sim.run_csim import first_mismatch

    got = np.zeros((2, 3, 4), np.int64)
    want = got.copy()
    want[1, 2, 3] = 5
    err = first_mismatch("c7", got, want, "C-sim")
    assert isinstance(err, MismatchError)
    assert str(err) == "layer c7: C-sim differs from golden at index [1, 2, 3]: got 0, expected 5 (1 of 24 values differ)"


def test_pack_depth_covers_mixed_signedness():
    """A kernel running signed- and unsigned-input layers packs only as deep as both allow."""
    from generator.hw.engine import build_engine
    from generator.hw.packing import max_pack_depth
    from generator.hw.schedule import build_schedule
    from generator.ir.builder import NetworkBuilder

    b = NetworkBuilder("mixed", 0)
    x = b.input("x", (4, 4, 8), 8, True)
    y = b.conv("a", x, kernel=1, out_channels=8, weight_bits=8, out_bits=8, out_signed=False)
    b.conv("b", y, kernel=1, out_channels=8, weight_bits=8, out_bits=8, out_signed=True)
    net = b.build(["b"])
    engine = build_engine(net, "ultra96", 250)
    assert engine.kernel("pwconv").pack_depth == min(max_pack_depth(8, 8, True), max_pack_depth(8, 8, False)) == 4
    build_schedule(net, engine)  # every layer fits its kernel's packing
