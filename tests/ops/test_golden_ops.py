"""Each op of the golden model against an independent reference.

torch conv2d / max_pool2d / interpolate in float64 on integer values are exact (all sums stay
far below 2**53); deform_dwconv and the requantiser are checked against direct Python loops
with unbounded ints.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from generator import golden
from generator.ir.tensor import int_range
from tests.conftest import extreme_ints


def to_t(x: np.ndarray) -> torch.Tensor:
    """HWC int -> (1, C, H, W) float64."""
    return torch.from_numpy(np.asarray(x, dtype=np.float64)).permute(2, 0, 1)[None]


def from_t(t: torch.Tensor) -> np.ndarray:
    out = t[0].permute(1, 2, 0).numpy()
    assert np.all(out == np.round(out))
    return out.astype(np.int64)


def py_requant(acc: int, mult: int, shift: int, lo: int, hi: int) -> int:
    r = (1 << (shift - 1)) if shift > 0 else 0
    return min(max((acc * mult + r) >> shift, lo), hi)


types = st.tuples(st.integers(1, 16), st.booleans())
seeds = st.integers(0, 2**32 - 1)


@st.composite
def window(draw, max_k: int = 4):
    k = draw(st.integers(1, max_k))
    s = draw(st.integers(1, 3))
    p = draw(st.integers(0, k - 1))
    h = draw(st.integers(max(1, k - 2 * p), 9))
    w = draw(st.integers(max(1, k - 2 * p), 9))
    return h, w, k, s, p


@given(window(), st.integers(1, 6), st.integers(1, 5), types, st.integers(1, 8), seeds)
def test_conv_acc_matches_torch(win, c, k_out, xtype, wbits, seed):
    h, w, k, s, p = win
    rng = np.random.default_rng(seed)
    x = extreme_ints(rng, *int_range(*xtype), (h, w, c))
    wt = extreme_ints(rng, *int_range(wbits, True), (k_out, k, k, c))
    bias = rng.integers(-(2**31), 2**31 - 1, size=k_out)
    got = golden.conv_acc(x, wt, bias, s, p)
    ref = F.conv2d(to_t(x), torch.from_numpy(wt.transpose(0, 3, 1, 2).astype(np.float64)), stride=s, padding=p)
    np.testing.assert_array_equal(got, from_t(ref) + bias)


@given(window(), st.integers(1, 6), types, st.integers(1, 8), seeds)
def test_dwconv_acc_matches_torch(win, c, xtype, wbits, seed):
    h, w, k, s, p = win
    rng = np.random.default_rng(seed)
    x = extreme_ints(rng, *int_range(*xtype), (h, w, c))
    wt = extreme_ints(rng, *int_range(wbits, True), (c, k, k))
    bias = rng.integers(-1000, 1000, size=c)
    got = golden.dwconv_acc(x, wt, bias, s, p)
    ref = F.conv2d(to_t(x), torch.from_numpy(wt[:, None].astype(np.float64)), stride=s, padding=p, groups=c)
    np.testing.assert_array_equal(got, from_t(ref) + bias)


def test_conv_acc_exact_beyond_float_range():
    """Accumulators past 2**53 take the int64 path and stay exact."""
    x = np.full((1, 1, 4), 2**15 - 1, dtype=np.int64)
    wt = np.full((1, 1, 1, 4), 2**30, dtype=np.int64)
    got = golden.conv_acc(x, wt, np.array([1]), 1, 0)
    assert int(got[0, 0, 0]) == 4 * (2**15 - 1) * 2**30 + 1


@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 9), st.integers(1, 9), st.integers(1, 4), types, seeds)
def test_maxpool_matches_torch(k, s, h, w, c, xtype, seed):
    p = min(k // 2, seed % (k // 2 + 1))
    if h + 2 * p < k or w + 2 * p < k:
        return
    rng = np.random.default_rng(seed)
    lo, hi = int_range(*xtype)
    x = extreme_ints(rng, lo, hi, (h, w, c))
    got = golden.maxpool(x, k, s, p, pad_value=lo)
    ref = F.max_pool2d(to_t(x), k, s, p)
    np.testing.assert_array_equal(got, from_t(ref))


def test_maxpool_padding_never_wins():
    """Padding takes the type's minimum: a negative map stays negative (zero padding would not).

    padding = 2 > kernel // 2 is beyond what torch accepts, so this is checked by hand.
    """
    x = np.full((2, 2, 1), -5, dtype=np.int64)
    got = golden.maxpool(x, 3, 1, 2, pad_value=-8)
    assert got.shape == (4, 4, 1)
    np.testing.assert_array_equal(got, -5)


def py_deform(x, off, wt, bias, s, n):
    h, w, c = x.shape
    ho, wo = off.shape[:2]
    out = np.zeros((ho, wo, c), dtype=object)
    for oh in range(ho):
        for ow in range(wo):
            d = min(int(off[oh, ow, 0]), n)
            for ch in range(c):
                acc = int(bias[ch])
                for i in (-1, 0, 1):
                    for j in (-1, 0, 1):
                        r, q = oh * s + i * d, ow * s + j * d
                        if 0 <= r < h and 0 <= q < w:
                            acc += int(x[r, q, ch]) * int(wt[ch, i + 1, j + 1])
                out[oh, ow, ch] = acc
    return out


@given(st.integers(1, 10), st.integers(1, 10), st.integers(1, 4), st.integers(1, 2),
       st.sampled_from([1, 3, 7, 15]), types, st.integers(1, 8), seeds)
def test_deform_matches_loop(h, w, c, s, n, xtype, wbits, seed):
    rng = np.random.default_rng(seed)
    x = extreme_ints(rng, *int_range(*xtype), (h, w, c))
    ho, wo = (h - 1) // s + 1, (w - 1) // s + 1
    off = rng.integers(0, 2 * n + 2, size=(ho, wo, 1))  # includes values above N (clamped)
    wt = extreme_ints(rng, *int_range(wbits, True), (c, 3, 3))
    bias = rng.integers(-100, 100, size=c)
    got = golden.deform_dwconv_acc(x, off, wt, bias, s, n)
    np.testing.assert_array_equal(got, py_deform(x, off, wt, bias, s, n).astype(np.int64))


@pytest.mark.parametrize("n", [3, 7, 15])
def test_deform_every_offset_at_borders(n):
    """d = 0..N everywhere, including d = N at the first/last rows and columns."""
    rng = np.random.default_rng(n)
    h = w = 2 * n + 3
    x = rng.integers(0, 255, size=(h, w, 3))
    wt = rng.integers(-8, 7, size=(3, 3, 3))
    bias = np.zeros(3, dtype=np.int64)
    for d in range(n + 1):
        off = np.full((h, w, 1), d)
        np.testing.assert_array_equal(
            golden.deform_dwconv_acc(x, off, wt, bias, 1, n), py_deform(x, off, wt, bias, 1, n).astype(np.int64)
        )


@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 5), st.integers(1, 2), seeds)
def test_deform_offset_one_equals_dwconv(h, w, c, s, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 127, size=(h, w, c))
    wt = rng.integers(-8, 7, size=(c, 3, 3))
    bias = rng.integers(-50, 50, size=c)
    ho, wo = (h - 1) // s + 1, (w - 1) // s + 1
    off = np.ones((ho, wo, 1), dtype=np.int64)
    np.testing.assert_array_equal(
        golden.deform_dwconv_acc(x, off, wt, bias, s, 7), golden.dwconv_acc(x, wt, bias, s, 1)
    )


@given(seeds, types)
def test_requantize_matches_python_ints(seed, otype):
    rng = np.random.default_rng(seed)
    lo, hi = int_range(*otype)
    acc = extreme_ints(rng, -(2**31), 2**31 - 1, (64,))
    mult = extreme_ints(rng, 0, 2**31 - 1, (64,))
    shift = extreme_ints(rng, 0, 62, (64,))
    got = golden.requantize(acc, mult, shift, lo, hi)
    ref = [py_requant(int(a), int(m), int(s), lo, hi) for a, m, s in zip(acc, mult, shift)]
    np.testing.assert_array_equal(got, ref)


def test_requantize_rounds_half_up_and_floors_negatives():
    # (acc + 2) >> 2 for acc = -6..6: floor of acc/4 + 1/2
    acc = np.arange(-6, 7)
    got = golden.requantize(acc, 1, 2, -100, 100)
    np.testing.assert_array_equal(got, [(a + 2) // 4 for a in range(-6, 7)])
    np.testing.assert_array_equal(golden.requantize(acc, 3, 0, -4, 4), np.clip(acc * 3, -4, 4))


@given(seeds, types, types)
def test_add_matches_python_ints(seed, atype, otype):
    rng = np.random.default_rng(seed)
    a = extreme_ints(rng, *int_range(*atype), (3, 2, 4))
    b = extreme_ints(rng, *int_range(*atype), (3, 2, 4))
    ma, mb = (int(v) for v in rng.integers(0, 2**31 - 1, size=2))
    shift = int(rng.integers(0, 62))
    lo, hi = int_range(*otype)
    got = golden.add(a, b, (ma, mb), shift, lo, hi)
    ref = np.vectorize(lambda p, q: py_requant(int(p) * ma + int(q) * mb, 1, shift, lo, hi))(a, b)
    np.testing.assert_array_equal(got, ref)


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(1, 6), seeds)
def test_shuffle_matches_definition(h, w, g, cg, seed):
    x = np.random.default_rng(seed).integers(0, 255, size=(h, w, g * cg))
    got = golden.shuffle(x, g)
    ref = torch.from_numpy(x).reshape(h, w, g, cg).transpose(2, 3).reshape(h, w, g * cg).numpy()
    np.testing.assert_array_equal(got, ref)
    for c in range(g * cg):  # out[j*g + i] = in[i*cg + j]
        i, j = c % g, c // g
        np.testing.assert_array_equal(got[:, :, c], x[:, :, i * cg + j])


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(1, 4), seeds)
def test_upsample_matches_torch(h, w, c, f, seed):
    x = np.random.default_rng(seed).integers(-128, 127, size=(h, w, c))
    ref = F.interpolate(to_t(x), scale_factor=f, mode="nearest")
    np.testing.assert_array_equal(golden.upsample(x, f), from_t(ref))


def test_concat_and_slice():
    a = np.arange(2 * 2 * 3).reshape(2, 2, 3)
    b = -np.arange(2 * 2 * 2).reshape(2, 2, 2)
    cat = golden.concat([a, b])
    np.testing.assert_array_equal(cat[:, :, :3], a)
    np.testing.assert_array_equal(cat[:, :, 3:], b)
    np.testing.assert_array_equal(golden.channel_slice(cat, 1, 4), np.concatenate([a[:, :, 1:], b[:, :, :1]], axis=2))
