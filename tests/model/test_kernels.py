"""Per-kernel estimates: one module per engine kind, HAO formulas, knobs the engine accepts."""

from __future__ import annotations

import dataclasses
import math

import pytest

from generator.cost import load_calibration
from generator.cost.memory import storage
from generator.hw import packing
from generator.hw.engine import KINDS, QUANT_KINDS, build_engine
from generator.hw.kernels import (
    KERNELS,
    Bus,
    buffers,
    common,
    deform,
    kernel_resources,
    pass_cycles,
)
from generator.hw.quant import QuantWidths
from generator.hw.schedule import layer_regs
from generator.zoo import ZOO, tiny

CAL = load_calibration()
NET = tiny.build()
ENGINE = build_engine(NET, "ultra96", 250)
SPECS = {k.kind: k for k in ENGINE.kernels}
FREE = Bus(8, 8, None)


def spec(kind, **kw):
    s = SPECS[kind]
    out = common.with_knobs(s, kw.pop("pi", s.pi), kw.pop("po", s.po), kw.pop("pack", s.pack))
    return dataclasses.replace(out, **kw)


def test_one_estimate_module_per_kernel_kind():
    assert tuple(KERNELS) == KINDS
    for kind, mod in KERNELS.items():
        assert mod.KIND == kind
        for fn in ("knobs", "resources", "compute_cycles", "fill_cycles", "stream_beats", "weight_words"):
            assert callable(getattr(mod, fn)), f"{kind}.{fn}"


@pytest.mark.parametrize("name", sorted(ZOO))
def test_knobs_are_what_build_engine_builds(name):
    net = ZOO[name](0)
    engine = build_engine(net, "ultra96", 250)
    for s in engine.kernels:
        cands = KERNELS[s.kind].knobs(s)
        assert cands and len(set(cands)) == len(cands)
        for c in cands:
            assert c.pi & (c.pi - 1) == 0 and c.po & (c.po - 1) == 0
            rebuilt = build_engine(net, "ultra96", 250, parallelism={c.kind: (c.pi, c.po)}, pack={c.kind: c.pack})
            assert rebuilt.kernel(c.kind) == c


def test_dsp_counts_follow_hao():
    q = 1  # the tiny network's layers: every kernel's quant product fits one DSP48E2
    assert all(common.quant_lane(s.quant, CAL).dsp == q for s in ENGINE.kernels if s.kind in QUANT_KINDS)
    for pi, po in ((1, 2), (4, 8), (16, 16)):
        assert kernel_resources(spec("pwconv", pi=pi, po=po, pack=True), CAL).dsp == pi * po // 2 + po * q
        assert kernel_resources(spec("pwconv", pi=pi, po=po, pack=False), CAL).dsp == pi * po + po * q
        # k x k conv: one window tap per cycle on the PI x PO array (as the HLS and RTL kernels build it)
        assert kernel_resources(spec("conv", pi=pi, po=po, pack=False), CAL).dsp == pi * po + po * q
        assert kernel_resources(spec("conv", pi=pi, po=po, pack=True), CAL).dsp == math.ceil(pi * po / 2) + po * q
    for po in (2, 8, 32):
        assert kernel_resources(spec("dwconv", po=po, pack=False), CAL).dsp == 9 * po + po * q
        # the depthwise RTL computes one pixel's window per cycle: nothing to pack, whatever the flag
        assert kernel_resources(spec("dwconv", po=po, pack=True), CAL).dsp == 9 * po + po * q
        ports = deform.READ_PORTS
        assert kernel_resources(spec("deform", po=po, pack=False), CAL).dsp == ports * po + po * q
        assert kernel_resources(spec("add", po=po), CAL).dsp == po * CAL.dsp_per_add_lane


@pytest.mark.parametrize("qa, qm, dsp", [(32, 31, 4), (20, 15, 1), (27, 17, 1), (28, 17, 2), (20, 18, 2),
                                         (16, 24, 1), (16, 31, 2), (20, 31, 4)])
