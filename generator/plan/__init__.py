"""Sizing the engine: the integer program over the analytic model (HAO, thesis ch. 13).

`plan_network(net, board)` picks PI, PO and packing for every kernel of the network's engine so
that the predicted network latency is smallest within the board budget, and returns a `Plan`
(written as plan.json by `accelgen plan`; `parallelism()` and `packing()` feed
generator.hw.engine.build_engine).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

from generator.boards import Board, load_board
from generator.cost import Calibration, Resources, load_calibration
from generator.cost.resources import RESOURCE_KEYS
from generator.errors import AccelgenError
from generator.hw.engine import EngineConfig, KernelSpec
from generator.hw.kernels import kernel_resources, shell_resources, top_resources
from generator.ir.network import Network
from generator.plan import ilp
from generator.plan.model import (
    LEVERS,
    Layers,
    LayerTime,
    Options,
    Problem,
    base_engine,
    budget_for,
    build_problem,
    bus_for,
    evaluate,
)

log = logging.getLogger(__name__)

RESOURCE_NAMES = {"dsp": "DSP", "lut": "LUT", "ff": "FF", "bram18": "BRAM18"}


class PlanError(AccelgenError):
    """No engine fits the board budget."""


@dataclass(frozen=True)
class KernelPlan:
    spec: KernelSpec
    res: Resources


@dataclass(frozen=True)
class Plan:
    network: str
    board: str
    clock_mhz: float
    kernels: tuple[KernelPlan, ...]
    layers: tuple[LayerTime, ...]
    shell: Resources  # DMA / interconnect around the engine (uncalibrated)
    top: Resources  # the engine top's glue (register file, FIFOs, weight loader)
    budget: Resources
    board_resources: Resources
    solve_s: float
    optimal: bool
    calibrated: bool
    calibration_status: str
    options: Options
    engine: EngineConfig

    # ---- what generate needs ---------------------------------------------------------------
    def parallelism(self) -> dict[str, tuple[int, int]]:
        return {k.spec.kind: (k.spec.pi, k.spec.po) for k in self.kernels}

    def packing(self) -> dict[str, bool]:
        return {k.spec.kind: k.spec.pack for k in self.kernels}

    # ---- figures ---------------------------------------------------------------------------
    @property
    def totals(self) -> Resources:
        return Resources.total([self.shell, self.top] + [k.res for k in self.kernels])

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    @property
    def latency_s(self) -> float:
        return sum(ly.seconds for ly in self.layers)

    @property
    def fps(self) -> float:
        return 1.0 / self.latency_s if self.latency_s > 0 else 0.0

    @property
    def macs(self) -> int:
        return sum(ly.macs for ly in self.layers)

    @property
    def dsp_bound_macs_per_s(self) -> float:
        """The board's DSP-bound limit: every DSP doing two MACs (packed) each cycle."""
        return self.board_resources.dsp * 2 * self.clock_hz

    @property
    def efficiency(self) -> float:
        return self.macs * self.fps / self.dsp_bound_macs_per_s

    def to_json(self) -> dict[str, Any]:
        """plan.json: exactly the keys of the issue."""
        return {
            "board": self.board,
            "clock_mhz": self.clock_mhz,
            "kernels": [{"name": k.spec.name, "kind": k.spec.kind, "pi": k.spec.pi, "po": k.spec.po,
                         "pack": k.spec.pack, **k.res.to_json()} for k in self.kernels],
            "layers": [{"name": ly.name, "op": ly.op, "kernel": ly.kernel, "macs": ly.macs,
                        "cycles": ly.cycles_at(self.clock_hz)} for ly in self.layers],
            "totals": self.totals.to_json(),
            "budget": self.budget.to_json(),
            "latency_ms": round(self.latency_s * 1e3, 4),
            "fps": round(self.fps, 2),
            "solve_s": round(self.solve_s, 4),
            "optimal": self.optimal,
            "calibrated": self.calibrated,
        }


