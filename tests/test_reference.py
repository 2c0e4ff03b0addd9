"""Running whole networks through the golden model, and input checking."""

from __future__ import annotations

import numpy as np
import pytest

from generator import golden
from generator.errors import NetworkError
from generator.reference import random_inputs, run_golden
from generator.zoo import tiny


@pytest.fixture(scope="module")
def net():
    return tiny.build()


def test_tiny_layers_match_direct_kernel_calls(net):
    """run_golden wires each layer to the right inputs and arrays."""
    t = run_golden(net, random_inputs(net, 1))
    a = {k[len("pw1."):]: v for k, v in net.arrays.items() if k.startswith("pw1.")}
    acc = golden.conv_acc(t["c1"], a["weight"], a["bias"], 1, 0)
    np.testing.assert_array_equal(t["pw1"], golden.requantize(acc, a["mult"], a["shift"], 0, 255))
    np.testing.assert_array_equal(t["cat1"], np.concatenate([t["add1"][:, :, :8], t["pw2"]], axis=2))
    np.testing.assert_array_equal(t["up1"], t["dw2"].repeat(4, 0).repeat(4, 1))


def test_tiny_uses_its_ranges(net):
    """The builder's calibration gives outputs that are neither saturated nor collapsed."""
    t = run_golden(net, random_inputs(net, 2))
    for layer in net.layers:
        v = t[layer.name]
        assert np.unique(v).size > 4, layer.name
        assert v.dtype == np.int64


def test_deterministic_and_stateless(net):
    x1, x2 = random_inputs(net, 1), random_inputs(net, 2)
    a1, _, a1_again = run_golden(net, x1), run_golden(net, x2), run_golden(net, x1)
    for k in a1:
        np.testing.assert_array_equal(a1[k], a1_again[k])


@pytest.mark.parametrize("edit,match", [
    (lambda x: {}, "input image: missing from the inputs file"),
    (lambda x: {"image": x["image"][:, :, :2]}, r"input image: shape \[16, 16, 2\], expected \[16, 16, 3\]"),
    (lambda x: {"image": x["image"].astype(np.float32)}, "input image: dtype float32, must be integer"),
    (lambda x: {"image": x["image"] + 256}, "outside unsigned 8-bit range"),
])
def test_input_errors(net, edit, match):
    with pytest.raises(NetworkError, match=match):
        run_golden(net, edit(random_inputs(net)))


def test_batch_of_one_accepted(net):
    x = random_inputs(net)
    a = run_golden(net, {"image": x["image"][None]})
    np.testing.assert_array_equal(a["head"], run_golden(net, x)["head"])
