"""The network-level model: per-layer time of a sized engine, and the choice table the
optimisers pick from. Kernel kinds are never named here: everything comes from the registry
in generator.hw.kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from generator.boards import Board
from generator.cost import Calibration, Resources
from generator.hw.engine import EngineConfig, KernelSpec, build_engine, kernel_kind
from generator.hw.fold import fold_plan
from generator.hw.kernels import (
    KERNELS,
    Bus,
    kernel_resources,
    pass_cycles,
    shell_resources,
    top_resources,
)
from generator.hw.kernels import arm as arm_steps
from generator.hw.layout import beats_per_pixel
from generator.hw.regmap import CMD_WORDS
from generator.hw.schedule import layer_regs, move_regs
from generator.ir.network import Network
from generator.ir.validate import topo_order

LEVERS = {
    "overlap_weights": "weights of the next pass load while this one computes (double-buffered weights)",
}

# Command lists (measured on the RTL engine, docs/model.md "Command lists"): a pass of a list costs
# the pass itself plus (1) its descriptor fetch: read latency + CMD_WORDS beats + LIST_SEQ_CYCLES
# to start the pass's DMAs; (2) its output drain: the write DMA sends a burst once all of its beats
# are in (store and forward), so the last burst (up to LIST_WRITE_BURST beats) leaves after the
# kernel's last beat, and the next fetch waits for its write response; (3) for a pass without a
# weight load (add, move), the read latency of its first input beat, which a weight load hides.
# Latencies: the Zynq MPSoC's HP-port read latency is about 40 cycles at 250 MHz; the write
# response latency is assumed the same (not measured on a board).
DDR_READ_LATENCY_CYCLES = 40
DDR_WRITE_LATENCY_CYCLES = 40
LIST_SEQ_CYCLES = 4  # last descriptor word -> the pass's first read request (ag_cmdseq)
LIST_WRITE_BURST = 16  # write DMA burst beats (Vitis HLS default max_write_burst_length; rtl DMA_WRITE_BURST)


def list_pass_cycles(out_beats: int, weights: bool, read_latency: int = DDR_READ_LATENCY_CYCLES,
                     write_latency: int = DDR_WRITE_LATENCY_CYCLES) -> int:
    """Cycles a pass costs more in a command list than started alone with its streams ready."""
    last_burst = (max(out_beats, 1) - 1) % LIST_WRITE_BURST + 1
    return (CMD_WORDS + read_latency + LIST_SEQ_CYCLES + last_burst + write_latency
            + (0 if weights else read_latency))


# a pass with weights and whole last burst on DDR
CMD_FETCH_CYCLES = list_pass_cycles(LIST_WRITE_BURST, True)


@dataclass(frozen=True)
class Options:
    """Model options. The defaults are what the engine of docs/architecture.md does; each
    lever in LEVERS models a change the engine does not implement yet.

    `command_list` is how the host runs the engine: True (the default, what host/ does) starts the
    engine once per run of consecutive passes (a command list) and pays `host_pass_us` once per
    run plus list_pass_cycles per pass; False pays `host_pass_us` per pass (one start per pass).
    """

    overlap_weights: bool = False
    command_list: bool = True

    @staticmethod
    def all_levers() -> Options:
        return Options(**dict.fromkeys(LEVERS, True))

    def enabled(self) -> list[str]:
        return [k for k in LEVERS if getattr(self, k)]


@dataclass(frozen=True)
class LayerTime:
    name: str
    op: str
    kernel: str | None  # kernel kind, None for an ARM step
    macs: int
    compute: int = 0  # engine cycles (0 for ARM steps)
    stream: int = 0
    weights: int = 0
    fill: int = 0
    engine_cycles: int = 0
    host_s: float = 0.0  # host time of this step: pass launch, or the whole ARM step
    seconds: float = 0.0
    bound: str = "arm"

    def cycles_at(self, clock_hz: float) -> int:
        """All of this layer's time in engine clock cycles (ARM / host time converted)."""
        return self.engine_cycles + round(self.host_s * clock_hz)


@dataclass(frozen=True)
class Entry:
    """One network layer as the schedule runs it: an engine pass (kernel kind and registers), a
    `move` pass materialising a view, an ARM step (kind None), or folded into a view ("view")."""

    name: str
    op: str
    kind: str | None
    regs: dict[str, int] | None
    macs: int


@dataclass(frozen=True)
class Layers:
    """The network split as generator.hw.schedule splits it (movement folded into views)."""

    entries: tuple[Entry, ...]

    @staticmethod
    def of(net: Network, engine: EngineConfig) -> Layers:
        by_name: dict[str, Entry] = {}
        for fs in fold_plan(net, engine.fold):
            layer = net.by_name.get(fs.name)
            op = layer.OP if layer is not None else "input"
            if fs.kind == "engine":
                assert layer is not None
                by_name[fs.name] = Entry(fs.name, op, kernel_kind(layer), layer_regs(layer, net, engine, 0, 0, fs.view),
                                         layer.macs(net.in_types(layer), net.types[layer.name]))
            elif fs.kind == "move":
                by_name[fs.name] = Entry(fs.name, op, "move", move_regs(fs.view, net.types[fs.name]), 0)
            else:
                by_name[fs.name] = Entry(fs.name, op, None, None, 0)
        order = [by_name.get(ly.name, Entry(ly.name, ly.OP, "view", None, 0)) for ly in topo_order(net)]
        order += [e for n, e in by_name.items() if n not in net.by_name]  # moves of network inputs
        return Layers(tuple(order))

    def of_kind(self, kind: str) -> list[dict[str, int]]:
        return [e.regs for e in self.entries if e.kind == kind and e.regs is not None]


