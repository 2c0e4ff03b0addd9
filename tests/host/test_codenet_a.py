"""`accelgen run --device sim` on the real codenet-a (the zoo's torch model, exported) at a
reduced 64x64 resolution: bit-exact vs golden through the emulator and through the C-sim."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from generator.boards import load_board
from generator.codegen.project import write_project
from generator.fileio import read_npz, write_npz
from generator.hw.engine import build_engine
from generator.reference import random_inputs, run_golden

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def codenet_a_64(tmp_path_factory):
    from generator.frontend import codenet, zoo

    saved = codenet.CONFIGS["codenet-a"]
    codenet.CONFIGS["codenet-a"] = replace(saved, input_size=64)
    try:
        net = zoo.zoo_network("codenet-a")
    finally:
        codenet.CONFIGS["codenet-a"] = saved
    out = tmp_path_factory.mktemp("codenet_a") / "proj"
    write_project(net, load_board("ultra96"), build_engine(net, "ultra96", 250), out)
    return net, out


@pytest.mark.parametrize("fast", [True, False], ids=["emulator", "csim"])
def test_run_sim_bit_exact(codenet_a_64, tmp_path, fast):
    net, proj = codenet_a_64
    assert net.inputs[0].type.shape == (64, 64, 3)
    inputs = random_inputs(net, 3)
    write_npz(tmp_path / "in.npz", inputs)
    cmd = [sys.executable, "-m", "generator", "run", str(proj), "--inputs", str(tmp_path / "in.npz"),
           "--outputs", str(tmp_path / "out.npz"), "--device", "sim"] + (["--fast"] if fast else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = read_npz(tmp_path / "out.npz")
    want = run_golden(net, inputs)
    assert set(got) == set(net.outputs)
    for name in net.outputs:
        np.testing.assert_array_equal(got[name], want[name])
