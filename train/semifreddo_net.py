"""SemifreddoNet in PyTorch: topology of SPEC §1, quantization-aware training, and an
integer evaluation path (`eval_int`) that follows SPEC §2 bit for bit.

Conventions
-----------
* Every int8 feature map q stands for the real value q * S_A (one global activation scale,
  so blending, concatenation and channel shuffles of int8 maps need no rescaling; SPEC §1 has
  no rescaling there either). The input pixel byte p becomes q = p - 128.
* Conv weights are fake-quantized per output channel (symmetric, int8). Batch norm follows
  every conv; at export it is folded into the requant scale m (int16), bias b (int32) and a
  per-layer shift s (0..=40): y = clamp((acc*m + b + rnd) >> s, lo, 127).
* A head's int16 output z stands for the logit z / LOGIT_SCALE.
* `forward` is the float training path (straight-through estimators for every rounding);
  `quantize` turns a trained net into the exact integer tensors of SPEC §3 (the model file);
  `eval_int` runs those tensors with pure int64 arithmetic.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

S_A = 1.0 / 32.0  # real value of one int8 activation step
LOGIT_SCALE = 256  # int16 head units per logit
BN_EPS = 1e-5
I16_MIN, I16_MAX = -32768, 32767
I32_MAX = 2**31 - 1


# --------------------------------------------------------------------------- configuration


@dataclass
class StageCfg:
    channels: int
    stride: int
    frozen_repeats: int = 0
    trainable_repeats: int = 0


@dataclass
class HeadCfg:
    source: str  # frozen, train0, train1, train01
    outputs: int
    groups: int = 1
    pool: bool = True
    # PWL (SPEC §2): segment starts x (x[0] = -32768), values y, slopes g (8 fractional bits).
    pwl_x: list = field(default_factory=lambda: [I16_MIN])
    pwl_y: list = field(default_factory=lambda: [I16_MIN])
    pwl_g: list = field(default_factory=lambda: [256])


@dataclass
class Config:
    """The manifest (docs/model-format.md) plus the programmable choices that live in tensors
    (core shuffle per boundary, repeat passes per core, pooling and PWL per head)."""

    name: str = "tiny"
    height: int = 32
    width: int = 32
    cin: int = 1
    stem_channels: int = 8
    stages: list = field(default_factory=list)
    trainable_cores: int = 2
    repeat_banks: int = 0
    repeat_n: list = field(default_factory=list)  # passes per trainable core
    shuffle: list = field(default_factory=list)  # per boundary 0..=S (two cores only)
    heads: list = field(default_factory=list)
    frozen_bn: str = "trainable"
    k_max: int = 8

    @property
    def S(self) -> int:
        return len(self.stages)

    def widths(self) -> list:
        """C_0..C_S."""
        return [self.stem_channels] + [s.channels for s in self.stages]

    def head_inputs(self, h: HeadCfg) -> int:
        return self.widths()[-1] * (2 if h.source == "train01" else 1)

    def output_size(self) -> tuple:
        h, w = self.height, self.width
        for s in [2] + [st.stride for st in self.stages]:
            h, w = -(-h // s), -(-w // s)
        return h, w

    def check(self):
        c = self.stem_channels
        for k, st in enumerate(self.stages, 1):
            want = 2 * c if st.stride == 2 else c
            assert st.channels == want, f"stage {k}: width {st.channels}, expected {want}"
            c = st.channels
        assert self.trainable_cores in (0, 1, 2)
        if not self.repeat_n:
            self.repeat_n = [self.repeat_banks] * self.trainable_cores
        if not self.shuffle:
            self.shuffle = [False] * (self.S + 1)
        assert len(self.repeat_n) == self.trainable_cores
        assert all(0 <= n <= self.repeat_banks for n in self.repeat_n)
        assert len(self.shuffle) == self.S + 1
        assert len(self.heads) <= 3
        for h in self.heads:
            assert h.source in ("frozen", "train0", "train1", "train01")
            need = {"frozen": 0, "train0": 1, "train1": 2, "train01": 2}[h.source]
            assert self.trainable_cores >= need, f"head source {h.source} needs {need} cores"
            i = self.head_inputs(h)
            assert i % h.groups == 0 and h.outputs % h.groups == 0
            k = len(h.pwl_x)
            assert 1 <= k <= self.k_max and len(h.pwl_y) == k and len(h.pwl_g) == k
            assert h.pwl_x[0] == I16_MIN and all(a < b for a, b in zip(h.pwl_x, h.pwl_x[1:]))
        return self

    @staticmethod
    def from_manifest(path: str) -> "Config":
        """Topology and heads from a model.toml (the tensor-held choices keep their defaults)."""
        with open(path, "rb") as f:
            m = tomllib.load(f)
        t = m["topology"]
        return Config(
            name=m["name"],
            height=m["input"]["height"],
            width=m["input"]["width"],
            cin=m["input"]["channels"],
            stem_channels=t["stem_channels"],
            stages=[StageCfg(**s) for s in t["stages"]],
            trainable_cores=t["trainable_cores"],
            repeat_banks=t.get("repeat_banks", 0),
            heads=[HeadCfg(h["source"], h["outputs"], h.get("groups", 1)) for h in m.get("heads", [])],
            frozen_bn=m.get("generation", {}).get("frozen_bn", "trainable"),
            k_max=m.get("generation", {}).get("k_max", 8),
        ).check()

    def manifest_text(self, tensors: str = "model.safetensors") -> str:
        out = [
            "# SemifreddoNet model manifest (format: docs/model-format.md), written by train/export.py",
            'format = "semifreddo-model/1"',
            f'name = "{self.name}"',
            f'tensors = "{tensors}"',
            "",
            "[input]",
            f"height = {self.height}",
            f"width = {self.width}",
            f"channels = {self.cin}",
            "",
            "[topology]",
            f"stem_channels = {self.stem_channels}",
            f"trainable_cores = {self.trainable_cores}",
            f"repeat_banks = {self.repeat_banks}",
        ]
        for st in self.stages:
            out += [
                "",
                "[[topology.stages]]",
                f"channels = {st.channels}",
                f"stride = {st.stride}",
                f"frozen_repeats = {st.frozen_repeats}",
                f"trainable_repeats = {st.trainable_repeats}",
            ]
        for h in self.heads:
            out += ["", "[[heads]]", f'source = "{h.source}"', f"outputs = {h.outputs}", f"groups = {h.groups}"]
        out += ["", "[generation]", f'frozen_bn = "{self.frozen_bn}"', f"k_max = {self.k_max}", ""]
        return "\n".join(out)


def tiny_config(
    trainable_cores=2, repeat_banks=1, repeat_n=None, shuffle=True, heads=None, name="tiny1"
) -> Config:
    """The `tiny` preset's topology with one input channel (32x32 grey)."""
    stages = [
        StageCfg(16, 2, 1, 0),
        StageCfg(32, 2, 1, 0),
        StageCfg(32, 1, 1, 0),
        StageCfg(64, 2, 1, 0),
    ]
    if repeat_n is None:
        repeat_n = [repeat_banks] * trainable_cores
    return Config(
        name=name,
        stages=stages,
        trainable_cores=trainable_cores,
        repeat_banks=repeat_banks if trainable_cores else 0,
        repeat_n=repeat_n if trainable_cores else [],
        shuffle=[bool(shuffle) and trainable_cores == 2] * 5,
        heads=heads or [],
    ).check()


