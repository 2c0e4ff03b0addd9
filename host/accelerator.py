"""`Accelerator`: run frames of a generated project on a device (board, C-sim or emulator).

Loading checks the host files (host.project), opens the device, copies the weight image into a
device buffer, writes its address to the `weights` pointer register and reads the design
signature back after a NOP pass, refusing a device built from another plan. Every buffer a pass
touches is sized and bounds-checked against its registers when the project is loaded.

A frame: the inputs are checked (names, shape, dtype, range); then the schedule runs in one of
two ways (docs/host-runtime.md):

* command lists (default when the project has them): the descriptor table of every run of engine
  passes was written to a device buffer at load; per run the host writes five registers (`n_cmds`,
  `cmds`, `act_in0/act_in1/act_out`), starts the engine once and waits for ap_done. Every tensor
  lives at a fixed offset of one activation buffer per frame in flight; no DMA is programmed.
* one pass per start (`command_list=False`): every register of the pass is written, the pass is run
  with its streams moved by DMAs, and the host waits for ap_done.

Either way ap_done has a timeout naming the layer(s), and ARM ops run on numpy arrays between
engine work. Tensors move between the two forms lazily: an engine output that only feeds engine
passes stays packed in its buffer and is never unpacked.

`stream` / `run_batch` keep two frames in flight on two threads with separate buffer sets: engine
passes are serialised by a lock, while a frame's ARM ops, packing and unpacking run outside it,
overlapping with the other frame's engine passes.
"""

from __future__ import annotations

import collections
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from host import armops, commands, streams
from host.commands import Segment
from host.devices import Device, make_device
from host.errors import DeviceError, InputError, ProjectError, SignatureError
from host.project import Project, Step, load_project

NOP_LAYER = "<signature check: NOP pass>"
ARENA = "<activation memory>"  # key of a buffer set's activation memory (command lists)
TIMING_KEYS = ("check", "pack", "regs", "engine", "arm", "unpack", "post")


def weight_elements(kind: str, r: dict[str, int]) -> tuple[int, int]:
    """(weight elements, requant channels) a pass of `kind` reads from weight memory."""
    if kind in ("pwconv", "conv"):
        return r["out_c"] * r["kernel"] ** 2 * r["in_c"], r["out_c"]
    if kind == "dwconv":
        return r["in_c"] * r["kernel"] ** 2, r["out_c"]
    if kind == "deform":
        return r["in_c"] * 9, r["out_c"]
    return 0, 0


