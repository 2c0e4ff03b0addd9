"""accelgen: generate FPGA dataflow accelerators for integer-quantized neural networks.

Data flows one way: network (JSON + NPZ) -> IR -> plan -> emitted project -> sims / host.
"""

__version__ = "0.1.0"
