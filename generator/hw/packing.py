"""DSP shift-and-pack: two weights times one activation in one 27x18 multiply.

P = ((w1 << 18) + w2) * a = (w1*a) << 18 + w2*a. Summing n such products gives
S = H << 18 + L with H = sum w1*a and L = sum w2*a. The lanes split exactly as
L = sign-extend(S mod 2^18), H = (S - L) >> 18, provided L stays inside the signed 18-bit
lane: n * max(w*a) <= 2^17 - 1 and n * min(w*a) >= -2^17. `max_pack_depth` is that n.
"""

from __future__ import annotations

from generator.ir.tensor import int_range

LANE_BITS = 18
A_PORT_BITS = 18  # DSP48E2 B port (signed)
W_PORT_BITS = 27  # DSP48E2 A port (signed)
MAX_PACK_BITS = 8  # packing only for weights and activations of at most 8 bits


def product_range(w_bits: int, a_bits: int, a_signed: bool) -> tuple[int, int]:
    wlo, whi = int_range(w_bits, True)
    alo, ahi = int_range(a_bits, a_signed)
    corners = [wlo * alo, wlo * ahi, whi * alo, whi * ahi]
    return min(corners), max(corners)


def can_pack(w_bits: int, a_bits: int) -> bool:
    return w_bits <= MAX_PACK_BITS and a_bits <= MAX_PACK_BITS


def max_pack_depth(w_bits: int, a_bits: int, a_signed: bool) -> int:
    """Products that may accumulate in a packed lane before the low lane could overflow."""
    lo, hi = product_range(w_bits, a_bits, a_signed)
    limit_hi = (1 << (LANE_BITS - 1)) - 1
    limit_lo = 1 << (LANE_BITS - 1)
    n = limit_hi // hi if hi > 0 else limit_hi
    if lo < 0:
        n = min(n, limit_lo // -lo)
    return max(n, 1)


def packed_mac(w1: int, w2: int, a: int) -> int:
    """The packed product as the DSP computes it (reference for tests and the C++ kernel)."""
    return ((w1 << LANE_BITS) + w2) * a


def unpack(s: int) -> tuple[int, int]:
    """(H, L) from an accumulated packed sum S (exact when L fits the lane)."""
    low = s & ((1 << LANE_BITS) - 1)
    if low >= 1 << (LANE_BITS - 1):
        low -= 1 << LANE_BITS
    return (s - low) >> LANE_BITS, low
