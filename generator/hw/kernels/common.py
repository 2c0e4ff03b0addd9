"""Building blocks the kernel estimates share: MAC arrays, buffers, quant unit, knob lists."""

from __future__ import annotations

import dataclasses
import functools
import math

from generator.cost import Calibration, Resources
from generator.cost.arith import accumulator, dsp48e2_tiles, lut_adder
from generator.cost.memory import fifo, storage
from generator.hw import packing
from generator.hw.engine import KernelSpec
from generator.hw.kernels import buffers
from generator.hw.layout import beats_per_pixel, weight_container
from generator.hw.quant import QuantWidths

MAX_LANES = 64  # largest PI / PO the planner offers
SCALE_BITS = 70  # per output channel: bias 32 + mult 31 + shift 6, rounded up
FIFO_DEPTH = 2  # register slices between the stream ports and the kernel (move)
GROUP_FIFO_DEPTH = 8  # requantised channel groups before the output packer (RTL GF_AW = 3)
GROUP_TAG_BITS = 10  # per group: channel count (8), end of pixel, end of frame


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


def unpacked(spec: KernelSpec) -> KernelSpec:
    """`spec` priced as the depthwise RTL (ag_dw) builds it whatever its pack flag: one DSP per
    multiplier. Packing a depthwise kernel needs two output pixels per DSP; ag_dw computes one
    pixel's whole window per cycle, so only the HLS depthwise kernel packs, when asked."""
    return dataclasses.replace(spec, pack=False, pack_depth=0)


def pack_chunk(spec: KernelSpec, inputs: int) -> int:
    """Packed products summed before they are split: a power of two <= min(inputs, pack depth)
    (the RTL's PD, generator/rtl/context.py)."""
    d = max(min(inputs, spec.pack_depth), 1)
    return 1 << (d.bit_length() - 1)


def mac_array(n_mult: int, trees: int, tree_inputs: int, spec: KernelSpec, cal: Calibration,
              accumulate: bool = True) -> Resources:
    """`n_mult` multipliers on DSPs (two per DSP when packed), `trees` sums of `tree_inputs`
    products each (registered), and one accumulator per tree when the sum accumulates over cycles.

    As rtl_templates/ag_mac.v.j2 builds it: a product register per multiplier; each sum only as
    wide as it can get (TW bits); packed, chunks of PD products are summed packed (SW bits) and
    split without a subtraction (H = S >> 18 + S[17], L = sext(S[17:0])) into two TW-bit sums.
    """
    pw = spec.w_bits + spec.a_bits + 1  # signed activation operand: a_bits + 1
    tw = min(pw + max(tree_inputs - 1, 0).bit_length() + 1, cal.acc_bits)
    if spec.pack:
        dsp = math.ceil(n_mult / 2)
        ppw = packing.LANE_BITS + pw
        pd = pack_chunk(spec, tree_inputs)
        chunks = math.ceil(tree_inputs / pd)
        sw = ppw + max(pd - 1, 0).bit_length() + 1
        per_pair = chunks * (pd - 1) * lut_adder(sw, cal) + 2 * chunks * lut_adder(tw, cal)
        lut = math.ceil(trees / 2) * per_pair
        ff = dsp * ppw + trees * tw
    else:
        dsp = n_mult
        lut = trees * max(tree_inputs - 1, 0) * lut_adder(tw, cal)
        ff = n_mult * pw + trees * tw
    if accumulate:
        acc_lut, acc_ff = accumulator(trees, cal)
        lut, ff = lut + acc_lut, ff + acc_ff
    return Resources(dsp=dsp, lut=lut, ff=ff)


def quant_lane(widths: QuantWidths, cal: Calibration) -> Resources:
    """One ag_quant (multiply, round, shift, clamp) at its operand widths: the QA_W x (QM_W+1)
    signed product on the DSP48E2s yosys tiles it onto, LUT and FF linear in the widths (fitted to
    yosys runs of ag_quant alone, generator/cost/quant_fit.py)."""
    q = cal.quant_lane

    def linear(fig: str) -> int:
        c0, c_acc, c_mult = q[fig]
        return max(0, round(c0 + c_acc * widths.acc_bits + c_mult * widths.mult_bits))

    return Resources(dsp=dsp48e2_tiles(widths.acc_bits, widths.mult_bits + 1), lut=linear("lut"), ff=linear("ff"))