def test_quant_lane_prices_its_widths(qa, qm, dsp):
    """DSP: yosys' tiling of the QA_W x (QM_W+1) signed product (measured, calibration.json
    quant_lane); LUT and FF grow with the widths; a kernel's quant units follow its spec."""
    lane = common.quant_lane(QuantWidths(qa, qm), CAL)
    assert lane.dsp == dsp
    assert lane.dsp == CAL.quant_lane["measured"][f"{qa}x{qm}"]["dsp"]
    full = common.quant_lane(QuantWidths(), CAL)
    assert full.dsp == 4 and lane.lut <= full.lut and lane.ff <= full.ff
    s = dataclasses.replace(spec("pwconv", po=8), quant_acc_bits=qa, quant_mult_bits=qm)
    assert common.quant_unit(s, CAL) == lane.scaled(8)


def test_packing_only_where_allowed():
    s = dataclasses.replace(SPECS["pwconv"], w_bits=16)
    assert not any(c.pack for c in KERNELS["pwconv"].knobs(s))
    assert not any(c.pack for c in KERNELS["add"].knobs(SPECS["add"]))
    assert any(c.pack for c in KERNELS["conv"].knobs(SPECS["conv"]))
    assert not any(c.pack for kind in ("dwconv", "deform") for c in KERNELS[kind].knobs(SPECS[kind]))
    assert all(1 <= c.pack_depth == c.pack_limit <= max(packing.max_pack_depth(c.w_bits, c.a_bits, s) for s in (False, True))
               for c in KERNELS["pwconv"].knobs(SPECS["pwconv"]) if c.pack)


def test_resources_grow_with_parallelism():
    for kind in (k for k in KINDS if k != "move"):  # move has one beat per cycle, no knobs
        prev = None
        for po in (1, 2, 4, 8, 16):
            r = kernel_resources(spec(kind, po=po, pack=False), CAL)
            if prev is not None:
                assert r.dsp > prev.dsp and r.lut >= prev.lut
            prev = r