# --------------------------------------------------------------------------- float ops (STE)


def ste(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Value of y, gradient of x."""
    return x + (y - x).detach()


def round_half_up(x: torch.Tensor) -> torch.Tensor:
    return ste(x, torch.floor(x + 0.5))


def channel_shuffle(x: torch.Tensor) -> torch.Tensor:
    """out[2i] = in[i], out[2i+1] = in[C/2 + i] (NCHW)."""
    n, c, h, w = x.shape
    return x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)


def core_shuffle(t0: torch.Tensor, t1: torch.Tensor):
    h = t0.shape[1] // 2
    return torch.cat([t0[:, :h], t1[:, h:]], 1), torch.cat([t1[:, :h], t0[:, h:]], 1)


def pwl_float(z: torch.Tensor, xs, ys, gs) -> torch.Tensor:
    """The PWL of SPEC §2 on int16-valued floats, rounding by STE."""
    out = torch.zeros_like(z)
    for k in range(len(xs)):
        hi = xs[k + 1] if k + 1 < len(xs) else None
        sel = z >= xs[k] if hi is None else (z >= xs[k]) & (z < hi)
        v = ys[k] + torch.floor(((z - xs[k]) * gs[k] + 128) / 256)
        v = ste(ys[k] + (z - xs[k]) * gs[k] / 256.0, v)
        out = torch.where(sel, v, out)
    return torch.clamp(out, I16_MIN, I16_MAX)


def fake_quant_weight(w: torch.Tensor):
    """Per-output-channel symmetric int8: returns (integer-valued weight with STE, scale)."""
    s = (w.detach().abs().amax(dim=tuple(range(1, w.dim()))).clamp_min(1e-8) / 127.0)
    s = s.view(-1, *([1] * (w.dim() - 1)))
    q = torch.clamp(round_half_up(w / s), -127, 127)
    return q, s


# --------------------------------------------------------------------------- modules


class QConv(nn.Module):
    """Conv (stem 3x3, depthwise 3x3 or pointwise) + batch norm + requant to int8 (+ ReLU)."""

    def __init__(self, kind: str, cin: int, cout: int, stride: int, relu: bool):
        super().__init__()
        self.kind, self.stride, self.relu = kind, stride, relu
        shape = {"stem": (cout, cin, 3, 3), "dw": (cout, 1, 3, 3), "pw": (cout, cin, 1, 1)}[kind]
        self.weight = nn.Parameter(torch.empty(shape))
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=0.1)
        self.reset_channels(torch.ones(cout, dtype=torch.bool))

    def reset_channels(self, mask: torch.Tensor):
        """Re-initialises the weights and batch norm of the output channels in `mask`."""
        with torch.no_grad():
            fan_in = self.weight[0].numel()
            fresh = torch.randn_like(self.weight) * math.sqrt(2.0 / fan_in)
            self.weight[mask] = fresh[mask]
            self.bn.weight[mask] = 1.0
            self.bn.bias[mask] = 0.0
            self.bn.running_mean[mask] = 0.0
            self.bn.running_var[mask] = 1.0

    def forward(self, x):  # x: int8 units (float tensor)
        q, s = fake_quant_weight(self.weight)
        groups = self.weight.shape[0] if self.kind == "dw" else 1
        pad = 0 if self.kind == "pw" else 1
        y = F.conv2d(x * S_A, q * s, stride=self.stride, padding=pad, groups=groups)
        z = self.bn(y) / S_A
        lo = 0.0 if self.relu else -128.0
        return torch.clamp(round_half_up(z), lo, 127.0)

    def fold(self):
        """Integer weight, scale m, bias b, shift s (SPEC §2) from the weights and BN stats."""
        with torch.no_grad():
            q, s = fake_quant_weight(self.weight)
            sigma = torch.sqrt(self.bn.running_var + self.bn.eps)
            gamma, beta, mu = self.bn.weight, self.bn.bias, self.bn.running_mean
            mult = (s.flatten() * gamma / sigma).double().numpy()
            bias = ((beta - gamma * mu / sigma) / S_A).double().numpy()
        shift, m, b = choose_shift(mult, bias)
        return q.to(torch.int8).numpy(), m.astype(np.int16), b.astype(np.int32), shift


def choose_shift(mult: np.ndarray, bias: np.ndarray, mmax=I16_MAX, bmax=I32_MAX):
    """The largest shift s <= 40 with round(mult*2^s) in int16 and round(bias*2^s) in int32."""
    for s in range(40, -1, -1):
        m = np.round(mult * 2.0**s)
        b = np.round(bias * 2.0**s)
        if np.all(np.abs(m) <= mmax) and np.all(np.abs(b) <= bmax):
            return s, m, b
    return 0, np.clip(np.round(mult), -mmax - 1, mmax), np.clip(np.round(bias), -bmax - 1, bmax)


class Branch(nn.Module):
    def __init__(self, c: int, stride: int):
        super().__init__()
        self.dw = QConv("dw", c, c, stride, relu=False)
        self.pw = QConv("pw", c, c, 1, relu=True)

    def forward(self, x):
        return self.pw(self.dw(x))


class RegularBlock(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.c = c
        self.branch = Branch(c // 2, 1)

    def forward(self, x):
        h = self.c // 2
        return channel_shuffle(torch.cat([x[:, :h], self.branch(x[:, h:])], 1))


class DownBlock(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.br1 = Branch(c, 2)
        self.br2 = Branch(c, 2)

    def forward(self, x):
        return channel_shuffle(torch.cat([self.br1(x), self.br2(x)], 1))


class Core(nn.Module):
    def __init__(self, cfg: Config, frozen: bool):
        super().__init__()
        self.stem = QConv("stem", cfg.cin, cfg.stem_channels, 2, relu=True)
        self.stages = nn.ModuleList()
        c = cfg.stem_channels
        for st in cfg.stages:
            blocks = [DownBlock(c) if st.stride == 2 else RegularBlock(c)]
            c = st.channels
            extra = st.frozen_repeats if frozen else st.trainable_repeats
            blocks += [RegularBlock(c) for _ in range(extra)]
            self.stages.append(nn.ModuleList(blocks))

    def stage(self, k: int, x):  # k 1-based
        for b in self.stages[k - 1]:
            x = b(x)
        return x


class QHead(nn.Module):
    """Grouped pointwise conv, optional global average pooling, requant16, PWL."""

    def __init__(self, cfg: Config, h: HeadCfg):
        super().__init__()
        self.cfg = h
        i = cfg.head_inputs(h)
        self.weight = nn.Parameter(torch.randn(h.outputs, i // h.groups, 1, 1) * math.sqrt(1.0 / i))
        self.bias = nn.Parameter(torch.zeros(h.outputs))
        self.pixels = math.prod(cfg.output_size())

    def forward(self, x):
        """Logits (float, z / LOGIT_SCALE after the PWL): [N, O] pooled, else [N, O, h, w]."""
        q, s = fake_quant_weight(self.weight)
        y = F.conv2d(x * S_A, q * s, groups=self.cfg.groups)
        if self.cfg.pool:
            y = y.mean(dim=(2, 3))
            z = y + self.bias
        else:
            z = y + self.bias.view(1, -1, 1, 1)
        zq = torch.clamp(round_half_up(z * LOGIT_SCALE), I16_MIN, I16_MAX)
        return pwl_float(zq, self.cfg.pwl_x, self.cfg.pwl_y, self.cfg.pwl_g) / LOGIT_SCALE

    def fold(self):
        with torch.no_grad():
            q, s = fake_quant_weight(self.weight)
            div = self.pixels if self.cfg.pool else 1
            mult = (s.flatten() * S_A * LOGIT_SCALE / div).double().numpy()
            bias = (self.bias * LOGIT_SCALE).double().numpy()
        shift, m, b = choose_shift(mult, bias)
        return q.to(torch.int8).numpy(), m.astype(np.int16), b.astype(np.int32), shift


class SemifreddoNet(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg.check()
        self.frozen = Core(cfg, frozen=True)
        self.train_cores = nn.ModuleList([Core(cfg, frozen=False) for _ in range(cfg.trainable_cores)])
        widths = cfg.widths()
        # alpha = round(256 * sigmoid(w)); w = 0 gives a = 128 (residual extractors).
        self.alpha_w = nn.ParameterList(
            [nn.Parameter(torch.zeros(c)) for _ in range(cfg.trainable_cores) for c in widths]
        )
        # Fixed alphas (e.g. 0: trainable cores only), None = learned.
        self.alpha_fixed = None
        self.repeat = nn.ModuleList(
            [
                nn.ModuleList([RegularBlock(widths[-1]) for _ in range(cfg.repeat_banks)])
                for _ in range(cfg.trainable_cores)
            ]
        )
        self.heads = nn.ModuleList([QHead(cfg, h) for h in cfg.heads])

    # -- parameter groups used by the training method
    def frozen_conv_weights(self):
        return [m.weight for m in self.frozen.modules() if isinstance(m, QConv)]

    def frozen_bn_params(self):
        return [p for m in self.frozen.modules() if isinstance(m, nn.BatchNorm2d) for p in m.parameters()]

    def alpha(self, t: int, k: int) -> torch.Tensor:
        w = self.alpha_w[t * (self.cfg.S + 1) + k]
        if self.alpha_fixed is not None:
            return torch.full_like(w, float(self.alpha_fixed))
        return round_half_up(256.0 * torch.sigmoid(w))

    def alpha_int(self, t: int, k: int) -> np.ndarray:
        with torch.no_grad():
            return self.alpha(t, k).round().to(torch.int64).numpy().astype(np.uint16)

    def forward(self, x):
        """x: input bytes minus 128 (float, NCHW). Returns the heads' logits."""
        cfg = self.cfg
        sources = {h.source for h in cfg.heads}
        need_frozen = "frozen" in sources or (cfg.trainable_cores and self.alpha_fixed != 0)
        f = [self.frozen.stem(x)] if need_frozen else None
        if need_frozen:
            for k in range(1, cfg.S + 1):
                f.append(self.frozen.stage(k, f[-1]))
        t = []
        if cfg.trainable_cores and sources - {"frozen"}:
            t = [c.stem(x) for c in self.train_cores]
            for k in range(cfg.S + 1):
                for i, c in enumerate(self.train_cores):
                    if k > 0:
                        t[i] = c.stage(k, t[i])
                    a = self.alpha(i, k).view(1, -1, 1, 1)
                    if self.alpha_fixed == 0:
                        continue  # y = xt exactly
                    mix = a * f[k] + (256.0 - a) * t[i]
                    t[i] = ste(mix / 256.0, torch.floor((mix + 128.0) / 256.0))
                if cfg.trainable_cores == 2 and cfg.shuffle[k]:
                    t = list(core_shuffle(t[0], t[1]))
            for i in range(cfg.trainable_cores):
                for r in range(cfg.repeat_n[i]):
                    t[i] = self.repeat[i][r](t[i])
        outs = []
        for h, head in zip(cfg.heads, self.heads):
            x_h = {
                "frozen": lambda: f[-1],
                "train0": lambda: t[0],
                "train1": lambda: t[1],
                "train01": lambda: torch.cat([t[0], t[1]], 1),
            }[h.source]()
            outs.append(head(x_h))
        return outs

    # -- export
    def quantize(self) -> dict:
        """Every tensor of the model file (SPEC §3), as numpy arrays of the exact dtypes."""
        cfg = self.cfg
        out = {}

        def conv(prefix, m: QConv):
            w, mm, b, s = m.fold()
            out[f"{prefix}.weight"] = w
            out[f"{prefix}.scale"] = mm
            out[f"{prefix}.bias"] = b
            out[f"{prefix}.shift"] = np.array([s], dtype=np.uint8)

        def block(prefix, blk):
            if isinstance(blk, RegularBlock):
                conv(f"{prefix}.dw", blk.branch.dw)
                conv(f"{prefix}.pw", blk.branch.pw)
            else:
                for name in ("br1", "br2"):
                    br = getattr(blk, name)
                    conv(f"{prefix}.{name}.dw", br.dw)
                    conv(f"{prefix}.{name}.pw", br.pw)

        def core(name, c: Core):
            conv(f"{name}.stem", c.stem)
            for k, blocks in enumerate(c.stages, 1):
                for j, blk in enumerate(blocks):
                    block(f"{name}.s{k}.b{j}", blk)

        core("frozen", self.frozen)
        for t, c in enumerate(self.train_cores):
            core(f"train{t}", c)
            for r, blk in enumerate(self.repeat[t]):
                block(f"train{t}.rep.r{r}", blk)
            for k in range(cfg.S + 1):
                out[f"train{t}.blend{k}.alpha"] = self.alpha_int(t, k)
            if cfg.repeat_banks > 0:
                out[f"train{t}.rep.n"] = np.array([cfg.repeat_n[t]], dtype=np.uint8)
        if cfg.trainable_cores == 2:
            for k in range(cfg.S + 1):
                out[f"blend{k}.shuffle"] = np.array([int(cfg.shuffle[k])], dtype=np.uint8)
        for i, (h, head) in enumerate(zip(cfg.heads, self.heads)):
            w, mm, b, s = head.fold()
            out[f"head{i}.weight"] = w
            out[f"head{i}.scale"] = mm
            out[f"head{i}.bias"] = b
            out[f"head{i}.shift"] = np.array([s], dtype=np.uint8)
            out[f"head{i}.pool"] = np.array([int(h.pool)], dtype=np.uint8)
            out[f"head{i}.pwl.x"] = np.array(h.pwl_x, dtype=np.int16)
            out[f"head{i}.pwl.y"] = np.array(h.pwl_y, dtype=np.int16)
            out[f"head{i}.pwl.g"] = np.array(h.pwl_g, dtype=np.int16)
        return out


# --------------------------------------------------------------------------- integer path


def _t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a).astype(np.int64))