def quant_unit(spec: KernelSpec, cal: Calibration) -> Resources:
    """Per-lane requantisation (HAO eq. 13.8), PO lanes sized for the kernel's layers."""
    return quant_lane(spec.quant, cal).scaled(spec.po)


def scale_buffer(spec: KernelSpec, cal: Calibration) -> Resources:
    """bias/mult/shift for every output channel, PO read per cycle."""
    return storage(SCALE_BITS, buffers.scale_depth(spec), cal, lanes=spec.po)


def weight_buffer(spec: KernelSpec, per_cycle: int, cal: Calibration) -> Resources:
    """The largest layer's weights, `per_cycle` read each cycle (one lane memory per weight read,
    all at one address: buffers.weight_depth), and their write path (`weight_write`)."""
    if spec.max_weights == 0:
        return Resources()
    mem = storage(spec.w_bits, buffers.weight_depth(spec), cal, lanes=per_cycle)
    return mem + weight_write(spec, per_cycle, cal)


def weight_write(spec: KernelSpec, lanes: int, cal: Calibration) -> Resources:
    """ag_wlanemem's write side, which lets the loader write a run of up to WL = 64/w_bits weights
    a cycle into `lanes` lane memories: the 64-bit word rotated by (element position - first
    lane) so that every lane takes a fixed slot (64 bits x a WL:1 multiplexer, `lut_per_mux_bit`
    per input bit), and each lane's write enable from the run's lane window (two WL-bit offset
    masks ANDed with a block decode, `lut_per_weight_lane`). No registers. (yosys, old one-element
    write vs this one: ag_conv -62..+256 LUT, ag_dw +519..+787; FF +0..+12.)"""
    wl = weight_lanes(weight_container(spec.w_bits))
    return Resources(lut=math.ceil(64 * wl * cal.lut_per_mux_bit + lanes * cal.lut_per_weight_lane))


def line_buffer(spec: KernelSpec, cal: Calibration) -> Resources:
    """The line buffer as the RTL builds it: `line_slots` row slots, each `line_ports` copies (the
    depthwise kinds read a window's k columns at once, one copy per read port), each copy
    `line_depth` entries ({channel group, column} addressing, a power of two) of `lanes`
    activations, stored where `ram_style` puts it."""
    lanes = buffers.lanes(spec)
    one = storage(lanes * spec.a_bits, buffers.line_depth(spec), cal)
    return one.scaled(buffers.line_slots(spec) * buffers.line_ports(spec))


def window_mux(spec: KernelSpec, taps: int, cal: Calibration) -> Resources:
    """Depthwise kinds: every tap picks its row's slot among the line buffer's row slots
    (ag_dw: one slot multiplexer per window row, PO channels of a_bits per tap)."""
    bits = taps * spec.po * spec.a_bits
    return Resources(lut=math.ceil(bits * buffers.line_slots(spec) * cal.lut_per_mux_bit))


def group_fifo(spec: KernelSpec, cal: Calibration) -> Resources:
    """The FIFO of requantised PO-channel groups in front of the output packer (ag_fifo)."""
    return fifo(spec.po * spec.a_bits + GROUP_TAG_BITS, GROUP_FIFO_DEPTH, cal)


def control(kind: str, cal: Calibration) -> Resources:
    c = cal.control[kind]
    return Resources(lut=c["lut"], ff=c["ff"])


