"""The engine top's own glue (rtl_templates/accel_top.v.j2), beside its kernels.

What yosys measures as `accel_top` minus its kernels: the AXI4-Lite register file (the
writable registers and the layer registers latched at ap_start, their masked writes and the read
multiplexer), the in0 / in1 input FIFOs, the output multiplexer over the kernels, the weight
loader and the pass FSM; and the command-list machinery (`list_resources`: ag_cmdseq, its
descriptor fetch and the two read and one write activation DMAs, measured alone). One fitted
block: yosys flattens accel_top and trims across these parts. The DMA /
interconnect shell around the engine is not here: it is a separate, uncalibrated line
(`shell_resources`).
"""

from __future__ import annotations

from generator.cost import Calibration, Resources
from generator.cost.memory import fifo
from generator.hw import regmap

KIND = "top"  # its key in calibration.json control / fit
FIFO_DEPTH = 16  # in0 / in1 FIFOs (generator/rtl/context.py FIFO_AW = 4)
STREAM_BITS = 64 + 1  # TDATA + TLAST through the output multiplexer
WORD_BITS = 32  # AXI4-Lite data


def register_bits() -> tuple[int, int]:
    """(bits of the writable registers, bits of the latched layer registers)."""
    writable = sum(r.width for r in regmap.REGISTERS if r.access == "w")
    return writable, WORD_BITS * len(regmap.LAYER_REGS)


CONV_FAMILY = ("pwconv", "conv")  # weights: out_c * k^2 * in_c
DEPTHWISE_FAMILY = ("dwconv", "deform")  # weights: in_c * k^2


def weight_count_dsp(kinds: list[str]) -> int:
    """DSP48E2s of the pass's weight-element count in accel_top: out_c * k^2 then * in_c for
    the conv family (two multiplies), in_c * k^2 for the depthwise kinds (one); k^2 itself is a
    4x4-bit product yosys leaves in LUTs. Kernels of one family share the cells."""
    return 2 * any(k in CONV_FAMILY for k in kinds) + any(k in DEPTHWISE_FAMILY for k in kinds)


def resources(kinds: list[str], cal: Calibration) -> Resources:
    """Raw (unfitted) glue of an engine with kernels of `kinds`."""
    writable, latched = register_bits()
    regfile = Resources(
        # a masked write is one LUT per writable bit; the read mux selects a word among the registers
        lut=round(writable + len(regmap.REGISTERS) * 2 * WORD_BITS * cal.lut_per_mux_bit),
        ff=writable + latched + 2 * WORD_BITS,
    )
    out_mux = Resources(lut=round(len(kinds) * STREAM_BITS * cal.lut_per_mux_bit))
    c = cal.control["top"]
    weight_count = Resources(dsp=weight_count_dsp(kinds))
    return Resources.total([regfile, fifo(64, FIFO_DEPTH, cal).scaled(2), out_mux, weight_count,
                            Resources(lut=c["lut"], ff=c["ff"]), list_resources(cal)])


def list_resources(cal: Calibration) -> Resources:
    """Command lists (rtl_templates/ag_cmdseq.v.j2 with ag_rdma x3, ag_wdma): yosys of the module
    alone (calibration `control.list`), the same for every engine. Part of the glue `resources`
    prices and the fit scales: synthesized inside the flattened accel_top it shares and trims logic
    with the register file and the pass FSM, so it is not a separable constant."""
    c = cal.control.get("list", {"lut": 0, "ff": 0})
    return Resources(lut=c["lut"], ff=c["ff"])
