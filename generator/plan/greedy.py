"""FINN-style folding, the baseline the integer program is compared with.

FINN's SetFolding gives every layer the least parallelism that meets a target cycle count
(SIMD raised first, then PE) and the user lowers the target until the design no longer fits.
Here: for a target T, each kernel gets the first configuration in folding order (PI doubled up
to its maximum, then PO) whose slowest pass takes at most T cycles; the plan is the smallest T
whose engine fits the budget. Packing is used wherever the kernel allows it. FINN balances the
slowest layer, as a pipelined dataflow design needs; the engine runs layers one after another,
so the sum is what counts, which is where the integer program gains.
"""

from __future__ import annotations

import time

from generator.plan.ilp import Solution
from generator.plan.model import Problem


def folding_order(problem: Problem, kind: str) -> list[int]:
    """Choice indices in FINN order: (1,1), (2,1) ... (PImax,1), (PImax,2) ... (PImax,POmax)."""
    cs = problem.choices[kind]
    packed = [i for i in range(len(cs)) if cs[i].spec.pack]
    pool = packed if packed else list(range(len(cs)))
    pi_max = max(cs[i].spec.pi for i in pool)
    path = [i for i in pool if cs[i].spec.po == 1 or cs[i].spec.pi == pi_max]
    # unpacked PO=1 configurations stand in where packing needs PO >= 2
    if packed:
        path += [i for i in range(len(cs)) if not cs[i].spec.pack and cs[i].spec.po == 1]
    return sorted(set(path), key=lambda i: (cs[i].spec.po, cs[i].spec.pi))


def pick_for_target(problem: Problem, target: int) -> dict[str, int]:
    pick = {}
    for kind in problem.choices:
        order = folding_order(problem, kind)
        pick[kind] = next((i for i in order if problem.choices[kind][i].worst <= target), order[-1])
    return pick


def solve(problem: Problem) -> Solution | None:
    t0 = time.perf_counter()
    targets = sorted({c.worst for cs in problem.choices.values() for c in cs}, reverse=True)
    best = None
    for target in targets:
        pick = pick_for_target(problem, target)
        if problem.fits(problem.total(pick)[0]):
            best = pick
        elif best is not None:
            break
    if best is None and not problem.choices:
        best = {}
    if best is None:
        return None
    return Solution(best, problem.total(best)[1], False, time.perf_counter() - t0)