def out_beats(regs: dict[str, int], act_bits: int) -> int:
    """64-bit words a pass writes."""
    return regs["out_h"] * regs["out_w"] * beats_per_pixel(regs["out_c"], act_bits)


def bus_for(engine: EngineConfig, board: Board, clock_hz: float, cal: Calibration) -> Bus:
    return Bus(engine.act_bits, engine.w_bits, board.ddr.bytes_per_s * cal.ddr_efficiency / clock_hz)


def budget_for(board: Board, budget: float, lut_fraction: float) -> Resources:
    r = board.resources
    return Resources(dsp=math.floor(r.dsp * budget), lut=math.floor(r.lut * budget * lut_fraction),
                     ff=math.floor(r.ff * budget), bram18=math.floor(r.bram18 * budget))


def evaluate(net: Network, layers: Layers, specs: dict[str, KernelSpec], bus: Bus, clock_hz: float,
             cal: Calibration, opts: Options) -> list[LayerTime]:
    """Per-layer time of the network on kernels `specs`. With command lists the host's launch
    cost is charged to the first pass of each run of passes (an ARM step ends a run)."""
    out = []
    list_open = False
    for e in layers.entries:
        if e.kind == "view":  # folded into the next pass's input view: no time of its own
            out.append(LayerTime(e.name, e.op, "view", 0, bound="folded"))
            continue
        if e.kind is None:
            s = arm_steps.step_seconds(net.by_name[e.name], net, cal)
            out.append(LayerTime(e.name, e.op, None, 0, host_s=s, seconds=s, bound="arm"))
            list_open = False
            continue
        assert e.regs is not None
        pc = pass_cycles(specs[e.kind], e.regs, bus, cal, opts.overlap_weights)
        total, fill = pc.total, pc.fill
        if opts.command_list:
            host = 0.0 if list_open else cal.host_pass_us * 1e-6
            extra = list_pass_cycles(out_beats(e.regs, bus.act_bits), pc.weights > 0)
            total, fill = total + extra, fill + extra
            list_open = True
        else:
            host = cal.host_pass_us * 1e-6
        out.append(LayerTime(e.name, e.op, e.kind, e.macs, pc.compute, pc.stream, pc.weights, fill, total,
                             host, total / clock_hz + host, pc.bound))
    return out


@dataclass(frozen=True)
class Choice:
    """One candidate configuration of one kernel: its resources and its cycles summed over
    every layer it runs."""

    spec: KernelSpec
    res: Resources
    cycles: int
    worst: int = 0  # cycles of its slowest single pass (what FINN-style folding balances)


@dataclass
class Problem:
    """What the optimisers see: per kernel, a list of choices; one must be picked for each."""

    choices: dict[str, list[Choice]]
    fixed: Resources  # engine shell and top glue, present whatever is chosen
    budget: Resources
    meta: dict = field(default_factory=dict)

    def total(self, pick: dict[str, int]) -> tuple[Resources, int]:
        res = self.fixed
        cyc = 0
        for kind, i in pick.items():
            c = self.choices[kind][i]
            res = res + c.res
            cyc += c.cycles
        return res, cyc

    def fits(self, res: Resources) -> bool:
        return all(getattr(res, k) <= getattr(self.budget, k) for k in ("dsp", "lut", "ff", "bram18"))


def base_engine(net: Network, board: Board, clock_mhz: float) -> EngineConfig:
    return build_engine(net, board.name, clock_mhz)


def build_problem(net: Network, engine: EngineConfig, layers: Layers, bus: Bus, budget: Resources,
                  cal: Calibration, opts: Options, prune: bool = True) -> Problem:
    choices: dict[str, list[Choice]] = {}
    for spec in engine.kernels:
        mod = KERNELS[spec.kind]
        regs = layers.of_kind(spec.kind)
        cands = []
        for s in mod.knobs(spec):
            per = [pass_cycles(s, r, bus, cal, opts.overlap_weights).total for r in regs]
            cands.append(Choice(s, kernel_resources(s, cal), sum(per), max(per, default=0)))
        choices[spec.kind] = pareto(cands) if prune else cands
    return Problem(choices, shell_resources(cal) + top_resources(engine, cal), budget)


def pareto(cands: list[Choice]) -> list[Choice]:
    """Drop choices another choice beats or equals on every resource and on cycles."""
    def key(c: Choice) -> tuple[int, ...]:
        return (c.cycles, c.worst, c.res.dsp, c.res.lut, c.res.ff, c.res.bram18)

    keep: list[Choice] = []
    for c in sorted(cands, key=key):
        if not any(all(a <= b for a, b in zip(key(k), key(c))) for k in keep):
            keep.append(c)
    return keep
