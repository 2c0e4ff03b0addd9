"""ARM steps: the layers the engine does not run (generator.hw.engine.kernel_kind is None).

The host runtime executes them on the Cortex-A53 between passes. Cost = a fixed per-step time
plus a per-element time for every element read and written (`arm_step_us`,
`arm_ns_per_element` in calibration.json; uncalibrated until measured on the board).
With an engine that folds data movement (generator/hw/fold.py, the default) only what the views
cannot express reaches the ARM: maxpool, concats of more than two tensors, other shuffles.
"""

from __future__ import annotations

import math

from generator.cost import Calibration
from generator.ir.network import Network
from generator.ops import Layer


def elements_moved(layer: Layer, net: Network) -> int:
    ins = sum(math.prod(t.shape) for t in net.in_types(layer))
    return ins + math.prod(net.types[layer.name].shape)


def step_seconds(layer: Layer, net: Network, cal: Calibration) -> float:
    return cal.arm_step_us * 1e-6 + elements_moved(layer, net) * cal.arm_ns_per_element * 1e-9
