"""The numpy integer golden model: the single definition of every op's arithmetic.

Every other implementation (torch export, C-sim, RTL sim, the host's simulated device) is
tested against these functions. All arithmetic is exact in int64; docs/network-format.md is
the prose version of this file.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# float64 represents every integer below 2**53 exactly, so a matmul whose worst-case partial sum
# stays below this bound gives the exact integer result whatever order BLAS adds in.
_FLOAT_EXACT = 1 << 52


def clamp(y: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(y, lo, hi).astype(np.int64)


def requantize(
    acc: np.ndarray, mult: np.ndarray | int, shift: np.ndarray | int, lo: int, hi: int
) -> np.ndarray:
    """y = clamp((acc * mult + r) >> shift, lo, hi), r = 2**(shift-1) (0 when shift = 0).

    `mult` and `shift` broadcast along the last (channel) axis; `>>` is arithmetic (floor).
    """
    acc = np.asarray(acc, dtype=np.int64)
    mult = np.asarray(mult, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    r = np.where(shift > 0, np.left_shift(np.int64(1), np.maximum(shift - 1, 0)), 0)
    return clamp(np.right_shift(acc * mult + r, shift), lo, hi)


def pad_hw(x: np.ndarray, before: int, after: int | None = None, value: int = 0) -> np.ndarray:
    after = before if after is None else after
    return np.pad(x, ((before, after), (before, after), (0, 0)), constant_values=value)


def out_size(n: int, kernel: int, stride: int, padding: int) -> int:
    """Output length of a sliding window (floor mode, as torch)."""
    return (n + 2 * padding - kernel) // stride + 1


def conv_acc(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """acc[h,w,o] = bias[o] + sum_{i,j,c} xpad[h*s+i, w*s+j, c] * weight[o,i,j,c]."""
    k_out, k, _, c = weight.shape
    xp = pad_hw(np.asarray(x, dtype=np.int64), padding)
    win = sliding_window_view(xp, (k, k), axis=(0, 1))[::stride, ::stride]  # (Ho, Wo, C, k, k)
    ho, wo = win.shape[:2]
    patches = win.transpose(0, 1, 3, 4, 2).reshape(ho * wo, k * k * c)  # (i, j, c) order
    wmat = np.asarray(weight, dtype=np.int64).reshape(k_out, k * k * c)
    bound = int(np.abs(patches).max(initial=0)) * int(np.abs(wmat).max(initial=0)) * k * k * c
    if bound < _FLOAT_EXACT:
        acc = (patches.astype(np.float64) @ wmat.T.astype(np.float64)).astype(np.int64)
    else:
        acc = patches @ wmat.T
    return acc.reshape(ho, wo, k_out) + np.asarray(bias, dtype=np.int64)


def dwconv_acc(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """acc[h,w,c] = bias[c] + sum_{i,j} xpad[h*s+i, w*s+j, c] * weight[c,i,j]."""
    c, k, _ = weight.shape
    h, w, _ = x.shape
    ho, wo = out_size(h, k, stride, padding), out_size(w, k, stride, padding)
    xp = pad_hw(np.asarray(x, dtype=np.int64), padding)
    wt = np.asarray(weight, dtype=np.int64)
    acc = np.zeros((ho, wo, c), dtype=np.int64) + np.asarray(bias, dtype=np.int64)
    for i in range(k):
        for j in range(k):
            acc += xp[i : i + stride * ho : stride, j : j + stride * wo : stride, :] * wt[:, i, j]
    return acc


def deform_dwconv_acc(
    x: np.ndarray, offsets: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int, max_offset: int
) -> np.ndarray:
    """CoDeNet square deformable depthwise 3x3 with integer offsets bounded by `max_offset`.

    Output (h, w) with d = min(offsets[h, w], N) reads x[h*s + i*d, w*s + j*d, c] for
    i, j in {-1, 0, 1}, zero outside the input; weight[c, i+1, j+1].
    """
    n = max_offset
    ho, wo = offsets.shape[:2]
    d = np.minimum(np.asarray(offsets, dtype=np.int64)[:, :, 0], n)
    xp = pad_hw(np.asarray(x, dtype=np.int64), n)
    hs = (np.arange(ho) * stride + n)[:, None]
    ws = (np.arange(wo) * stride + n)[None, :]
    wt = np.asarray(weight, dtype=np.int64)
    acc = np.zeros((ho, wo, x.shape[2]), dtype=np.int64) + np.asarray(bias, dtype=np.int64)
    for i in (-1, 0, 1):
        for j in (-1, 0, 1):
            acc += xp[hs + i * d, ws + j * d, :] * wt[:, i + 1, j + 1]
    return acc


def add(a: np.ndarray, b: np.ndarray, mult: tuple[int, int], shift: int, lo: int, hi: int) -> np.ndarray:
    """y = clamp((a*ma + b*mb + r) >> shift, lo, hi): the INT32 residual add of HAWQ-V3."""
    acc = np.asarray(a, dtype=np.int64) * mult[0] + np.asarray(b, dtype=np.int64) * mult[1]
    return requantize(acc, mult=1, shift=shift, lo=lo, hi=hi)


def concat(xs: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(x, dtype=np.int64) for x in xs], axis=2)


def channel_slice(x: np.ndarray, start: int, stop: int) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)[:, :, start:stop]


def shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    """ShuffleNetV2 channel shuffle: C -> (g, C/g), transpose, flatten."""
    h, w, c = x.shape
    return np.asarray(x, dtype=np.int64).reshape(h, w, groups, c // groups).transpose(0, 1, 3, 2).reshape(h, w, c)


def upsample(x: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upsampling by an integer factor."""
    return np.asarray(x, dtype=np.int64).repeat(factor, axis=0).repeat(factor, axis=1)


def maxpool(x: np.ndarray, kernel: int, stride: int, padding: int, pad_value: int) -> np.ndarray:
    """Max over k x k windows; padding takes the type's minimum so it never wins a max."""
    xp = pad_hw(np.asarray(x, dtype=np.int64), padding, value=pad_value)
    win = sliding_window_view(xp, (kernel, kernel), axis=(0, 1))[::stride, ::stride]
    return win.max(axis=(3, 4))
