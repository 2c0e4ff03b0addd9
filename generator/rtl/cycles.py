"""Ideal cycle counts of a pass (every MAC busy every cycle), the yardstick of rtlsim.json.

1x1 and k x k conv: Ho*Wo*ceil(C/PI)*ceil(K/PO)*k*k; depthwise and deformable: Ho*Wo*ceil(C/PO);
add: one 64-bit beat per cycle, H*W*ceil(C/LANES); move: one beat per cycle, the larger of the
source beats streamed in and the view beats streamed out.
"""

from __future__ import annotations

from generator.hw.engine import KernelSpec
from generator.hw.layout import beats_per_pixel


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def ideal_cycles(kind: str, regs: dict[str, int], spec: KernelSpec, act_bits: int = 8) -> int:
    ho, wo = regs["out_h"], regs["out_w"]
    c, k = regs["in_c"], regs["out_c"]
    if kind in ("pwconv", "conv"):
        kk = regs["kernel"] ** 2
        return ho * wo * kk * ceil_div(c, spec.pi) * ceil_div(k, spec.po)
    if kind in ("dwconv", "deform"):
        return ho * wo * ceil_div(c, spec.po)
    if kind == "add":
        return ho * wo * beats_per_pixel(c, act_bits)
    if kind == "move":
        from generator.hw.kernels.common import view_in_beats

        return max(view_in_beats(regs, act_bits), ho * wo * beats_per_pixel(c, act_bits))
    raise ValueError(kind)
