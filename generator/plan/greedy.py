"""FINN-style greedy folding, the baseline the integer program is compared with.

As FINN's SetFolding does per layer, start every kernel at its smallest parallelism and
repeatedly unfold the bottleneck: the kernel with the most cycles gets its next larger
configuration (input lanes first, then output lanes, as FINN raises SIMD before PE), as long as
the engine still fits the budget. A kernel that cannot grow is frozen; the loop ends when all
are. Packing is used wherever the kernel allows it.
"""

from __future__ import annotations

import time

from generator.plan.ilp import Solution
from generator.plan.model import Problem


def _order(problem: Problem, kind: str) -> list[int]:
    """Choice indices from least to most parallel, packed variants preferred."""
    cs = problem.choices[kind]
    return sorted(range(len(cs)), key=lambda i: (cs[i].spec.pi * cs[i].spec.po, cs[i].spec.po, not cs[i].spec.pack))


def _next(problem: Problem, kind: str, i: int) -> list[int]:
    """Configurations one step more parallel than choice i: PI doubled, else PO doubled."""
    cs = problem.choices[kind]
    s = cs[i].spec
    steps = []
    for pi, po in ((s.pi * 2, s.po), (s.pi, s.po * 2)):
        match = [j for j in range(len(cs)) if (cs[j].spec.pi, cs[j].spec.po) == (pi, po)]
        match.sort(key=lambda j: (not cs[j].spec.pack, cs[j].res.dsp))
        steps += match[:1]
    return steps


def solve(problem: Problem) -> Solution | None:
    t0 = time.perf_counter()
    pick = {k: _order(problem, k)[0] for k in problem.choices}
    if not problem.fits(problem.total(pick)[0]):
        smallest = {k: min(range(len(cs)), key=lambda i, cs=cs: cs[i].res.dsp) for k, cs in problem.choices.items()}
        if not problem.fits(problem.total(smallest)[0]):
            return None
        pick = smallest
    frozen: set[str] = set()
    while len(frozen) < len(pick):
        kind = max((k for k in pick if k not in frozen), key=lambda k: problem.choices[k][pick[k]].cycles)
        grown = False
        for j in _next(problem, kind, pick[kind]):
            trial = {**pick, kind: j}
            if problem.fits(problem.total(trial)[0]):
                pick, grown = trial, True
                break
        if not grown:
            frozen.add(kind)
    return Solution(pick, problem.total(pick)[1], False, time.perf_counter() - t0)
