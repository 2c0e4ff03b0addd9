"""Command lists: the engine fetches pass descriptors from memory and runs them back to back over
one activation memory; bit-exact with golden in C-sim, bad descriptors refused naming the command."""

from __future__ import annotations

import numpy as np
import pytest
from test_fold import shufflenet_units

from generator.hw import regmap
from generator.hw.commands import command_lists
from generator.hw.engine import build_engine
from generator.hw.schedule import build_schedule, tensor_beats
from generator.plan import plan_network
from generator.plan.model import Layers, Options, list_pass_cycles, out_beats
from generator.reference import random_inputs
from generator.zoo import resolve
from sim.csim import CsimError
from sim.run_csim import run_on_engine


def test_descriptor_packs_fields_two_per_word():
    values = {f: i + 1 for i, f in enumerate(regmap.CMD_FIELDS)}
    values["out_lo"] = -128  # two's complement in its half word
    words = regmap.pack_command(values)
    assert len(words) == regmap.CMD_WORDS
    halves = [w >> (32 * h) & 0xFFFFFFFF for w in words for h in (0, 1)]
    assert halves[:len(regmap.CMD_FIELDS)] == [values[f] & 0xFFFFFFFF for f in regmap.CMD_FIELDS]
    assert halves[regmap.CMD_FIELDS.index("out_lo")] == 0xFFFFFF80


def test_activation_layout_is_disjoint_and_aligned():
    net = shufflenet_units()
    sched, _ = build_schedule(net, build_engine(net, "ultra96", 250))
    spans = sorted((off, off + tensor_beats(sched.tensors[t], sched.act_bits)) for t, off in sched.act_offsets.items())
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert all(off % 8 == 0 for off, _ in spans) and spans[-1][1] <= sched.act_words


@pytest.mark.parametrize("fold", [True, False])
def test_units_bit_exact_as_command_lists(compile_engine, fold):
    """Folded: one list for the whole network; unfolded: lists cut by the ARM steps."""
    net = shufflenet_units()
    engine = build_engine(net, "ultra96", 250, fold=fold)
    sched, _ = build_schedule(net, engine)
    lists = [cl for cl, _ in command_lists(sched) if cl is not None]
    assert (len(lists) == 1) == fold
    lib = compile_engine(engine)
    for seed in (0, 1):
        run_on_engine(lib, net, engine, random_inputs(net, seed), mode="list")


def test_tiny_bit_exact_as_command_lists(compile_engine):
    net = resolve("tiny")
    engine = build_engine(net, "ultra96", 200)
    run_on_engine(compile_engine(engine), net, engine, random_inputs(net, 3), mode="list")


def _units_list(compile_engine):
    net = shufflenet_units()
    engine = build_engine(net, "ultra96", 250)
    sched, image = build_schedule(net, engine)
    (cl, _), = command_lists(sched)
    return compile_engine(engine), cl, sched, image


def test_bad_beat_count_names_the_command(compile_engine):
    lib, cl, sched, image = _units_list(compile_engine)
    words = cl.words.copy()
    i = 2
    field = regmap.CMD_FIELDS.index("out_beats")
    words[i * regmap.CMD_WORDS + field // 2] += np.uint64(1) << np.uint64(32 * (field % 2))
    act = np.zeros(sched.act_words, dtype=np.uint64)
    with pytest.raises(CsimError, match=rf"^C-sim: command {i}: stream out: \d+ beats, its registers describe \d+$"):
        lib.run_list(words, cl.n, act, image)


def test_stream_past_memory_names_the_command(compile_engine):
    lib, cl, sched, image = _units_list(compile_engine)
    act = np.zeros(sched.act_words - 8, dtype=np.uint64)  # the last tensor no longer fits
    with pytest.raises(CsimError, match=r"^C-sim: command \d+: stream \w+: words \d+ \+ \d+ run past the activation "
                                        rf"memory of {act.size} words$"):
        lib.run_list(cl.words, cl.n, act, image)


def test_plan_charges_one_host_launch_per_list():
    """tiny has ARM steps: with command lists the host launches once per run of passes, and each
    pass pays the descriptor fetch instead."""
    net = resolve("tiny")
    lists = build_plan_lists(net)
    plan = plan_network(net, "ultra96", 200)
    per_pass = plan_network(net, "ultra96", 200, options=Options(command_list=False))
    launches = [t for t in plan.layers if t.kernel not in (None, "view") and t.host_s > 0]
    assert len(launches) == lists
    passes = [t for t in per_pass.layers if t.kernel not in (None, "view")]
    assert all(t.host_s > 0 for t in passes)
    engine = build_engine(net, "ultra96", 200)
    entries = {e.name: e for e in Layers.of(net, engine).entries}
    for a, b in zip((t for t in plan.layers if t.kernel not in (None, "view")), passes):
        extra = list_pass_cycles(out_beats(entries[a.name].regs, engine.act_bits), a.weights > 0)
        assert a.engine_cycles == b.engine_cycles + extra, a.name
    assert plan.fps > per_pass.fps


def build_plan_lists(net) -> int:
    sched, _ = build_schedule(net, build_engine(net, "ultra96", 200))
    return sum(cl is not None for cl, _ in command_lists(sched))
