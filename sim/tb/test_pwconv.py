"""pwconv testbench: single-layer networks (sim.tb.kernels.BUILDERS["pwconv"]) through accel_top.

Payload, traffic (tvalid bubbles, tready back-pressure) and simulator are chosen by
tests/rtl/test_kernels.py; the result is compared with the golden model there.
"""

from __future__ import annotations

import cocotb

from sim.tb.job import run_network_job


@cocotb.test()
async def run_job(dut):
    await run_network_job(dut)
