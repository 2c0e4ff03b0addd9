"""Every validation rule of the network format, with its one-line message checked."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from generator.errors import NetworkError
from generator.fileio import write_npz
from generator.ir.io import load_network, save_network
from generator.ir.network import Network
from generator.zoo import tiny


@pytest.fixture(scope="module")
def base() -> tuple[dict, dict[str, np.ndarray]]:
    net = tiny.build()
    doc = Network(net.name, net.inputs, net.layers, net.outputs, net.arrays, "tiny.npz").to_json()
    return doc, dict(net.arrays)


def load_with(tmp_path: Path, doc: dict, arrays: dict[str, np.ndarray]) -> Network:
    (tmp_path / "net.json").write_text(json.dumps(doc))
    if doc.get("weights"):
        write_npz(tmp_path / doc["weights"], arrays)
    return load_network(tmp_path / "net.json")


def layer(doc: dict, name: str) -> dict:
    return next(ly for ly in doc["layers"] if ly["name"] == name)


def expect(tmp_path, base, match: str, edit_doc=None, edit_arrays=None) -> str:
    doc, arrays = copy.deepcopy(base[0]), {k: v.copy() for k, v in base[1].items()}
    if edit_doc:
        edit_doc(doc)
    if edit_arrays:
        edit_arrays(arrays)
    with pytest.raises(NetworkError) as info:
        load_with(tmp_path, doc, arrays)
    msg = str(info.value)
    assert "\n" not in msg
    assert match in msg, msg
    return msg


def test_base_network_loads(tmp_path, base):
    net = load_with(tmp_path, *base)
    assert len(net.layers) == 15


def test_unknown_op(tmp_path, base):
    expect(tmp_path, base, "layer pw1: unknown op 'conv3d'", lambda d: layer(d, "pw1").update(op="conv3d"))


def test_missing_array(tmp_path, base):
    expect(tmp_path, base, "layer pw1: array 'pw1.bias' is missing from tiny.npz",
           edit_arrays=lambda a: a.pop("pw1.bias"))


def test_extra_array(tmp_path, base):
    expect(tmp_path, base, "array 'ghost.weight' in tiny.npz belongs to no layer",
           edit_arrays=lambda a: a.update({"ghost.weight": np.zeros(3, np.int64)}))


def test_wrong_array_shape(tmp_path, base):
    expect(tmp_path, base, "layer pw1: array 'pw1.weight' has shape [16, 1, 1, 7], expected [16, 1, 1, 8]",
           edit_arrays=lambda a: a.update({"pw1.weight": np.zeros((16, 1, 1, 7), np.int64)}))


def test_non_integer_array(tmp_path, base):
    expect(tmp_path, base, "layer c1: array 'c1.weight' has dtype float32, must be integer",
           edit_arrays=lambda a: a.update({"c1.weight": a["c1.weight"].astype(np.float32)}))


def test_weight_out_of_bit_range(tmp_path, base):
    def edit(a):
        w = a["pw1.weight"].copy()
        w[2, 0, 0, 5] = 8
        a["pw1.weight"] = w

    expect(tmp_path, base, "layer pw1: array 'pw1.weight' value 8 at index [2, 0, 0, 5] is outside signed 4-bit range [-8, 7]",
           edit_arrays=edit)


@pytest.mark.parametrize("suffix,value,match", [
    ("mult", -1, "outside multiplier range [0, 2147483647]"),
    ("mult", 2**31, "outside multiplier range [0, 2147483647]"),
    ("shift", 63, "outside shift range [0, 62]"),
    ("bias", 2**31, "outside int32 range"),
])
def test_requant_array_ranges(tmp_path, base, suffix, value, match):
    def edit(a):
        v = a[f"c1.{suffix}"].copy()
        v[0] = value
        a[f"c1.{suffix}"] = v

    expect(tmp_path, base, match, edit_arrays=edit)


def test_dangling_input(tmp_path, base):
    expect(tmp_path, base, "layer pw1: input 'nowhere' is not a network input or layer",
           lambda d: layer(d, "pw1").update(inputs=["nowhere"]))


def test_cycle(tmp_path, base):
    msg = expect(tmp_path, base, "form a cycle", lambda d: layer(d, "c1").update(inputs=["pw1"]))
    assert "c1 -> pw1 -> c1" in msg or "pw1 -> c1 -> pw1" in msg  # data-flow direction


def test_shape_mismatch_add(tmp_path, base):
    expect(tmp_path, base, "layer add1: inputs 'dw1' [8, 8, 16] and 'off1' [8, 8, 1] differ in shape",
           lambda d: layer(d, "add1").update(inputs=["dw1", "off1"]))


def test_shape_mismatch_concat_type(tmp_path, base):
    expect(tmp_path, base, "concat inputs must agree on bits and signed",
           lambda d: layer(d, "cat1").update(inputs=["split_a", "dw1"]))


def test_accumulator_overflow(tmp_path, base):
    """16-bit image x 16-bit weights over 27 taps: |acc| <= 27 * 65535 * 32768 + max|bias|."""
    def edit(d):
        d["inputs"][0]["bits"] = 16
        layer(d, "c1")["weight_bits"] = 16

    bias = int(np.abs(base[1]["c1.bias"]).max())
    need = (27 * 65535 * 32768 + bias).bit_length() + 1
    msg = expect(tmp_path, base, f"layer c1: accumulator needs {need} bits", edit)
    assert "27 taps x 65535 x 32768" in msg and "limit is 32" in msg


def test_accumulator_just_fits(tmp_path, base):
    """8-bit input, 16-bit weights, 27 taps: 27 * 255 * 32768 < 2**31 is accepted."""
    doc = copy.deepcopy(base[0])
    layer(doc, "c1")["weight_bits"] = 16
    load_with(tmp_path, doc, base[1])


def test_unknown_field(tmp_path, base):
    expect(tmp_path, base, "layer c1: unknown field 'dilation'", lambda d: layer(d, "c1").update(dilation=2))


def test_missing_field(tmp_path, base):
    expect(tmp_path, base, "layer c1: missing field 'kernel'", lambda d: layer(d, "c1").pop("kernel"))


def test_wrong_field_type(tmp_path, base):
    expect(tmp_path, base, "layer c1: field 'stride' must be an integer, got 1.5",
           lambda d: layer(d, "c1").update(stride=1.5))


def test_bool_is_not_int(tmp_path, base):
    expect(tmp_path, base, "field 'kernel' must be an integer, got True", lambda d: layer(d, "c1").update(kernel=True))


@pytest.mark.parametrize("bits", [0, 17])
def test_bits_limits(tmp_path, base, bits):
    expect(tmp_path, base, f"layer c1: out_bits = {bits} is outside 1..16", lambda d: layer(d, "c1").update(out_bits=bits))


def test_input_bits_limit(tmp_path, base):
    expect(tmp_path, base, "input image: bits = 17 is outside 1..16", lambda d: d["inputs"][0].update(bits=17))


def test_bad_format(tmp_path, base):
    expect(tmp_path, base, "format must be 'accelgen-network/1'", lambda d: d.update(format="onnx"))


def test_unknown_top_key(tmp_path, base):
    expect(tmp_path, base, "network: unknown key 'extra'", lambda d: d.update(extra=1))


def test_duplicate_name(tmp_path, base):
    expect(tmp_path, base, "name 'c1' is already used by layer c1", lambda d: layer(d, "pw1").update(name="c1"))


def test_bad_name(tmp_path, base):
    expect(tmp_path, base, "name 'a.b' must match", lambda d: d["inputs"][0].update(name="a.b"))


def test_wrong_arity(tmp_path, base):
    expect(tmp_path, base, "layer add1: op 'add' takes 2 inputs, got 1", lambda d: layer(d, "add1").update(inputs=["dw1"]))


def test_output_missing(tmp_path, base):
    expect(tmp_path, base, "network: output 'nope' is not a network input or layer", lambda d: d.update(outputs=["nope"]))


def test_slice_range(tmp_path, base):
    expect(tmp_path, base, "layer split_b: start = 8, stop = 17 must satisfy 0 <= start < stop <= C = 16",
           lambda d: layer(d, "split_b").update(stop=17))


def test_shuffle_groups(tmp_path, base):
    expect(tmp_path, base, "layer shuf1: channels 16 are not divisible by groups = 3",
           lambda d: layer(d, "shuf1").update(groups=3))


def test_deform_offsets_shape(tmp_path, base):
    expect(tmp_path, base, "layer df1: offsets 'dw1' has shape [8, 8, 16], needs [8, 8, 1]",
           lambda d: layer(d, "df1").update(inputs=["pw1", "dw1"]))


def test_deform_offsets_signed(tmp_path, base):
    def edit(d):
        layer(d, "off1")["out_signed"] = True

    expect(tmp_path, base, "layer df1: offsets 'off1' must be unsigned", edit)


def test_padding_limit(tmp_path, base):
    expect(tmp_path, base, "layer c1: padding = 3 must be in 0..kernel-1 = 0..2", lambda d: layer(d, "c1").update(padding=3))


def test_kernel_larger_than_input(tmp_path, base):
    expect(tmp_path, base, "layer dw2: input 4x4 is smaller than kernel 7 with padding 1",
           lambda d: layer(d, "dw2").update(kernel=7))


def test_add_mult_range(tmp_path, base):
    expect(tmp_path, base, "layer add1: mult value -3 is outside [0, 2147483647]",
           lambda d: layer(d, "add1").update(mult=[-3, 1]))


def test_weights_file_missing(tmp_path, base):
    doc = copy.deepcopy(base[0])
    (tmp_path / "net.json").write_text(json.dumps(doc))
    with pytest.raises(NetworkError, match="weights file .*tiny.npz not found"):
        load_network(tmp_path / "net.json")


def test_invalid_json(tmp_path):
    (tmp_path / "net.json").write_text("{not json")
    with pytest.raises(NetworkError, match="invalid JSON at line 1"):
        load_network(tmp_path / "net.json")


def test_pickled_npz_refused(tmp_path, base):
    doc = copy.deepcopy(base[0])
    (tmp_path / "net.json").write_text(json.dumps(doc))
    np.savez(tmp_path / "tiny.npz", obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(NetworkError, match="not a readable NPZ"):
        load_network(tmp_path / "net.json")


def test_layers_in_any_order(tmp_path, base):
    doc = copy.deepcopy(base[0])
    doc["layers"].reverse()
    net = load_with(tmp_path, doc, base[1])
    assert [ly.name for ly in net.layers][-1] == "c1"  # file order kept, dependencies resolved
    assert net.types["head"].shape == (8, 8, 4)


def test_save_refuses_invalid_network(tmp_path):
    net = tiny.build()
    bad = Network(net.name, net.inputs, net.layers, ("ghost",), net.arrays)
    with pytest.raises(NetworkError):
        save_network(bad, tmp_path / "x.json")
    assert list(tmp_path.iterdir()) == []
