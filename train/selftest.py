"""Quick checks of the PyTorch side (no training, a few seconds):
    python3 train/selftest.py
* integer ops against hand-computed SPEC §2 values (the same cases as src/golden/ops.rs);
* the float QAT path and the integer path agree on a random net (BN in eval mode);
* dead-neuron re-initialisation resets exactly the channels with tiny moving variance;
* export -> read back round trip keeps every tensor and dtype."""

import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import read_model, write_model  # noqa: E402
from semifreddo_net import (HeadCfg, I16_MIN, SemifreddoNet, blend_int, eval_int,  # noqa: E402
                            pwl_int, requant_int, tiny_config, channel_shuffle)
from train import reinit_dead, to_input  # noqa: E402

torch.set_num_threads(1)
T = torch.tensor


def rq(acc, m, b, s, relu=False):
    return int(requant_int(T([[acc]]), [m], [b], s, 0 if relu else -128, 127)[0, 0])


def main():
    # requant: round half up, also for negative values; shift 0; saturation; ReLU.
    assert [rq(v, 1, 0, 1) for v in (3, 1, -1, -3, -5)] == [2, 1, 0, -1, -2]
    assert rq(-3, 1, 0, 2) == -1 and rq(-1, 1, 0, 2) == 0
    assert rq(5, 3, -2, 0) == 13 and rq(-5, 3, 2, 0) == -13
    assert rq(5 << 25, 1 << 14, 0, 40) == 3 and rq(-(5 << 25), 1 << 14, 0, 40) == -2
    assert rq(1000, 1, 0, 0) == 127 and rq(-1000, 1, 0, 0) == -128 and rq(-1, 1, 0, 0, True) == 0
    # blend
    def bl(xf, xt, a):
        return int(blend_int(T(xf).view(1, 1, 1, 1), T(xt).view(1, 1, 1, 1), [a])[0, 0, 0, 0])
    assert [bl(17, -3, 256), bl(17, -3, 0), bl(1, 0, 128), bl(-1, 0, 128), bl(-128, 127, 128),
            bl(127, -128, 1)] == [17, -3, 1, 0, 0, -127]
    # pwl
    f = ([I16_MIN, 0, 100], [-100, 0, 50], [256, 512, -256])
    z = T([-1, I16_MIN, 0, 99, 100, 101, 32767])
    assert pwl_int(z, *f).tolist() == [-100 + 32767, -100, 0, 198, 50, 49, 50 - 32667]
    # channel shuffle
    x = torch.arange(6).view(1, 6, 1, 1)
    assert channel_shuffle(x).flatten().tolist() == [0, 3, 1, 4, 2, 5]

    # float (BN eval) vs integer path on a random, BN-calibrated net
    torch.manual_seed(1)
    heads = [HeadCfg("frozen", 10), HeadCfg("train01", 10, 2), HeadCfg("train0", 4, 1, False)]
    cfg = tiny_config(2, 2, [2, 1], True, heads)
    net = SemifreddoNet(cfg)
    imgs = np.random.default_rng(0).integers(0, 256, (64, 32, 32), dtype=np.uint8)
    net.train()
    with torch.no_grad():
        for _ in range(5):
            net(to_input(imgs))
        for w in net.alpha_w:
            w.uniform_(-3, 3)
    net.eval()
    with torch.no_grad():
        fl = net(to_input(imgs))
    p = net.quantize()
    ints = eval_int(cfg, p, imgs)
    for h in range(len(heads)):
        d = (fl[h] * 256 - ints[h].double()).abs()
        exact = float((d < 0.5).double().mean())
        print(f"head{h}: float QAT path == integer path on {exact * 100:.1f} % of outputs, "
              f"max |diff| {float(d.max()):.0f} (int16 units)")

    # export round trip
    with tempfile.TemporaryDirectory() as tmp:
        write_model(cfg, p, tmp)
        cfg2, p2 = read_model(tmp)
        assert sorted(p) == sorted(p2)
        for k in p:
            assert p[k].dtype == p2[k].dtype and np.array_equal(p[k], p2[k]), k
        assert cfg2.shuffle == cfg.shuffle and cfg2.repeat_n == cfg.repeat_n
        assert all(torch.equal(a, b) for a, b in zip(ints, eval_int(cfg2, p2, imgs)))

    # dead-neuron re-initialisation
    conv = net.train_cores[0].stem
    with torch.no_grad():
        conv.bn.running_var[:] = 1.0
        conv.bn.running_var[3] = 1e-7
        conv.weight[3] = 0.0
    before = conv.weight.detach().clone()
    assert reinit_dead([conv]) == 1
    assert float(conv.bn.running_var[3]) == 1.0 and conv.weight[3].abs().sum() > 0
    assert torch.equal(conv.weight[:3], before[:3]) and torch.equal(conv.weight[4:], before[4:])
    print("selftest: ok")


if __name__ == "__main__":
    main()
