"""Command lists: the schedule's engine passes as descriptors the engine fetches from DDR.

Consecutive engine passes form one list (one engine start); an ARM step ends a list, because the
host must run it between passes. A descriptor is the pass's registers plus where its streams lie in
the activation memory (generator.hw.regmap CMD_FIELDS, Schedule.act_offsets). The host runtime
builds the same words from host/schedule.json and host/regmap.json (host/ cannot import this).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.hw.regmap import CMD_WORDS, pack_command
from generator.hw.schedule import Schedule, Step, tensor_beats


@dataclass(frozen=True)
class CommandList:
    steps: tuple[Step, ...]  # the engine passes, in order
    words: np.ndarray  # uint64, CMD_WORDS per pass

    @property
    def n(self) -> int:
        return len(self.steps)

    @property
    def external_inputs(self) -> tuple[str, ...]:
        """Tensors the list reads that none of its passes writes first: what must be in the
        activation memory before it starts (network inputs, ARM outputs, earlier lists' outputs)."""
        made: set[str] = set()
        out: list[str] = []
        for st in self.steps:
            out += [t for t in st.inputs if t not in made and t not in out]
            made.add(st.output)
        return tuple(out)


def stream_fields(step: Step, sched: Schedule) -> dict[str, int]:
    def beats(t: str) -> int:
        return tensor_beats(sched.tensors[t], sched.act_bits)

    in1 = step.inputs[1] if len(step.inputs) > 1 else None
    return {
        "in0_off": sched.act_offsets[step.inputs[0]], "in0_beats": beats(step.inputs[0]),
        "in1_off": sched.act_offsets[in1] if in1 else 0, "in1_beats": beats(in1) if in1 else 0,
        "out_off": sched.act_offsets[step.output], "out_beats": beats(step.output),
    }


def descriptor(step: Step, sched: Schedule) -> list[int]:
    return pack_command({**step.regs, **stream_fields(step, sched)})


def command_lists(sched: Schedule) -> list[tuple[CommandList | None, Step | None]]:
    """The schedule as alternating (list of passes, None) and (None, ARM step) items, in order."""
    out: list[tuple[CommandList | None, Step | None]] = []
    run: list[Step] = []

    def flush() -> None:
        if run:
            words = np.array([w for s in run for w in descriptor(s, sched)], dtype=np.uint64)
            out.append((CommandList(tuple(run), words), None))
            run.clear()

    for st in sched.steps:
        if st.where == "engine":
            run.append(st)
        else:
            flush()
            out.append((None, st))
    flush()
    return out


def descriptor_table(sched: Schedule) -> np.ndarray:
    """Every list's descriptors in schedule order: the table the host writes once at load."""
    words = [cl.words for cl, _ in command_lists(sched) if cl is not None]
    return np.concatenate(words) if words else np.zeros(0, dtype=np.uint64)


__all__ = ["CMD_WORDS", "CommandList", "command_lists", "descriptor", "descriptor_table", "stream_fields"]
