"""Building blocks the kernel estimates share: MAC arrays, buffers, quant unit, knob lists."""

from __future__ import annotations

import dataclasses
import math

from generator.cost import Calibration, Resources
from generator.cost.arith import accumulator, adder_tree
from generator.cost.memory import storage
from generator.hw import packing
from generator.hw.engine import KernelSpec
from generator.hw.layout import beats_per_pixel

MAX_LANES = 64  # largest PI / PO the planner offers
SCALE_BITS = 70  # per output channel: bias 32 + mult 31 + shift 6, rounded up
FIFO_DEPTH = 2  # register slices between the stream ports and the kernel


def pow2_upto(n: int, cap: int = MAX_LANES) -> list[int]:
    """1, 2, 4, ... up to the first power of two >= n, at most `cap`."""
    top = min(cap, 1 << max(n - 1, 0).bit_length())
    out, v = [], 1
    while v <= top:
        out.append(v)
        v *= 2
    return out


def with_knobs(spec: KernelSpec, pi: int, po: int, pack: bool) -> KernelSpec:
    """`spec` with PI, PO and packing set as generator.hw.engine.build_engine would set them."""
    do_pack = pack and packing.can_pack(spec.w_bits, spec.a_bits) and po >= 2
    limit = spec.pack_limit or packing.max_pack_depth(spec.w_bits, spec.a_bits, spec.a_signed)
    depth = limit if do_pack else 0
    return dataclasses.replace(spec, pi=pi, po=po, pack=do_pack, pack_depth=depth)


def knob_grid(spec: KernelSpec, pis: list[int], pos: list[int], packable: bool) -> list[KernelSpec]:
    """Every (PI, PO, pack) combination, packing only where the engine allows it."""
    out = []
    for pi in pis:
        for po in pos:
            for pack in (False, True) if packable else (False,):
                s = with_knobs(spec, pi, po, pack)
                if s not in out:
                    out.append(s)
    return out


def mac_array(n_mult: int, trees: int, tree_inputs: int, spec: KernelSpec, cal: Calibration) -> Resources:
    """`n_mult` multipliers on DSPs (two per DSP when packed), `trees` adder trees of
    `tree_inputs` products each, and one accumulator per tree."""
    dsp = math.ceil(n_mult / 2) if spec.pack else n_mult
    tree_lut, tree_ff = adder_tree(tree_inputs, spec.w_bits + spec.a_bits, cal)
    acc_lut, acc_ff = accumulator(trees, cal)
    unpack = dsp * cal.lut_per_unpack if spec.pack else 0
    return Resources(dsp=dsp, lut=trees * tree_lut + acc_lut + unpack, ff=trees * tree_ff + acc_ff)


def quant_unit(po: int, cal: Calibration) -> Resources:
    """Per-lane requantisation (multiply, round, shift, clamp): HAO eq. 13.8."""
    return Resources(dsp=po * cal.dsp_per_quant_lane, lut=po * cal.lut_per_quant_lane, ff=po * cal.ff_per_quant_lane)


def scale_buffer(spec: KernelSpec, cal: Calibration) -> Resources:
    """bias/mult/shift for every output channel, PO read per cycle."""
    return storage(SCALE_BITS * spec.po, math.ceil(spec.max_out_c / spec.po), cal)


def weight_buffer(spec: KernelSpec, per_cycle: int, cal: Calibration) -> Resources:
    """The largest layer's weights, `per_cycle` read each cycle (partition factor by width)."""
    if spec.max_weights == 0:
        return Resources()
    return storage(per_cycle * spec.w_bits, math.ceil(spec.max_weights / per_cycle), cal)


def line_buffer(spec: KernelSpec, rows: int, lanes: int, cal: Calibration) -> Resources:
    """`rows` rows of max(W * C) activations, `lanes` channels read per cycle per row."""
    depth = math.ceil(spec.line / lanes)
    one = storage(lanes * spec.a_bits, depth, cal)
    return Resources(lut=one.lut * rows, bram18=one.bram18 * rows)


def control(kind: str, cal: Calibration) -> Resources:
    c = cal.control[kind]
    return Resources(lut=c["lut"], ff=c["ff"])


def conv_weight_words(n_weights: int, out_c: int, w_bits: int) -> int:
    """64-bit words of one layer's weights plus its requant parameters (two words a channel)."""
    return math.ceil(n_weights / (64 // w_bits)) + 2 * out_c


def window_fill(regs: dict[str, int], rows: int, act_bits: int) -> int:
    """Beats the line buffer takes in before its first window is complete."""
    return rows * regs["in_w"] * beats_per_pixel(regs["in_c"], act_bits)


def pixel_beats(h: int, w: int, c: int, act_bits: int) -> int:
    return h * w * beats_per_pixel(c, act_bits)


VIEW_LANES = 8  # channels the view reader moves per cycle


def view_in_beats(regs: dict[str, int], act_bits: int) -> int:
    """Beats a view reader streams in: its sources, at source resolution (generator/hw/fold.py)."""
    up = max(regs.get("up", 1), 1)
    sh, sw = regs["in_h"] // up, regs["in_w"] // up
    beats = pixel_beats(sh, sw, regs.get("src_c0", regs["in_c"]), act_bits)
    if regs.get("src_map", 0):
        beats += pixel_beats(sh, sw, regs["src_c1"], act_bits)
    return beats


def view_reader(spec: KernelSpec, cal: Calibration) -> Resources:
    """The in0 view reader: two source pixel buffers, channel mux, and a source row buffer when
    the kernel reads upsampled views."""
    if spec.max_src_c == 0:
        return Resources()
    pixel = storage(VIEW_LANES * spec.a_bits, math.ceil(spec.max_src_c / VIEW_LANES), cal).scaled(2)
    row = (storage(VIEW_LANES * spec.a_bits, math.ceil(spec.max_src_w * spec.max_in_c / VIEW_LANES), cal)
           if spec.up_max > 1 else Resources())
    mux = Resources(lut=VIEW_LANES * spec.a_bits * 3 * cal.lut_per_mux_bit)
    return Resources.total([pixel, row, mux, control("view", cal)])


def view_stream_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    """(in, out) beats of a pass whose in0 goes through the view reader."""
    return view_in_beats(regs, act_bits), pixel_beats(regs["out_h"], regs["out_w"], regs["out_c"], act_bits)


def window_fill_cycles(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    """Rows a k x k window needs before its first output (line-buffer kernels)."""
    return window_fill(regs, max(regs["kernel"] - regs["pad"], 1), act_bits)
