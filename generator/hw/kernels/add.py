"""`add` estimates: residual add, PO channels per cycle, two input streams, no weights.

Each lane computes (a*ma + b*mb + r) >> shift and clamps: two multiplies per lane
(`dsp_per_add_lane` DSPs in calibration.json). cycles = H*W*ceil(C/PO).
"""

from __future__ import annotations

import math

from generator.cost import Calibration, Resources
from generator.cost.arith import lut_adder
from generator.cost.memory import fifo
from generator.hw.engine import KernelSpec
from generator.hw.kernels import common

KIND = "add"


def knobs(spec: KernelSpec) -> list[KernelSpec]:
    return common.knob_grid(spec, [1], common.pow2_upto(spec.max_in_c), packable=False)


def resources(spec: KernelSpec, cal: Calibration) -> Resources:
    lanes = Resources(
        dsp=spec.po * cal.dsp_per_add_lane,
        lut=spec.po * (2 * lut_adder(cal.acc_bits + 32, cal) + cal.lut_per_quant_lane),
        ff=spec.po * cal.ff_per_quant_lane,
    )
    return Resources.total([lanes, fifo(64, common.FIFO_DEPTH, cal).scaled(3), common.control(KIND, cal)])


def compute_cycles(spec: KernelSpec, regs: dict[str, int]) -> int:
    return regs["out_h"] * regs["out_w"] * math.ceil(regs["out_c"] / spec.po)


def fill_cycles(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    return 0


def stream_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    one = common.pixel_beats(regs["in_h"], regs["in_w"], regs["in_c"], act_bits)
    return 2 * one, common.pixel_beats(regs["out_h"], regs["out_w"], regs["out_c"], act_bits)


def weight_words(regs: dict[str, int], w_bits: int) -> int:
    return 0