def infeasible_message(board: Board, problem: Problem, budget_frac: float, lut_fraction: float) -> str:
    """One line naming the resource that cannot fit and the least the network needs of it."""
    least = {r: getattr(problem.fixed, r) + sum(min(getattr(c.res, r) for c in cs) for cs in problem.choices.values())
             for r in RESOURCE_KEYS}
    for r in RESOURCE_KEYS:
        have = getattr(problem.budget, r)
        if least[r] > have:
            total = getattr(board.resources, r)
            scope = "" if have == total else (
                f" ({lut_fraction:g} x {budget_frac:g} of {total})" if r == "lut" else f" ({budget_frac:g} of {total})")
            knobs = (["--budget"] if budget_frac < 1 else []) + (["--lut-fraction"] if r == "lut" and lut_fraction < 1 else [])
            hint = f" (raise {' or '.join(knobs)})" if knobs else ""
            return f"{board.name}: needs at least {least[r]} {RESOURCE_NAMES[r]}, has {have}{scope}{hint}"
    parts = ", ".join(f"{least[r]}/{getattr(problem.budget, r)} {RESOURCE_NAMES[r]}" for r in RESOURCE_KEYS)
    return f"{board.name}: no engine fits every resource at once (smallest per resource: {parts})"


def plan_network(net: Network, board: Board | str, clock_mhz: float | None = None, budget: float = 1.0,
                 lut_fraction: float = 0.7, options: Options | None = None, cal: Calibration | None = None,
                 solver: str = "ilp", time_limit_s: float = 10.0) -> Plan:
    """Size the network's engine for `board` (solver 'ilp', 'greedy' or 'brute')."""
    from generator.plan import brute, greedy

    board = load_board(board) if isinstance(board, str) else board
    cal = cal or load_calibration()
    opts = options or Options()
    if not 0 < budget <= 1:
        raise PlanError(f"--budget {budget} must be in (0, 1]")
    if not 0 < lut_fraction <= 1:
        raise PlanError(f"--lut-fraction {lut_fraction} must be in (0, 1]")
    clock = float(clock_mhz or board.clock_mhz)
    if clock <= 0:
        raise PlanError(f"--clock {clock} must be > 0")
    engine = base_engine(net, board, clock)
    layers = Layers.of(net, engine)
    bus = bus_for(engine, board, clock * 1e6, cal)
    limits = budget_for(board, budget, lut_fraction)
    problem = build_problem(net, engine, layers, bus, limits, cal, opts, prune=(solver != "greedy"))
    t0 = time.perf_counter()
    sol = {"ilp": lambda: ilp.solve(problem, time_limit_s), "greedy": lambda: greedy.solve(problem),
           "brute": lambda: brute.solve(problem)}[solver]()
    if sol is None:
        raise PlanError(infeasible_message(board, problem, budget, lut_fraction))
    log.info("%s: %s solved in %.3f s (%s)", net.name, solver, time.perf_counter() - t0,
             "optimal" if sol.optimal else "not proven optimal")
    specs = {k: problem.choices[k][i].spec for k, i in sol.pick.items()}
    chosen = dataclasses.replace(engine, kernels=tuple(specs[k.kind] for k in engine.kernels))
    times = evaluate(net, layers, specs, bus, clock * 1e6, cal, opts)
    r = board.resources
    return Plan(
        network=net.name, board=board.name, clock_mhz=clock,
        kernels=tuple(KernelPlan(s, kernel_resources(s, cal)) for s in chosen.kernels),
        layers=tuple(times), shell=shell_resources(cal), top=top_resources(chosen, cal), budget=limits,
        board_resources=Resources(dsp=r.dsp, lut=r.lut, ff=r.ff, bram18=r.bram18),
        solve_s=sol.solve_s, optimal=sol.optimal, calibrated=cal.calibrated,
        calibration_status=cal.status, options=opts, engine=chosen,
    )


def whatif(net: Network, board: Board | str, clock_mhz: float | None = None, budget: float = 1.0,
           lut_fraction: float = 0.7, cal: Calibration | None = None, base: Options | None = None) -> dict[str, float]:
    """Predicted fps with each lever alone and all together (on top of `base`), each re-planned.
    None of these is what the engine as built reaches: they size the gain of work not done yet."""
    base = base or Options()
    out = {}
    names = list(LEVERS) + (["all levers"] if len(LEVERS) > 1 else [])
    for name in names:
        on = LEVERS if name == "all levers" else (name,)
        opts = dataclasses.replace(base, **dict.fromkeys(on, True))
        out[name] = plan_network(net, board, clock_mhz, budget, lut_fraction, opts, cal).fps
    return out


__all__ = ["LEVERS", "KernelPlan", "Options", "Plan", "PlanError", "plan_network", "whatif"]
