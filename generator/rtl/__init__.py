"""RTL backend: Verilog from rtl_templates/, cocotb simulation, yosys synthesis.

- `emit(dir, net, engine)` writes DIR/rtl/*.v (the engine top `accel_top` and its kernels);
- `run_network(project_or_engine, net, inputs, simulator)` runs the network's schedule with the
  engine passes in RTL simulation and returns (tensors, passes with cycles);
- `generator.rtl.synth` runs yosys per kernel and for the top.
"""

from __future__ import annotations

from pathlib import Path

from generator.hw.engine import EngineConfig
from generator.ir.network import Network
from generator.rtl.render import render
from generator.rtl.sim import run_network


def emit(project_dir: Path | str, net: Network, engine: EngineConfig) -> Path:
    """Render the engine's RTL into project_dir/rtl; returns that folder."""
    del net  # the RTL depends on the engine only; kept for the generator's stage signature
    out = Path(project_dir) / "rtl"
    render(engine, out)
    return out


__all__ = ["emit", "render", "run_network"]
