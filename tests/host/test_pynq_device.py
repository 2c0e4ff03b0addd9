"""The pynq device against a fake pynq: register writes follow the schedule, signatures are checked."""

from __future__ import annotations

import sys

import fake_pynq
import numpy as np
import pytest
from host_nets import tiny_signature  # noqa: E402

from generator.hw import regmap
from generator.hw.commands import command_lists, descriptor_table
from generator.hw.engine import build_engine
from generator.hw.schedule import build_schedule
from generator.reference import random_inputs, run_golden
from host import Accelerator, PynqDevice
from host.errors import HostError, PassTimeout, SignatureError

SIG = tiny_signature()


@pytest.fixture
def board(monkeypatch, tiny_dir, tiny_net):
    monkeypatch.setitem(sys.modules, "pynq", fake_pynq)
    fake_pynq.reset()
    sig = build_engine(tiny_net, "ultra96", 200.0).signature
    for ext in ("bit", "hwh"):
        (tiny_dir / f"accel_{sig:08x}.{ext}").write_bytes(b"fake")
    yield tiny_dir
    for p in tiny_dir.glob("accel_*"):
        p.unlink()


OFF = {r.name: r.offset for r in regmap.REGISTERS}


def pointer_writes(name: str, addr: int) -> list[tuple[int, int]]:
    return [(OFF[name], addr & 0xFFFFFFFF), (OFF[name] + 4, addr >> 32)]


def expected_writes(net, weights_addr: int, lists: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """From the generator's schedule, register map and command lists, independently of host/.
    `lists`: (descriptor table address, activation memory address) for a command-list run."""
    sched, _ = build_schedule(net, build_engine(net, "ultra96", 200.0))
    out = pointer_writes("weights", weights_addr)
    out += [(OFF[n], regmap.MODES["nop"] if n == "mode" else 0) for n in regmap.LAYER_REGS]
    out += [(OFF["n_cmds"], 0), (regmap.CTRL, regmap.AP_START)]
    if lists is not None:
        table, act = lists
        first = 0
        for cl, _ in command_lists(sched):
            if cl is None:
                continue
            out.append((OFF["n_cmds"], cl.n))
            out += pointer_writes("cmds", table + 8 * first)
            for name in ("act_in0", "act_in1", "act_out"):
                out += pointer_writes(name, act)
            out.append((regmap.CTRL, regmap.AP_START))
            first += cl.words.size
        return out
    for step in sched.steps:
        if step.where == "engine":
            out += [(OFF[n], step.regs[n] & 0xFFFFFFFF) for n in regmap.LAYER_REGS]
            out.append((regmap.CTRL, regmap.AP_START))
    return out


def test_command_list_writes_and_outputs_exact(board, tiny_net):
    """Per list: n_cmds, the table and activation addresses, one start; the descriptor table the
    host wrote equals the generator's, word for word; outputs bit-exact; no DMA is used."""
    acc = Accelerator(board, PynqDevice())
    engine_ip = acc.device.overlay.accel
    x = random_inputs(tiny_net, 5)
    out = acc.run(x)
    arena = acc._slots[0]["<activation memory>"]
    assert engine_ip.mmio.writes == expected_writes(tiny_net, acc.wbuf.physical_address,
                                                    (acc.cmdbuf.physical_address, arena.physical_address))
    sched, _ = build_schedule(tiny_net, build_engine(tiny_net, "ultra96", 200.0))
    np.testing.assert_array_equal(np.asarray(acc.cmdbuf), descriptor_table(sched))
    ref = run_golden(tiny_net, x)
    for k in ("head", "pool1"):
        np.testing.assert_array_equal(out[k], ref[k])
    assert all(ch.transfers == 0 for d in acc.device.overlay.dmas.values() for ch in (d.sendchannel, d.recvchannel))


def test_register_writes_equal_schedule_and_outputs_exact(board, tiny_net):
    acc = Accelerator(board, PynqDevice(), command_list=False)
    engine_ip = acc.device.overlay.accel
    addr = acc.wbuf.physical_address
    x = random_inputs(tiny_net, 5)
    nop_writes = len(engine_ip.mmio.writes)
    out = acc.run(x)
    assert engine_ip.mmio.writes == expected_writes(tiny_net, addr)
    assert nop_writes == len(regmap.LAYER_REGS) + 4
    ref = run_golden(tiny_net, x)
    for k in ("head", "pool1"):
        np.testing.assert_array_equal(out[k], ref[k])
    dmas = acc.device.overlay.dmas
    n_passes = sum(1 for s in acc.project.steps if s.where == "engine")
    assert dmas["dma0"].recvchannel.transfers == dmas["dma0"].sendchannel.transfers == n_passes
    assert dmas["dma1"].sendchannel.transfers == 3  # df1 offsets, add1 residual, shuf1's second source
    assert dmas["dma1"].recvchannel.transfers == 0


def test_signature_register_mismatch_refused(board, tiny_net):
    other = build_engine(tiny_net, "ultra96", 250.0).to_json()  # same network, another plan
    fake_pynq.reset(engine=other)
    with pytest.raises(SignatureError, match=fr"design signature register reads [0-9a-f]{{8}}, the host files say {SIG}"):
        Accelerator(board, PynqDevice())


def test_bitstream_name_mismatch_refused(board):
    for p in board.glob("accel_*"):
        p.rename(p.with_name("accel_deadbeef" + p.suffix))
    with pytest.raises(SignatureError, match="accel_deadbeef.bit .* carries a different design signature"):
        Accelerator(board, PynqDevice())
    with pytest.raises(SignatureError, match="does not carry the host files' design signature"):
        Accelerator(board, PynqDevice(bitstream=board / "accel_deadbeef.bit"))


def test_timeout_names_the_layer(board, tiny_net):
    fake_pynq.reset(hang_pass=4)  # NOP, c1, pw1, then dw1 hangs
    acc = Accelerator(board, PynqDevice(), timeout_s=0.05, command_list=False)
    with pytest.raises(PassTimeout, match=r"^layer dw1: engine did not signal ap_done within 0.05 s"):
        acc.run(random_inputs(tiny_net, 0))


def test_timeout_names_the_command_list(board, tiny_net):
    fake_pynq.reset(hang_pass=2)  # NOP, then the first list hangs
    acc = Accelerator(board, PynqDevice(), timeout_s=0.05)
    with pytest.raises(PassTimeout, match=r"^layer c1\.\.shuf1 \(9 passes\): engine did not signal ap_done within 0.05 s"):
        acc.run(random_inputs(tiny_net, 0))


def test_missing_pynq_is_a_clear_error(monkeypatch, tiny_dir):
    monkeypatch.setitem(sys.modules, "pynq", None)
    with pytest.raises(HostError, match="pynq device: the pynq package is not importable"):
        Accelerator(tiny_dir, "pynq")


def test_wrong_dma_name_is_a_clear_error(board):
    with pytest.raises(HostError, match=r"pynq device: no DMA 'axi_dma_7' for stream in1 in the overlay \(IPs: accel, dma0, dma1, ps\)"):
        Accelerator(board, PynqDevice(dmas={"in1": "axi_dma_7"}))
