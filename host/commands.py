"""Command lists on the host: the schedule's runs of engine passes as descriptor words.

The engine fetches a list from DDR and runs its passes back to back over the activation memory
(docs/architecture.md, "command lists"). A descriptor is the pass registers followed by the word
offsets and beat counts of the pass's streams in that memory, two 32-bit fields per 64-bit word
(regmap.json "commands"). The host packs them once, at load: offsets are relative to the
activation memory base, so one table serves every buffer set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from host.project import Project, Step


@dataclass(frozen=True)
class Segment:
    """Either a run of engine passes (a command list at `first_word` of the table) or one ARM step."""

    steps: tuple[Step, ...]
    first_word: int = 0  # offset of the list's first descriptor in the table (engine segments)

    @property
    def engine(self) -> bool:
        return self.steps[0].where == "engine"

    @property
    def label(self) -> str:
        if not self.engine or len(self.steps) == 1:
            return self.steps[0].layer
        return f"{self.steps[0].layer}..{self.steps[-1].layer} ({len(self.steps)} passes)"


def descriptor(p: Project, step: Step) -> list[int]:
    in1 = step.inputs[1] if len(step.inputs) > 1 else None
    values = {**step.regs,
              "in0_off": p.act_offsets[step.inputs[0]], "in0_beats": p.beats(step.inputs[0]),
              "in1_off": p.act_offsets[in1] if in1 else 0, "in1_beats": p.beats(in1) if in1 else 0,
              "out_off": p.act_offsets[step.output], "out_beats": p.beats(step.output)}
    fields = [values[f] & 0xFFFFFFFF for f in p.regmap.cmd_fields] + [0]
    return [fields[2 * i] | (fields[2 * i + 1] << 32) for i in range(p.regmap.cmd_words)]


def build(p: Project) -> tuple[list[Segment], np.ndarray]:
    """The schedule cut into segments, and the descriptor table of all its lists (uint64)."""
    segments: list[Segment] = []
    words: list[int] = []
    run: list[Step] = []

    def flush() -> None:
        if run:
            segments.append(Segment(tuple(run), len(words)))
            for st in run:
                words.extend(descriptor(p, st))
            run.clear()

    for st in p.steps:
        if st.where == "engine":
            run.append(st)
        else:
            flush()
            segments.append(Segment((st,)))
    flush()
    return segments, np.array(words, dtype=np.uint64)
