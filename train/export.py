"""Writes a model file (docs/model-format.md) from the integer tensors of
`SemifreddoNet.quantize()`: DIR/model.toml + DIR/model.safetensors, with the `safetensors`
package's numpy API, exactly as `semifreddo` reads them."""

import os

import numpy as np
from safetensors.numpy import load_file, save_file

from semifreddo_net import Config

DTYPES = {
    "weight": np.int8, "scale": np.int16, "bias": np.int32, "shift": np.uint8,
    "alpha": np.uint16, "n": np.uint8, "shuffle": np.uint8, "pool": np.uint8,
    "x": np.int16, "y": np.int16, "g": np.int16,
}


def check_dtypes(tensors: dict):
    for name, v in tensors.items():
        want = DTYPES[name.rsplit(".", 1)[1]]
        assert v.dtype == want, f"{name}: dtype {v.dtype}, expected {np.dtype(want)}"


def write_model(cfg: Config, tensors: dict, out_dir: str):
    check_dtypes(tensors)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.toml"), "w") as f:
        f.write(cfg.manifest_text("model.safetensors"))
    save_file({k: np.ascontiguousarray(v) for k, v in sorted(tensors.items())},
              os.path.join(out_dir, "model.safetensors"), metadata={"format": "semifreddo"})


def read_model(model_dir: str):
    """(Config, tensors) of a model folder; the tensor-held choices are read back too."""
    cfg = Config.from_manifest(os.path.join(model_dir, "model.toml"))
    p = load_file(os.path.join(model_dir, "model.safetensors"))
    if cfg.trainable_cores == 2:
        cfg.shuffle = [bool(p[f"blend{k}.shuffle"][0]) for k in range(cfg.S + 1)]
    if cfg.repeat_banks:
        cfg.repeat_n = [int(p[f"train{t}.rep.n"][0]) for t in range(cfg.trainable_cores)]
    for i, h in enumerate(cfg.heads):
        h.pool = bool(p[f"head{i}.pool"][0])
        h.pwl_x, h.pwl_y, h.pwl_g = (p[f"head{i}.pwl.{c}"].tolist() for c in "xyg")
    return cfg.check(), p


if __name__ == "__main__":
    # Round trip of a checkpoint written by train.py: python3 train/export.py CKPT OUT_DIR
    import sys
    import torch
    from train import load_checkpoint
    net = load_checkpoint(sys.argv[1])
    write_model(net.cfg, net.quantize(), sys.argv[2])
    print(f"wrote {sys.argv[2]}/model.toml and model.safetensors")
