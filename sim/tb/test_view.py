"""View-reader and move testbench: folded views (sim.tb.kernels.view_net) read by one kernel, or
materialised by a move pass, through accel_top.

Payload, traffic (tvalid bubbles, tready back-pressure) and simulator are chosen by
tests/rtl/test_views.py; the result is compared with the golden model there.
"""

from __future__ import annotations

import cocotb

from sim.tb.job import run_network_job


@cocotb.test()
async def run_job(dut):
    await run_network_job(dut)
