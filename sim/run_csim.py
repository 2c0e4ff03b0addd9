"""Run a network's schedule through the C-sim: engine passes in the compiled HLS top, ARM steps
in numpy as the host runs them; every layer compared with the golden model.

Two modes, as the host drives a board: "list" (default for projects: each run of consecutive
passes is one command list the engine fetches and runs over its activation memory) and "pass"
(one top call per pass, streams in and out, as with DMAs).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.errors import MismatchError
from generator.hw.commands import command_lists
from generator.hw.engine import EngineConfig
from generator.hw.layout import beats_per_pixel, pack_tensor, unpack_tensor
from generator.hw.regmap import LAYER_REGS
from generator.hw.schedule import Schedule, TensorInfo, build_schedule
from generator.hw.schedule import Step as SchedStep
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


def schedule_from_json(d: dict) -> Schedule:
    """The Schedule dataclass back from its JSON form (host/schedule.json)."""
    tensors = {k: TensorInfo(v["name"], tuple(v["shape"]), v["bits"], v["signed"]) for k, v in d["tensors"].items()}
    steps = tuple(SchedStep(s["layer"], s["where"], s["op"], tuple(s["inputs"]), s["output"], s.get("kernel"),
                            dict(s.get("regs", {})), dict(s.get("fields", {}))) for s in d["steps"])
    return Schedule(d["network"], d["signature"], d["act_bits"], d["w_bits"], tuple(d["inputs"]), tuple(d["outputs"]),
                    tensors, steps, d["weight_words"], dict(d.get("act_offsets", {})), int(d.get("act_words", 0)))


def run_schedule_list(lib: CsimLibrary, net: Network, sched: Schedule, weights: np.ndarray,
                      inputs: dict[str, np.ndarray], golden_check: bool = True) -> CsimResult:
    """Each run of engine passes as one command list over one activation memory; ARM steps in numpy
    between lists. After a list, every tensor it wrote is read back and compared with golden in
    schedule order, so a mismatch still names its layer."""
    result = CsimResult({})
    tensors = check_inputs(net, inputs)
    golden = run_golden(net, inputs) if golden_check else None
    act = np.zeros(max(sched.act_words, 1), dtype=np.uint64)
    in_act: set[str] = set()  # tensors whose current value is in the activation memory

    def put(name: str) -> None:
        beats = pack_tensor(tensors[name], sched.act_bits)
        off = sched.act_offsets[name]
        act[off:off + beats.size] = beats
        in_act.add(name)

    def get(name: str) -> np.ndarray:
        info = sched.tensors[name]
        h, w, c = info.shape
        off = sched.act_offsets[name]
        return unpack_tensor(act[off:off + h * w * beats_per_pixel(c, sched.act_bits)], info.shape, sched.act_bits,
                             info.signed)

    def check(layer: str, name: str, y: np.ndarray) -> None:
        if golden is not None and not np.array_equal(y, golden[name]):
            raise first_mismatch(layer, y, golden[name], "C-sim (command list)")

    for cl, arm in command_lists(sched):
        t = time.perf_counter()
        if cl is not None:
            for name in cl.external_inputs:
                if name not in in_act:
                    put(name)
            lib.run_list(cl.words, cl.n, act, weights)
            for st in cl.steps:
                tensors[st.output] = get(st.output)
                in_act.add(st.output)
                check(st.layer, st.output, tensors[st.output])
            result.seconds[f"list {cl.steps[0].layer}..{cl.steps[-1].layer} ({cl.n} passes)"] = time.perf_counter() - t
        else:
            assert arm is not None
            layer = net.by_name[arm.layer]
            y = layer.golden([tensors[n] for n in layer.inputs], net.layer_arrays(layer), net.types[layer.name])
            check(arm.layer, arm.output, y)
            tensors[arm.output] = y
            in_act.discard(arm.output)
            result.seconds[arm.layer] = time.perf_counter() - t
    result.tensors = tensors
    return result


def run_on_engine(lib: CsimLibrary, net: Network, engine: EngineConfig, inputs: dict[str, np.ndarray],
                  golden_check: bool = True, mode: str = "pass") -> CsimResult:
    """Run any network that fits `engine` through its compiled library (the engine is
    reconfigured by registers only, so one build serves many networks)."""
    sched, image = build_schedule(net, engine)
    if mode == "list":
        return run_schedule_list(lib, net, sched, image, inputs, golden_check)
    return run_schedule(lib, net, json.loads(json.dumps(sched.to_json())), image, inputs, golden_check)


def run_project(path: str | Path, inputs: dict[str, np.ndarray], golden_check: bool = True,
                project: Project | None = None, mode: str = "list") -> CsimResult:
    """Run a generated project's own files (host/schedule.json, host/weights.bin) through C-sim,
    as command lists (`mode="list"`, how the host runs a board) or one call per pass ("pass")."""
    proj = project or open_project(path)
    t0 = time.perf_counter()
    lib = load_library(proj.path)
    compile_s = time.perf_counter() - t0
    if mode == "list":
        result = run_schedule_list(lib, proj.network, schedule_from_json(proj.schedule), proj.weights, inputs,
                                   golden_check)
    else:
        result = run_schedule(lib, proj.network, proj.schedule, proj.weights, inputs, golden_check)
    result.compile_s = compile_s
    return result
