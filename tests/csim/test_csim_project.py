"""A generated project end to end: files, tiny bit-exact through its own host files, no state
leaking between frames, the Vitis testbench, and the Makefile's message without Vitis."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from generator.boards import load_board
from generator.codegen.project import write_project
from generator.hw.engine import build_engine
from generator.reference import random_inputs, run_golden
from generator.zoo import tiny
from sim.csim import ap_types_dir, build
from sim.run_csim import run_project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    net = tiny.build()
    engine = build_engine(net, "ultra96", 250)
    return write_project(net, load_board("ultra96"), engine, tmp_path_factory.mktemp("p") / "tiny"), net


def test_project_files(project):
    path, net = project
    for rel in ("hls/accel_top.cpp", "hls/accel_params.h", "hls/run_hls.tcl", "hls/accel_tb.cpp",
                "vivado/create_bd.tcl", "vivado/build_bitstream.tcl", "host/schedule.json", "host/regmap.json",
                "host/engine.json", "host/weights.bin", "network/tiny.json", "network/tiny.npz", "Makefile",
                "report.json"):
        assert (path / rel).is_file(), rel
    report = json.loads((path / "report.json").read_text())
    sched = json.loads((path / "host" / "schedule.json").read_text())
    assert report["signature"] == f"{sched['signature']:08x}"
    # split/concat/shuffle/upsample fold into the passes' input views; only maxpool stays on the ARM
    assert report["arm_steps"] == ["pool1"]
    kinds = {ly["name"]: ly["kernel"] for ly in report["layers"]}
    assert kinds["split_a"] == kinds["shuf1"] == "move" and "cat1" not in kinds and "up1" not in kinds
    tcl = (path / "hls" / "run_hls.tcl").read_text()
    for step in ("csim_design", "csynth_design", "cosim_design", "export_design", "xczu3eg-sbva484-1-i"):
        assert step in tcl
    assert "-period 4.0" in tcl


def test_tiny_bit_exact_and_stateless(project):
    path, net = project
    a, b = random_inputs(net, 1), random_inputs(net, 2)
    ra = run_project(path, a)  # checks every layer against golden, raises on the first mismatch
    rb = run_project(path, b)
    ra2 = run_project(path, a)
    gold = run_golden(net, a)
    for name in net.outputs:
        np.testing.assert_array_equal(ra.tensors[name], gold[name])
        np.testing.assert_array_equal(ra2.tensors[name], ra.tensors[name])
        assert not np.array_equal(rb.tensors[name], ra.tensors[name])


def test_binary_is_cached_by_content(project):
    path, _ = project
    assert build(path) == build(path)


def test_vitis_testbench_passes_under_gcc(project, tmp_path):
    """The testbench Vitis runs (csim/cosim) replays golden passes; here it runs under g++."""
    path, _ = project
    exe = tmp_path / "tb"
    src = path / "hls"
    from sim.csim import SHIM_DIR

    cmd = ["g++", "-O1", "-std=c++14", "-pthread", "-Wno-unknown-pragmas", "-I", str(SHIM_DIR), "-I", str(src),
           "-isystem", str(ap_types_dir()), str(src / "accel_tb.cpp"), str(src / "accel_top.cpp"), "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True)
    r = subprocess.run([str(exe), str(src / "tb_data")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert "0 failed" in r.stdout and "passes" in r.stdout
    assert "command list 0:" in r.stdout and "ok" in r.stdout.split("command list 0:")[1].splitlines()[0]


def test_makefile_without_vendor_tools(project):
    path, _ = project
    r = subprocess.run(["make", "-C", str(path), "hls", "VITIS_HLS=vitis_hls_not_installed"],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "vitis_hls_not_installed not found on PATH" in r.stderr
    r = subprocess.run(["make", "-C", str(path), "bitstream", "VITIS_HLS=true", "VIVADO=vivado_not_installed"],
                       capture_output=True, text=True)
    assert "vivado_not_installed not found on PATH" in r.stderr


def test_cli_generate_and_csim(tmp_path):
    out = tmp_path / "proj"
    r = subprocess.run([sys.executable, "-m", "generator", "generate", "tiny", "--board", "zcu104", "--out", str(out),
                        "--par", "pwconv=4x16", "--no-pack", "dwconv"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "pwconv 4x16 packed" in r.stdout and "dwconv 1x8," in r.stdout
    r = subprocess.run([sys.executable, "-m", "generator", "csim", str(out), "--outputs", str(tmp_path / "o.npz")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "bit-exact vs golden on every layer" in r.stdout
    with np.load(tmp_path / "o.npz") as o:
        assert set(o.files) == {"head", "pool1"}


def test_cli_errors(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True)

    r = run("generate", "tiny", "--board", "pynq-z9", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "board 'pynq-z9': unknown" in r.stderr and not (tmp_path / "x").exists()
    r = run("generate", "tiny", "--board", "ultra96", "--out", str(tmp_path / "y"), "--po", "6")
    assert r.returncode == 2 and "PO = 6 must be a power of two" in r.stderr and not (tmp_path / "y").exists()
    (tmp_path / "notproj").mkdir()
    (tmp_path / "notproj" / "keep.txt").write_text("mine")
    r = run("generate", "tiny", "--board", "ultra96", "--out", str(tmp_path / "notproj"))
    assert r.returncode == 2 and "not an accelgen project" in r.stderr
    assert (tmp_path / "notproj" / "keep.txt").read_text() == "mine"
    r = run("csim", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "not a generated project" in r.stderr


def test_generate_runs_the_plan_first(tmp_path):
    out = tmp_path / "planned"
    r = subprocess.run([sys.executable, "-m", "generator", "generate", "tiny", "--board", "ultra96", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "sized by the plan" in r.stdout
    plan = json.loads((out / "plan.json").read_text())
    report = json.loads((out / "report.json").read_text())
    engine = json.loads((out / "host" / "engine.json").read_text())
    assert report["sized_by"] == "plan" and report["predicted"]["fps"] == plan["fps"]
    planned = {k["kind"]: (k["pi"], k["po"], k["pack"]) for k in plan["kernels"]}
    built = {k["kind"]: (k["pi"], k["po"], k["pack"]) for k in engine["kernels"]}
    assert built == planned
    assert (out / "report.html").read_text().count("data:image/png;base64") >= 2
