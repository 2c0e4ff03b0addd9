"""cocotb testbenches. Each runs inside the simulator; tests/rtl/ starts them via sim.runner."""
