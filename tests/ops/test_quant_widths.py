"""Requantisation widths (generator/hw/quant.py): the bound bounds, the narrowed arithmetic is exact.

The engine sizes each kernel's ag_quant from its layers; exactness for every layer it runs rests
on two facts tested here: no input in a layer's range drives |acc + bias| past the bound, and
the unit's arithmetic at those widths (narrow_requantize, what ag_quant computes bit for bit)
equals the golden requantize for every shift 0..62.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import golden
from generator.errors import AccelgenError
from generator.hw.engine import QUANT_KINDS, build_engine, kernel_kind
from generator.hw.quant import (
    QuantWidths,
    acc_bound,
    layer_widths,
    narrow_requantize,
    network_layer_widths,
    signed_bits,
)
from generator.hw.schedule import build_schedule
from generator.ir.builder import NetworkBuilder
from generator.ir.tensor import int_range
from generator.zoo import tiny


def test_signed_bits():
    assert [signed_bits(b) for b in (0, 1, 2, 127, 128, 129, 2**31 - 1)] == [1, 2, 3, 8, 9, 9, 32]


@st.composite
def conv_layer(draw):
    """Weights (K, k, k, C) at a width, biases, an input type: a conv layer's arrays."""
    w_bits = draw(st.integers(2, 8))
    a_bits = draw(st.integers(2, 8))
    signed = draw(st.booleans())
    k_out, k, c = draw(st.integers(1, 4)), draw(st.sampled_from([1, 3])), draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    wlo, whi = int_range(w_bits, True)
    weight = rng.choice([wlo, whi, 0, rng.integers(wlo, whi + 1)], size=(k_out, k, k, c))
    bias = rng.integers(-(1 << draw(st.integers(0, 20))), 1 << 20, size=k_out)
    return weight, bias, a_bits, signed, rng


@settings(max_examples=60, deadline=None)
@given(conv_layer())
def test_bound_holds_for_extreme_inputs(layer):
    """Every input at the ends of its range (random, and each weight's own sign at full
    magnitude, which reaches the bound) keeps |acc + bias| within it, through golden.conv_acc."""
    weight, bias, a_bits, signed, rng = layer
    lo, hi = int_range(a_bits, signed)
    max_abs = max(-lo, hi)
    k_out, k, _, c = weight.shape
    bound = acc_bound(weight, bias, max_abs)
    width = signed_bits(bound)
    for _ in range(4):  # random extremes over a k x k image (one output pixel, padding 0)
        x = rng.choice([lo, hi], size=(k, k, c))
        assert np.abs(golden.conv_acc(x, weight, bias, 1, 0)).max() <= bound
    for o in range(k_out):  # the worst input for channel o: every product adds to the bias' sign
        s = np.where(weight[o] >= 0, 1, -1) * (1 if bias[o] >= 0 else -1)
        x = np.where(s > 0, hi, lo)
        acc = int(golden.conv_acc(x, weight, bias, 1, 0)[0, 0, o])
        assert abs(acc) <= bound
        if signed:  # within one LSB of the input per weight of the channel's own bound: not loose
            own = acc_bound(weight[o:o + 1], bias[o:o + 1], max_abs)
            assert abs(acc) >= own - int(np.abs(weight[o]).sum())
    assert -(1 << (width - 1)) <= -bound and bound <= (1 << (width - 1)) - 1


@settings(max_examples=200, deadline=None)
@given(acc_bits=st.integers(2, 32), mult_bits=st.integers(1, 31), data=st.data())
def test_narrow_requantize_is_exact(acc_bits, mult_bits, data):
    """At any widths, operands that fit them (extremes included) give golden's result for every
    shift 0..62: the saturated shift, the QP + 1-bit rounding add and the window clamp lose
    nothing."""
    w = QuantWidths(acc_bits, mult_bits)
    amax = (1 << (acc_bits - 1)) - 1
    edge_a = st.sampled_from([-amax - 1, -amax, -1, 0, 1, amax])
    acc = data.draw(st.lists(st.one_of(edge_a, st.integers(-amax - 1, amax)), min_size=1, max_size=8))
    mmax = (1 << mult_bits) - 1
    mult = data.draw(st.one_of(st.sampled_from([0, 1, mmax]), st.integers(0, mmax)))
    shift = data.draw(st.one_of(st.sampled_from([0, 1, 2, 61, 62, w.product_bits - 1, w.product_bits,
                                                  w.product_bits + 1]).filter(lambda s: 0 <= s <= 62),
                                st.integers(0, 62)))
    out_bits = data.draw(st.sampled_from([4, 8, 16]))
    lo, hi = int_range(out_bits, data.draw(st.booleans()))
    a = np.array(acc, dtype=np.int64)
    want = golden.requantize(a, mult, shift, lo, hi)
    assert np.array_equal(narrow_requantize(a, mult, shift, lo, hi, w), want)


def test_narrow_requantize_breaks_outside_its_widths():
    """The widths are a real constraint (so the engine must refuse layers that exceed them)."""
    w = QuantWidths(8, 4)
    assert narrow_requantize(np.array([200]), 3, 0, -1000, 1000, w)[0] != 600
    assert narrow_requantize(np.array([100]), 17, 0, -4000, 4000, w)[0] != 1700


def _net(weight_bits: int = 8, a_bits: int = 8):
    b = NetworkBuilder("q", 3, extreme=True)
    x = b.input("x", (6, 6, 5), a_bits, True)
    y = b.conv("c", x, kernel=3, padding=1, out_channels=4, weight_bits=weight_bits, out_bits=8, out_signed=True)
    b.dwconv("d", y, kernel=3, padding=1, weight_bits=4, out_bits=8, out_signed=False)
    return b.build(outputs=["d"])


def test_engine_widths_cover_every_layer():
    """Each quant kernel is as wide as its widest layer needs, and no wider."""
    for net in (tiny.build(), _net()):
        engine = build_engine(net, "ultra96", 250.0)
        for spec in (k for k in engine.kernels if k.kind in QUANT_KINDS):
            need = [network_layer_widths(net, ly) for ly in net.layers if kernel_kind(ly) == spec.kind]
            assert all(spec.quant.covers(n) for n in need)
            assert spec.quant == QuantWidths(max(n.acc_bits for n in need), max(n.mult_bits for n in need))
            assert spec.quant.mult_bits <= 15  # the builder's dyadic multipliers


def test_layer_widths_from_arrays():
    weight = np.array([[[[3, -4]]], [[[-8, 0]]]])  # (K=2, 1, 1, C=2)
    bias = np.array([10, -1])
    # channel 0: 7 * 128 + 10 = 906, channel 1: 8 * 128 + 1 = 1025 -> 12 bits signed
    assert acc_bound(weight, bias, 128) == 1025
    assert layer_widths(weight, bias, np.array([5, 16384]), 128) == QuantWidths(12, 15)


def test_engine_refuses_a_layer_past_its_widths():
    """A network whose values exceed the narrowed widths cannot run on the engine: sized for one
    network, it refuses a heavier one (larger weights, bias or multiplier) at schedule time."""
    small, big = _net(weight_bits=4), _net(weight_bits=8)
    engine = build_engine(small, "ultra96", 250.0)
    engine = dataclasses.replace(engine, w_bits=8, kernels=tuple(
        dataclasses.replace(k, w_bits=8) for k in engine.kernels))
    with pytest.raises(AccelgenError, match="requantisation"):
        build_schedule(big, engine)
    build_schedule(small, engine)  # its own network fits
