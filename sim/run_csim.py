"""Run a network's schedule through the C-sim: engine passes in the compiled HLS top, ARM steps
in numpy as the host runs them; every layer compared with the golden model."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.errors import MismatchError
from generator.hw.engine import EngineConfig
from generator.hw.layout import beats_per_pixel, pack_tensor, unpack_tensor
from generator.hw.regmap import LAYER_REGS
from generator.hw.schedule import build_schedule
from generator.ir.network import Network
from generator.reference import check_inputs, run_golden
from sim.csim import CsimLibrary, load_library
from sim.project import Project, open_project

log = logging.getLogger(__name__)


@dataclass
class CsimResult:
    tensors: dict[str, np.ndarray]
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per layer
    compile_s: float = 0.0


def first_mismatch(layer: str, got: np.ndarray, want: np.ndarray, backend: str) -> MismatchError:
    if got.shape != want.shape:
        return MismatchError(f"layer {layer}: {backend} output shape {list(got.shape)} != golden {list(want.shape)}")
    idx = tuple(int(i) for i in np.argwhere(got != want)[0])
    return MismatchError(
        f"layer {layer}: {backend} differs from golden at index {list(idx)}: got {int(got[idx])}, "
        f"expected {int(want[idx])} ({int(np.count_nonzero(got != want))} of {got.size} values differ)"
    )


def run_engine_pass(lib: CsimLibrary, step: dict, tensors: dict[str, np.ndarray], tinfo: dict, act_bits: int,
                    wmem: np.ndarray) -> np.ndarray:
    regs = np.array([step["regs"][n] & 0xFFFFFFFF for n in LAYER_REGS], dtype=np.uint32)
    ins = [pack_tensor(tensors[n], act_bits) for n in step["inputs"]]
    out_info = tinfo[step["output"]]
    shape = tuple(out_info["shape"])
    n_out = shape[0] * shape[1] * beats_per_pixel(shape[2], act_bits)
    beats, _ = lib.run_pass(regs, ins[0], ins[1] if len(ins) > 1 else np.zeros(0, np.uint64), n_out, wmem)
    return unpack_tensor(beats, shape, act_bits, out_info["signed"])


def run_schedule(lib: CsimLibrary, net: Network, sched: dict, weights: np.ndarray, inputs: dict[str, np.ndarray],
                 golden_check: bool = True) -> CsimResult:
    """Run a schedule (JSON form) through a loaded C-sim library; ARM steps in numpy."""
    result = CsimResult({})
    tensors = check_inputs(net, inputs)
    golden = run_golden(net, inputs) if golden_check else None
    for step in sched["steps"]:
        t = time.perf_counter()
        if step["where"] == "engine":
            y = run_engine_pass(lib, step, tensors, sched["tensors"], sched["act_bits"], weights)
        else:
            layer = net.by_name[step["layer"]]
            y = layer.golden([tensors[n] for n in layer.inputs], net.layer_arrays(layer), net.types[layer.name])
        result.seconds[step["layer"]] = time.perf_counter() - t
        if golden is not None and not np.array_equal(y, golden[step["output"]]):
            raise first_mismatch(step["layer"], y, golden[step["output"]], "C-sim")
        tensors[step["output"]] = y
    result.tensors = tensors
    return result


def run_on_engine(lib: CsimLibrary, net: Network, engine: EngineConfig, inputs: dict[str, np.ndarray],
                  golden_check: bool = True) -> CsimResult:
    """Run any network that fits `engine` through its compiled library (the engine is
    reconfigured by registers only, so one build serves many networks)."""
    sched, image = build_schedule(net, engine)
    return run_schedule(lib, net, json.loads(json.dumps(sched.to_json())), image, inputs, golden_check)


def run_project(path: str | Path, inputs: dict[str, np.ndarray], golden_check: bool = True,
                project: Project | None = None) -> CsimResult:
    """Run a generated project's own files (host/schedule.json, host/weights.bin) through C-sim."""
    proj = project or open_project(path)
    t0 = time.perf_counter()
    lib = load_library(proj.path)
    compile_s = time.perf_counter() - t0
    result = run_schedule(lib, proj.network, proj.schedule, proj.weights, inputs, golden_check)
    result.compile_s = compile_s
    return result
