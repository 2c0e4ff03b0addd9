"""The integer program (HAO eq. 13.15): pick one choice per kernel, minimise the network's
engine cycles subject to the resource budget. Solved with OR-tools CP-SAT.

Each layer's cycles depend only on its own kernel's choice, so the objective is linear in the
choice indicators x[kind, i]: sum_kind sum_i x[kind, i] * cycles[kind, i].
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from generator.cost.resources import RESOURCE_KEYS
from generator.plan.model import Problem


@dataclass(frozen=True)
class Solution:
    pick: dict[str, int]  # kind -> index into Problem.choices[kind]
    cycles: int
    optimal: bool
    solve_s: float


def solve(problem: Problem, time_limit_s: float = 10.0, workers: int = 2) -> Solution | None:
    """The cheapest feasible pick, or None when no pick fits the budget."""
    from ortools.sat.python import cp_model

    if not problem.choices:  # every layer on the ARM: nothing to size
        return Solution({}, 0, True, 0.0) if problem.fits(problem.fixed) else None
    m = cp_model.CpModel()
    x = {(k, i): m.new_bool_var(f"x_{k}_{i}") for k, cs in problem.choices.items() for i in range(len(cs))}
    for k, cs in problem.choices.items():
        m.add_exactly_one(x[k, i] for i in range(len(cs)))
    for r in RESOURCE_KEYS:
        room = getattr(problem.budget, r) - getattr(problem.fixed, r)
        m.add(sum(getattr(c.res, r) * x[k, i] for k, cs in problem.choices.items() for i, c in enumerate(cs)) <= room)
    # cycles first; among equally fast picks, the one with the fewest DSPs and BRAMs
    small = {(k, i): c.res.dsp + c.res.bram18 for k, cs in problem.choices.items() for i, c in enumerate(cs)}
    weight = sum(max(small[k, i] for i in range(len(cs))) for k, cs in problem.choices.items()) + 1
    m.minimize(sum((weight * c.cycles + small[k, i]) * x[k, i]
                   for k, cs in problem.choices.items() for i, c in enumerate(cs)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    t0 = time.perf_counter()
    status = solver.solve(m)
    dt = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    pick = {k: next(i for i in range(len(cs)) if solver.value(x[k, i])) for k, cs in problem.choices.items()}
    return Solution(pick, problem.total(pick)[1], status == cp_model.OPTIMAL, dt)
