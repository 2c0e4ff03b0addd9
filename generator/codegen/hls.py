"""HLS project sources from an EngineConfig: the template context is computed here, so the
templates only substitute and loop."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from generator import __version__
from generator.boards import Board
from generator.codegen.env import TEMPLATES, render
from generator.hw.engine import EngineConfig, KernelSpec
from generator.hw.layout import WORD_BITS
from generator.hw.regmap import CMD_FIELDS, CMD_WORDS, ENGINE_REGS, LAYER_REGS, MODES, REGISTERS

# How the top calls each kernel kind: header and call expression (fixed kernels in kernels/).
KERNEL_CALLS: dict[str, tuple[str, str]] = {
    "pwconv": ("pwconv.h", "pwconv_pass<pwconv_cfg>(in0, in1, out, r, weights)"),
    "conv": ("conv.h", "conv_pass<conv_cfg>(in0, in1, out, r, weights)"),
    "dwconv": ("depthwise.h", "depthwise_pass<dwconv_cfg, false>(in0, in1, out, r, weights)"),
    "deform": ("depthwise.h", "depthwise_pass<deform_cfg, true>(in0, in1, out, r, weights)"),
    "add": ("add.h", "add_pass<add_cfg>(in0, in1, out, r)"),
    "move": ("move.h", "move_pass<move_cfg>(in0, in1, out, r)"),
}
FIXED_SOURCES = ("accel_dataflow.h",) + tuple(
    f"kernels/{n}" for n in ("accel_common.h", "mac.h", "linebuf.h", "view.h", "pwconv.h", "conv.h", "depthwise.h",
                             "add.h", "move.h")
)


def line_buffer_rows(k: KernelSpec) -> int:
    """Rows the line buffer holds: k for k x k windows, 2N+1 for the deformable kernel."""
    if k.kind == "deform":
        return 2 * k.n_max + 1
    return k.k_max


def fifo_depths(k: KernelSpec, lanes: int) -> dict[str, int]:
    """Two pixels' worth of beats / channel blocks: lets producer and consumer overlap a pixel."""
    return {
        "DEPTH_IN": max(2, 2 * -(-k.max_in_c // lanes)),
        "DEPTH_ACC": max(2, 2 * -(-k.max_out_c // k.po)),
        "DEPTH_OUT": max(2, 2 * -(-k.max_out_c // k.po)),
    }


def kernel_context(k: KernelSpec, lanes: int) -> dict[str, Any]:
    consts: list[tuple[str, int | str]] = [
        ("PI", k.pi), ("PO", k.po), ("PACK_DEPTH", max(k.pack_depth, 1)), ("K_MAX", k.k_max),
        ("ROWS", line_buffer_rows(k)), ("N_MAX", k.n_max), ("MAX_H", k.max_in_h), ("MAX_W", k.max_in_w),
        ("MAX_C", k.max_in_c), ("MAX_OUT_C", k.max_out_c), ("MAX_WEIGHTS", max(k.max_weights, 1)),
        ("MAX_PIX", k.max_in_h * k.max_in_w), ("MAX_LINE", k.line), ("MAX_SRC_C", max(k.max_src_c, 1)), ("MAX_SRC_W", max(k.max_src_w, 1)),
        ("UP_MAX", k.up_max),
    ]
    consts += list(fifo_depths(k, lanes).items())
    header, call = KERNEL_CALLS[k.kind]
    return {
        "kind": k.kind,
        "cfg": f"{k.kind}_cfg",
        "mode": k.kind.upper(),
        "consts": consts,
        "pack": "true" if k.pack else "false",
        "header": header,
        "call": call,
        "summary": f"PI={k.pi} PO={k.po} {'packed' if k.pack else 'unpacked'} MACs, "
                   f"up to {k.max_in_h}x{k.max_in_w}x{k.max_in_c} -> {k.max_out_c} channels",
        "limits": [k.max_in_h, k.max_in_w, k.max_in_c, k.max_out_c, k.k_max, k.stride_max, k.n_max,
                   max(k.max_weights, 1), k.max_src_c, k.max_src_w, k.up_max, k.line],
    }


# Beats of the FIFOs between the command list's memory readers/writer and the engine pass: one
# AXI burst of 64-bit words, so a reader can issue the next burst while the kernel drains this one.
LIST_FIFO_DEPTH = 64


def register_context(weight_words: int, act_words: int, cmd_words: int) -> list[dict[str, Any]]:
    # accel_top.h calls the top positionally: signature, the pass registers, then the engine's
    assert tuple(r.name for r in REGISTERS) == ("signature", *LAYER_REGS, *ENGINE_REGS)
    depth = {"weights": weight_words, "cmds": cmd_words}
    out = []
    for r in REGISTERS:
        if r.name == "signature":
            decl = "ap_uint<32> &signature"
            pragmas = ["s_axilite port = signature bundle = control"]
        elif r.width == 64:
            decl = f"word_t *{r.name}"
            words = max(depth.get(r.name, act_words), 1)
            pragmas = [f"m_axi port = {r.name} offset = slave bundle = {r.bundle} depth = {words}",
                       f"s_axilite port = {r.name} bundle = control"]
        else:
            decl = f"int {r.name}"
            pragmas = [f"s_axilite port = {r.name} bundle = control"]
        out.append({"name": r.name, "decl": decl, "pragmas": pragmas})
    return out


def hls_context(engine: EngineConfig, board: Board, weight_words: int, act_words: int = 1,
                n_cmds: int = 1, max_beats: int = 1) -> dict[str, Any]:
    """`act_words`, `n_cmds`, `max_beats`: the network's activation memory, passes and largest
    tensor (co-sim depths and loop trip counts of the command list)."""
    lanes = WORD_BITS // engine.act_bits
    kernels = [kernel_context(k, lanes) for k in engine.kernels]
    return {
        "version": __version__,
        "engine": {
            "network": engine.network, "board": engine.board, "act_bits": engine.act_bits, "lanes": lanes,
            "w_bits": engine.w_bits, "signature_hex": f"0x{engine.signature:08x}",
            "signature": f"{engine.signature:08x}", "clock_mhz": engine.clock_mhz,
            "period_ns": round(1000.0 / engine.clock_mhz, 3), "part": board.part,
        },
        "modes": [{"name": name.upper(), "value": v} for name, v in MODES.items()],
        "layer_regs": list(LAYER_REGS),
        "registers": register_context(weight_words, act_words, n_cmds * CMD_WORDS),
        "cmd_words": CMD_WORDS,
        "m_axi_bundles": sorted({r.bundle for r in REGISTERS if r.bundle}),
        "cmd_fields": [f"r.{f}" if f in LAYER_REGS else f for f in CMD_FIELDS],
        "list_fifo_depth": LIST_FIFO_DEPTH,
        "list_max_cmds": max(n_cmds, 1),
        "list_max_beats": max(max_beats, 1),
        "kernels": kernels,
        "weight_words": weight_words,
    }


def write_hls(dest: Path, ctx: dict[str, Any]) -> list[Path]:
    """Write DIR/hls: generated top, params, testbench, tcl; fixed kernels copied alongside."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("accel_params.h", "accel_top.h", "accel_top.cpp", "run_hls.tcl"):
        path = dest / name
        path.write_text(render(f"project/{name}.j2", **ctx))
        written.append(path)
    for rel in FIXED_SOURCES + ("project/accel_tb.cpp",):
        path = dest / Path(rel).name
        shutil.copyfile(TEMPLATES / rel, path)
        written.append(path)
    return written
