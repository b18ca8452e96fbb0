"""Training with the paper's method (SemifreddoNets, section 3):

1. `train_frozen`: the frozen core (and a head on it) is trained once, on task A.
2. `train_task`: per task, the trainable cores, their per-channel alphas, the repeat block,
   the heads and the frozen core's batch-norm parameters are trained; the frozen conv weights
   stay fixed (they are the hard-wired silicon).
3. At the end of every epoch but the last, nearly dead neurons (batch-norm moving variance
   below DEAD_VAR_REL times the layer's median) of the layers being trained are re-initialised.

All training is quantization-aware (int8 weights and activations with straight-through
estimators); accuracies are measured with the integer path `eval_int` on the exported tensors.
Torch runs single-threaded (set SEMIFREDDO_THREADS to change it).
"""

from __future__ import annotations

import dataclasses
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from semifreddo_net import (Config, HeadCfg, QConv, SemifreddoNet, StageCfg, eval_int,
                            I16_MIN)

torch.set_num_threads(int(os.environ.get("SEMIFREDDO_THREADS", "1")))

DEAD_VAR_REL = 1e-3
BATCH = 128

# Monotonic PWLs for class logits (z is 256 units per logit): identity between -8 and +8
# logits, half slope outside; and a continuous four-segment variant. Both are monotonic, so
# argmax is unaffected up to ties.
PWL_SOFTCLIP = ([I16_MIN, -2048, 2048], [-17408, -2048, 2048], [128, 256, 128])
PWL_THREE = ([I16_MIN, -1024, 0, 3072], [-16640, -768, 0, 3072], [128, 192, 256, 96])


def log(*a):
    print(*a, flush=True)


def to_input(x_u8: np.ndarray) -> torch.Tensor:
    """uint8 [N, H, W] -> float NCHW holding p - 128."""
    return torch.from_numpy(x_u8.astype(np.float32) - 128.0).unsqueeze(1)


def reinit_dead(modules) -> int:
    n = 0
    for m in modules:
        if isinstance(m, QConv):
            v = m.bn.running_var
            mask = v < DEAD_VAR_REL * v.median().clamp_min(1e-12)
            if mask.any():
                m.reset_channels(mask)
                n += int(mask.sum())
    return n


def int_accuracy(net: SemifreddoNet, x: np.ndarray, y: np.ndarray, head: int, chunk=1000):
    """Accuracy of head `head` with the integer path (first index of the maximum wins)."""
    p = net.quantize()
    correct = 0
    for i in range(0, len(x), chunk):
        z = eval_int(net.cfg, p, x[i:i + chunk])[head]
        correct += int((torch.argmax(z, dim=1).numpy() == y[i:i + chunk]).sum())
    return correct / len(x)


def fit(net, params, reinit_modules, x, y, heads, epochs, lr, seed, label=""):
    """Trains `params` with cross-entropy summed over the heads in `heads` (all on labels y)."""
    opt = torch.optim.Adam(params, lr=lr)
    steps = epochs * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    rng = np.random.default_rng(seed)
    for ep in range(epochs):
        net.train()
        t0, tot, correct, seen = time.time(), 0.0, 0, 0
        order = rng.permutation(len(x))
        for i in range(0, len(x), BATCH):
            idx = order[i:i + BATCH]
            xb, yb = to_input(x[idx]), torch.from_numpy(y[idx])
            outs = net(xb)
            loss = sum(F.cross_entropy(outs[h], yb) for h in heads)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
            correct += int((outs[heads[-1]].argmax(1) == yb).sum())
            seen += len(idx)
        dead = reinit_dead(reinit_modules) if ep + 1 < epochs else 0
        log(f"  {label} epoch {ep + 1}/{epochs}: loss {tot / seen:.4f}, train acc (QAT float) "
            f"{correct / seen:.4f}, re-initialised {dead} dead neurons, {time.time() - t0:.1f} s")


def frozen_config(name="frozen_a") -> Config:
    return Config(
        name=name,
        stages=[StageCfg(16, 2, 1), StageCfg(32, 2, 1), StageCfg(32, 1, 1), StageCfg(64, 2, 1)],
        trainable_cores=0,
        heads=[HeadCfg("frozen", 10, 1, True, *PWL_SOFTCLIP)],
    ).check()


def train_frozen(x, y, epochs, seed=0, lr=4e-3) -> SemifreddoNet:
    """Phase 1: frozen core + head on task A, everything trainable."""
    torch.manual_seed(seed)
    net = SemifreddoNet(frozen_config())
    fit(net, list(net.parameters()), list(net.frozen.modules()), x, y, [0], epochs, lr, seed,
        "frozen core")
    return net


def task_net(cfg: Config, frozen_from: SemifreddoNet, alpha_fixed=None, seed=0,
             copy_heads=()) -> SemifreddoNet:
    """A net for a new task: frozen core (weights and BN) copied from phase 1."""
    torch.manual_seed(seed)
    net = SemifreddoNet(cfg)
    net.frozen.load_state_dict(frozen_from.frozen.state_dict())
    for dst, src in copy_heads:
        net.heads[dst].load_state_dict(frozen_from.heads[src].state_dict())
    net.alpha_fixed = alpha_fixed
    return net


def train_task(net: SemifreddoNet, x, y, heads, epochs, seed=0, lr=4e-3):
    """Phase 2: frozen conv weights fixed; everything else (frozen BN included) trained."""
    fixed = {id(w) for w in net.frozen_conv_weights()}
    for w in net.frozen_conv_weights():
        w.requires_grad_(False)
    params = [p for p in net.parameters() if id(p) not in fixed]
    if net.alpha_fixed is not None:
        params = [p for p in params if all(p is not a for a in net.alpha_w)]
    reinit = [m for c in net.train_cores for m in c.modules()]
    reinit += [m for r in net.repeat for m in r.modules()]
    fit(net, params, reinit, x, y, heads, epochs, lr, seed, net.cfg.name)
    return net


def save_checkpoint(net: SemifreddoNet, path: str):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    torch.save({"cfg": dataclasses.asdict(net.cfg), "alpha_fixed": net.alpha_fixed,
                "state": net.state_dict()}, path)


def load_checkpoint(path: str) -> SemifreddoNet:
    ck = torch.load(path, weights_only=False)
    c = dict(ck["cfg"])
    c["stages"] = [StageCfg(**s) for s in c["stages"]]
    c["heads"] = [HeadCfg(**h) for h in c["heads"]]
    net = SemifreddoNet(Config(**c))
    net.load_state_dict(ck["state"])
    net.alpha_fixed = ck["alpha_fixed"]
    return net


def frozen_core(path: str, epochs: int, seed: int = 0) -> SemifreddoNet:
    """The phase-1 net, trained on Fashion-MNIST and cached at `path`."""
    import data
    if os.path.exists(path):
        log(f"frozen core: using {path}")
        return load_checkpoint(path)
    x, y = data.fashion("train")
    xt, yt = data.fashion("test")
    t0 = time.time()
    log(f"frozen core: training on Fashion-MNIST ({len(x)} images, {epochs} epochs)")
    net = train_frozen(x, y, epochs, seed)
    log(f"frozen core: {time.time() - t0:.0f} s, Fashion-MNIST test accuracy (integer path) "
        f"{int_accuracy(net, xt, yt, 0):.4f}")
    save_checkpoint(net, path)
    return net
