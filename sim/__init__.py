"""Simulation harnesses: the g++ C-sim of generated HLS projects (and, later, RTL simulation)."""
