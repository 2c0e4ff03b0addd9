"""Activation streams: pack (H, W, C) tensors into 64-bit AXI4-Stream beats and back.

Layout (docs/architecture.md, "Data layouts"): values in `act_bits` containers (8 or 16),
LANES = 64 / act_bits per beat, pixel by pixel in row-major (h, w) order, each pixel as
ceil(C / LANES) beats; channel c is lane c % LANES of beat c // LANES. Signed values are two's
complement in the container; unused lanes are zero.

Because beats are little-endian 64-bit words, that layout is exactly the tensor stored with a
container-sized dtype and its channel axis zero-padded to a multiple of LANES: packing is a cast,
a pad and a byte view. Works with numpy 1.x (PYNQ images) and 2.x.
"""

from __future__ import annotations

import numpy as np

WORD_BITS = 64
_BEAT = np.dtype("<u8")


def lanes(act_bits: int) -> int:
    if act_bits not in (8, 16):
        raise ValueError(f"act_bits = {act_bits}: activation containers are 8 or 16 bits")
    return WORD_BITS // act_bits


def container_dtype(act_bits: int, signed: bool) -> np.dtype:
    """numpy dtype of one container: int8/uint8/int16/uint16 (little-endian)."""
    lanes(act_bits)
    return np.dtype(f"<{'i' if signed else 'u'}{act_bits // 8}")


def beats_per_pixel(channels: int, act_bits: int) -> int:
    n = lanes(act_bits)
    return -(-channels // n)


def n_beats(shape: tuple[int, int, int], act_bits: int) -> int:
    """Beats of a (H, W, C) tensor's stream."""
    h, w, c = shape
    return h * w * beats_per_pixel(c, act_bits)


def pack(x: np.ndarray, act_bits: int, signed: bool, out: np.ndarray | None = None) -> np.ndarray:
    """(H, W, C) integers -> uint64 beats; written into `out` (same length) when given.

    Values must already lie in the tensor's range (the caller checks network inputs); they are
    stored in the container as two's complement.
    """
    x = np.asarray(x)
    h, w, c = x.shape
    per = beats_per_pixel(c, act_bits)
    width = per * lanes(act_bits)
    dt = container_dtype(act_bits, signed)
    if out is None:
        out = np.empty(h * w * per, dtype=_BEAT)
    if out.dtype != _BEAT or out.ndim != 1 or out.size != h * w * per:
        raise ValueError(f"stream buffer holds {out.size} beats of {out.dtype}, the tensor needs {h * w * per} uint64")
    view = out.view(dt).reshape(h, w, width)
    view[:, :, :c] = x
    if width > c:
        view[:, :, c:] = 0
    return out


def unpack(beats: np.ndarray, shape: tuple[int, int, int], act_bits: int, signed: bool,
           copy: bool = True) -> np.ndarray:
    """uint64 beats -> (H, W, C) array of the container dtype (int8/uint8/int16/uint16)."""
    h, w, c = shape
    per = beats_per_pixel(c, act_bits)
    beats = np.asarray(beats)
    if beats.size != h * w * per:
        raise ValueError(f"stream has {beats.size} beats, a {h}x{w}x{c} tensor needs {h * w * per}")
    view = beats.astype(_BEAT, copy=False).view(container_dtype(act_bits, signed))
    arr = view.reshape(h, w, per * lanes(act_bits))[:, :, :c]
    return arr.copy() if copy else arr


def widen(x: np.ndarray) -> np.ndarray:
    """Container-typed tensor -> int64 (for arithmetic)."""
    return np.asarray(x).astype(np.int64)
