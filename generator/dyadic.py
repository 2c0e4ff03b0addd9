"""Dyadic numbers b / 2^c: how HAWQ-V3 turns a float rescale factor into integer mult/shift."""

from __future__ import annotations

import math

from generator.errors import AccelgenError
from generator.ops.base import MULT_RANGE, SHIFT_RANGE


def dyadic(ratio: float, mult_bits: int = 15) -> tuple[int, int]:
    """(mult, shift) with mult / 2**shift closest to `ratio`, mult < 2**mult_bits.

    The shift is as large as possible (most precision) while the multiplier keeps `mult_bits`
    bits, bounded by the network format's limits (mult < 2**31, shift <= 62).
    """
    if not ratio > 0 or not math.isfinite(ratio):
        raise AccelgenError(f"dyadic: ratio must be a positive finite number, got {ratio}")
    if not 1 <= mult_bits <= 31:
        raise AccelgenError(f"dyadic: mult_bits = {mult_bits} is outside 1..31")
    _, exp = math.frexp(ratio)  # ratio = m * 2**exp, 0.5 <= m < 1
    shift = min(max(mult_bits - exp, SHIFT_RANGE[0]), SHIFT_RANGE[1])
    mult = round(ratio * 2.0**shift)
    if mult >= 1 << mult_bits and shift > 0:  # rounding overflowed into one more bit
        shift -= 1
        mult = round(ratio * 2.0**shift)
    return min(max(mult, 1), MULT_RANGE[1]), shift
