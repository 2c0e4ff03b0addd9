"""Bit-exact export for every layer type: torch integer forward == golden on the exported network.

Each case is a small model (image -> stem conv -> the layer under test -> outputs) with random
BN statistics, folded, calibrated and exported; `assert_bit_exact` compares every output with
`np.testing.assert_array_equal` and checks the fake-quant forward is within one LSB per layer.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from fe_helpers import assert_bit_exact, quantized
from torch import nn

from generator.errors import AccelgenError
from generator.frontend.deform import QDeformDw
from generator.frontend.export import export
from generator.frontend.modules import (
    QAdd,
    QConcat,
    QConv,
    QInput,
    QMaxPool,
    QShuffle,
    QSlice,
    QUpsample,
)
from generator.frontend.quant import ActQuant


class Chain(nn.Module):
    """image -> stem (3x3 conv, 8 channels) -> body(x) returning a dict of outputs."""

    def __init__(self, body: nn.Module, stem_relu: bool = True, ch: int = 8, w_bits: int = 8) -> None:
        super().__init__()
        self.inp = QInput()
        self.stem = QConv(3, ch, 3, relu=stem_relu, w_bits=w_bits)
        self.body = body

    def forward(self, x):
        out = self.body(self.stem(self.inp(x)))
        return out if isinstance(out, dict) else {"y": out}


class Seq(nn.Module):
    def __init__(self, *mods: nn.Module) -> None:
        super().__init__()
        self.mods = nn.ModuleList(mods)

    def forward(self, x):
        for m in self.mods:
            x = m(x)
        return x


@pytest.mark.parametrize("kernel,stride,relu,w_bits,a_bits", [
    (1, 1, True, 4, 8), (3, 1, False, 8, 8), (3, 2, True, 2, 4), (5, 2, False, 6, 6), (3, 1, True, 3, 2),
])
def test_conv(kernel, stride, relu, w_bits, a_bits):
    torch.manual_seed(kernel * 10 + stride)
    body = QConv(8, 12, kernel, stride=stride, relu=relu, w_bits=w_bits, a_bits=a_bits)
    model, x = quantized(Chain(body), seed=kernel + stride, w_bits=w_bits, a_bits=a_bits, first_w_bits=8)
    gold = assert_bit_exact(model, x)
    assert np.unique(gold["body"]).size > 3  # outputs use their range: the comparison means something


@pytest.mark.parametrize("kernel,stride,w_bits", [(3, 1, 4), (3, 2, 8), (5, 1, 3)])
def test_dwconv(kernel, stride, w_bits):
    torch.manual_seed(kernel + stride)
    model, x = quantized(Chain(QConv(8, 8, kernel, stride=stride, depthwise=True, relu=False, w_bits=w_bits)), seed=3,
                         w_bits=w_bits, a_bits=8, first_w_bits=8)
    assert_bit_exact(model, x)


@pytest.mark.parametrize("max_offset,stride,offset_kernel", [(7, 1, 1), (3, 2, 3), (1, 1, 1), (15, 1, 3)])
def test_deform_dwconv(max_offset, stride, offset_kernel):
    torch.manual_seed(max_offset)
    body = QDeformDw(8, max_offset=max_offset, stride=stride, offset_kernel=offset_kernel, w_bits=4)
    with torch.no_grad():  # offsets spread over [0, N] so every distance is exercised
        body.offset.weight.normal_(0, 2.0 * max_offset)
        body.offset.weight.sub_(body.offset.weight.mean())
        body.offset.bias.fill_(max_offset / 2)
    model, x = quantized(Chain(body), seed=max_offset, shape=(1, 3, 20, 20), w_bits=4, a_bits=8, first_w_bits=8)
    net = export(model, x, "t")
    gold = assert_bit_exact(model, x)
    offsets = gold["body_offset"]
    assert offsets.min() == 0 and offsets.max() >= min(max_offset, 3), "offsets do not cover the range"
    assert net.by_name["body"].OP == "deform_dwconv"


class Residual(nn.Module):
    def __init__(self, relu: bool, shared: bool) -> None:
        super().__init__()
        self.a = QConv(8, 8, 3, depthwise=True, relu=False)
        self.b = QConv(8, 8, 1, relu=False, act=self.a.act if shared else None)
        self.add = QAdd(relu=relu)

    def forward(self, x):
        return self.add(self.a(x), self.b(x))


@pytest.mark.parametrize("relu,shared", [(True, False), (False, False), (False, True)])
def test_add(relu, shared):
    torch.manual_seed(1)
    model, x = quantized(Chain(Residual(relu, shared)), seed=5)
    net = export(model, x, "t")
    add = net.by_name["body_add"]
    assert add.out_signed is (not relu)
    assert_bit_exact(model, x)


class Split(nn.Module):
    """ShuffleNetV2 basic unit: split, branch, concat, shuffle (common scale or requantised)."""

    def __init__(self, shared: bool) -> None:
        super().__init__()
        self.left, self.right = QSlice(0, 4), QSlice(4, 8)
        self.pw = QConv(4, 4, 1, w_bits=4)
        self.cat = QConcat(None if shared else ActQuant(8))
        self.shuffle = QShuffle(2)
        self.shared = shared

    def forward(self, x):
        if self.shared:  # the branch's output quantizer is the input's: no requantisation needed
            self.pw.act = self._input_act
        return self.shuffle(self.cat([self.left(x), self.pw(self.right(x))]))


@pytest.mark.parametrize("shared", [True, False])
def test_split_concat_shuffle(shared):
    torch.manual_seed(2)
    body = Split(shared)
    chain = Chain(body)
    body._input_act = chain.stem.act
    if shared:
        body.pw.act = chain.stem.act
    model, x = quantized(chain, seed=7)
    net = export(model, x, "t")
    ops = [ly.OP for ly in net.layers]
    assert ops.count("slice") == 2 and "shuffle" in ops and "concat" in ops
    assert ("dwconv" in ops) is (not shared)  # requantisation layers only when scales differ
    assert_bit_exact(model, x)


@pytest.mark.parametrize("signed", [False, True])
def test_upsample_maxpool(signed):
    torch.manual_seed(3)
    model, x = quantized(Chain(Seq(QMaxPool(3, 2, 1), QUpsample(2), QMaxPool(2, 2, 0)), stem_relu=not signed), seed=9)
    assert_bit_exact(model, x)


def test_concat_without_quantizer_needs_common_scale():
    class Bad(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = QConv(8, 4, 1), QConv(8, 4, 1)
            self.cat = QConcat()

        def forward(self, x):
            return self.cat([self.a(x), self.b(x)])

    model, x = quantized(Chain(Bad()), seed=1)
    with pytest.raises(AccelgenError, match="concat inputs have different scales"):
        export(model, x)


def test_accumulator_overflow_is_a_clear_error():
    """70000 taps x 255 x 128 cannot fit a 32-bit accumulator: a one-line error naming the layer."""
    torch.manual_seed(0)
    model, x = quantized(Chain(QConv(70000, 2, 1, w_bits=8), ch=70000), seed=0, shape=(1, 3, 2, 2))
    with pytest.raises(AccelgenError, match=r"module body: accumulator needs more than 32 bits .* lower w_bits"):
        export(model, x)


def test_uncalibrated_export_fails():
    model = Chain(QConv(8, 4, 1))
    from generator.frontend.modules import fold

    fold(model)
    with pytest.raises(AccelgenError, match="not calibrated"):
        export(model, torch.rand(1, 3, 8, 8))


def test_unfolded_bn_export_fails():
    model = Chain(QConv(8, 4, 1))
    with pytest.raises(AccelgenError, match="fold batch norm"):
        export(model, torch.rand(1, 3, 8, 8))
