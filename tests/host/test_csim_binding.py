"""The sim device's ctypes binding of the C-sim ABI, against a small C stand-in library."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from host_nets import make_project

from generator.ir.builder import NetworkBuilder
from generator.reference import random_inputs, run_golden
from host import Accelerator, SimDevice
from host.errors import DeviceError, SignatureError

STUB = Path(__file__).with_name("csim_stub.c")


def _add_net():
    b = NetworkBuilder("only_add", 3)
    x = b.input("x", (4, 5, 12), bits=8, signed=True)
    y = b.input("y", (4, 5, 12), bits=8, signed=False)
    z = b.layer("add", "z", [x, y], mult=[3 << 10, 5 << 9], shift=11, out_bits=8, out_signed=True)
    return b.build(outputs=[z])


def _build(tmp_path: Path, signature: int) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the C-sim stand-in")
    lib = tmp_path / "csim" / "libaccel.so"
    lib.parent.mkdir(parents=True)
    subprocess.run([cc, "-O1", "-shared", "-fPIC", f"-DSIGNATURE={signature}u", str(STUB), "-o", str(lib)], check=True)
    return lib


def test_csim_binding_runs_passes_and_checks_signature(tmp_path):
    net = _add_net()
    d = make_project(tmp_path / "proj", net)
    sig = json.loads((d / "host/schedule.json").read_text())["signature"]
    _build(d, sig)  # found as DIR/**/libaccel.so
    acc = Accelerator(d, "sim", command_list=False)  # the stub has no command-list entry
    assert "C-sim" in acc.device.name
    x = random_inputs(net, 1)
    np.testing.assert_array_equal(acc.run(x)["z"], run_golden(net, x)["z"])
    other = _build(tmp_path / "other", sig ^ 1)
    with pytest.raises(SignatureError, match="design signature register reads"):
        Accelerator(d, SimDevice(lib=other), command_list=False)


def test_csim_error_message_is_reported(tmp_path, tiny_dir, tiny_net):
    sig = json.loads((tiny_dir / "host/schedule.json").read_text())["signature"]
    lib = _build(tmp_path, sig)
    acc = Accelerator(tiny_dir, SimDevice(lib=lib), command_list=False)
    with pytest.raises(DeviceError, match="^layer c1: C-sim rejected the pass: register mode = 2: stub runs only add$"):
        acc.run(random_inputs(tiny_net, 0))
