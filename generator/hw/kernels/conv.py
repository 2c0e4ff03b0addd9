"""`conv` estimates: full k x k convolution (e.g. the first layer), PI x PO lanes, k x k window.

The PI x PO array takes one window tap of PI channels per cycle, as both backends build it (HLS
mac_block over the k*k*C window, RTL ag_conv): PI*PO multipliers, half the DSPs when packed (the
thesis' k^2*PI*PO array would spend k^2 times the DSPs on the 3-channel first layer); a
k_max-row line buffer feeds it. cycles = Ho*Wo*k*k*ceil(C/PI)*ceil(K/PO).
"""

from __future__ import annotations

import math

from generator.cost import Calibration, Resources
from generator.hw import packing
from generator.hw.engine import KernelSpec
from generator.hw.kernels import common

KIND = "conv"


def knobs(spec: KernelSpec) -> list[KernelSpec]:
    packable = packing.can_pack(spec.w_bits, spec.a_bits)
    return common.knob_grid(spec, common.pow2_upto(spec.max_in_c), common.pow2_upto(spec.max_out_c), packable)


def resources(spec: KernelSpec, cal: Calibration) -> Resources:
    # one window tap per cycle on the PI x PO array (HLS mac_block over k*k*C, RTL ag_conv alike)
    macs = common.mac_array(spec.pi * spec.po, spec.po, spec.pi, spec, cal)
    return Resources.total([
        macs, common.quant_unit(spec, cal), common.weight_buffer(spec, spec.pi * spec.po, cal),
        common.scale_buffer(spec, cal), common.line_buffer(spec, cal),
        common.group_fifo(spec, cal), common.control(KIND, cal), common.view_reader(spec, cal),
    ])


def compute_cycles(spec: KernelSpec, regs: dict[str, int]) -> int:
    # one window tap of PI channels per cycle: k*k*ceil(C/PI) cycles per output group
    taps = regs["kernel"] * regs["kernel"]
    return regs["out_h"] * regs["out_w"] * taps * math.ceil(regs["in_c"] / spec.pi) * math.ceil(regs["out_c"] / spec.po)


fill_cycles = common.window_fill_cycles


stream_beats = common.view_stream_beats


def weight_words(regs: dict[str, int], w_bits: int) -> int:
    k = regs["kernel"]
    return common.conv_weight_words(regs["out_c"] * k * k * regs["in_c"], regs["out_c"], w_bits)


def load_cycles(spec: KernelSpec, regs: dict[str, int], w_bits: int) -> int:
    return common.conv_load_cycles(spec, regs, w_bits)


prefetch_beats = common.line_prefetch_beats
