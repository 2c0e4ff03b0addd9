"""JSON + NPZ round trips of the IR."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from generator.ir.io import load_network, save_network
from generator.ir.network import Network
from generator.reference import random_inputs, run_golden
from generator.zoo import tiny


def test_save_load_roundtrip(tmp_path):
    net = tiny.build(seed=3)
    path = save_network(net, tmp_path / "tiny.json")
    back = load_network(path)
    assert back.inputs == net.inputs and back.layers == net.layers and back.outputs == net.outputs
    assert back.arrays.keys() == net.arrays.keys()
    for k in net.arrays:
        np.testing.assert_array_equal(back.arrays[k], net.arrays[k])
    assert back.types == net.types
    x = random_inputs(net, 5)
    a, b = run_golden(net, x), run_golden(back, x)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_json_document_roundtrip(tmp_path):
    path = save_network(tiny.build(), tmp_path / "t.json")
    doc = json.loads(path.read_text())
    assert doc["format"] == "accelgen-network/1" and doc["weights"] == "t.npz"
    assert Network.from_json(doc).to_json() == doc


@given(st.integers(0, 10_000))
def test_layers_roundtrip_any_seed(seed):
    net = tiny.build(seed)
    again = Network.from_json(json.loads(json.dumps(net.to_json())), net.arrays)
    assert again == net
    assert again.types == net.types
