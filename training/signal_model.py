"""The signal classifier: a small 1-D ResNet over the 3x4 + rhythm input (src/lib/signal/windows.ts), written
with 2-D operations on an (N, C, 1, T) tensor so that every layer has an exact TF.js Keras twin:

  ZeroPad2d((p, p, 0, 0)) + Conv2d((1, k), stride (1, s)) + BatchNorm -> ZeroPadding2D + Conv2D('valid', (1, k)),
                                                                       BN folded into the conv at export
  ReLU -> fused into Conv2D or Activation; residual add -> Add; ZeroPad + MaxPool2d((1, 3), (1, 2)) after a
  ReLU -> ZeroPadding2D + MaxPooling2D (zeros never win a max over values >= 0, so this equals -inf padding);
  mean over time -> GlobalAveragePooling2D; Linear -> Dense.

The exporter's KerasBuilder (training/export_tfjs.py) writes the graph; inputs are NHWC (N, 1, T, C) there."""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn


class ConvBN(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, stride: int = 1, relu: bool = True):
        super().__init__()
        self.p = k // 2
        self.pad = nn.ZeroPad2d((self.p, self.p, 0, 0))
        self.conv = nn.Conv2d(cin, cout, (1, k), (1, stride), padding=0, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        y = self.bn(self.conv(self.pad(x)))
        return torch.relu(y) if self.relu else y

    def folded(self):
        w = self.conv.weight.detach().double()
        if isinstance(self.bn, nn.BatchNorm2d):
            bn = self.bn
            g = bn.weight.detach().double() / torch.sqrt(bn.running_var.detach().double() + bn.eps)
            wf = w * g[:, None, None, None]
            bf = bn.bias.detach().double() - bn.running_mean.detach().double() * g
        else:  # already folded (reference copy)
            wf, bf = w, self.conv.bias.detach().double()
        return wf.float().numpy(), bf.float().numpy()

    def export(self, b, x):
        if self.p:
            x = b.layer("ZeroPadding2D", {"padding": [[0, 0], [self.p, self.p]], "data_format": "channels_last"},
                        [x], prefix="pad")
        w, bias = self.folded()
        return b.conv2d(x, w, bias, [1, self.conv.stride[1]], "relu" if self.relu else "linear")


class MaxPool(nn.Module):
    """Max over 3 samples, stride 2, one zero sample of padding each side (input >= 0: after a ReLU)."""

    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((1, 1, 0, 0))
        self.pool = nn.MaxPool2d((1, 3), (1, 2))

    def forward(self, x):
        return self.pool(self.pad(x))

    def export(self, b, x):
        x = b.layer("ZeroPadding2D", {"padding": [[0, 0], [1, 1]], "data_format": "channels_last"}, [x], prefix="pad")
        return b.layer("MaxPooling2D", {"pool_size": [1, 3], "strides": [1, 2], "padding": "valid",
                                        "data_format": "channels_last"}, [x], prefix="maxpool")


class Block(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, stride: int):
        super().__init__()
        self.c1 = ConvBN(cin, cout, k, stride, relu=True)
        self.c2 = ConvBN(cout, cout, k, 1, relu=False)
        self.short = ConvBN(cin, cout, 1, stride, relu=False) if (stride != 1 or cin != cout) else None

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return torch.relu(self.c2(self.c1(x)) + s)

    def export(self, b, x):
        y = self.c2.export(b, self.c1.export(b, x))
        s = x if self.short is None else self.short.export(b, x)
        a = b.layer("Add", {}, [y, s], prefix="add")
        return b.layer("Activation", {"activation": "relu"}, [a], prefix="relu")


class SignalNet(nn.Module):
    """stem conv (k0, stride 2) -> max pool -> one residual block per width (stride 1 for the first, 2 after)
    -> mean over time -> dropout -> logit. Input (N, C, 1, T) floats (mV and confidences)."""

    def __init__(self, in_ch: int, stem: int = 32, widths=(32, 64, 128, 128), kernel: int = 5,
                 stem_kernel: int = 7, dropout: float = 0.2):
        super().__init__()
        self.stem = ConvBN(in_ch, stem, stem_kernel, 2, relu=True)
        self.pool = MaxPool()
        blocks, c = [], stem
        for i, w in enumerate(widths):
            blocks.append(Block(c, w, kernel, 1 if i == 0 else 2))
            c = w
        self.blocks = nn.ModuleList(blocks)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(c, 1)

    def forward(self, x):
        x = self.pool(self.stem(x))
        for blk in self.blocks:
            x = blk(x)
        return self.fc(self.drop(x.mean(dim=(2, 3)))).squeeze(1)

    def export(self, b, x):
        x = self.pool.export(b, self.stem.export(b, x))
        for blk in self.blocks:
            x = blk.export(b, x)
        g = b.layer("GlobalAveragePooling2D", {"data_format": "channels_last"}, [x], prefix="gap")
        return b.dense(g, self.fc.weight.detach().float().numpy().T, self.fc.bias.detach().float().numpy(), name="logit")

    def convs_in_export_order(self):
        out = [self.stem]
        for blk in self.blocks:
            out += [blk.c1, blk.c2] + ([blk.short] if blk.short is not None else [])
        return out


def build(in_ch: int, cfg: dict) -> SignalNet:
    if cfg.get("arch") != "signal_resnet":
        raise ValueError(f"model.arch {cfg.get('arch')!r}: only 'signal_resnet' is known")
    return SignalNet(in_ch, stem=cfg.get("stem", 32), widths=tuple(cfg.get("widths", (32, 64, 128, 128))),
                     kernel=cfg.get("kernel", 5), stem_kernel=cfg.get("stem_kernel", 7),
                     dropout=cfg.get("dropout", 0.2))


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def reference_model(model: SignalNet, weights) -> SignalNet:
    """A copy of `model` computing what the exported graph computes: BN folded, the exported (possibly
    float16-rounded) weights loaded back. `weights`: the builder's [(name, array)] in export order."""
    m = copy.deepcopy(model).eval()
    arrays = [w for _, w in weights]
    k = 0
    with torch.no_grad():
        for cb in m.convs_in_export_order():
            kern, bias = arrays[k], arrays[k + 1]
            k += 2
            cb.conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(kern.transpose(3, 2, 0, 1))))
            cb.conv.bias = nn.Parameter(torch.from_numpy(bias.astype(np.float32).copy()))
            cb.bn = nn.Identity()
        kern, bias = arrays[k], arrays[k + 1]
        k += 2
        m.fc.weight.copy_(torch.from_numpy(np.ascontiguousarray(kern.T)))
        m.fc.bias.copy_(torch.from_numpy(bias.copy()))
    if k != len(arrays):
        raise AssertionError(f"export wrote {len(arrays)} arrays, the reference used {k}")
    return m


@torch.no_grad()
def logits(model: nn.Module, x_nct: np.ndarray, batch: int = 256) -> np.ndarray:
    """x: (N, C, T) float32 -> (N,) float64 logits (eval mode), on whichever device the model is."""
    model.eval()
    dev = next(model.parameters()).device
    out = []
    for a in range(0, len(x_nct), batch):
        xb = torch.from_numpy(np.ascontiguousarray(x_nct[a:a + batch])).unsqueeze(2).to(dev)
        out.append(model(xb).double().cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0)
