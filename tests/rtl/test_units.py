"""Quant unit and MAC array (packed and unpacked) on random vectors, and the packed MAC's DSPs."""

from __future__ import annotations

import shutil

import pytest

from generator.rtl.render import render_library
from generator.rtl.synth import run_yosys
from tests.rtl.conftest import unit

pytestmark = pytest.mark.rtl


@pytest.mark.parametrize("out_w,signed", [(8, 1), (16, 0)])
def test_quant(tmp_path, out_w, signed):
    unit(tmp_path, "icarus", "ag_quant", "sim.tb.test_quant", {"ACC_W": 32, "OUT_W": out_w},
         ["+seed=3", "+n=300", f"+signed={signed}"])


@pytest.mark.parametrize("qa_w,qm_w,out_w,signed", [(20, 15, 8, 1), (15, 15, 8, 0), (12, 4, 16, 1), (27, 17, 8, 0),
                                                     (2, 1, 8, 1)])
def test_quant_narrow(tmp_path, qa_w, qm_w, out_w, signed):
    """ag_quant at the widths an engine sizes it to (generator/hw/quant.py), operands at their
    extremes (max |acc + bias|, max mult), shifts 0, 1, around the product width and 62, outputs
    clamped at lo and hi: bit-exact against generator.golden.requantize."""
    unit(tmp_path, "icarus", "ag_quant", "sim.tb.test_quant",
         {"ACC_W": 32, "OUT_W": out_w, "QA_W": qa_w, "QM_W": qm_w}, ["+seed=7", "+n=400", f"+signed={signed}"])


MAC_FAST = [dict(PI=4, PO=4, WB=4, MWB=4, PACK=1, PD=4, a_bits=8, a_signed=0)]
MAC_SLOW = [
    dict(PI=8, PO=8, WB=8, MWB=8, PACK=1, PD=4, a_bits=8, a_signed=0),
    dict(PI=8, PO=8, WB=8, MWB=8, PACK=1, PD=2, a_bits=8, a_signed=1),
    dict(PI=8, PO=4, WB=4, MWB=4, PACK=0, PD=1, a_bits=8, a_signed=1),
    dict(PI=16, PO=2, WB=8, MWB=4, PACK=1, PD=16, a_bits=8, a_signed=0),
]


def _mac(tmp_path, simulator, cfg):
    p = {k: v for k, v in cfg.items() if k.isupper()}
    p.update(AB=cfg["a_bits"] + 1, ACC_W=32)
    unit(tmp_path, simulator, "ag_mac_array", "sim.tb.test_mac", p,
         [f"+a_bits={cfg['a_bits']}", f"+a_signed={cfg['a_signed']}", "+seed=5"])


@pytest.mark.parametrize("cfg", MAC_FAST)
def test_mac(tmp_path, cfg):
    _mac(tmp_path, "icarus", cfg)


@pytest.mark.slow
@pytest.mark.parametrize("simulator", ["icarus", "verilator"])
@pytest.mark.parametrize("cfg", MAC_FAST + MAC_SLOW)
def test_mac_matrix(tmp_path, simulator, cfg):
    _mac(tmp_path, simulator, cfg)


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_packed_mac_halves_dsps(tmp_path):
    """At equal PI x PO, the packed array maps to half the DSP48E2 of the unpacked one."""
    srcs = render_library(tmp_path / "lib")
    base = dict(PI=4, PO=4, AB=9, WB=4, MWB=4, ACC_W=32, PD=4)
    unpacked = run_yosys(srcs, "ag_mac_array", {**base, "PACK": 0}, tmp_path / "u")
    packed = run_yosys(srcs, "ag_mac_array", {**base, "PACK": 1}, tmp_path / "p")
    assert unpacked.dsp == 16, unpacked
    assert packed.dsp == unpacked.dsp // 2, (packed, unpacked)


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_ram_style_is_honoured(tmp_path):
    """ag_ram's STYLE (the model's memory.ram_style, rendered by generator/rtl/context.py) decides
    the storage, whatever yosys would pick: a 256 x 32 memory in LUTRAM or in a block RAM, a
    16 x 8 one in a block RAM when told."""
    srcs = render_library(tmp_path / "lib")
    dist = run_yosys(srcs, "ag_ram", {"W": 32, "DEPTH": 256, "AW": 8, "STYLE": 1}, tmp_path / "d")
    block = run_yosys(srcs, "ag_ram", {"W": 32, "DEPTH": 256, "AW": 8, "STYLE": 2}, tmp_path / "b")
    small = run_yosys(srcs, "ag_ram", {"W": 8, "DEPTH": 16, "AW": 4, "STYLE": 2}, tmp_path / "s")
    assert dist.bram18 == 0 and dist.lut > 0, dist
    assert block.bram18 == 1 and block.lut < 8, block
    assert small.bram18 == 1, small


def test_context_styles_follow_the_model():
    """The STYLE parameters the RTL gets are the model's storage choice for the same depths."""
    from generator.cost import load_calibration
    from generator.cost.memory import RAM_STYLES, ram_style
    from generator.hw.engine import build_engine
    from generator.hw.kernels import buffers
    from generator.rtl.context import kernel_rtl
    from generator.zoo import ZOO

    cal = load_calibration()
    engine = build_engine(ZOO["tiny"](0), "ultra96", 200.0)
    for spec in engine.kernels:
        if spec.kind not in buffers.LINE_KINDS:
            continue
        p = kernel_rtl(spec, engine).params
        assert p["WSTYLE"] == RAM_STYLES[ram_style(buffers.weight_depth(spec), cal)]
        assert p["LBSTYLE"] == RAM_STYLES[ram_style(buffers.line_depth(spec), cal)]
        assert p["NR"] == buffers.line_slots(spec)
