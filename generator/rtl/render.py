"""Render the RTL templates (rtl_templates/) for an engine into a folder of Verilog files.

Verilog uses `{{` for replication, so the templates write Jinja expressions as `${ expr }`.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from generator.hw.engine import EngineConfig
from generator.rtl.context import LIBRARY, TOP, top_context

TEMPLATES = Path(__file__).resolve().parents[2] / "rtl_templates"


def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, variable_start_string="${", variable_end_string="}")


def render(engine: EngineConfig, out_dir: Path | str) -> list[Path]:
    """Write one .v file per library module plus the engine top; returns the paths (top last)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = environment()
    ctx = top_context(engine)
    paths = []
    for name in (*LIBRARY, TOP):
        path = out / f"{name}.v"
        path.write_text(env.get_template(f"{name}.v.j2").render(**ctx))
        paths.append(path)
    return paths


def render_library(out_dir: Path | str) -> list[Path]:
    """The kernel library alone (no engine top): unit testbenches and per-module synthesis."""
    from generator.hw.regmap import LAYER_REGS

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = environment()
    paths = []
    for name in LIBRARY:
        path = out / f"{name}.v"
        path.write_text(env.get_template(f"{name}.v.j2").render(layer_regs=list(LAYER_REGS)))
        paths.append(path)
    return paths
