"""Trains the fixture model and writes tests/fixtures/fashion/:

    python3 train/make_fixture.py [--frozen-epochs 15] [--epochs 6] [--images 300]

* model.toml + model.safetensors: a tiny-topology SemifreddoNet (32x32x1), frozen core from
  phase 1 (Fashion-MNIST), then phase 2 on Fashion-MNIST with two trainable cores, learned
  alphas, core shuffle at boundaries 1, 3 and 4, a repeat block with 2 banks (core 0 makes 2
  passes, core 1 one), and two pooled heads: head0 on the frozen core, head1 on train0 ‖ train1
  (2 groups), both 10 Fashion-MNIST class logits through a monotonic PWL.
* images/NNN.pgm: the first N Fashion-MNIST test images (28x28 padded to 32x32).
* expected.json: labels, every head's int16 output from the PyTorch integer path
  (`eval_int` on the exported file, read back), and the accuracy per head on these images.
`tests/fixtures_real.rs` checks `semifreddo golden` against it bit for bit.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
from export import read_model, write_model  # noqa: E402
from semifreddo_net import HeadCfg, conv_weight_counts, eval_int, tiny_config  # noqa: E402
from train import (PWL_SOFTCLIP, PWL_THREE, frozen_core, int_accuracy, log,  # noqa: E402
                   task_net, train_task)

OUT = os.path.join(HERE, "..", "tests", "fixtures", "fashion")


def pgm(img):
    h, w = img.shape
    return f"P5\n{w} {h}\n255\n".encode() + img.tobytes()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frozen-epochs", type=int, default=15)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--out", default=OUT)
    a = ap.parse_args()
    t0 = time.time()
    frozen = frozen_core(os.path.join(HERE, "runs", f"frozen_fashion_e{a.frozen_epochs}.pt"),
                         a.frozen_epochs)
    cfg = tiny_config(2, 2, [2, 1], True, [
        HeadCfg("frozen", 10, 1, True, *PWL_SOFTCLIP),
        HeadCfg("train01", 10, 2, True, *PWL_THREE),
    ], name="fashion_tiny")
    cfg.shuffle = [False, True, False, True, True]
    net = task_net(cfg, frozen, seed=0, copy_heads=[(0, 0)])
    x, y = data.fashion("train")
    xt, yt = data.fashion("test")
    log(f"fixture: phase 2 on Fashion-MNIST, {a.epochs} epochs")
    train_task(net, x, y, [0, 1], a.epochs, seed=0)
    full = [int_accuracy(net, xt, yt, h) for h in range(2)]
    log(f"fixture: Fashion-MNIST 10k test accuracy (integer path): head0 {full[0]:.4f}, head1 {full[1]:.4f}")

    os.makedirs(os.path.join(a.out, "images"), exist_ok=True)
    write_model(cfg, net.quantize(), a.out)
    # Read the written files back: the expected values come from the exported tensors.
    rcfg, p = read_model(a.out)
    imgs, labels = xt[:a.images], yt[:a.images]
    outs = eval_int(rcfg, p, imgs)
    samples, correct = [], [0] * len(outs)
    for i in range(len(imgs)):
        name = f"images/{i:03d}.pgm"
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(pgm(imgs[i]))
        logits = [o[i].flatten().tolist() for o in outs]
        for h, o in enumerate(outs):
            correct[h] += int(int(torch.argmax(o[i])) == labels[i])
        samples.append({"image": name, "label": int(labels[i]), "logits": logits})
    heads = [{"name": f"head{h}", "source": hc.source, "correct": correct[h], "total": len(imgs),
              "accuracy": correct[h] / len(imgs), "test_accuracy_10k": round(full[h], 4)}
             for h, hc in enumerate(rcfg.heads)]
    doc = {
        "about": "Fashion-MNIST test images 0..N-1 (Debian dataset-fashion-mnist), 28x28 padded to "
                 "32x32; logits = int16 head outputs of the PyTorch integer path (train/semifreddo_net.py "
                 "eval_int) on model.safetensors; written by train/make_fixture.py",
        "classes": data.FASHION_CLASSES,
        "conv_weights": conv_weight_counts(p),
        "heads": heads,
        "samples": samples,
    }
    with open(os.path.join(a.out, "expected.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    log(f"fixture: wrote {a.out}: {len(imgs)} images, accuracy on them "
        + ", ".join(f"head{h} {c}/{len(imgs)}" for h, c in enumerate(correct))
        + f"; total {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
