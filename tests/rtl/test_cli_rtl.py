"""`accelgen rtlsim` and `accelgen synth` end to end."""

from __future__ import annotations

import json
import shutil

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