class Accelerator:
    """The network of project DIR on `device` ('sim', 'pynq' or a Device instance)."""

    def __init__(self, project: str | Path | Project, device: str | Device = "sim", *, fast: bool = False,
                 timeout_s: float = 2.0, postprocess: Callable[[dict[str, np.ndarray]], Any] | None = None,
                 slots: int = 2, command_list: bool | None = None) -> None:
        self.project = project if isinstance(project, Project) else load_project(project)
        self.device = make_device(device, fast=fast) if isinstance(device, str) else device
        self.timeout_s = timeout_s
        self.postprocess = postprocess
        self.n_slots = max(1, slots)
        p = self.project
        self.lanes = streams.lanes(p.act_bits)
        self.kinds = {v: k for k, v in p.regmap.modes.items()}
        self.reg_writes = [(name, p.regmap.offsets[name]) for name in p.regmap.layer_regs]
        self._check_schedule()
        if command_list and not p.has_command_lists:
            raise ProjectError("command_list: the project has no command lists (regmap.json 'commands' and "
                               "schedule.json act_offsets); regenerate it, or run one pass per start")
        self.command_list = p.has_command_lists if command_list is None else command_list
        self.device.open(p)
        self.wbuf = self.device.allocate(p.weights.size)
        self.wbuf[:] = p.weights
        self.device.sync_to_device(self.wbuf)
        self._write_weights_pointer()
        if self.command_list:
            self.segments, table = commands.build(p)
            self.cmdbuf = self.device.allocate(table.size)
            self.cmdbuf[:] = table
            self.device.sync_to_device(self.cmdbuf)
            self.cmd_addr = self.device.address(self.cmdbuf)
        self.signature = self.read_signature()
        if self.signature != p.signature:
            raise SignatureError(
                f"device: design signature register reads {self.signature:08x}, the host files say "
                f"{p.signature:08x} ({p.bitstream_name()}); the bitstream was built from a different plan: "
                "rebuild it or deploy the matching project")
        self._engine_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._slots: list[dict[str, np.ndarray]] = []
        self._free: collections.deque[int] = collections.deque()
        self._slot_sem = threading.Semaphore(self.n_slots)
        self.frames = 0
        self.timings = dict.fromkeys(TIMING_KEYS, 0.0)

    # ---- setup ------------------------------------------------------------------------------
    def _write_weights_pointer(self) -> None:
        off = self.project.regmap.offsets["weights"]
        addr = self.device.address(self.wbuf)
        self.device.write_reg(off, addr & 0xFFFFFFFF)
        self.device.write_reg(off + 4, addr >> 32)

    def read_signature(self) -> int:
        """Run a NOP pass and read the ID register (the design signature)."""
        rm = self.project.regmap
        for name, off in self.reg_writes:
            self.device.write_reg(off, rm.modes["nop"] if name == "mode" else 0)
        if "n_cmds" in rm.offsets:
            self.device.write_reg(rm.offsets["n_cmds"], 0)
        self.device.run(NOP_LAYER, None, None, None, self.timeout_s)
        return self.device.read_reg(rm.offsets["signature"])

    def _check_schedule(self) -> None:
        """Bounds of every buffer and register of every pass, once, before any frame runs."""
        p = self.project
        self.engine_tensors: set[str] = set()
        for s in p.engine_steps():
            where = f"schedule: layer {s.layer}"
            for name, v in s.regs.items():
                if not -(1 << 31) <= v < (1 << 32):
                    raise ProjectError(f"{where}: register {name} = {v} does not fit 32 bits")
            r = {k: v & 0xFFFFFFFF for k, v in s.regs.items()}
            kind = self.kinds.get(r["mode"])
            if kind is None or kind == "nop":
                raise ProjectError(f"{where}: register mode = {r['mode']} is not a kernel mode")
            x, y = p.tensors[s.inputs[0]], p.tensors[s.output]
            up = max(r.get("up", 1), 1)
            # in0 (and in1 for a concat/shuffle view) hold the view's sources (docs/architecture.md)
            src = (r["in_h"] // up, r["in_w"] // up, r.get("src_c0", r["in_c"]))
            if src != x.shape:
                raise ProjectError(f"{where}: registers in_h/in_w/up/src_c0 {r['in_h']}x{r['in_w']}/{up}x{src[2]} "
                                   f"do not match input '{x.name}' {x.shape}")
            if r.get("src_map", 0) and (len(s.inputs) < 2 or p.tensors[s.inputs[1]].shape[2] != r["src_c1"]):
                raise ProjectError(f"{where}: register src_map = {r['src_map']} needs a second source of "
                                   f"{r['src_c1']} channels")
            if (r["out_h"], r["out_w"], r["out_c"]) != y.shape:
                raise ProjectError(f"{where}: registers out_h/out_w/out_c {r['out_h']}x{r['out_w']}x{r['out_c']} "
                                   f"do not match output '{y.name}' {y.shape}")
            if kind in ("add", "deform") and len(s.inputs) != 2:
                raise ProjectError(f"{where}: a {kind} pass needs two input streams, the schedule gives {len(s.inputs)}")
            n_w, n_q = weight_elements(kind, r)
            if n_w:
                words = -(-n_w // (64 // p.w_bits))
                if r["w_offset"] + words > p.weights.size:
                    raise ProjectError(f"{where}: weights at word {r['w_offset']} + {words} run past weights.bin "
                                       f"({p.weights.size} words)")
                if r["q_offset"] + 2 * n_q > p.weights.size:
                    raise ProjectError(f"{where}: requant words at {r['q_offset']} + {2 * n_q} run past weights.bin "
                                       f"({p.weights.size} words)")
            self.engine_tensors.update((*s.inputs, s.output))

    def _slot(self) -> int:
        """Index of a free buffer set (one per frame in flight), allocating on first use."""
        self._slot_sem.acquire()  # blocks while n_slots frames are in flight
        with self._stats_lock:
            if self._free:
                return self._free.popleft()
            p = self.project
            if self.command_list:
                # one activation memory; every tensor a view at its fixed offset. Uncached: the
                # engine writes most of it and the CPU touches only inputs and outputs, so no
                # cache maintenance of megabytes per frame.
                arena = self.device.allocate(p.act_words, cacheable=False)
                bufs = {t: arena[p.act_offsets[t]:p.act_offsets[t] + p.beats(t)] for t in sorted(self.engine_tensors)}
                bufs[ARENA] = arena
            else:
                bufs = {t: self.device.allocate(p.beats(t)) for t in sorted(self.engine_tensors)}
            self._slots.append(bufs)
            return len(self._slots) - 1

    def _release(self, i: int) -> None:
        with self._stats_lock:
            self._free.append(i)
        self._slot_sem.release()

    # ---- inputs -----------------------------------------------------------------------------
    def check_inputs(self, inputs: dict[str, Any]) -> dict[str, np.ndarray]:
        """Names, shape, dtype and range of a frame's inputs; returns them in container dtype."""
        p = self.project
        unknown = sorted(set(inputs) - set(p.inputs))
        if unknown:
            raise InputError(f"input '{unknown[0]}': not an input of {p.network} (inputs: {', '.join(p.inputs)})")
        out = {}
        for name in p.inputs:
            t = p.tensors[name]
            if name not in inputs:
                raise InputError(f"input {name}: missing (expected {list(t.shape)} {t.describe()})")
            a = np.asarray(inputs[name])
            if a.ndim == 4 and a.shape[0] == 1:
                a = a[0]
            if a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer):
                raise InputError(f"input {name}: dtype {a.dtype}, must be integer ({t.describe()})")
            if tuple(a.shape) != t.shape:
                raise InputError(f"input {name}: shape {list(a.shape)}, expected {list(t.shape)} (H, W, C)")
            if a.size:
                lo, hi = int(a.min()), int(a.max())
                if lo < t.lo or hi > t.hi:
                    bad = lo if lo < t.lo else hi
                    raise InputError(f"input {name}: value {bad} is outside the {t.describe()}")
            out[name] = a.astype(streams.container_dtype(p.act_bits, t.signed), copy=False)
        return out

    # ---- one frame --------------------------------------------------------------------------
    def _engine_pass(self, step: Step, bufs: dict[str, np.ndarray], tm: dict[str, float]) -> None:
        in0 = bufs[step.inputs[0]]
        in1 = bufs[step.inputs[1]] if len(step.inputs) > 1 else None
        out = bufs[step.output]
        p = self.project
        for t, b in zip((*step.inputs, step.output), (in0, in1, out)):
            if b is not None and b.size != p.beats(t):  # buffers are sized at load; a mismatch is a bug
                raise RuntimeError(f"layer {step.layer}: buffer of '{t}' holds {b.size} beats, needs {p.beats(t)}")
        with self._engine_lock:
            t0 = time.perf_counter()
            regs = step.regs
            for name, off in self.reg_writes:
                self.device.write_reg(off, regs[name] & 0xFFFFFFFF)
            t1 = time.perf_counter()
            self.device.run(step.layer, in0, in1, out, self.timeout_s)
            t2 = time.perf_counter()
        tm["regs"] += t1 - t0
        tm["engine"] += t2 - t1

    def _engine_list(self, seg: Segment, bufs: dict[str, np.ndarray], tm: dict[str, float]) -> None:
        """One command list: five register writes, one start, one wait."""
        rm = self.project.regmap.offsets
        arena = self.device.address(bufs[ARENA])
        cmds = self.cmd_addr + 8 * seg.first_word
        with self._engine_lock:
            t0 = time.perf_counter()
            self.device.write_reg(rm["n_cmds"], len(seg.steps))
            for name, addr in (("cmds", cmds), ("act_in0", arena), ("act_in1", arena), ("act_out", arena)):
                self.device.write_reg(rm[name], addr & 0xFFFFFFFF)
                self.device.write_reg(rm[name] + 4, addr >> 32)
            t1 = time.perf_counter()
            try:
                self.device.run(seg.label, None, None, None, self.timeout_s)
            except DeviceError as e:
                # "layer <list> command N: why" -> "layer <N-th pass's layer>: why"
                m = re.match(r"^layer .* command (\d+): (.*)$", str(e))
                if m and int(m.group(1)) < len(seg.steps):
                    raise DeviceError(f"layer {seg.steps[int(m.group(1))].layer}: {m.group(2)}") from None
                raise
            t2 = time.perf_counter()
        tm["regs"] += t1 - t0
        tm["engine"] += t2 - t1

    def _run_frame(self, inputs: dict[str, Any], slot: int) -> Any:
        p = self.project
        tm = dict.fromkeys(TIMING_KEYS, 0.0)
        t0 = time.perf_counter()
        arrays: dict[str, np.ndarray] = dict(self.check_inputs(inputs))
        tm["check"] += time.perf_counter() - t0
        bufs = self._slots[slot]
        packed: set[str] = set()

        def array(t: str) -> np.ndarray:
            if t not in arrays:
                t0 = time.perf_counter()
                info = p.tensors[t]
                self.device.sync_from_device(bufs[t])
                arrays[t] = streams.unpack(bufs[t], info.shape, p.act_bits, info.signed)
                tm["unpack"] += time.perf_counter() - t0
            return arrays[t]

        def pack_inputs(steps: tuple[Step, ...]) -> None:
            """Pack what the segment reads and no earlier pass of it writes (per-pass DMAs flush
            their own buffers; a command list reads memory, so flush here)."""
            made = set()
            for step in steps:
                for t in step.inputs:
                    if t not in packed and t not in made:
                        t0 = time.perf_counter()
                        streams.pack(arrays[t], p.act_bits, p.tensors[t].signed, out=bufs[t])
                        if self.command_list:
                            self.device.sync_to_device(bufs[t])
                        packed.add(t)
                        tm["pack"] += time.perf_counter() - t0
                made.add(step.output)

        segments = self.segments if self.command_list else [Segment((s,)) for s in p.steps]
        for seg in segments:
            if seg.engine:
                pack_inputs(seg.steps)
                if self.command_list:
                    self._engine_list(seg, bufs, tm)
                else:
                    self._engine_pass(seg.steps[0], bufs, tm)
                for step in seg.steps:
                    packed.add(step.output)
                    arrays.pop(step.output, None)
            else:
                step = seg.steps[0]
                xs = [array(t) for t in step.inputs]
                t0 = time.perf_counter()
                info = p.tensors[step.output]
                y = armops.run(step.op, xs, step.fields, info)
                if y.shape != info.shape:
                    raise RuntimeError(f"layer {step.layer}: ARM op gave shape {y.shape}, schedule says {info.shape}")
                arrays[step.output] = y
                packed.discard(step.output)
                tm["arm"] += time.perf_counter() - t0
        outputs = {t: array(t) for t in p.outputs}
        if self.postprocess is not None:
            t0 = time.perf_counter()
            result = self.postprocess(outputs)
            tm["post"] += time.perf_counter() - t0
        else:
            result = outputs
        with self._stats_lock:
            self.frames += 1
            for k, v in tm.items():
                self.timings[k] += v
        return result

    # ---- public -----------------------------------------------------------------------------
    def run(self, inputs: dict[str, Any]) -> Any:
        """One frame: {input name: (H, W, C) ints} -> {output name: (H, W, C) array} (or postprocess(...))."""
        slot = self._slot()
        try:
            return self._run_frame(inputs, slot)
        finally:
            self._release(slot)

    def stream(self, frames: Iterable[dict[str, Any]], overlap: bool = True) -> Iterator[Any]:
        """Outputs of each frame in order; with `overlap`, two frames are in flight at once."""
        if not overlap or self.n_slots < 2:
            for f in frames:
                yield self.run(f)
            return
        pending: collections.deque[Future] = collections.deque()
        with ThreadPoolExecutor(max_workers=self.n_slots, thread_name_prefix="accelgen-frame") as pool:
            for f in frames:
                if len(pending) >= self.n_slots:
                    yield pending.popleft().result()
                pending.append(pool.submit(self.run, f))
            while pending:
                yield pending.popleft().result()

    def run_batch(self, frames: Iterable[dict[str, Any]], overlap: bool = True) -> list[Any]:
        return list(self.stream(frames, overlap))

    def reset_timings(self) -> None:
        with self._stats_lock:
            self.frames = 0
            self.timings = dict.fromkeys(TIMING_KEYS, 0.0)

    def timing_per_frame(self) -> dict[str, float]:
        """Mean seconds per frame in each phase since the last reset (host overhead = all but engine)."""
        n = max(self.frames, 1)
        per = {k: v / n for k, v in self.timings.items()}
        per["host_overhead"] = sum(v for k, v in per.items() if k != "engine")
        return per

    def close(self) -> None:
        self.device.close()

    def __enter__(self) -> Accelerator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
