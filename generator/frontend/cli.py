"""`accelgen train`, `accelgen export` and `accelgen detect` (torch extra).

`generator.cli.build_parser` calls `register(command)`; torch is imported only when one of
these commands runs.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from generator.errors import AccelgenError

log = logging.getLogger("accelgen")

DEMO = "codenet-demo"
HEAD_SUFFIX = ".head.json"
VOC_CLASSES = ("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
               "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
               "train", "tvmonitor")

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _torch():
    try:
        import torch
    except ImportError as e:
        raise AccelgenError(f"this command needs torch ({e}); pip install 'accelgen[torch]'") from None
    return torch


def _threads(args: argparse.Namespace) -> None:
    if getattr(args, "threads", None):
        _torch().set_num_threads(args.threads)


def class_names(num_classes: int) -> list[str]:
    from generator.frontend.data import CLASSES

    if num_classes == len(CLASSES):
        return list(CLASSES)
    if num_classes == len(VOC_CLASSES):
        return list(VOC_CLASSES)
    return [f"class{i}" for i in range(num_classes)]


# ---- export ---------------------------------------------------------------------------------
def export_zoo(name: str, seed: int, checkpoint: str | None, w_bits: int | None, a_bits: int | None,
               calib: str):
    """(Network, head metadata or None) for a torch zoo model."""
    _torch()
    from generator.frontend import codenet, zoo
    from generator.frontend.export import export, output_scales

    model = zoo.quantized_model(name, seed, checkpoint, w_bits, a_bits, calib)
    example = zoo.example_image(model)
    net = export(model, example, zoo.net_name(name))
    head = None
    if isinstance(model, codenet.CoDeNet):
        scales = output_scales(model, example)
        head = {"stride": model.cfg.output_stride, "classes": class_names(model.cfg.num_classes),
                "outputs": {k: {"layer": n, "scale": scales[k]} for k, n in zip(codenet.HEADS, net.outputs)}}
    return net, head


def cmd_export(args: argparse.Namespace) -> int:
    from generator.ir.io import save_network

    _threads(args)
    net, head = export_zoo(args.net, args.seed, args.checkpoint, args.w_bits, args.a_bits, args.calib)
    path = save_network(net, Path(args.out) / f"{net.name}.json")
    msg = f"wrote {path} and {path.with_suffix('.npz')}"
    if head is not None:
        hp = path.with_name(net.name + HEAD_SUFFIX)
        hp.write_text(json.dumps(head, indent=2) + "\n")
        msg += f" and {hp}"
    print(msg)
    return 0


# ---- train ----------------------------------------------------------------------------------
def cmd_train(args: argparse.Namespace) -> int:
    torch = _torch()
    _threads(args)
    from generator.frontend.codenet import CONFIGS
    from generator.frontend.train import train_codenet

    if args.net not in CONFIGS:
        raise AccelgenError(f"train: '{args.net}' is not a CoDeNet config ({', '.join(CONFIGS)})")
    device = torch.device(args.device) if args.device else None
    if device is not None and device.type == "cuda" and not torch.cuda.is_available():
        raise AccelgenError("train: --device cuda but no GPU is available")
    r = train_codenet(args.net, args.out, args.float_steps, args.qat_steps, args.batch, args.lr, args.qat_lr,
                      args.w_bits, args.a_bits, args.train_images, args.val_images, args.seed, device,
                      progress=not args.no_progress)
    if args.metrics:
        Path(args.metrics).write_text(json.dumps(r, indent=2) + "\n")
    aps = ", ".join(f"{k[5:]} {v:.3f}" for k, v in r.items() if k.startswith("ap50_"))
    print(f"{args.net}: AP50 {aps}; trained in {r['train_seconds']:.0f} s on {r['device']}"
          + (f"; wrote {args.out}" if args.out else ""))
    return 0


# ---- detect ---------------------------------------------------------------------------------
def load_image(path: str, size: tuple[int, int, int]) -> np.ndarray:
    from generator.fileio import read_npz

    try:
        arrays = read_npz(path)
    except (OSError, ValueError) as e:
        raise AccelgenError(f"image file {path}: not a readable NPZ ({e})") from None
    key = "image" if "image" in arrays else (next(iter(arrays)) if len(arrays) == 1 else None)
    if key is None:
        raise AccelgenError(f"image file {path}: needs an array 'image' (has: {', '.join(sorted(arrays))})")
    img = np.asarray(arrays[key])
    if img.ndim == 4 and img.shape[0] == 1:
        img = img[0]
    if tuple(img.shape) != tuple(size):
        raise AccelgenError(f"image file {path}: shape {list(img.shape)}, the network takes {list(size)} (H, W, C)")
    if not np.issubdtype(img.dtype, np.integer) or img.min() < 0 or img.max() > 255:
        raise AccelgenError(f"image file {path}: must hold integers in 0..255 (uint8 RGB)")
    return img.astype(np.uint8)


def cmd_detect(args: argparse.Namespace) -> int:
    from generator.frontend.data import make_sample
    from generator.ir.io import load_network
    from generator.reference import run_golden
    from host.decode import decode, dequantize
    from host.draw import draw_boxes, write_png

    _threads(args)
    if args.net.endswith(".json") or Path(args.net).exists():
        if args.checkpoint:
            raise AccelgenError("detect: --checkpoint applies to zoo names, not network files")
        net = load_network(args.net)
        hp = Path(args.net).with_name(Path(args.net).stem + HEAD_SUFFIX)
        if not hp.exists():
            raise AccelgenError(f"detect: {hp} not found (accelgen export writes it beside the network)")
        head = json.loads(hp.read_text())
    else:
        net, head = export_zoo(args.net, args.seed, args.checkpoint, None, None, "synthetic")
        if head is None:
            raise AccelgenError(f"detect: '{args.net}' is not a detector (use a codenet-* name)")
    spec = net.inputs[0]
    if args.image:
        image = load_image(args.image, spec.type.shape)
        truth = None
    else:
        sample = make_sample(args.synthetic, 0, spec.type.shape[0])
        if sample.image.shape != spec.type.shape:
            raise AccelgenError(f"detect: synthetic images are square RGB; the network takes {list(spec.type.shape)}")
        image, truth = sample.image, sample
    if args.save_input:
        from generator.fileio import write_npz

        write_npz(args.save_input, {spec.name: image.astype(np.uint8)})
    if args.outputs:  # network outputs computed elsewhere: accelgen csim / run / rtlsim --outputs
        from generator.fileio import read_npz

        try:
            t = read_npz(args.outputs)
        except (OSError, ValueError) as e:
            raise AccelgenError(f"detect: --outputs {args.outputs} is not a readable NPZ ({e})") from None
        missing = [v["layer"] for v in head["outputs"].values() if v["layer"] not in t]
        if missing:
            raise AccelgenError(f"detect: --outputs {args.outputs} lacks network output '{missing[0]}'")
    else:
        t = run_golden(net, {spec.name: image.astype(np.int64)})
    o = head["outputs"]
    maps = {k: dequantize(t[o[k]["layer"]], o[k]["scale"]) for k in ("heatmap", "size", "offset")}
    boxes, scores, labels = decode(maps["heatmap"], maps["size"], maps["offset"], head["stride"],
                                   score_min=args.score)
    scale = args.scale
    img = draw_boxes(image, boxes, labels, thickness=max(1, scale // 2), scale=scale)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_png(args.out, img)
    names = head["classes"]
    dets = [{"label": names[int(c)], "score": round(float(s), 4), "box": [round(float(v), 2) for v in b]}
            for b, s, c in zip(boxes, scores, labels)]
    if args.json:
        doc = {"detections": dets}
        if truth is not None:
            doc["truth"] = [{"label": names[int(c)], "box": b.tolist()} for b, c in zip(truth.boxes, truth.labels)]
        Path(args.json).write_text(json.dumps(doc, indent=2) + "\n")
    summary = ", ".join(f"{d['label']} {d['score']:.2f}" for d in dets[:8]) or "nothing"
    summary += ", ..." if len(dets) > 8 else ""
    print(f"{len(dets)} detections ({summary}); wrote {args.out}")
    return 0


# ---- registration ---------------------------------------------------------------------------
def register(command: Command) -> None:
    sp = command("train", cmd_train, "train a CoDeNet on the synthetic shapes (float, then QAT) and save a checkpoint")
    sp.add_argument("net", nargs="?", default=DEMO, metavar="NET", help=f"CoDeNet config (default {DEMO})")
    sp.add_argument("--out", help="checkpoint to write (.pt)")
    sp.add_argument("--float-steps", type=int, default=1500)
    sp.add_argument("--qat-steps", type=int, default=300)
    sp.add_argument("--batch", type=int, default=32)
    sp.add_argument("--lr", type=float, default=3e-3)
    sp.add_argument("--qat-lr", type=float, default=5e-4)
    sp.add_argument("--w-bits", type=int, default=4, help="QAT weight bits (2..8, default 4)")
    sp.add_argument("--a-bits", type=int, default=8, help="QAT activation bits (2..8, default 8)")
    sp.add_argument("--train-images", type=int, default=3000)
    sp.add_argument("--val-images", type=int, default=200)
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    sp.add_argument("--threads", type=int, help="CPU threads for torch")
    sp.add_argument("--metrics", help="write the measurements as JSON here")
    sp.add_argument("--no-progress", action="store_true", help="no progress bar")

    sp = command("export", cmd_export, "quantise a torch zoo model (random or --checkpoint weights) and write NAME.json + NAME.npz")
    _net_args(sp)
    sp.add_argument("--w-bits", type=int, help="weight bits (default: the config's)")
    sp.add_argument("--a-bits", type=int, help="activation bits (default: the config's)")
    sp.add_argument("--calib", choices=("synthetic", "distilled"), default="synthetic",
                    help="calibration data: synthetic shapes or ZeroQ distilled data (default synthetic)")
    sp.add_argument("--out", default=".", help="directory to write to (default .)")

    sp = command("detect", cmd_detect, "run a detector's integer network (golden model) on an image, decode + NMS, draw a PNG")
    _net_args(sp)
    src = sp.add_mutually_exclusive_group(required=True)
    src.add_argument("--image", help="NPZ with an 'image' array (H, W, 3) uint8")
    src.add_argument("--synthetic", type=int, metavar="SEED", help="a synthetic shapes image from this seed")
    sp.add_argument("--out", required=True, help="PNG to write")
    sp.add_argument("--json", help="also write the detections (and the synthetic truth) as JSON")
    sp.add_argument("--save-input", metavar="NPZ", help="also write the network input (for golden/C-sim --inputs)")
    sp.add_argument("--outputs", metavar="NPZ", help="decode these network outputs (from accelgen csim/run/rtlsim "
                    "--outputs on the same image) instead of running the golden model")
    sp.add_argument("--score", type=float, default=0.3, help="minimum score (default 0.3)")
    sp.add_argument("--scale", type=int, default=4, help="upscale the PNG by this factor (default 4)")


def _net_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("net", metavar="NET", help="torch zoo name (codenet-a..e, codenet-demo, hao-*) or, for detect, an exported NAME.json")
    sp.add_argument("--checkpoint", help="trained weights (accelgen train) instead of seeded random ones")
    sp.add_argument("--seed", type=int, default=0, help="seed for random weights (default 0)")
    sp.add_argument("--threads", type=int, help="CPU threads for torch")
