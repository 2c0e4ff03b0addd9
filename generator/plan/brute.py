"""Exhaustive search over every pick: the reference the integer program is tested against on
small spaces."""

from __future__ import annotations

import itertools
import time

from generator.plan.ilp import Solution
from generator.plan.model import Problem


def solve(problem: Problem) -> Solution | None:
    t0 = time.perf_counter()
    kinds = list(problem.choices)
    best: dict[str, int] | None = None
    best_cycles = 0
    for idx in itertools.product(*(range(len(problem.choices[k])) for k in kinds)):
        pick = dict(zip(kinds, idx))
        res, cyc = problem.total(pick)
        if problem.fits(res) and (best is None or cyc < best_cycles):
            best, best_cycles = pick, cyc
    if best is None:
        return None
    return Solution(best, best_cycles, True, time.perf_counter() - t0)
