"""BN folding, quantizers and requantisation derivation against float math, with stated bounds.

Bounds (docs/frontend.md):
* BN fold: conv(x, W') + b' equals bn(conv(x, W)) up to float32 rounding (relative 1e-5).
* dyadic: |b/2^c - r| <= r * 2^-15 for ratios in [2^-40, 2^10] (15-bit multiplier).
* requant: |(acc*b + 2^(c-1)) >> c - floor(acc*r + 0.5)| <= 1 while |acc*r| < 2^14 (every
  output of at most 8 bits before clamping is far inside), and 0 whenever
  |acc| * r * 2^-15 is below the distance of acc*r to the nearest rounding boundary.
* weights: |W - S_w q_w| <= S_w / 2 per channel; bias: |b - S_in S_w q_b| <= S_in S_w / 2.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from generator import golden
from generator.dyadic import dyadic
from generator.frontend.deform import square_sample
from generator.frontend.fold import fold_bn
from generator.frontend.modules import QConv, requant_int
from generator.frontend.quant import ActQuant, dyadic_pair, quantize_weight, round_ste, weight_scale


def test_fold_bn_matches_conv_then_bn():
    g = torch.Generator().manual_seed(0)
    conv = torch.nn.Conv2d(5, 7, 3, padding=1, bias=True)
    bn = torch.nn.BatchNorm2d(7).eval()
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(7, generator=g))
        bn.running_var.copy_(torch.rand(7, generator=g) * 3 + 0.01)
        bn.weight.copy_(torch.randn(7, generator=g))
        bn.bias.copy_(torch.randn(7, generator=g))
    x = torch.randn(2, 5, 9, 9, generator=g)
    ref = bn(conv(x)).double()
    w, b = fold_bn(conv.weight, conv.bias, bn)
    got = torch.nn.functional.conv2d(x, w, b, padding=1).double()
    assert ((got - ref).abs() <= 1e-5 * (1 + ref.abs())).all()


def test_fold_bn_depthwise_and_module_fold():
    torch.manual_seed(1)
    m = QConv(6, 6, 3, depthwise=True, relu=False)
    with torch.no_grad():
        m.bn.running_mean.normal_()
        m.bn.running_var.uniform_(0.5, 2)
        m.bn.weight.normal_()
    m.eval()
    from generator.frontend.trace import QTensor

    x = torch.randn(1, 6, 8, 8)
    before = m(QTensor(x)).x
    m.fold()
    assert m.bn is None
    assert torch.allclose(m(QTensor(x)).x, before, atol=1e-5, rtol=1e-5)


@given(st.floats(min_value=2.0**-40, max_value=2.0**10, allow_nan=False))
def test_dyadic_relative_error_bound(r):
    m, c = dyadic(r)
    assert 0 < m < 1 << 15 and 0 <= c <= 62
    assert abs(m / 2.0**c - r) <= r * 2.0**-15


@given(st.floats(min_value=1e-6, max_value=4.0), st.floats(min_value=1e-6, max_value=4.0))
def test_dyadic_pair_bound(ra, rb):
    ma, mb, c = dyadic_pair(ra, rb)
    big = max(ra, rb)
    for m, r in ((ma, ra), (mb, rb)):
        assert abs(m / 2.0**c - r) <= big * 2.0**-15  # absolute error relative to the larger ratio


@given(st.integers(-(2**31), 2**31 - 1), st.floats(min_value=1e-7, max_value=1.0))
def test_requant_within_one_of_float_rounding(acc, r):
    m, c = dyadic(r)
    got = int(golden.requantize(np.array([acc]), m, c, -(2**40), 2**40)[0])
    exact = math.floor(acc * r + 0.5)
    err = abs(acc) * r * 2.0**-15  # bound on |acc * (b/2^c - r)|
    assert abs(got - exact) <= math.ceil(err) or abs(got - exact) <= 1
    if abs(acc * r) < 2**14:  # every output of <= 14 bits before clamping: within one LSB
        assert abs(got - exact) <= 1
    frac = acc * r + 0.5 - math.floor(acc * r + 0.5)
    margin = min(frac, 1 - frac)
    if abs(acc) * r * 2.0**-15 < margin - 1e-9:
        assert got == exact


@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=8),
       st.integers(0, 2**31 - 1), st.integers(0, 62), st.integers(1, 16), st.booleans())
def test_torch_requant_equals_golden(accs, mult, shift, bits, signed):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    a = np.array(accs, np.int64)
    ref = golden.requantize(a, mult, shift, lo, hi)
    t = torch.from_numpy(a).view(1, 1, 1, -1)
    got = requant_int(t, torch.tensor([mult]), torch.tensor([shift]), lo, hi).view(-1).numpy()
    np.testing.assert_array_equal(got, ref)


def test_weight_quant_error_bound():
    g = torch.Generator().manual_seed(2)
    w = torch.randn(16, 8, 3, 3, generator=g) * torch.rand(16, 1, 1, 1, generator=g)
    for bits in range(2, 9):
        s = weight_scale(w, bits)
        q = quantize_weight(w, s, bits)
        qmax = (1 << (bits - 1)) - 1
        assert q.abs().max() <= qmax and torch.equal(q, q.round())
        err = (w - q * s.view(-1, 1, 1, 1)).abs().flatten(1).amax(1)
        assert (err <= s / 2 + 1e-7).all()
        assert (q.flatten(1).abs().amax(1) == qmax).all()  # per-channel: each channel uses its range


def test_bias_quant_error_bound():
    torch.manual_seed(3)
    m = QConv(4, 6, 1, bn=False, relu=False)
    with torch.no_grad():
        m.bias.normal_(0, 2)
    s_in = torch.tensor(0.01)
    qw, qb, s_w = m.quant_params(s_in, 255)
    assert ((m.bias - qb * s_in * s_w).abs() <= s_in * s_w / 2 + 1e-6).all()


def test_ste_gradients():
    x = torch.tensor([0.2, 0.7, 1.5], requires_grad=True)
    round_ste(x).sum().backward()
    assert torch.equal(x.grad, torch.ones(3))
    a = ActQuant(4, signed=False)
    a.alpha.fill_(1.0)
    a.learn()
    y = torch.tensor([0.1, 0.5, 2.0], requires_grad=True)
    q, s = a.fake(y)
    assert torch.allclose(q, torch.tensor([2, 7, 15]) / 15.0)
    q.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0, 0.0]  # clipped values pass no gradient
    assert a.alpha_param.grad is not None and float(a.alpha_param.grad) != 0  # learned range


def test_round_half_up_matches_golden_rounding():
    # golden rounds half up ((x + 2^(c-1)) >> c); the quantizers must too (not half-to-even)
    a = ActQuant(8, signed=True)
    a.alpha.fill_(127.0)
    q, _ = a.fake(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5]))
    assert q.tolist() == [1.0, 2.0, 3.0, 0.0, -1.0]
    assert golden.requantize(np.array([1, 3, 5, -1, -3]), 1, 1, -128, 127).tolist() == [1, 2, 3, 0, -1]


@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 7))
def test_square_sample_equals_golden_deform(seed, stride, n):
    rng = np.random.default_rng(seed)
    h, w, c = rng.integers(1, 9), rng.integers(1, 9), 2
    x = rng.integers(-50, 50, size=(h, w, c))
    ho, wo = (h - 1) // stride + 1, (w - 1) // stride + 1
    off = rng.integers(0, 2 * n + 2, size=(ho, wo, 1))  # includes values above N (clamped)
    wt = rng.integers(-8, 8, size=(c, 3, 3))
    ref = golden.deform_dwconv_acc(x, off, wt, np.zeros(c, np.int64), stride, n)
    xt = torch.from_numpy(x).double().permute(2, 0, 1)[None]
    dt = torch.from_numpy(np.minimum(off, n)).double().permute(2, 0, 1)[None]
    samples = square_sample(xt, dt, stride, n)  # (1, C, 9, Ho, Wo)
    got = (samples * torch.from_numpy(wt).double().view(1, c, 9, 1, 1)).sum(2)
    np.testing.assert_array_equal(got[0].permute(1, 2, 0).numpy().astype(np.int64), ref)


def test_square_sample_gradient_reaches_offsets():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 2, 10, 10, generator=g)
    d = torch.full((1, 1, 10, 10), 2.0, requires_grad=True)
    square_sample(x, d, 1, 4).sum().backward()
    assert d.grad is not None and d.grad.abs().sum() > 0
