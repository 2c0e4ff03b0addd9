"""Resource numbers: yosys `synth_xilinx -family xcup` per kernel and for the engine top.

Writes DIR/synth.json in the calibration format of generator/cost/measurements
(`accelgen-synth/1`: LUT, FF, BRAM18, DSP per kernel and total). With Vivado on PATH the same
flow runs through its tcl (synth_design, report_utilization) instead.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import AccelgenError
from generator.hw.engine import EngineConfig
from generator.rtl.context import TOP, VIEW_MODULE, kernel_rtl
from generator.rtl.render import render

log = logging.getLogger(__name__)

FORMAT = "accelgen-synth/1"
YOSYS_FAMILY = "xcup"
VIVADO_PART = "xczu3eg-sbva484-1-i"  # Ultra96-V2; any UltraScale+ part gives the same primitives

LUT_CELLS = re.compile(r"^(LUT[1-6]|RAM\d+[XM]\d*[SD]?|RAM\d+M|SRL16E|SRLC32E|LUT6_2)$")
# LUTRAM primitives occupy several LUT6 sites each (UltraScale+ CLB user guide, UG574): count the
# sites, not the cells, so a LUTRAM memory weighs what it takes of the LUT budget.
LUTRAM_SITES = {"RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM128X1S": 2, "RAM256X1S": 4, "RAM256X1D": 8,
                "RAM512X1S": 8, "RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8}
FF_CELLS = re.compile(r"^FD[RSCP]E$")


class SynthError(AccelgenError):
    """yosys / Vivado missing or failed."""


@dataclass(frozen=True)
class Resources:
    lut: int
    ff: int
    bram18: int
    dsp: int

    def to_json(self) -> dict[str, int]:
        return {"lut": self.lut, "ff": self.ff, "bram18": self.bram18, "dsp": self.dsp}


def resources_from_cells(cells: dict[str, int]) -> Resources:
    lut = sum(n * LUTRAM_SITES.get(c, 1) for c, n in cells.items() if LUT_CELLS.match(c))
    ff = sum(n for c, n in cells.items() if FF_CELLS.match(c))
    bram = cells.get("RAMB18E2", 0) + 2 * cells.get("RAMB36E2", 0)
    dsp = cells.get("DSP48E2", 0)
    return Resources(lut, ff, bram, dsp)


def yosys_version() -> str:
    out = subprocess.run(["yosys", "-V"], capture_output=True, text=True, check=False).stdout.strip()
    return out.split(" (")[0] if out else "yosys"


def yosys_script(sources: list[Path], top: str, params: dict[str, int], stat_json: Path) -> str:
    reads = "\n".join(f"read_verilog -DSYNTHESIS -sv {s}" for s in sources)
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    lines = [reads]
    if params:
        lines.append(f"chparam {chparam} {top}")
    lines += [f"synth_xilinx -family {YOSYS_FAMILY} -top {top} -flatten",
              f"tee -q -o {stat_json} stat -json"]
    return "\n".join(lines) + "\n"


def run_yosys(sources: list[Path], top: str, params: dict[str, int], work: Path) -> Resources:
    if shutil.which("yosys") is None:
        raise SynthError("yosys not found (apt-get install yosys)")
    work.mkdir(parents=True, exist_ok=True)
    stat = work / f"{top}_stat.json"
    script = work / f"{top}.ys"
    script.write_text(yosys_script(sources, top, params, stat))
    logf = work / f"{top}.log"
    with logf.open("w") as fh:
        proc = subprocess.run(["yosys", "-q", "-s", str(script)], stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0 or not stat.exists():
        tail = logf.read_text()[-1500:]
        raise SynthError(f"yosys failed on {top} (log {logf}):\n{tail}")
    text = stat.read_text()
    doc = json.loads(text[text.index("{"):])
    design = doc.get("design") or next(iter(doc["modules"].values()))
    return resources_from_cells({k: int(v) for k, v in design.get("num_cells_by_type", {}).items()})


def vivado_tcl(sources: list[Path], top: str, part: str, report: Path) -> str:
    reads = "\n".join(f"read_verilog -sv {s}" for s in sources)
    return (f"{reads}\nsynth_design -top {top} -part {part} -mode out_of_context\n"
            f"report_utilization -file {report}\n")


def synth_engine(engine: EngineConfig, out_dir: Path | str, rtl_dir: Path | str | None = None,
                 kernels_only: bool = False) -> dict[str, Any]:
    """yosys per kernel (its module with the kernel's parameters, plus its view reader) and for
    accel_top; `views` lists the view readers' share.

    With `kernels_only` there is no `total`: a sum of kernels is not a measurement of the engine
    (the cost model compares `total` with its kernels plus the top's glue).
    """
    out = Path(out_dir)
    rtl = Path(rtl_dir) if rtl_dir else out / "rtl"
    if not (rtl / f"{TOP}.v").exists():
        render(engine, rtl)
    sources = sorted(p for p in rtl.iterdir() if p.suffix in (".v", ".sv"))
    work = out / "synth_work"
    kernels: dict[str, dict[str, int]] = {}
    views: dict[str, dict[str, int]] = {}
    for spec in engine.kernels:
        k = kernel_rtl(spec, engine)
        log.info("yosys: kernel %s (%s)", spec.kind, k.module)
        res = run_yosys(sources, k.module, k.params, work / spec.kind)
        if k.view:  # the view reader in front of in0 counts with its kernel (as in HLS and the cost model)
            log.info("yosys: view reader of %s (%s)", spec.kind, VIEW_MODULE)
            v = run_yosys(sources, VIEW_MODULE, k.view, work / f"{spec.kind}_view")
            views[spec.kind] = v.to_json()
            res = Resources(res.lut + v.lut, res.ff + v.ff, res.bram18 + v.bram18, res.dsp + v.dsp)
        kernels[spec.kind] = res.to_json()
    doc: dict[str, Any] = {"format": FORMAT, "tool": yosys_version(), "part": f"synth_xilinx -family {YOSYS_FAMILY}",
                           "engine": engine.to_json(), "kernels": kernels, "views": views}
    if not kernels_only:
        log.info("yosys: %s", TOP)
        doc["total"] = run_yosys(sources, TOP, {}, work / "top").to_json()
    (work / "vivado_synth.tcl").write_text(vivado_tcl(sources, TOP, VIVADO_PART, work / "utilization.rpt"))
    return doc
