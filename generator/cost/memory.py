"""On-chip memory cost: BRAM18 for a width x depth array, LUTRAM for shallow ones, FIFOs.

An 18 Kb block RAM is one of 16Kx1, 8Kx2, 4Kx4, 2Kx9, 1Kx18 or 512x36 (UltraScale+ RAMB18E2,
true dual port up to 36 bits wide in simple dual-port mode). A width x depth array takes
ceil(width / w) * ceil(depth / d) blocks for the best aspect ratio (d, w).
"""

from __future__ import annotations

import math

from generator.cost.calibration import Calibration
from generator.cost.resources import Resources

BRAM18_BITS = 18 * 1024
ASPECTS = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
LUTRAM_DEPTH = 64  # one LUT6 as a 64x1 RAM
SRL_DEPTH = 32  # one LUT6 as a 32-deep shift register (SRLC32E)


def bram18(width: int, depth: int) -> int:
    """Fewest 18 Kb blocks holding `depth` words of `width` bits."""
    if width <= 0 or depth <= 0:
        return 0
    return min(math.ceil(width / w) * math.ceil(depth / d) for d, w in ASPECTS)


def bram18_thesis(n_words: int, bits: int, pf: int) -> int:
    """HAO eq. 13.2: ceil(N * Q / PF / 18Kb) * PF (capacity only, no aspect ratio)."""
    if n_words <= 0:
        return 0
    return math.ceil(n_words * bits / pf / BRAM18_BITS) * pf


def storage(width: int, depth: int, cal: Calibration) -> Resources:
    """A RAM of `depth` x `width` bits: LUTRAM when shallow, block RAM otherwise."""
    if width <= 0 or depth <= 0:
        return Resources()
    if depth <= cal.lutram_max_depth:
        luts = width * math.ceil(depth / LUTRAM_DEPTH)
        return Resources(lut=luts)
    return Resources(bram18=bram18(width, depth))


def fifo(width: int, depth: int, cal: Calibration) -> Resources:
    """A stream FIFO: registers when depth <= 2, SRL LUTs when shallow, else block RAM."""
    if depth <= 2:
        return Resources(ff=width * depth + 2, lut=4)
    if depth <= cal.srl_max_depth:
        return Resources(lut=width * math.ceil(depth / SRL_DEPTH) + 8, ff=width + 12)
    return Resources(bram18=bram18(width, depth), lut=30, ff=width + 40)
