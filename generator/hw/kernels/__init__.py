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

Optional: `load_cycles(spec, regs, w_bits)` (cycles the weight loader takes, when not one word per
cycle: the RTL writes a run of up to 64/w_bits elements per cycle, `common.write_runs`),
`in_port_beats(regs, act_bits)` (beats per input port when a kernel reads in0 and in1 at once),
`prefetch_beats(spec, regs, act_bits)` (input beats the kernel can take in before it computes).

`regs` are the pass's register values (generator.hw.schedule.layer_regs), so the same
functions price a network layer and a pass recorded by the RTL simulator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

from generator.cost import Calibration, Resources
from generator.hw.engine import EngineConfig, KernelSpec
from generator.hw.kernels import add, conv, deform, dwconv, move, pwconv, top

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
    fill: int  # the rest: line-buffer fill not hidden by the weight load, pipeline drain
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
    """Cycles of one pass of `spec` over the layer `regs` describe, as the engine runs it
    (rtl_templates/accel_top.v.j2, docs/rtl.md "Cycles and their overheads"):

    - load: the weights, one write run per cycle (`load_cycles`: the elements of a 64-bit word
      bound for one weight-memory address; 64-bit words where a kernel does not say), and two
      requant words per output channel, after `pass_overhead_cycles` (pass FSM
      and the weight loader's first-word latencies); the DDR may bound it;
    - meanwhile the kernel fills its line buffer: it starts at the later of the load and the
      `fill_cycles` beats its first window needs, and the input that arrived by then (up to what
      the line buffer and input FIFO hold, `prefetch_beats`) is no longer on the critical path;
    - then the array computes while the streams run, the busiest input port, the output and
      their shared DDR bandwidth bounding it; if the line buffer was full before `start` and
      input remains, the input port first waits for the first output row to free a row slot;
      `cal.fill_cycles[kind]` is the pipeline drain.

    With `overlap_weights` (a lever the engine does not implement) the weight load shares the DDR
    with the streams instead of preceding them.
    """
    mod = KERNELS[spec.kind]
    compute = mod.compute_cycles(spec, regs)
    beats_in, beats_out = mod.stream_beats(regs, bus.act_bits)
    ports = getattr(mod, "in_port_beats", None)
    port_in = max(ports(regs, bus.act_bits)) if ports else beats_in
    words = mod.weight_words(regs, bus.w_bits)
    load = mod.load_cycles(spec, regs, bus.w_bits) if hasattr(mod, "load_cycles") else words
    weights = max(load, _ddr_cycles(words * WORD_BYTES, bus)) + (cal.pass_overhead_cycles if words else 0)
    fill = mod.fill_cycles(spec, regs, bus.act_bits)
    start = max(weights, fill)
    room = mod.prefetch_beats(spec, regs, bus.act_bits) if hasattr(mod, "prefetch_beats") else 0
    prefetch = min(start, room)
    # a line buffer that filled before `start` takes input again only once the first output row
    # has freed its oldest row slot: the input stream waits that row's compute
    row_wait = math.ceil(compute / regs["out_h"]) if room and start >= room and port_in > room else 0
    ddr = _ddr_cycles((beats_in + beats_out) * WORD_BYTES, bus)
    stream = max(port_in - prefetch + row_wait, beats_out, ddr)
    drain = cal.fill_cycles[spec.kind]
    if overlap_weights:
        shared = _ddr_cycles((beats_in + beats_out + words) * WORD_BYTES, bus)
        busy = max(compute, stream, shared, weights)
        raw = busy + fill + drain
    else:
        busy = max(compute, stream) + weights
        raw = start + max(compute, stream) + drain
    total = max(1, round(cal.adjust("cycles", spec.kind, raw)))
    return PassCycles(compute, stream, weights, raw - busy, total)


def kernel_resources(spec: KernelSpec, cal: Calibration) -> Resources:
    """Resources of one kernel with the calibration fit applied to LUT and FF."""
    raw = KERNELS[spec.kind].resources(spec, cal)
    return Resources(
        dsp=raw.dsp,
        lut=max(0, round(cal.adjust("lut", spec.kind, raw.lut))),
        ff=max(0, round(cal.adjust("ff", spec.kind, raw.ff))),
        bram18=raw.bram18,
    )


def top_resources(engine: EngineConfig, cal: Calibration) -> Resources:
    """The engine top's glue (register file, input FIFOs, output mux, weight loader, pass FSM,
    command-list machinery, weight-count DSPs), fitted like a kernel kind ("top"); what yosys
    measures as accel_top minus its kernels."""
    raw = top.resources([k.kind for k in engine.kernels], cal)
    return Resources(dsp=raw.dsp, lut=max(0, round(cal.adjust("lut", top.KIND, raw.lut))),
                     ff=max(0, round(cal.adjust("ff", top.KIND, raw.ff))), bram18=raw.bram18)


def engine_resources(engine: EngineConfig, cal: Calibration) -> Resources:
    """The engine as synthesized (accel_top): its kernels and its glue, without the shell."""
    return Resources.total([top_resources(engine, cal)]
                           + [kernel_resources(k, cal) for k in engine.kernels])


def shell_resources(cal: Calibration) -> Resources:
    """DMA engines and AXI interconnect around the engine: present once per engine. Uncalibrated:
    no measurement covers them (docs/model.md says where the numbers come from)."""
    s = cal.shell
    return Resources(dsp=s["dsp"], lut=s["lut"], ff=s["ff"], bram18=s["bram18"])


__all__ = ["KERNELS", "Bus", "PassCycles", "engine_resources", "kernel_resources", "pass_cycles", "shell_resources",
           "top_resources"]
