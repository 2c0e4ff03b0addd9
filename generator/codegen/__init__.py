"""Code generation: one Jinja environment, HLS/Vivado/project writers."""
