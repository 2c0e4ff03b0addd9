"""AXI4-Lite register map of the engine, laid out as Vitis HLS lays out s_axilite arguments.

0x00 control (ap_start bit 0, ap_done 1, ap_idle 2, ap_ready 3), 0x04 global interrupt enable,
0x08 IP interrupt enable, 0x0C IP interrupt status; arguments from 0x10 in declaration order:
a 32-bit scalar takes 8 bytes, a 64-bit pointer 12, a 32-bit output 8 (data + ap_vld). The HLS
top declares its arguments in exactly this order, the RTL decodes the same offsets and the host
writes them, so this list is the single source of the map.

Two ways to run passes (docs/architecture.md, "command lists"):

* one pass per start: the host writes the pass registers (LAYER_REGS), starts the engine and moves
  the three AXI4-Stream ports with DMAs; `n_cmds` is 0.
* a command list: the host writes `n_cmds` pass descriptors to DDR once (at load), and per frame
  only `cmds`, `n_cmds` and the activation bases `act_in0/act_in1/act_out`, then starts the engine
  once. The engine fetches each descriptor (the pass registers plus the word offsets and beat
  counts of its two input tensors and its output tensor in the activation memory) and runs the
  passes back to back, reading and writing activations over its own AXI masters. No host round
  trip per pass: this removes the per-pass launch cost that dominated the frame time.
"""

from __future__ import annotations

from dataclasses import dataclass

CTRL = 0x00
GIE = 0x04
IER = 0x08
ISR = 0x0C
AP_START, AP_DONE, AP_IDLE, AP_READY = 1, 2, 4, 8
ARGS_BASE = 0x10

# mode register values: which kernel a pass runs (the others are bypassed)
MODES = {"nop": 0, "pwconv": 1, "conv": 2, "dwconv": 3, "deform": 4, "add": 5, "move": 6}
SRC_MAPS = {"direct": 0, "concat": 1, "shuffle2": 2}


@dataclass(frozen=True)
class Register:
    name: str
    offset: int
    width: int  # bits: 32 or 64
    access: str  # "r" (output) or "w"
    doc: str
    scope: str = "pass"  # "pass": set per pass (LAYER_REGS, or a descriptor); "engine": set per start
    bundle: str = ""  # AXI master bundle of a 64-bit pointer


# 64-bit pointers and the AXI master each reads or writes through (a separate master per activation
# stream, so the list mode's readers and writer run concurrently in one dataflow region)
BUNDLES = {"weights": "gmem", "cmds": "gmem", "act_in0": "gact0", "act_in1": "gact1", "act_out": "gact2"}
ENGINE_REGS = ("weights", "n_cmds", "cmds", "act_in0", "act_in1", "act_out")

_ARGS: tuple[tuple[str, int, str, str], ...] = (
    ("signature", 32, "r", "design signature: low 32 bits of the plan hash (valid after a NOP pass)"),
    ("mode", 32, "w", "kernel to run: " + ", ".join(f"{v}={k}" for k, v in MODES.items())),
    ("in_h", 32, "w", "input height"),
    ("in_w", 32, "w", "input width"),
    ("in_c", 32, "w", "input channels"),
    ("out_h", 32, "w", "output height"),
    ("out_w", 32, "w", "output width"),
    ("out_c", 32, "w", "output channels"),
    ("kernel", 32, "w", "kernel size k (conv/dwconv), 3 for deform, 1 for pwconv"),
    ("stride", 32, "w", "stride"),
    ("pad", 32, "w", "zero padding (conv/dwconv)"),
    ("in_signed", 32, "w", "bit 0: in0 signed, bit 1: in1 signed"),
    ("out_lo", 32, "w", "output clamp minimum (two's complement)"),
    ("out_hi", 32, "w", "output clamp maximum"),
    ("max_offset", 32, "w", "deform: offset bound N (offsets above are clamped)"),
    ("add_ma", 32, "w", "add: multiplier of in0"),
    ("add_mb", 32, "w", "add: multiplier of in1"),
    ("add_shift", 32, "w", "add: right shift"),
    ("w_offset", 32, "w", "weights: first 64-bit word in weight memory"),
    ("q_offset", 32, "w", "bias/mult/shift: first 64-bit word in weight memory"),
    ("src_c0", 32, "w", "view: channels per pixel of the in0 source stream"),
    ("src_c1", 32, "w", "view: channels per pixel of the in1 source stream (concat/shuffle2 maps)"),
    ("src_map", 32, "w", "view: 0 in0, 1 concat(in0, in1), 2 shuffle of concat(in0, in1) with 2 groups"),
    ("c_start", 32, "w", "view: first channel of the mapped source the kernel reads (in_c channels)"),
    ("up", 32, "w", "view: nearest upsampling factor from the sources (in_h/up x in_w/up) to the input"),
    ("weights", 64, "w", "weight memory base address (AXI master)"),
    ("n_cmds", 32, "w", "command list: number of pass descriptors at `cmds` (0: one pass from the registers above)"),
    ("cmds", 64, "w", "command list: address of the first pass descriptor (CMD_WORDS 64-bit words each)"),
    ("act_in0", 64, "w", "command list: activation memory base for in0 reads (descriptor offsets are 64-bit words)"),
    ("act_in1", 64, "w", "command list: activation memory base for in1 reads"),
    ("act_out", 64, "w", "command list: activation memory base for output writes"),
)


def _layout() -> tuple[Register, ...]:
    regs = []
    off = ARGS_BASE
    for name, width, access, doc in _ARGS:
        scope = "engine" if name in ENGINE_REGS else "pass"
        regs.append(Register(name, off, width, access, doc, scope, BUNDLES.get(name, "")))
        off += 12 if width == 64 else 8
    return tuple(regs)


REGISTERS: tuple[Register, ...] = _layout()
BY_NAME: dict[str, Register] = {r.name: r for r in REGISTERS}
LAYER_REGS: tuple[str, ...] = tuple(r.name for r in REGISTERS if r.access == "w" and r.scope == "pass")

# A pass descriptor of the command list: LAYER_REGS, then where the pass's streams live in the
# activation memory (64-bit word offsets from act_in0/act_in1/act_out, and beat counts; an unused
# in1 has 0 beats). Two 32-bit fields per 64-bit word, the first in the low half.
CMD_STREAM_FIELDS = ("in0_off", "in0_beats", "in1_off", "in1_beats", "out_off", "out_beats")
CMD_FIELDS: tuple[str, ...] = LAYER_REGS + CMD_STREAM_FIELDS
CMD_WORDS = (len(CMD_FIELDS) + 1) // 2


def pack_command(values: dict[str, int]) -> list[int]:
    """One descriptor as CMD_WORDS 64-bit words from {field: value} (negative values as two's complement)."""
    fields = [values[f] & 0xFFFFFFFF for f in CMD_FIELDS] + [0]
    return [fields[2 * i] | (fields[2 * i + 1] << 32) for i in range(CMD_WORDS)]


def to_json() -> dict:
    return {
        "control": {"ctrl": CTRL, "gie": GIE, "ier": IER, "isr": ISR,
                    "ap_start": AP_START, "ap_done": AP_DONE, "ap_idle": AP_IDLE, "ap_ready": AP_READY},
        "modes": dict(MODES),
        "registers": [{"name": r.name, "offset": r.offset, "width": r.width, "access": r.access, "doc": r.doc,
                       "scope": r.scope} for r in REGISTERS],
        "commands": {"fields": list(CMD_FIELDS), "words": CMD_WORDS},
    }
