"""`pwconv` estimates: 1x1 convolution on a PI x PO MAC array (CoDeNet's 16 x 16 engine).

PI input channels are broadcast to PO reduction trees of PI products; packing puts the weights of
two output channels in one DSP (PI*PO/2 DSPs). A pixel's channel vector is held while the array
steps through ceil(K/PO) output groups: cycles = H*W*ceil(C/PI)*ceil(K/PO) (HAO eq. 13.10).
"""

from __future__ import annotations

import math

from generator.cost import Calibration, Resources
from generator.hw import packing
from generator.hw.engine import KernelSpec
from generator.hw.kernels import common

KIND = "pwconv"


def knobs(spec: KernelSpec) -> list[KernelSpec]:
    packable = packing.can_pack(spec.w_bits, spec.a_bits)
    return common.knob_grid(spec, common.pow2_upto(spec.max_in_c), common.pow2_upto(spec.max_out_c), packable)


def resources(spec: KernelSpec, cal: Calibration) -> Resources:
    macs = common.mac_array(spec.pi * spec.po, spec.po, spec.pi, spec, cal)
    return Resources.total([
        macs, common.quant_unit(spec, cal), common.weight_buffer(spec, spec.pi * spec.po, cal),
        common.scale_buffer(spec, cal), common.line_buffer(spec, cal), common.group_fifo(spec, cal),
        common.control(KIND, cal), common.view_reader(spec, cal),
    ])


def compute_cycles(spec: KernelSpec, regs: dict[str, int]) -> int:
    return regs["out_h"] * regs["out_w"] * math.ceil(regs["in_c"] / spec.pi) * math.ceil(regs["out_c"] / spec.po)


def fill_cycles(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    return common.pixel_beats(1, 1, regs["in_c"], act_bits)  # first pixel's channel vector


stream_beats = common.view_stream_beats


def weight_words(regs: dict[str, int], w_bits: int) -> int:
    return common.conv_weight_words(regs["out_c"] * regs["in_c"], regs["out_c"], w_bits)


def load_cycles(spec: KernelSpec, regs: dict[str, int], w_bits: int) -> int:
    return common.conv_load_cycles(spec, regs, w_bits)


prefetch_beats = common.line_prefetch_beats
