"""Checks that generated HLS sources stay inside what Vitis HLS synthesises.

Synthesised code must use static sizes only: no dynamic memory, no recursion, no STL containers
or exceptions, and every loop bounded: a loop whose bound is not a compile-time constant must
carry `#pragma HLS LOOP_TRIPCOUNT`. C-simulation-only code (`#ifndef __SYNTHESIS__` branches) and
the testbench are exempt. `lint_sources` returns one line per violation ("file:line: rule").
"""

from __future__ import annotations

import re
from pathlib import Path

FORBIDDEN = {
    r"\bnew\b": "dynamic allocation (new)",
    r"\bdelete\b": "dynamic allocation (delete)",
    r"\b(malloc|calloc|realloc|free)\s*\(": "dynamic allocation (malloc/free)",
    r"std::(vector|map|unordered_map|set|deque|list|string|function|thread)\b": "STL container/runtime",
    r"\b(throw|try|catch)\b": "exceptions",
    r"\bgoto\b": "goto",
    r"\bprintf\s*\(": "printf",
}
STATIC_BOUND = re.compile(r"^(\d+|[A-Z_][A-Z0-9_]*|CFG::[A-Z_][A-Z0-9_]*|\(?[A-Z0-9_:+\-*/ ()]+\)?)$")
FOR_RE = re.compile(r"\bfor\s*\(([^;]*);([^;]*);")
WHILE_RE = re.compile(r"\bwhile\s*\(")
FUNC_RE = re.compile(r"^[A-Za-z_][\w:<>,\s*&]*?\b([a-z_]\w*)\s*\([^;{]*\)\s*(const\s*)?\{", re.M)


def strip_csim(text: str) -> list[str]:
    """Source lines with comments removed and C-sim-only preprocessor branches blanked."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    out = []
    stack: list[bool] = []  # True while inside a C-sim-only branch
    for line in text.splitlines():
        code = line.split("//")[0]
        s = code.strip()
        if s.startswith("#ifndef __SYNTHESIS__"):
            stack.append(True)
            out.append("")
            continue
        if s.startswith("#ifdef __SYNTHESIS__"):
            stack.append(False)
            out.append("")
            continue
        if s.startswith(("#if", "#ifdef", "#ifndef")):
            stack.append(stack[-1] if stack else False)
        elif s.startswith("#else") and stack:
            stack[-1] = not stack[-1]
            out.append("")
            continue
        elif s.startswith("#endif") and stack:
            stack.pop()
        out.append("" if (stack and stack[-1]) else code)
    return out


def loop_bound_static(cond: str) -> bool:
    m = re.search(r"[<>]=?\s*(.+)$", cond.strip())
    if not m:
        return False
    return bool(STATIC_BOUND.match(m.group(1).strip()))


def lint_text(name: str, text: str) -> list[str]:
    lines = strip_csim(text)
    problems = []
    for i, line in enumerate(lines, 1):
        for pattern, rule in FORBIDDEN.items():
            if re.search(pattern, line):
                problems.append(f"{name}:{i}: {rule}")
        if WHILE_RE.search(line) and not line.strip().startswith("}"):
            problems.append(f"{name}:{i}: while loop (use a bounded for loop with a trip count)")
        m = FOR_RE.search(line)
        if m and not loop_bound_static(m.group(2)):
            window = " ".join(lines[i:i + 3])
            if "LOOP_TRIPCOUNT" not in window:
                problems.append(f"{name}:{i}: loop bound '{m.group(2).strip()}' is not constant and has no LOOP_TRIPCOUNT")
    body = "\n".join(lines)
    for m in FUNC_RE.finditer(body):
        fname = m.group(1)
        start = m.end()
        depth, j = 1, start
        while depth and j < len(body):
            depth += {"{": 1, "}": -1}.get(body[j], 0)
            j += 1
        if re.search(rf"\b{re.escape(fname)}\s*(<[^;]*?>)?\s*\(", body[start:j]):
            problems.append(f"{name}: function '{fname}' calls itself (recursion)")
    return problems


def lint_sources(hls_dir: Path) -> list[str]:
    problems = []
    for path in sorted(hls_dir.glob("*.h")) + sorted(hls_dir.glob("*.cpp")):
        if path.name in ("accel_tb.cpp",):
            continue
        problems += lint_text(path.name, path.read_text())
    return problems
