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


RAM_STYLES = {"distributed": 1, "block": 2}  # ag_ram's STYLE parameter (rtl_templates/ag_mem.v.j2)


def ram_style(depth: int, cal: Calibration) -> str:
    """Where a RAM of `depth` words goes: "distributed" (LUTRAM) when shallow, else "block".

    The one rule for model and RTL: `storage` prices a memory by it, and the RTL renders the
    same choice as the memory's `(* ram_style *)` (generator/rtl/context.py), so yosys cannot
    pick another storage than the model counted.
    """
    return "distributed" if depth <= cal.lutram_max_depth else "block"


# LUTRAM primitives of a simple dual-port RAM (UG574): depth -> (data bits, LUT6 sites)
LUTRAM_PRIMS = ((32, 14, 8), (64, 7, 8))  # RAM32M16, RAM64M8


def lutram_luts(width: int, depth: int) -> int:
    """LUT sites of one `width` x `depth` LUTRAM (RAM32M16 / RAM64M8 per 64 words)."""
    for d, bits, luts in LUTRAM_PRIMS:
        if depth <= d:
            return math.ceil(width / bits) * luts
    bits, luts = LUTRAM_PRIMS[-1][1:]
    return math.ceil(width / bits) * luts * math.ceil(depth / LUTRAM_DEPTH)


def storage(width: int, depth: int, cal: Calibration, lanes: int = 1) -> Resources:
    """`lanes` RAMs of `depth` x `width` bits, each written on its own (one lane memory per
    weight read, generator/hw/kernels/buffers.py; `ag_lanemem` builds one `ag_ram` per lane), with
    a registered read port: LUTRAM when shallow, block RAM otherwise (`ram_style`). In block RAM
    every lane takes its own blocks: lanes written on their own cannot share a block's word."""
    if width <= 0 or depth <= 0 or lanes <= 0:
        return Resources()
    if ram_style(depth, cal) == "distributed":
        return Resources(lut=lanes * lutram_luts(width, depth), ff=lanes * width)
    return Resources(bram18=lanes * bram18(width, depth))


def fifo(width: int, depth: int, cal: Calibration) -> Resources:
    """A stream FIFO: registers when depth <= 2, else rtl_templates/ag_fifo (show-ahead, so its
    read is asynchronous and it is always LUTRAM): the RAM, read/write pointers and a count."""
    if depth <= 2:
        return Resources(ff=width * depth + 2, lut=4)
    aw = max(1, (depth - 1).bit_length())
    return Resources(lut=lutram_luts(width, depth) + 4 * aw, ff=3 * aw + 1)
