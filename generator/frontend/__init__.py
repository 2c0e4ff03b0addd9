"""Torch front end (the `torch` extra): HAWQ-V3 quantisation, CoDeNet and HAO models, export.

Modules: quant (quantizers, STE), fold (BN folding), trace (QTensor, tracer), modules
(quantisation-aware layers, one per foundation op), deform (CoDeNet deformable depthwise),
calibrate, export, check (per-layer LSB check), codenet, hao, distill (ZeroQ), data
(synthetic detection set), train, metrics (AP50), checkpoint, zoo (zoo builders), cli.
Nothing outside this package imports torch at import time. See docs/frontend.md.
"""
