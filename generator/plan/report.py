"""Readable output of a plan: the terminal table (where the time goes) and report.html."""

from __future__ import annotations

import base64
import html
import io
from collections import defaultdict
from typing import TYPE_CHECKING

from generator.cost.resources import RESOURCE_KEYS
from generator.summary import human
from generator.table import format_table

if TYPE_CHECKING:
    from generator.plan import Plan

NAMES = {"dsp": "DSP", "lut": "LUT", "ff": "FF", "bram18": "BRAM18"}


def _us(s: float) -> str:
    return f"{s * 1e6:.1f}"


def layer_rows(plan: Plan) -> list[list]:
    total = plan.latency_s
    rows = []
    for ly in plan.layers:
        eng = ly.kernel is not None
        mac_per_cycle = f"{ly.macs / ly.compute:.0f}" if eng and ly.compute else "-"
        rows.append([
            ly.name, ly.op, ly.kernel or "ARM", ly.macs,
            ly.compute if eng else "-", ly.stream if eng else "-", ly.weights if eng else "-",
            ly.fill if eng else "-", _us(ly.host_s), _us(ly.seconds), f"{100 * ly.seconds / total:.1f}",
            ly.bound, mac_per_cycle,
        ])
    return rows


def time_split(plan: Plan) -> dict[str, float]:
    """Seconds by cause: engine passes by what bounds them, host pass launches, ARM steps."""
    split: dict[str, float] = defaultdict(float)
    for ly in plan.layers:
        if ly.kernel is None:
            split["ARM steps"] += ly.seconds
        elif ly.kernel == "view":  # folded into a pass's input view: no time of its own
            continue
        else:
            split[f"engine, {ly.bound}-bound"] += ly.engine_cycles / plan.clock_hz
            split["host pass launch"] += ly.host_s
    return dict(split)


def summary_lines(plan: Plan, whatif: dict[str, float] | None = None) -> list[str]:
    t = plan.totals
    lines = [
        f"{plan.network} on {plan.board} at {plan.clock_mhz:g} MHz: {plan.fps:.1f} fps "
        f"({plan.latency_s * 1e3:.3f} ms), {human(plan.macs)}MAC   [{plan.calibration_status}]",
        "resources: " + ", ".join(
            f"{NAMES[r]} {getattr(t, r)}/{getattr(plan.budget, r)}" for r in RESOURCE_KEYS)
        + f"   solver: {'optimal' if plan.optimal else 'not proven optimal'} in {plan.solve_s:.3f} s",
        f"DSP-bound limit: {plan.board_resources.dsp} DSP x 2 MAC x {plan.clock_mhz:g} MHz = "
        f"{plan.dsp_bound_macs_per_s / 1e9:.1f} GMAC/s; achieved {plan.macs * plan.fps / 1e9:.2f} GMAC/s "
        f"= {100 * plan.efficiency:.1f} % efficiency",
        "time: " + ", ".join(f"{k} {v * 1e3:.3f} ms ({100 * v / plan.latency_s:.0f} %)"
                             for k, v in sorted(time_split(plan).items(), key=lambda kv: -kv[1])),
    ]
    if whatif:
        lines.append("what-if (levers the engine does not implement; not reachable as built):")
        lines += [f"  {name}: {fps:.1f} fps" for name, fps in whatif.items()]
    return lines


KERNEL_HEADS = ["kernel", "PI", "PO", "pack", "DSP", "LUT", "FF", "BRAM18"]


def kernel_rows(plan: Plan) -> list[list]:
    return ([[k.spec.kind, k.spec.pi, k.spec.po, "yes" if k.spec.pack else "no", k.res.dsp, k.res.lut, k.res.ff,
              k.res.bram18] for k in plan.kernels]
            + [["top glue", "-", "-", "-", plan.top.dsp, plan.top.lut, plan.top.ff, plan.top.bram18],
               ["shell (uncalibrated)", "-", "-", "-", plan.shell.dsp, plan.shell.lut, plan.shell.ff, plan.shell.bram18]])


def text_report(plan: Plan, whatif: dict[str, float] | None = None) -> str:
    heads = ["layer", "op", "kernel", "MACs", "compute", "stream", "weights", "fill", "host us",
             "total us", "%", "bound", "MAC/cyc"]
    kern = format_table(KERNEL_HEADS, kernel_rows(plan))
    return "\n".join([format_table(heads, layer_rows(plan)), "", kern, ""] + summary_lines(plan, whatif))


