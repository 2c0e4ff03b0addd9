"""`dwconv` estimates: depthwise k x k, PO channels per cycle, k-row line buffer.

Each lane multiplies a k x k window by its channel's filter (k^2*PO multipliers; packed, two
horizontally adjacent pixels share a weight in one DSP: k^2*PO/2 DSPs at the same throughput).
cycles = Ho*Wo*ceil(C/PO) (HAO eq. 13.10, depthwise).
"""

from __future__ import annotations

import math

from generator.cost import Calibration, Resources
from generator.hw.engine import KernelSpec
from generator.hw.kernels import common

KIND = "dwconv"


def knobs(spec: KernelSpec) -> list[KernelSpec]:
    return common.knob_grid(spec, [1], common.pow2_upto(spec.max_in_c), packable=False)


def resources(spec: KernelSpec, cal: Calibration) -> Resources:
    taps = spec.k_max * spec.k_max
    macs = common.mac_array(taps * spec.po, spec.po, taps, common.unpacked(spec), cal, accumulate=False)
    return Resources.total([
        macs, common.quant_unit(spec, cal), common.weight_buffer(spec, taps * spec.po, cal),
        common.scale_buffer(spec, cal), common.line_buffer(spec, cal), common.window_mux(spec, taps, cal),
        common.group_fifo(spec, cal), common.control(KIND, cal), common.view_reader(spec, cal),
    ])


def compute_cycles(spec: KernelSpec, regs: dict[str, int]) -> int:
    return regs["out_h"] * regs["out_w"] * math.ceil(regs["in_c"] / spec.po)


fill_cycles = common.window_fill_cycles


stream_beats = common.view_stream_beats


def weight_words(regs: dict[str, int], w_bits: int) -> int:
    k = regs["kernel"]
    return common.conv_weight_words(regs["in_c"] * k * k, regs["in_c"], w_bits)


def load_cycles(spec: KernelSpec, regs: dict[str, int], w_bits: int) -> int:
    return common.dw_load_cycles(spec, regs, w_bits, spec.k_max)


prefetch_beats = common.line_prefetch_beats
