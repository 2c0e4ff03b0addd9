"""Per-kernel estimates: one module per engine kernel kind, each beside its own knobs.

Every module exposes the same pure functions (the planner loops over them and never names a
kind):

- `knobs(spec) -> list[KernelSpec]`: the (PI, PO, packing) choices the planner may pick, as
  specs derived from the engine-sized `spec`;
- `resources(spec, cal) -> Resources`: DSP, LUT, FF, BRAM18 of the kernel;
- `compute_cycles(spec, regs) -> int`: cycles the MAC array needs for one pass;
- `fill_cycles(spec, regs, act_bits) -> int`: line-buffer fill before the first output;
- `stream_beats(regs, act_bits) -> (in_beats, out_beats)`: 64-bit beats the pass streams;
- `weight_words(regs, w_bits) -> int`: 64-bit words of weights and requant parameters loaded.

`regs` are the pass's register values (generator.hw.schedule.layer_regs), so the same
functions price a network layer and a pass recorded by the RTL simulator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

from generator.cost import Calibration, Resources
from generator.hw.engine import KernelSpec
from generator.hw.kernels import add, conv, deform, dwconv, move, pwconv

KERNELS: dict[str, ModuleType] = {m.KIND: m for m in (pwconv, conv, dwconv, deform, add, move)}

WORD_BYTES = 8


@dataclass(frozen=True)
class Bus:
    """The engine's memory side for one pass: containers and achievable bytes per cycle.

    `bytes_per_cycle` is the DDR bandwidth shared by every stream and the weight load (None:
    no shared limit, each 64-bit stream runs at one beat per cycle, as in RTL simulation).
    """

    act_bits: int
    w_bits: int
    bytes_per_cycle: float | None


@dataclass(frozen=True)
class PassCycles:
    """Cycles of one engine pass and where they go."""

    compute: int  # MAC array busy
    stream: int  # activations in and out (beats, bounded by DDR bandwidth)
    weights: int  # weight and requant parameter load
    fill: int  # line-buffer fill, pipeline depth and pass start/drain
    total: int  # as the engine runs it (after calibration fit)

    @property
    def bound(self) -> str:
        """What limits the pass: 'compute', 'memory' or 'weights'."""
        top = max(self.compute, self.stream)
        if self.weights > top:
            return "weights"
        return "compute" if self.compute >= self.stream else "memory"


def _ddr_cycles(n_bytes: int, bus: Bus) -> int:
    return 0 if bus.bytes_per_cycle is None else math.ceil(n_bytes / bus.bytes_per_cycle)


def pass_cycles(spec: KernelSpec, regs: dict[str, int], bus: Bus, cal: Calibration,
                overlap_weights: bool = False) -> PassCycles:
    """Cycles of one pass of `spec` over the layer `regs` describe.

    As the engine runs: weights load first, then activations stream in and out while the array
    computes: total = max(compute, stream) + weights + fill. With `overlap_weights` (a lever the
    engine does not implement) the weight load shares the DDR with the streams instead.
    """
    mod = KERNELS[spec.kind]
    compute = mod.compute_cycles(spec, regs)
    beats_in, beats_out = mod.stream_beats(regs, bus.act_bits)
    words = mod.weight_words(regs, bus.w_bits)
    stream = max(beats_in, beats_out, _ddr_cycles((beats_in + beats_out) * WORD_BYTES, bus))
    weights = max(words, _ddr_cycles(words * WORD_BYTES, bus))
    fill = mod.fill_cycles(spec, regs, bus.act_bits) + cal.fill_cycles[spec.kind] + cal.pass_overhead_cycles
    if overlap_weights:
        shared = _ddr_cycles((beats_in + beats_out + words) * WORD_BYTES, bus)
        raw = max(compute, stream, shared, words) + fill
    else:
        raw = max(compute, stream) + weights + fill
    total = max(1, round(cal.adjust("cycles", spec.kind, raw)))
    return PassCycles(compute, stream, weights, fill, total)


def kernel_resources(spec: KernelSpec, cal: Calibration) -> Resources:
    """Resources of one kernel with the calibration fit applied to LUT and FF."""
    raw = KERNELS[spec.kind].resources(spec, cal)
    return Resources(
        dsp=raw.dsp,
        lut=max(0, round(cal.adjust("lut", spec.kind, raw.lut))),
        ff=max(0, round(cal.adjust("ff", spec.kind, raw.ff))),
        bram18=raw.bram18,
    )


def shell_resources(cal: Calibration) -> Resources:
    """DMA engines, AXI interconnect and register file: present once per engine."""
    s = cal.shell
    return Resources(dsp=s["dsp"], lut=s["lut"], ff=s["ff"], bram18=s["bram18"])


__all__ = ["KERNELS", "Bus", "PassCycles", "kernel_resources", "pass_cycles", "shell_resources"]