# ---- report.html ---------------------------------------------------------------------------
def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _resource_chart(plan: Plan) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    parts = [("shell (uncalibrated)", plan.shell), ("top glue", plan.top)] + [(k.spec.kind, k.res) for k in plan.kernels]
    left = [0.0] * len(RESOURCE_KEYS)
    for name, res in parts:
        vals = [100 * getattr(res, r) / max(getattr(plan.board_resources, r), 1) for r in RESOURCE_KEYS]
        ax.barh([NAMES[r] for r in RESOURCE_KEYS], vals, left=left, label=name)
        left = [a + b for a, b in zip(left, vals)]
    for i, r in enumerate(RESOURCE_KEYS):
        b = 100 * getattr(plan.budget, r) / max(getattr(plan.board_resources, r), 1)
        ax.plot([b, b], [i - 0.4, i + 0.4], color="black", linewidth=2)
    ax.set_xlabel(f"% of {plan.board} (black: budget)")
    ax.legend(fontsize=7, ncol=3, loc="lower right")
    ax.set_xlim(0, 105)
    out = _png(fig)
    plt.close(fig)
    return out


def _latency_chart(plan: Plan) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(plan.layers)
    fig, ax = plt.subplots(figsize=(max(7, n * 0.12), 3.5))
    hz = plan.clock_hz
    xs = list(range(n))
    series = {
        "compute/stream (engine)": [max(ly.compute, ly.stream) / hz * 1e6 if ly.kernel else 0 for ly in plan.layers],
        "weight load": [ly.weights / hz * 1e6 if ly.kernel else 0 for ly in plan.layers],
        "fill/overhead": [ly.fill / hz * 1e6 if ly.kernel else 0 for ly in plan.layers],
        "host launch": [ly.host_s * 1e6 if ly.kernel else 0 for ly in plan.layers],
        "ARM step": [ly.seconds * 1e6 if ly.kernel is None else 0 for ly in plan.layers],
    }
    bottom = [0.0] * n
    for name, vals in series.items():
        ax.bar(xs, vals, bottom=bottom, label=name, width=0.8)
        bottom = [a + b for a, b in zip(bottom, vals)]
    ax.set_ylabel("us")
    ax.set_xlabel("layer (schedule order)")
    ax.set_xticks(xs)
    ax.set_xticklabels([ly.name for ly in plan.layers], rotation=90, fontsize=5)
    ax.legend(fontsize=7)
    out = _png(fig)
    plt.close(fig)
    return out


def html_report(plan: Plan, whatif: dict[str, float] | None = None) -> str:
    heads = ["layer", "op", "kernel", "MACs", "compute", "stream", "weights", "fill", "host us",
             "total us", "%", "bound", "MAC/cyc"]
    table = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                    for row in layer_rows(plan))
    summary = "".join(f"<li>{html.escape(s)}</li>" for s in summary_lines(plan, whatif))
    kernels = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                      for row in kernel_rows(plan))
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>accelgen plan: {html.escape(plan.network)} on {html.escape(plan.board)}</title>
<style>body{{font-family:sans-serif;margin:1.5em}} td,th{{padding:1px 6px;font-size:12px;text-align:right}}
td:nth-child(-n+3){{text-align:left}} table{{border-collapse:collapse}} tr:nth-child(even){{background:#f3f3f3}}</style>
</head><body>
<h1>{html.escape(plan.network)} on {html.escape(plan.board)}</h1>
<p><b>{html.escape(plan.calibration_status)}</b>: every figure below is a model prediction.</p>
<ul>{summary}</ul>
<h2>Resources</h2><img alt="resources" src="data:image/png;base64,{_resource_chart(plan)}">
<table><tr>{''.join(f'<th>{h}</th>' for h in KERNEL_HEADS)}</tr>{kernels}</table>
<h2>Per-layer latency</h2><img alt="latency" src="data:image/png;base64,{_latency_chart(plan)}">
<h2>Layers (cycles at {plan.clock_mhz:g} MHz)</h2>
<table><tr>{''.join(f'<th>{h}</th>' for h in heads)}</tr>{table}</table>
</body></html>
"""
