"""`deform` estimates: CoDeNet's bounded square deformable depthwise 3x3, PO channels.

The 2N+1(+stride)-row line buffer holds every row an offset up to N can reach; as the RTL builds
it (ag_dw), every row slot has three read ports (replicas), so the whole 3x3 window is read per
cycle and the array has READ_PORTS = 9 multipliers per channel (half the DSPs packed).
cycles = Ho*Wo*ceil(C/PO)*ceil(9/READ_PORTS). The offsets tensor streams in beside the input.
"""

from __future__ import annotations

import math

from generator.cost import Calibration, Resources
from generator.hw.engine import KernelSpec
from generator.hw.kernels import common
from generator.hw.layout import beats_per_pixel

KIND = "deform"
TAPS = 9
READ_PORTS = 9  # taps read per cycle: 3 rows x 3 read ports


def knobs(spec: KernelSpec) -> list[KernelSpec]:
    return common.knob_grid(spec, [1], common.pow2_upto(spec.max_in_c), packable=False)


def rows(spec: KernelSpec) -> int:
    return 2 * spec.n_max + 1


def resources(spec: KernelSpec, cal: Calibration) -> Resources:
    macs = common.mac_array(READ_PORTS * spec.po, spec.po, READ_PORTS, common.unpacked(spec), cal, accumulate=False)
    return Resources.total([
        macs, common.quant_unit(spec, cal), common.weight_buffer(spec, TAPS * spec.po, cal),
        common.scale_buffer(spec, cal), common.line_buffer(spec, cal),
        common.window_mux(spec, TAPS, cal),
        common.group_fifo(spec, cal), common.control(KIND, cal),
    ])


def compute_cycles(spec: KernelSpec, regs: dict[str, int]) -> int:
    per_window = math.ceil(TAPS / READ_PORTS)
    return regs["out_h"] * regs["out_w"] * math.ceil(regs["in_c"] / spec.po) * per_window


def fill_cycles(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    return common.window_fill(regs, regs["max_offset"] + 1, act_bits)


def stream_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    x = common.pixel_beats(regs["in_h"], regs["in_w"], regs["in_c"], act_bits)
    offsets = regs["out_h"] * regs["out_w"] * beats_per_pixel(1, act_bits)
    return x + offsets, common.pixel_beats(regs["out_h"], regs["out_w"], regs["out_c"], act_bits)


def weight_words(regs: dict[str, int], w_bits: int) -> int:
    return common.conv_weight_words(regs["in_c"] * TAPS, regs["in_c"], w_bits)


def load_cycles(spec: KernelSpec, regs: dict[str, int], w_bits: int) -> int:
    return common.dw_load_cycles(spec, regs, w_bits, 3)  # ag_dw with KM = 3, k = 3


def in_port_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    """in0 (the input) and in1 (the offsets) stream side by side."""
    x = common.pixel_beats(regs["in_h"], regs["in_w"], regs["in_c"], act_bits)
    return x, regs["out_h"] * regs["out_w"] * beats_per_pixel(1, act_bits)


prefetch_beats = common.line_prefetch_beats
