"""Cross-checks the PyTorch integer path against `semifreddo golden` (the Rust golden model):
python3 train/check_golden.py MODEL_DIR [--images N] [--bin path/to/semifreddo]
Runs both on N Fashion-MNIST test images and compares every head value exactly."""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from export import read_model  # noqa: E402
from semifreddo_net import eval_int  # noqa: E402


def pgm(img: np.ndarray) -> bytes:
    h, w = img.shape
    return f"P5\n{w} {h}\n255\n".encode() + img.astype(np.uint8).tobytes()


def golden(binary, model_dir, img, tmp):
    path = os.path.join(tmp, "img.pgm")
    with open(path, "wb") as f:
        f.write(pgm(img))
    out = os.path.join(tmp, "out.json")
    subprocess.run([binary, "golden", model_dir, "--image", path, "--json", out],
                   check=True, capture_output=True)
    with open(out) as f:
        return json.load(f)["heads"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "semifreddo"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    cfg, p = read_model(a.model)
    x, _ = data.fashion("test")
    x = x[: a.images]
    outs = eval_int(cfg, p, x)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(len(x)):
            heads = golden(a.bin, a.model, x[i], tmp)
            for hi, h in enumerate(heads):
                t = outs[hi][i]
                if t.dim() == 3:  # [O, h, w] -> [h, w, O] as the golden model streams it
                    t = t.permute(1, 2, 0)
                if t.flatten().tolist() != h["values"]:
                    bad += 1
                    print(f"image {i} head{hi}: MISMATCH")
    print(f"{len(x)} images x {len(cfg.heads)} heads: {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