def _taps(x: torch.Tensor, stride: int):
    """The 9 shifted windows of a 3x3 zero-padded conv: yields (i, j, [N,C,Ho,Wo])."""
    n, c, h, w = x.shape
    ho, wo = -(-h // stride), -(-w // stride)
    xp = F.pad(x, (1, 1, 1, 1))
    for i in range(3):
        for j in range(3):
            yield i, j, xp[:, :, i : i + stride * (ho - 1) + 1 : stride, j : j + stride * (wo - 1) + 1 : stride]


def conv3x3_int(x, w, stride):
    """Full 3x3 conv: w [O, Cin, 3, 3]."""
    acc = None
    for i, j, p in _taps(x, stride):
        v = torch.einsum("nchw,oc->nohw", p, w[:, :, i, j])
        acc = v if acc is None else acc + v
    return acc


def depthwise_int(x, w, stride):
    """Depthwise 3x3: w [C, 1, 3, 3]."""
    acc = None
    for i, j, p in _taps(x, stride):
        v = p * w[:, 0, i, j].view(1, -1, 1, 1)
        acc = v if acc is None else acc + v
    return acc


def pointwise_int(x, w, groups=1):
    """Grouped 1x1: w [O, I/G, 1, 1]."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    xg = x.view(n, groups, c // groups, h, wd)
    wg = w.view(groups, o // groups, c // groups)
    return torch.einsum("ngihw,goi->ngohw", xg, wg).reshape(n, o, h, wd)


def requant_int(acc, m, b, s: int, lo: int, hi: int):
    """clamp((acc*m + b + rnd) >> s, lo, hi), >> = floor; checked against int64 overflow."""
    m, b = _t(m), _t(b)
    shape = (1, -1) + (1,) * (acc.dim() - 2)
    bound = int(acc.abs().max()) * int(m.abs().max()) + int(b.abs().max()) + (1 << 40)
    assert bound < 2**62, "requant would overflow int64"
    rnd = (1 << (s - 1)) if s > 0 else 0
    v = acc * m.view(shape) + b.view(shape) + rnd
    return torch.clamp(torch.div(v, 1 << s, rounding_mode="floor"), lo, hi)


def blend_int(xf, xt, a):
    a = _t(a).view(1, -1, 1, 1)
    return torch.div(a * xf + (256 - a) * xt + 128, 256, rounding_mode="floor")


def pwl_int(z, xs, ys, gs):
    xs, ys, gs = _t(xs), _t(ys), _t(gs)
    k = (z.unsqueeze(-1) >= xs).sum(-1) - 1  # x strictly increasing, x_0 = -32768
    v = ys[k] + torch.div((z - xs[k]) * gs[k] + 128, 256, rounding_mode="floor")
    return torch.clamp(v, I16_MIN, I16_MAX)


def eval_int(cfg: Config, p: dict, pixels) -> list:
    """Integer evaluation (SPEC §2) of the model file's tensors `p` on uint8 images
    [N, H, W, Cin] (or [N, H, W] grey). Returns per head an int64 tensor: [N, O] pooled,
    else [N, O, h, w]. Pure int64 arithmetic."""
    px = torch.as_tensor(np.asarray(pixels)).to(torch.int64)
    if px.dim() == 3:
        px = px.unsqueeze(-1)
    x = px.permute(0, 3, 1, 2).contiguous() - 128

    def conv(prefix, x, kind, stride, relu):
        w = _t(p[f"{prefix}.weight"])
        if kind == "stem":
            acc = conv3x3_int(x, w, stride)
        elif kind == "dw":
            acc = depthwise_int(x, w, stride)
        else:
            acc = pointwise_int(x, w)
        s = int(p[f"{prefix}.shift"][0])
        return requant_int(acc, p[f"{prefix}.scale"], p[f"{prefix}.bias"], s, 0 if relu else -128, 127)

    def branch(prefix, x, stride):
        return conv(f"{prefix}.pw", conv(f"{prefix}.dw", x, "dw", stride, False), "pw", 1, True)

    def regular(prefix, x):
        h = x.shape[1] // 2
        return shuffle_int(torch.cat([x[:, :h], branch(prefix, x[:, h:], 1)], 1))

    def down(prefix, x):
        return shuffle_int(torch.cat([branch(f"{prefix}.br1", x, 2), branch(f"{prefix}.br2", x, 2)], 1))

    def stage(core, k, x, frozen):
        st = cfg.stages[k - 1]
        x = down(f"{core}.s{k}.b0", x) if st.stride == 2 else regular(f"{core}.s{k}.b0", x)
        for j in range(1, 1 + (st.frozen_repeats if frozen else st.trainable_repeats)):
            x = regular(f"{core}.s{k}.b{j}", x)
        return x

    f = [conv("frozen.stem", x, "stem", 2, True)]
    for k in range(1, cfg.S + 1):
        f.append(stage("frozen", k, f[-1], True))
    t = [conv(f"train{i}.stem", x, "stem", 2, True) for i in range(cfg.trainable_cores)]
    for k in range(cfg.S + 1):
        for i in range(cfg.trainable_cores):
            if k > 0:
                t[i] = stage(f"train{i}", k, t[i], False)
            t[i] = blend_int(f[k], t[i], p[f"train{i}.blend{k}.alpha"])
        if cfg.trainable_cores == 2 and int(p[f"blend{k}.shuffle"][0]):
            t = list(core_shuffle(t[0], t[1]))
    for i in range(cfg.trainable_cores):
        n = int(p[f"train{i}.rep.n"][0]) if cfg.repeat_banks else 0
        for r in range(n):
            t[i] = regular(f"train{i}.rep.r{r}", t[i])
    outs = []
    for hi, h in enumerate(cfg.heads):
        src = {"frozen": lambda: f[-1], "train0": lambda: t[0], "train1": lambda: t[1],
               "train01": lambda: torch.cat([t[0], t[1]], 1)}[h.source]()
        acc = pointwise_int(src, _t(p[f"head{hi}.weight"]), h.groups)
        pool = int(p[f"head{hi}.pool"][0])
        if pool:
            acc = acc.sum(dim=(2, 3))
        s = int(p[f"head{hi}.shift"][0])
        z = requant_int(acc, p[f"head{hi}.scale"], p[f"head{hi}.bias"], s, I16_MIN, I16_MAX)
        outs.append(pwl_int(z, p[f"head{hi}.pwl.x"], p[f"head{hi}.pwl.y"], p[f"head{hi}.pwl.g"]))
    return outs


def shuffle_int(x):
    return channel_shuffle(x)


def conv_weight_counts(p: dict) -> dict:
    """Conv weights per part of a model file: frozen, train0/1 (with repeat banks), heads."""
    counts = {}
    for name, v in p.items():
        if name.endswith(".weight"):
            part = name.split(".")[0]
            counts[part] = counts.get(part, 0) + int(v.size)
    return counts
