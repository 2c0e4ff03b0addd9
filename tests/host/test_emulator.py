"""The register-level emulator (sim device, --fast) is bit-exact with generator.golden, kernel by kernel."""

from __future__ import annotations

import json

import numpy as np
import pytest
from host_nets import make_project

from generator.hw import layout
from generator.ir.builder import NetworkBuilder
from generator.reference import random_inputs, run_golden
from host import Accelerator
from host.devices.emulator import unpack_weight_words
from host.errors import DeviceError


@pytest.mark.parametrize("w_bits", [4, 8, 16])
def test_weight_words_match_layout(rng, w_bits):
    n = 37
    vals = rng.integers(-(1 << (w_bits - 1)), (1 << (w_bits - 1)) - 1, size=n, endpoint=True)
    words = layout.pack_weights(vals, w_bits)
    np.testing.assert_array_equal(unpack_weight_words(words, w_bits, n), vals)


def _single(op: str, shape, in_bits=8, in_signed=False, **fields):
    b = NetworkBuilder(f"one_{op}", seed=int(np.random.default_rng(len(str(fields))).integers(1000)))
    x = b.input("x", shape, bits=in_bits, signed=in_signed)
    if op == "deform_dwconv":
        off = b.conv("off", x, kernel=1, stride=fields.get("stride", 1), out_channels=1, weight_bits=4,
                     out_bits=fields.pop("off_bits", 3), out_signed=False)
        y = b.layer(op, "y", [x, off], **fields)
    elif op == "add":
        z = b.conv("z", x, kernel=1, out_channels=shape[2], weight_bits=4, out_bits=in_bits, out_signed=in_signed)
        y = b.layer(op, "y", [x, z], **fields)
    else:
        y = b.layer(op, "y", [x], **fields)
    return b.build(outputs=[y])


CASES = [
    ("conv", (9, 7, 3), 8, False, dict(kernel=3, stride=2, padding=1, out_channels=8, weight_bits=8, out_bits=8, out_signed=False)),
    ("conv", (6, 6, 5), 8, True, dict(kernel=5, stride=1, padding=2, out_channels=3, weight_bits=4, out_bits=6, out_signed=True)),
    ("conv", (8, 5, 4), 8, False, dict(kernel=2, stride=2, padding=0, out_channels=4, weight_bits=8, out_bits=8, out_signed=False)),
    ("conv", (4, 4, 9), 8, False, dict(kernel=1, out_channels=17, weight_bits=4, out_bits=8, out_signed=True)),
    ("conv", (5, 3, 6), 16, True, dict(kernel=1, out_channels=5, weight_bits=8, out_bits=16, out_signed=True)),
    ("conv", (5, 5, 4), 12, False, dict(kernel=3, padding=1, out_channels=6, weight_bits=12, out_bits=12, out_signed=False)),
    ("dwconv", (7, 9, 10), 8, False, dict(kernel=3, stride=2, padding=1, weight_bits=4, out_bits=8, out_signed=True)),
    ("dwconv", (6, 6, 8), 8, True, dict(kernel=5, stride=1, padding=2, weight_bits=8, out_bits=8, out_signed=False)),
    ("dwconv", (6, 6, 3), 10, False, dict(kernel=3, stride=1, padding=0, weight_bits=16, out_bits=16, out_signed=True)),
    ("deform_dwconv", (9, 8, 8), 8, False, dict(max_offset=3, weight_bits=4, out_bits=8, out_signed=True)),
    ("deform_dwconv", (10, 7, 5), 8, True, dict(stride=2, max_offset=2, weight_bits=8, out_bits=8, out_signed=False)),
    ("deform_dwconv", (8, 8, 4), 8, False, dict(max_offset=5, off_bits=4, weight_bits=4, out_bits=8, out_signed=True)),
    ("add", (5, 6, 12), 8, False, dict(mult=[3 << 13, 5 << 12], shift=14, out_bits=8, out_signed=False)),
    ("add", (4, 4, 8), 8, True, dict(mult=[7, 9], shift=0, out_bits=8, out_signed=True)),
    ("add", (3, 3, 4), 16, True, dict(mult=[1 << 20, 3 << 19], shift=21, out_bits=16, out_signed=True)),
]


@pytest.mark.parametrize("op,shape,in_bits,in_signed,fields", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_emulator_matches_golden(tmp_path, op, shape, in_bits, in_signed, fields):
    net = _single(op, shape, in_bits, in_signed, **dict(fields))
    acc = Accelerator(make_project(tmp_path, net), "sim", fast=True)
    for seed in range(3):
        x = random_inputs(net, seed)
        lo, hi = net.inputs[0].type.lo, net.inputs[0].type.hi
        x["x"].flat[::7] = lo  # extremes exercise clamps and sign handling
        x["x"].flat[3::7] = hi
        out = acc.run(x)
        np.testing.assert_array_equal(out["y"], run_golden(net, x)["y"])


@pytest.mark.parametrize("command_list", [False, True])
def test_emulator_rejects_registers_beyond_engine_limits(tmp_path, tiny_net, command_list):
    d = make_project(tmp_path, tiny_net)
    sched = json.loads((d / "host/schedule.json").read_text())
    next(s for s in sched["steps"] if s["layer"] == "pw1")["regs"]["in_c"] = 64  # beyond pwconv's max_in_c
    (d / "host/schedule.json").write_text(json.dumps(sched))
    acc = Accelerator(d, "sim", fast=True, command_list=command_list)
    with pytest.raises(DeviceError, match="^layer pw1: engine rejected the pass: register in_c = 64 exceeds the "
                                          "pwconv kernel's max_in_c = 16"):
        acc.run(random_inputs(tiny_net, 0))
