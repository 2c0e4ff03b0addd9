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
    # per lane (ag_add): two products (DSPs), their 64-bit sum with the rounding term, ag_clamp
    lanes = Resources(
        dsp=spec.po * cal.dsp_per_add_lane,
        lut=spec.po * (2 * lut_adder(64, cal) + cal.lut_per_clamp),
        # registers: both operands, both products (operand + 32 bits), the 64-bit sum, the output
        ff=spec.po * (2 * (spec.a_bits + 1) + 2 * (spec.a_bits + 1 + 32) + 64 + spec.a_bits),
    )
    return Resources.total([lanes, fifo(64 + 1, common.GROUP_FIFO_DEPTH, cal), common.control(KIND, cal)])


def compute_cycles(spec: KernelSpec, regs: dict[str, int]) -> int:
    return regs["out_h"] * regs["out_w"] * math.ceil(regs["out_c"] / spec.po)


def fill_cycles(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    return 0


def stream_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    one = common.pixel_beats(regs["in_h"], regs["in_w"], regs["in_c"], act_bits)
    return 2 * one, common.pixel_beats(regs["out_h"], regs["out_w"], regs["out_c"], act_bits)


def weight_words(regs: dict[str, int], w_bits: int) -> int:
    return 0


def in_port_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    """in0 and in1 stream side by side."""
    one = common.pixel_beats(regs["in_h"], regs["in_w"], regs["in_c"], act_bits)
    return one, one
