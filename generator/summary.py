"""Network summary for `accelgen info`: per-layer shape, MACs, weight bits and parameters.

`params` counts weight and bias entries; `weight_bytes` is the weights packed at their
`weight_bits` (biases and requant parameters are per-channel and not included), the figure the
CoDeNet paper quotes as model size.
"""

from __future__ import annotations

import math
from typing import Any

from generator.ir.network import Network
from generator.ir.validate import topo_order


def summarize(net: Network) -> dict[str, Any]:
    layers = []
    totals = {"macs": 0, "params": 0, "weight_bytes": 0}
    weight_bits_total = 0
    for layer in topo_order(net):
        ins = net.in_types(layer)
        out = net.types[layer.name]
        specs = layer.array_specs(ins)
        n_weight = math.prod(specs["weight"].shape) if "weight" in specs else 0
        n_bias = math.prod(specs["bias"].shape) if "bias" in specs else 0
        wbits = layer.weight_width()
        macs = layer.macs(ins, out)
        layers.append({
            "name": layer.name,
            "op": layer.OP,
            "inputs": list(layer.inputs),
            "shape": list(out.shape),
            "bits": out.bits,
            "signed": out.signed,
            "macs": macs,
            "weight_bits": wbits,
            "params": n_weight + n_bias,
        })
        totals["macs"] += macs
        totals["params"] += n_weight + n_bias
        weight_bits_total += n_weight * (wbits or 0)
    totals["weight_bytes"] = (weight_bits_total + 7) // 8
    return {"name": net.name, "layers": layers, "totals": totals}


def human(n: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:g}"
