"""Simulation harnesses: the g++ C-sim of generated HLS projects (csim.py, csim_bridge.cpp, the
depth-enforcing hls::stream in include/), the cocotb runner wrapper and the RTL testbenches (tb/)."""