def conv_weight_words(n_weights: int, out_c: int, w_bits: int) -> int:
    """64-bit words of one layer's weights plus its requant parameters (two words a channel)."""
    return math.ceil(n_weights / (64 // w_bits)) + 2 * out_c


IN_FIFO_BEATS = 16  # accel_top in0 / in1 FIFOs (generator/rtl/context.py FIFO_AW)


def weight_lanes(w_bits: int) -> int:
    """Weight elements per 64-bit word (WL): what ag_wload offers the kernel per cycle."""
    return 64 // w_bits


@functools.lru_cache(maxsize=8192)
def write_runs(rows: int, row_len: int, group: int, wl: int) -> int:
    """Cycles the weight memory takes to write a stream of `rows` rows of `row_len` elements,
    each row cut into address groups of `group` consecutive lanes (the last one shorter),
    packed WL = `wl` to a 64-bit word from element 0 on (generator/hw/layout.py).

    ag_wload + ag_wlanemem write per cycle the run of the held word's elements that falls in
    one address group, so a cycle ends at every group boundary and every word boundary:
    runs = groups + words - 1 - (internal positions that are both). Group boundaries sit at
    r*row_len + g*group; which of them are word boundaries repeats with period
    wl / gcd(row_len, wl) in r, so this costs O(wl * groups per row), not O(elements).
    """
    if rows * row_len == 0:
        return 0
    per_row = -(-row_len // group)
    words = -(-rows * row_len // wl)
    period = wl // math.gcd(row_len, wl)

    def hits(r: int) -> int:
        return sum(1 for g in range(per_row) if (r * row_len + g * group) % wl == 0)

    full, part = divmod(rows, period)
    both = full * sum(hits(r) for r in range(period)) + sum(hits(r) for r in range(part)) - 1  # not position 0
    return rows * per_row + words - 1 - both


def conv_load_cycles(spec: KernelSpec, regs: dict[str, int], w_bits: int) -> int:
    """ag_conv's weight load: its (k, i, j, c) stream goes to lane po*PI + c % PI at address
    ((kg*k + i)*k + j)*CG + c / PI, so a run is at most the rest of a PI-channel group (and of a
    tap's C channels): up to min(PI, WL) elements a cycle. Then two requant words per output
    channel, one a cycle."""
    k = regs["kernel"]
    return write_runs(regs["out_c"] * k * k, regs["in_c"], spec.pi, weight_lanes(w_bits)) + 2 * regs["out_c"]


def dw_load_cycles(spec: KernelSpec, regs: dict[str, int], w_bits: int, k_max: int) -> int:
    """ag_dw's weight load: its (c, i, j) stream goes to lane (c % PO)*KM*KM + i*KM + j at c / PO.
    With k = KM (`k_max`) a channel group's PO*k*k elements are consecutive lanes at one address,
    so the word is written whole (runs end at group and word boundaries); with k < KM every filter
    row of k elements is a run. Then two requant words per channel, one a cycle."""
    k, c = regs["kernel"], regs["in_c"]
    wl = weight_lanes(w_bits)
    runs = write_runs(1, c * k * k, spec.po * k * k, wl) if k == k_max else write_runs(c * k, k, k, wl)
    return runs + 2 * c


def line_prefetch_beats(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    """Input beats a line-buffer kernel takes in before computing: its row slots and the FIFO."""
    return buffers.line_slots(spec) * regs["in_w"] * beats_per_pixel(regs["in_c"], act_bits) + IN_FIFO_BEATS


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
    """The in0 view reader (rtl_templates/ag_view.v.j2): two source pixel banks, the per-lane
    channel-window select with the concat/shuffle2 maps (`lut_per_view_bit` per output lane bit,
    fitted to yosys: about 2300 LUT whatever the channel count), and a source row buffer when the
    kernel reads upsampled views."""
    if spec.max_src_c == 0:
        return Resources()
    pixel = storage(VIEW_LANES * spec.a_bits, math.ceil(spec.max_src_c / VIEW_LANES), cal).scaled(2)
    row = (storage(VIEW_LANES * spec.a_bits, math.ceil(spec.max_src_w * spec.max_in_c / VIEW_LANES), cal)
           if spec.up_max > 1 else Resources())
    mux = Resources(lut=math.ceil(VIEW_LANES * spec.a_bits * cal.lut_per_view_bit))
    return Resources.total([pixel, row, mux, control("view", cal)])


def view_stream_beats(regs: dict[str, int], act_bits: int) -> tuple[int, int]:
    """(in, out) beats of a pass whose in0 goes through the view reader."""
    return view_in_beats(regs, act_bits), pixel_beats(regs["out_h"], regs["out_w"], regs["out_c"], act_bits)


def window_fill_cycles(spec: KernelSpec, regs: dict[str, int], act_bits: int) -> int:
    """Rows a k x k window needs before its first output (line-buffer kernels)."""
    return window_fill(regs, max(regs["kernel"] - regs["pad"], 1), act_bits)