def test_line_buffer_rows():
    # 2N+1 (+ stride) row slots for deform (bounded offsets, CoDeNet), each slot three read-port
    # copies (ag_dw reads a window's three columns at once) of ceil(C/PO)*W entries
    base = spec("deform", po=8)
    wide = dict(max_in_w=512, max_in_c=256, max_line=512 * 256, line_shapes=((512, 256),))
    small = kernel_resources(dataclasses.replace(base, n_max=1, **wide), CAL).bram18
    big = kernel_resources(dataclasses.replace(base, n_max=7, **wide), CAL).bram18
    w = dataclasses.replace(base, **wide)
    one = storage(buffers.lanes(w) * w.a_bits, 512 * 256 // 8, CAL).bram18
    assert buffers.line_slots(w) == 2 * w.n_max + 1 + w.stride_max and buffers.line_ports(w) == 3
    assert one > 0 and big - small == (15 - 3) * 3 * one


def test_line_depth_is_the_worst_layer_not_the_worst_corner():
    """A slot holds ceil(C/lanes)*W entries of the layer needing most, not max C x max W."""
    s = dataclasses.replace(spec("dwconv", po=8), max_in_w=64, max_in_c=232,
                            line_shapes=((64, 32), (32, 58), (8, 232)))
    assert buffers.line_depth(s) == max(64 * 4, 32 * 8, 8 * 29) == 256


def regs_of(name):
    layer = NET.by_name[name]
    return layer_regs(layer, NET, ENGINE, 0, 0)


def test_compute_cycles_follow_hao_eq_13_10():
    r = regs_of("pw1")  # 8x8x8 -> 8x8x16
    for pi, po in ((1, 1), (2, 4), (8, 8), (16, 16)):
        s = spec("pwconv", pi=pi, po=po)
        assert KERNELS["pwconv"].compute_cycles(s, r) == 8 * 8 * math.ceil(8 / pi) * math.ceil(16 / po)
    r = regs_of("dw1")  # 8x8x16 depthwise
    for po in (1, 4, 32):
        assert KERNELS["dwconv"].compute_cycles(spec("dwconv", po=po), r) == 8 * 8 * math.ceil(16 / po)
    r = regs_of("df1")
    # the RTL reads the whole 3x3 window per cycle (3 rows x 3 read ports)
    assert KERNELS["deform"].compute_cycles(spec("deform", po=4), r) == 8 * 8 * 4


def test_pass_is_max_of_compute_and_stream_plus_weights():
    r = regs_of("pw1")
    s = spec("pwconv", pi=1, po=1)
    pc = pass_cycles(s, r, FREE, CAL)
    assert pc.compute == 8 * 8 * 8 * 16 and pc.bound == "compute"
    # total = the calibration's fit applied to max(compute, stream) + weights + fill
    assert pc.total == round(CAL.adjust("cycles", "pwconv", max(pc.compute, pc.stream) + pc.weights + pc.fill))
    slow = pass_cycles(spec("pwconv", pi=16, po=16), r, Bus(8, 8, 0.01), CAL)
    assert slow.bound == "memory" and slow.stream > slow.compute
    hidden = pass_cycles(s, r, FREE, CAL, overlap_weights=True)
    assert hidden.total == round(CAL.adjust("cycles", "pwconv", max(pc.compute, pc.stream, pc.weights) + hidden.fill))
    assert hidden.total <= pc.total


def test_weight_words_match_the_weight_image():
    from generator.hw.schedule import build_schedule

    sched, image = build_schedule(NET, ENGINE)
    engine_steps = [s for s in sched.steps if s.where == "engine"]
    words = sum(KERNELS[s.kernel].weight_words(s.regs, ENGINE.w_bits) for s in engine_steps)
    assert words == image.size


def _runs_by_walking(rows, row_len, group, wl):
    """The weight loader element by element: a new cycle at every (row, group, word) change."""
    runs, prev = 0, None
    for e in range(rows * row_len):
        r, c = divmod(e, row_len)
        key = (r, c // group, e // wl)
        runs, prev = runs + (key != prev), key
    return runs


@pytest.mark.parametrize("seed", range(4))
def test_write_runs_count_the_loaders_cycles(seed):
    import random

    rng = random.Random(seed)
    for _ in range(200):
        case = (rng.randint(1, 30), rng.randint(1, 60), rng.choice([1, 2, 3, 4, 8, 9, 16, 36, 72]), rng.choice([4, 8, 16]))
        assert common.write_runs(*case) == _runs_by_walking(*case), case


def test_weight_load_moves_runs_not_elements():
    """64x64 pwconv: 4-bit weights with PI = 8 load 8 a cycle (two runs a word), 8-bit a word a
    cycle; PI = 4 caps a run at 4; dwconv 3x3 with k = k_max writes whole words (split where a
    channel group ends mid-word), k < k_max one filter row a cycle."""
    r = dict(kernel=1, in_c=64, out_c=64)
    pw = spec("pwconv", pi=8, po=8)
    assert KERNELS["pwconv"].load_cycles(pw, r, 4) == 4096 // 8 + 128
    assert KERNELS["pwconv"].load_cycles(pw, r, 8) == 4096 // 8 + 128
    assert KERNELS["pwconv"].load_cycles(spec("pwconv", pi=4, po=8), r, 4) == 4096 // 4 + 128
    dw = dataclasses.replace(spec("dwconv", po=8), k_max=3)
    # 18 words, and the channel groups of 8*9 = 72 lanes end mid-word at 72 and 216
    assert KERNELS["dwconv"].load_cycles(dw, dict(kernel=3, in_c=32), 4) == 32 * 9 // 16 + 2 + 64
    assert KERNELS["dwconv"].load_cycles(dw, dict(kernel=1, in_c=32), 4) == 32 + 64


def test_stream_beats_match_layout():
    from generator.hw.layout import beats_per_pixel

    r = regs_of("add1")
    one = 8 * 8 * beats_per_pixel(16, 8)
    assert KERNELS["add"].stream_beats(r, 8) == (2 * one, one)
