"""`move` estimates: materialises a folded view (generator/hw/fold.py) as a tensor.

The view reader streams the sources in, the writer streams the view out, one beat of lanes per
cycle: cycles = the larger of the two beat counts. No weights, no MACs.
"""

from __future__ import annotations

from generator.cost import Calibration, Resources
from generator.cost.memory import fifo
from generator.hw.engine import KernelSpec
from generator.hw.kernels import common

KIND = "move"


def knobs(spec: KernelSpec) -> list[KernelSpec]:
    return [spec]  # one beat per cycle: the stream width fixes it


def resources(spec: KernelSpec, cal: Calibration) -> Resources:
    return Resources.total([common.view_reader(spec, cal), fifo(64, common.FIFO_DEPTH, cal).scaled(2),
                            common.control(KIND, cal)])


def compute_cycles(spec: KernelSpec, regs: dict[str, int]) -> int:
    return max(stream_beats(regs, 64 // spec.po))


def fill_cycles(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    return 0


def stream_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    return (common.view_in_beats(regs, act_bits),
            common.pixel_beats(regs["out_h"], regs["out_w"], regs["out_c"], act_bits))


def weight_words(regs: dict[str, int], w_bits: int) -> int:
    return 0
