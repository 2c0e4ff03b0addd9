"""Template context of the RTL engine, computed from an EngineConfig (templates only substitute).

Every number the RTL needs is derived here: the register map comes from generator.hw.regmap,
the kernel parameters (parallelism, buffer depths, address widths, DSP packing) from each
KernelSpec, the data layout constants from generator.hw.layout.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from generator import __version__
from generator.cost import load_calibration
from generator.errors import AccelgenError
from generator.hw import packing, regmap
from generator.hw.engine import VIEW_KINDS, EngineConfig, KernelSpec
from generator.hw.kernels import buffers
from generator.hw.kernels.common import GROUP_FIFO_DEPTH
from generator.hw.kernels.common import pack_chunk as _pack_chunk
from generator.hw.layout import WORD_BITS
from generator.ops.base import ACC_BITS

TOP = "accel_top"
FIFO_AW = 4  # in0 / in1 FIFOs: 16 beats
GROUP_FIFO_AW = (GROUP_FIFO_DEPTH - 1).bit_length()  # per-kernel FIFO of requantised channel groups
MODULE = {"pwconv": "ag_conv", "conv": "ag_conv", "dwconv": "ag_dw", "deform": "ag_dw", "add": "ag_add",
          "move": "ag_move"}
DMA_AW = 7  # command-list DMA FIFOs: 128 beats, two bursts in flight
DMA_BURST = 64  # command-list read DMA bursts (beats)
# Write DMA bursts: a burst starts once the FIFO holds all of its beats (W never waits on the
# kernel), so the last burst's length is drain time at the end of every pass; 16 is Vitis HLS's
# default max_write_burst_length (the HLS top's m_axi pragmas keep the default).
DMA_WRITE_BURST = 16
LIBRARY = ("ag_fifo", "ag_quant", "ag_mac", "ag_mem", "ag_lbwrite", "ag_outpack", "ag_wload",
           "ag_conv", "ag_dw", "ag_add", "ag_view", "ag_move", "ag_rdma", "ag_wdma", "ag_cmdseq")
VIEW_MODULE = "ag_view"


def log2(n: int) -> int:
    if n < 1 or n & (n - 1):
        raise AccelgenError(f"RTL: {n} must be a power of two")
    return n.bit_length() - 1


def bits_for(n: int) -> int:
    """Address bits for n entries (at least 1)."""
    return max(1, (n - 1).bit_length())


def next_pow2(n: int) -> int:
    return 1 << bits_for(n)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class KernelRtl:
    kind: str
    module: str
    mode: int
    weights: bool
    welems: str  # Verilog expression: weight elements of a pass
    params: dict[str, int]
    pack: bool  # packed DSP MACs in this RTL kernel
    line_rows: int  # line-buffer row slots (0: none)
    view: dict[str, int] | None = None  # parameters of the ag_view reader in front of in0 (VIEW_KINDS)


def pack_chunk(spec: KernelSpec, pi: int) -> int:
    """Products summed per packed chunk: a power of two <= min(PI, pack depth) (the model's)."""
    return _pack_chunk(spec, pi)


def view_params(spec: KernelSpec, act_bits: int) -> dict[str, int]:
    """ag_view sized like read_view (view.h): pixel banks of the widest source pixel, a row buffer
    of the widest upsampled source row when the kernel reads upsampled views."""
    lanes = WORD_BITS // act_bits
    src_entries = ceil_div(max(spec.max_src_c, spec.max_in_c), lanes) + 1
    upb = int(spec.up_max > 1)
    row = spec.max_src_w * ceil_div(spec.max_in_c, lanes) if upb else 1
    return {"AB": act_bits, "LANES": lanes, "LOG_LANES": log2(lanes), "SAW": bits_for(src_entries),
            "UPB": upb, "RAW": bits_for(row)}


def quant_params(spec: KernelSpec) -> dict[str, int]:
    """ag_quant's operand widths: the kernel's layers' (generator/hw/quant.py), so the product is
    QA_W x (QM_W+1) bits signed rather than 32 x 32."""
    return {"QA_W": spec.quant_acc_bits, "QM_W": spec.quant_mult_bits}


def kernel_rtl(spec: KernelSpec, engine: EngineConfig) -> KernelRtl:
    rtl = _kernel_rtl(spec, engine)
    if spec.kind in VIEW_KINDS and spec.kind != "move":
        return replace(rtl, view=view_params(spec, engine.act_bits))
    return rtl


def _weighted_params(spec: KernelSpec, engine: EngineConfig) -> dict[str, int]:
    """Parameters ag_conv and ag_dw share: line buffer (row slots, slot depth and address bits),
    weight write width, accumulator, requantisation widths and memory styles."""
    nr = buffers.line_slots(spec)
    depth = buffers.line_depth(spec)
    return {"NR": nr, "RW": bits_for(nr), "LOG_WL": log2(WORD_BITS // engine.w_bits), "ACC_W": ACC_BITS,
            "LBAW": bits_for(depth), "LBDEPTH": depth, "CGW": bits_for(buffers.channel_groups(spec)),
            **quant_params(spec), **buffers.styles(spec, load_calibration())}


def _kernel_rtl(spec: KernelSpec, engine: EngineConfig) -> KernelRtl:
    ab = engine.act_bits
    lanes = WORD_BITS // ab
    common = {"AB": ab, "LANES": lanes, "LOG_LANES": log2(lanes), "WB": engine.w_bits, "GF_AW": GROUP_FIFO_AW}
    if spec.kind in ("pwconv", "conv"):
        pi, po = spec.pi, spec.po
        kg_max = buffers.scale_depth(spec)
        wdepth = buffers.rtl_weight_depth(spec)
        pack = spec.pack and po >= 2 and spec.w_bits <= packing.MAX_PACK_BITS and ab + 1 <= packing.A_PORT_BITS
        params = {"PI": pi, "LOG_PI": log2(pi), "PO": po, "LOG_PO": log2(po), **common,
                  "MWB": spec.w_bits if pack else engine.w_bits, "PACK": int(pack),
                  "PD": pack_chunk(spec, pi) if pack else 1, "WDEPTH": wdepth, "WAW": bits_for(wdepth),
                  "QDEPTH": kg_max, "QAW": bits_for(kg_max), **_weighted_params(spec, engine)}
        return KernelRtl(spec.kind, MODULE[spec.kind], regmap.MODES[spec.kind], True,
                         "kk_out * p_in_c[15:0]", params, pack, buffers.line_slots(spec))
    if spec.kind in ("dwconv", "deform"):
        po = spec.po
        params = {"PO": po, "LOG_PO": log2(po), "KM": buffers.line_ports(spec), "DEFORM": int(spec.kind == "deform"),
                  **common, "WDEPTH": buffers.weight_depth(spec), "WAW": bits_for(buffers.channel_groups(spec)),
                  **_weighted_params(spec, engine)}
        return KernelRtl(spec.kind, MODULE[spec.kind], regmap.MODES[spec.kind], True, "kk_in", params, False,
                         buffers.line_slots(spec))
    if spec.kind == "add":
        return KernelRtl(spec.kind, MODULE[spec.kind], regmap.MODES[spec.kind], False, "32'd0", common, False, 0)
    if spec.kind == "move":
        params = {**common, **view_params(spec, ab)}
        return KernelRtl(spec.kind, MODULE[spec.kind], regmap.MODES[spec.kind], False, "32'd0", params, False, 0)
    raise AccelgenError(f"RTL: no kernel for kind '{spec.kind}'")


def top_context(engine: EngineConfig) -> dict[str, Any]:
    regs = regmap.REGISTERS
    last = max(r.offset + (8 if r.width == 64 else 4) for r in regs)
    wl = WORD_BITS // engine.w_bits
    return {
        "version": __version__,
        "network": engine.network,
        "signature": engine.signature,
        "addr_w": bits_for(last),
        "ctrl": {"ctrl": regmap.CTRL, "gie": regmap.GIE, "ier": regmap.IER, "isr": regmap.ISR},
        "registers": [{"name": r.name, "offset": r.offset, "width": r.width, "access": r.access, "doc": r.doc}
                      for r in regs],
        "layer_regs": list(regmap.LAYER_REGS),
        "kernels": [kernel_rtl(k, engine) for k in engine.kernels],
        "w_bits": engine.w_bits,
        "wl": wl,
        "log_wl": log2(wl),
        "fifo_aw": FIFO_AW,
        "cmd_words": regmap.CMD_WORDS,
        "cmd_stream_first": regmap.CMD_FIELDS.index(regmap.CMD_STREAM_FIELDS[0]),
        "dma_aw": DMA_AW,
        "dma_burst": DMA_BURST,
        "dma_write_burst": DMA_WRITE_BURST,
    }
