"""Geometry of every kernel memory, shared by the cost model and the RTL context.

The estimate modules price these memories (generator/cost/memory.py::storage) and
generator/rtl/context.py renders the same depths, row slots, read ports and storage style
(`ram_style`) into the RTL, so a change on one side cannot silently disagree with the other.
"""

from __future__ import annotations

import math

from generator.cost.calibration import Calibration
from generator.cost.memory import RAM_STYLES, ram_style
from generator.hw.engine import KernelSpec

LINE_KINDS = ("pwconv", "conv", "dwconv", "deform")


def bits_for(n: int) -> int:
    """Address bits for n entries (at least 1)."""
    return max(1, (n - 1).bit_length())


def lanes(spec: KernelSpec) -> int:
    """Channels one line-buffer entry holds: PI for the MAC-array kernels, PO for depthwise."""
    return spec.pi if spec.kind in ("pwconv", "conv") else spec.po


def channel_groups(spec: KernelSpec) -> int:
    return math.ceil(spec.max_in_c / lanes(spec))


def line_depth(spec: KernelSpec) -> int:
    """Entries of one line-buffer row slot: the RTL addresses it cg*W + col (ag_lbwrite), so it
    holds ceil(C/lanes)*W entries of the layer that needs most."""
    if spec.line_shapes:
        return max(math.ceil(c / lanes(spec)) * w for w, c in spec.line_shapes)
    return channel_groups(spec) * spec.max_in_w


def line_slots(spec: KernelSpec) -> int:
    """Row slots: the rows a window spans plus `stride` rows the writer may run ahead (pwconv:
    the pixel row being read and the next one)."""
    if spec.kind == "deform":
        return 2 * spec.n_max + 1 + spec.stride_max
    if spec.kind == "dwconv" or (spec.kind == "conv" and spec.k_max > 1):
        return spec.k_max + spec.stride_max
    return 2


def line_ports(spec: KernelSpec) -> int:
    """Read ports (replicas) per row slot: depthwise kinds read a window's k columns at once."""
    if spec.kind == "deform":
        return 3
    return spec.k_max if spec.kind == "dwconv" else 1


def weight_depth(spec: KernelSpec) -> int:
    """Words of the weight lane memories (all lanes read at one address): the largest layer's
    weights over the lanes. (The RTL sizes its WDEPTH from max K and max C of possibly different
    layers, generator/rtl/context.py: the same for one layer, more for a network.)"""
    if spec.kind in ("pwconv", "conv"):
        return math.ceil(spec.max_weights / (spec.pi * spec.po))
    return math.ceil(spec.max_in_c / spec.po)


def rtl_weight_depth(spec: KernelSpec) -> int:
    """The RTL's weight address space: ((kg*k + i)*k + j)*CG + cg for every layer."""
    if spec.kind in ("pwconv", "conv"):
        return math.ceil(spec.max_out_c / spec.po) * spec.k_max * spec.k_max * math.ceil(spec.max_in_c / spec.pi)
    return weight_depth(spec)


def scale_depth(spec: KernelSpec) -> int:
    """Words of the requantisation lane memories (PO lanes of {bias, mult, shift})."""
    if spec.kind in ("pwconv", "conv"):
        return math.ceil(spec.max_out_c / spec.po)
    return math.ceil(spec.max_in_c / spec.po)


def styles(spec: KernelSpec, cal: Calibration) -> dict[str, int]:
    """ag_ram STYLE of the weight, scale and line-buffer memories (RTL parameters)."""
    return {"WSTYLE": RAM_STYLES[ram_style(weight_depth(spec), cal)],
            "QSTYLE": RAM_STYLES[ram_style(scale_depth(spec), cal)],
            "LBSTYLE": RAM_STYLES[ram_style(line_depth(spec), cal)]}
