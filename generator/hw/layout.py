"""Bit layouts shared by every backend: activation stream beats and the weight memory image.

Activation stream: 64-bit AXI4-Stream beats. Each value sits in a container of `act_bits`
(8 or 16) bits, LANES = 64 / act_bits values per beat. A tensor (H, W, C) goes pixel by pixel
in row-major (h, w) order, each pixel as ceil(C / LANES) beats; channel c is lane c % LANES of
beat c // LANES, at bits [lane*act_bits, (lane+1)*act_bits). Values are two's complement for
signed tensors, plain binary for unsigned ones; unused lanes are zero. TLAST marks the last beat.

Weight memory: 64-bit words. Weights sit in containers of `w_bits` (4, 8 or 16) bits, WLANES =
64 / w_bits per word, element e at lane e % WLANES of word e // WLANES. Per-channel quantisation
parameters take two words per channel: word 0 = mult << 32 | (bias mod 2^32), word 1 = shift.
"""

from __future__ import annotations

import numpy as np

WORD_BITS = 64


def container_bits(bits: int, choices: tuple[int, ...]) -> int:
    """Smallest container in `choices` holding `bits`."""
    for c in choices:
        if bits <= c:
            return c
    raise ValueError(f"{bits} bits exceed the largest container {choices[-1]}")


def act_container(max_bits: int) -> int:
    return container_bits(max_bits, (8, 16))


def weight_container(max_bits: int) -> int:
    return container_bits(max_bits, (4, 8, 16))


def beats_per_pixel(channels: int, act_bits: int) -> int:
    lanes = WORD_BITS // act_bits
    return -(-channels // lanes)


def _pack_lanes(values: np.ndarray, bits: int) -> np.ndarray:
    """values (..., n) ints -> (..., ceil(n/lanes)) uint64 words, lane i at bits [i*bits, ...)."""
    lanes = WORD_BITS // bits
    n = values.shape[-1]
    words = -(-n // lanes)
    padded = np.zeros(values.shape[:-1] + (words * lanes,), dtype=np.uint64)
    mask = np.uint64((1 << bits) - 1)
    padded[..., :n] = values.astype(np.int64).astype(np.uint64) & mask
    lanes_view = padded.reshape(values.shape[:-1] + (words, lanes))
    shifts = (np.arange(lanes, dtype=np.uint64) * np.uint64(bits))
    return np.bitwise_or.reduce(lanes_view << shifts, axis=-1)


def _unpack_lanes(words: np.ndarray, bits: int, n: int, signed: bool) -> np.ndarray:
    lanes = WORD_BITS // bits
    shifts = (np.arange(lanes, dtype=np.uint64) * np.uint64(bits))
    vals = (words[..., None] >> shifts) & np.uint64((1 << bits) - 1)
    vals = vals.reshape(words.shape[:-1] + (words.shape[-1] * lanes,))[..., :n].astype(np.int64)
    if signed:
        vals = np.where(vals >= (1 << (bits - 1)), vals - (1 << bits), vals)
    return vals


def pack_tensor(x: np.ndarray, act_bits: int) -> np.ndarray:
    """(H, W, C) ints -> flat uint64 beats in stream order."""
    return _pack_lanes(np.asarray(x), act_bits).reshape(-1)


def unpack_tensor(beats: np.ndarray, shape: tuple[int, int, int], act_bits: int, signed: bool) -> np.ndarray:
    h, w, c = shape
    per = beats_per_pixel(c, act_bits)
    return _unpack_lanes(np.asarray(beats, dtype=np.uint64).reshape(h, w, per), act_bits, c, signed)


def pack_weights(values: np.ndarray, w_bits: int) -> np.ndarray:
    """Flattened weights (C order) -> uint64 words."""
    return _pack_lanes(np.asarray(values).reshape(-1), w_bits)


def unpack_weights(words: np.ndarray, w_bits: int, n: int) -> np.ndarray:
    return _unpack_lanes(np.asarray(words, dtype=np.uint64), w_bits, n, signed=True)


def pack_quant(bias: np.ndarray, mult: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Per-channel (bias, mult, shift) -> 2 words per channel."""
    b = np.asarray(bias, dtype=np.int64).astype(np.uint64) & np.uint64(0xFFFFFFFF)
    w0 = (np.asarray(mult, dtype=np.uint64) << np.uint64(32)) | b
    w1 = np.asarray(shift, dtype=np.uint64)
    return np.stack([w0, w1], axis=1).reshape(-1)


def unpack_quant(words: np.ndarray, channels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = np.asarray(words, dtype=np.uint64)[: 2 * channels].reshape(channels, 2)
    bias = (w[:, 0] & np.uint64(0xFFFFFFFF)).astype(np.int64)
    bias = np.where(bias >= 1 << 31, bias - (1 << 32), bias)
    mult = (w[:, 0] >> np.uint64(32)).astype(np.int64)
    return bias, mult, w[:, 1].astype(np.int64)
