"""`deform` estimates: CoDeNet's bounded square deformable depthwise 3x3, PO channels.

The 2N+1-row line buffer holds every row an offset up to N can reach; READ_PORTS taps are read
per cycle (docs/architecture.md: three line-buffer read ports), so a 3x3 window takes
ceil(9 / READ_PORTS) cycles and the array has READ_PORTS*PO multipliers (half the DSPs packed).
cycles = Ho*Wo*ceil(C/PO)*ceil(9/READ_PORTS). The offsets tensor streams in beside the input.
"""

from __future__ import annotations

import math

from generator.cost import Calibration, Resources
from generator.cost.memory import fifo
from generator.hw import packing
from generator.hw.engine import KernelSpec
from generator.hw.kernels import common
from generator.hw.layout import beats_per_pixel

KIND = "deform"
TAPS = 9
READ_PORTS = 3


def knobs(spec: KernelSpec) -> list[KernelSpec]:
    packable = packing.can_pack(spec.w_bits, spec.a_bits)
    return common.knob_grid(spec, [1], common.pow2_upto(spec.max_in_c), packable)


def rows(spec: KernelSpec) -> int:
    return 2 * spec.n_max + 1


def resources(spec: KernelSpec, cal: Calibration) -> Resources:
    macs = common.mac_array(READ_PORTS * spec.po, spec.po, READ_PORTS, spec, cal)
    # each read port selects its row among 2N+1 for every lane bit
    mux = math.ceil(READ_PORTS * spec.po * spec.a_bits * rows(spec) * cal.lut_per_mux_bit)
    return Resources.total([
        macs, common.quant_unit(spec.po, cal), common.weight_buffer(spec, TAPS * spec.po, cal),
        common.scale_buffer(spec, cal), common.line_buffer(spec, rows(spec), spec.po, cal),
        Resources(lut=mux, ff=READ_PORTS * spec.po * spec.a_bits),
        fifo(64, common.FIFO_DEPTH, cal).scaled(3), common.control(KIND, cal),
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
