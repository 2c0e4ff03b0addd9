"""`accelgen rtlsim` and `accelgen synth` end to end."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from generator.cli import main
from generator.fileio import read_npz, write_npz
from generator.ir.io import save_network
from generator.reference import random_inputs, run_golden
from sim.tb.kernels import conv_net
from tests.rtl.conftest import need

pytestmark = pytest.mark.rtl


@pytest.fixture
def small_net(tmp_path):
    net = conv_net(dict(h=3, w=4, c=12, k_out=10, pi=8, po=8, w_bits=4), 2)
    path = save_network(net, tmp_path / "net" / "small.json")
    x = random_inputs(net, 3)
    write_npz(tmp_path / "in.npz", x)
    return net, path, x


def test_rtlsim_cli(tmp_path, small_net, capsys):
    need("icarus")
    net, path, x = small_net
    proj = tmp_path / "proj"
    rc = main(["rtlsim", str(proj), "--net", str(path), "--inputs", str(tmp_path / "in.npz"),
               "--outputs", str(tmp_path / "out.npz"), "--simulator", "icarus"])
    assert rc == 0
    got = read_npz(tmp_path / "out.npz")
    assert np.array_equal(got["y"], run_golden(net, x)["y"])
    rep = json.loads((proj / "rtlsim.json").read_text())
    assert rep["format"] == "accelgen-rtlsim/1" and rep["bit_exact"] and rep["mode"] == "list"
    (p,) = rep["passes"]
    assert p["layer"] == "y" and p["ideal_cycles"] == 3 * 4 * 2 * 2 and p["cycles"] > p["ideal_cycles"]
    (lst,) = rep["lists"]
    assert lst["passes"] == 1 and lst["pass_cycles"] == [p["cycles"]] and rep["total_cycles"] == lst["cycles"]
    assert p["fetch_to_read"] > p["fetch_latency"] > 0 and p["write_drain"] > 0
    # --per-pass: one start per pass, streams; cycles from ap_start to ap_done
    assert main(["rtlsim", str(proj), "--net", str(path), "--inputs", str(tmp_path / "in.npz"),
                 "--simulator", "icarus", "--per-pass"]) == 0
    rep1 = json.loads((proj / "rtlsim.json").read_text())
    (p1,) = rep1["passes"]
    assert rep1["mode"] == "pass" and rep1["bit_exact"] and rep1["total_cycles"] == p1["cycles"] > p1["ideal_cycles"]
    assert "lists" not in rep1 and p1["cycles"] < p["cycles"]


def test_rtlsim_cli_mismatch_names_layer(tmp_path, small_net, capsys):
    """A broken RTL (no rounding in the quant unit) given with --rtl-dir: exit 2, layer and index named."""
    need("icarus")
    net, path, x = small_net
    proj = tmp_path / "proj"
    assert main(["rtlsim", str(proj), "--net", str(path), "--inputs", str(tmp_path / "in.npz"),
                 "--simulator", "icarus"]) == 0
    broken = tmp_path / "broken"
    shutil.copytree(proj / "rtl", broken)
    q = broken / "ag_quant.v"
    q.write_text(q.read_text().replace("s3_p <= s2_p + rnd;", "s3_p <= s2_p;"))
    capsys.readouterr()
    rc = main(["rtlsim", str(proj), "--net", str(path), "--inputs", str(tmp_path / "in.npz"),
               "--simulator", "icarus", "--rtl-dir", str(broken)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "layer y:" in err and "(h, w, c) = (" in err


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_synth_cli(tmp_path, small_net):
    net, path, _ = small_net
    proj = tmp_path / "proj"
    assert main(["synth", str(proj), "--net", str(path), "--kernels-only"]) == 0
    doc = json.loads((proj / "synth.json").read_text())
    assert doc["format"] == "accelgen-synth/1"
    k = doc["kernels"]["pwconv"]
    assert k["dsp"] > 0 and k["lut"] > 0 and k["ff"] > 0


@pytest.mark.parametrize("simulator", ["icarus", pytest.param("verilator", marks=pytest.mark.slow)])
def test_rtlsim_cli_folded_network(tmp_path, simulator):
    """A whole folded network (ShuffleNetV2 units: slices, concat, shuffle, upsample, move passes)
    bit-exact through `accelgen rtlsim`, on the same folded schedule as the HLS project."""
    need(simulator)
    from generator.hw.engine import build_engine
    from generator.hw.schedule import build_schedule
    from sim.tb.kernels import units_net

    net = units_net(1)
    path = save_network(net, tmp_path / "net" / "units.json")
    x = random_inputs(net, 4)
    write_npz(tmp_path / "in.npz", x)
    proj = tmp_path / "proj"
    rc = main(["rtlsim", str(proj), "--net", str(path), "--inputs", str(tmp_path / "in.npz"),
               "--outputs", str(tmp_path / "out.npz"), "--simulator", simulator])
    assert rc == 0
    got, want = read_npz(tmp_path / "out.npz"), run_golden(net, x)
    for name in net.outputs:
        assert np.array_equal(got[name], want[name]), name
    rep = json.loads((proj / "rtlsim.json").read_text())
    assert rep["bit_exact"]
    sched, _ = build_schedule(net, build_engine(net, "ultra96", 200.0))
    assert [p["layer"] for p in rep["passes"]] == [s.layer for s in sched.steps if s.where == "engine"]
    assert all(s.where == "engine" for s in sched.steps)  # nothing left on the ARM
    kinds = [p["kernel"] for p in rep["passes"]]
    assert kinds.count("move") == 2
    assert {p["regs"]["src_map"] for p in rep["passes"]} == {0, 1, 2}  # direct, concat, shuffle2
    assert max(p["regs"]["up"] for p in rep["passes"]) == 2


PORT = re.compile(r"^\s*(input|output)\s+(?:wire|reg)?\s*(\[[^\]]+\])?\s*(\w+)\s*,?\s*$", re.M)


def vitis_style(rtl: Path, out: Path, reset_high: bool, irq: bool) -> None:
    """Our accel_top behind the port list Vitis HLS exports: a 2-bit (AXI3) ARLOCK, the optional
    ARUSER/RUSER and write-channel ports (AWLOCK[1:0], WID, AWUSER, ...), a .dat memory image read
    with $readmemh, and optionally an active-high `ap_rst` and no `interrupt` port."""
    shutil.copytree(rtl, out)
    top = out / "accel_top.v"
    src = top.read_text()
    ports = PORT.findall(src[: src.index(");")])
    top.write_text(src.replace("module accel_top (", "module accel_top_core (", 1))
    decl, conn = [], []
    for d, w, name in ports:
        if name == "m_axi_gmem_ARLOCK":
            decl.append("output wire [1:0] m_axi_gmem_ARLOCK")
            conn.append(".m_axi_gmem_ARLOCK(lock_lo)")
        elif name == "ap_rst_n" and reset_high:
            decl.append("input wire ap_rst")
            conn.append(".ap_rst_n(!ap_rst)")
        elif name == "interrupt" and not irq:
            conn.append(".interrupt()")
        else:
            decl.append(f"{d} wire {w} {name}")
            conn.append(f".{name}({name})")
    decl += ["output wire [0:0] m_axi_gmem_ARUSER", "input wire [0:0] m_axi_gmem_RUSER",
             "output wire [1:0] m_axi_gmem_AWLOCK", "output wire [0:0] m_axi_gmem_AWID",
             "output wire [3:0] m_axi_gmem_AWCACHE", "output wire [2:0] m_axi_gmem_AWPROT",
             "output wire [3:0] m_axi_gmem_AWQOS", "output wire [3:0] m_axi_gmem_AWREGION",
             "output wire [0:0] m_axi_gmem_AWUSER", "output wire [0:0] m_axi_gmem_WID",
             "output wire [0:0] m_axi_gmem_WUSER", "input wire [0:0] m_axi_gmem_BID",
             "input wire [0:0] m_axi_gmem_BUSER"]
    ties = "\n".join(f"    assign m_axi_gmem_{n} = 0;" for n in
                     ("ARUSER", "AWLOCK", "AWID", "AWCACHE", "AWPROT", "AWQOS", "AWREGION", "AWUSER", "WID", "WUSER"))
    (out / "accel_top_rom.dat").write_text("a5\n3c\n")
    (out / "accel_top_vitis.v").write_text(
        "module accel_top (\n    " + ",\n    ".join(decl) + "\n);\n"
        "    wire lock_lo;\n    assign m_axi_gmem_ARLOCK = {1'b0, lock_lo};\n" + ties + "\n"
        "    reg [7:0] rom [0:1];\n    initial $readmemh(\"./accel_top_rom.dat\", rom);\n"
        "    always @(posedge ap_clk) if (rom[0] !== 8'ha5) begin $display(\"rom image not loaded\"); $finish; end\n"
        "    accel_top_core u (" + ", ".join(conn) + ");\nendmodule\n")


@pytest.mark.parametrize("reset_high,irq", [(False, True), (True, False)], ids=["vitis", "ap_rst_no_irq"])
def test_rtlsim_vitis_style_rtl_dir(tmp_path, small_net, reset_high, irq):
    """`--rtl-dir` tolerates the port naming and widths of RTL exported by Vitis HLS."""
    need("icarus")
    net, path, x = small_net
    proj = tmp_path / "proj"
    args = ["rtlsim", str(proj), "--net", str(path), "--inputs", str(tmp_path / "in.npz"), "--simulator", "icarus"]
    assert main(args) == 0
    vitis = tmp_path / "vitis"
    vitis_style(proj / "rtl", vitis, reset_high, irq)
    assert main([*args, "--rtl-dir", str(vitis), "--outputs", str(tmp_path / "out.npz")]) == 0
    assert np.array_equal(read_npz(tmp_path / "out.npz")["y"], run_golden(net, x)["y"])
