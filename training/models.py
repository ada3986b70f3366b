"""Networks, built only from operations that have an exact TensorFlow.js Keras-layer twin, so the exporter
(training/export_tfjs.py) is a mechanical translation:

  Rescale          -> Rescaling (uint8 values -> ink-positive floats: y = 1 - x/255)
  ZeroPad2d + Conv2d(padding=0) + BatchNorm -> ZeroPadding2D + Conv2D('valid') with BN folded into the conv
  ReLU             -> Activation('relu') (or fused into the Conv2D)
  MaxPool2d/AvgPool2d (no padding, floor) -> MaxPooling2D/AveragePooling2D('valid')
  residual add     -> Add
  mean over H,W    -> GlobalAveragePooling2D
  Linear           -> Dense
  lead_sequence (dataset4, 12 lead images): lead images folded into the batch -> Permute + Reshape to
                      (N, 12, H, W, 1) and the image layers above wrapped in TimeDistributed; per-lead
                      features concatenated -> Flatten

Explicit symmetric zero padding + 'valid' convolution avoids the PyTorch/TF 'same'-padding mismatch for
stride-2 convolutions. Every model takes (N, planes, H, W) floats holding uint8 values and returns one logit
per image (MI positive)."""
from __future__ import annotations

import torch
import torch.nn as nn


class Rescale(nn.Module):
    """x in [0, 255] (white paper = 255) -> 1 - x/255 so the trace is positive and the paper is 0; zero
    padding then means 'blank paper', the natural border for an EKG sheet."""

    scale = -1.0 / 255.0
    offset = 1.0

    def forward(self, x):
        return x * self.scale + self.offset

    def export(self, b, x):
        return b.layer("Rescaling", {"scale": self.scale, "offset": self.offset}, [x], prefix="rescale")


class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride=1, relu=True, dilation=1):
        super().__init__()
        kh, kw = (k, k) if isinstance(k, int) else k
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        self.pad = (dilation * (kh // 2), dilation * (kw // 2))
        self.padder = nn.ZeroPad2d((self.pad[1], self.pad[1], self.pad[0], self.pad[0]))
        self.conv = nn.Conv2d(cin, cout, (kh, kw), (sh, sw), padding=0, bias=False, dilation=dilation)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        y = self.bn(self.conv(self.padder(x)))
        return torch.relu(y) if self.relu else y

    def folded(self):
        """Conv weight and bias with eval-mode BatchNorm folded in (float32 numpy, NCHW kernel)."""
        w = self.conv.weight.detach().double()
        bn = self.bn
        g = bn.weight.detach().double() / torch.sqrt(bn.running_var.detach().double() + bn.eps)
        wf = w * g[:, None, None, None]
        bf = bn.bias.detach().double() - bn.running_mean.detach().double() * g
        return wf.float().numpy(), bf.float().numpy()

    def export(self, b, x):
        if self.pad != (0, 0):
            x = b.layer("ZeroPadding2D", {"padding": [[self.pad[0]] * 2, [self.pad[1]] * 2],
                                          "data_format": "channels_last"}, [x], prefix="pad")
        w, bias = self.folded()
        return b.conv2d(x, w, bias, list(self.conv.stride), "relu" if self.relu else "linear", source=self,
                        dilation=list(self.conv.dilation))


class Pool(nn.Module):
    def __init__(self, kind, k, stride=None):
        super().__init__()
        self.kind = kind
        self.k = (k, k) if isinstance(k, int) else tuple(k)
        s = stride if stride is not None else self.k
        self.s = (s, s) if isinstance(s, int) else tuple(s)
        self.op = nn.MaxPool2d(self.k, self.s) if kind == "max" else nn.AvgPool2d(self.k, self.s)

    def forward(self, x):
        return self.op(x)

    def export(self, b, x):
        cls = "MaxPooling2D" if self.kind == "max" else "AveragePooling2D"
        return b.layer(cls, {"pool_size": list(self.k), "strides": list(self.s), "padding": "valid",
                             "data_format": "channels_last"}, [x], prefix=self.kind + "pool")


class ResBlock(nn.Module):
    """Basic ResNet block: conv3x3(stride)-BN-ReLU-conv3x3-BN + (1x1 stride conv-BN shortcut), ReLU."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.c1 = ConvBN(cin, cout, 3, stride, relu=True)
        self.c2 = ConvBN(cout, cout, 3, 1, relu=False)
        self.short = ConvBN(cin, cout, 1, stride, relu=False) if (stride != 1 or cin != cout) else None

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return torch.relu(self.c2(self.c1(x)) + s)

    def export(self, b, x):
        y = self.c2.export(b, self.c1.export(b, x))
        s = x if self.short is None else self.short.export(b, x)
        a = b.layer("Add", {}, [y, s], prefix="add")
        return b.layer("Activation", {"activation": "relu"}, [a], prefix="relu")


def res_stages(cin: int, widths, blocks) -> tuple[list[nn.Module], int]:
    """Stages of basic ResNet blocks, `blocks[i]` of width `widths[i]`; the first block of every stage after the
    first downsamples by 2. Returns the blocks and their output channels."""
    out: list[nn.Module] = []
    for i, (w, nb) in enumerate(zip(widths, blocks)):
        for j in range(nb):
            out.append(ResBlock(cin, w, 2 if (j == 0 and i > 0) else 1))
            cin = w
    return out, cin


class Head(nn.Module):
    def __init__(self, cin, dropout=0.0):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(cin, 1)

    def forward(self, x):
        return self.fc(self.drop(x.mean(dim=(2, 3)))).squeeze(1)

    def export(self, b, x):
        g = b.layer("GlobalAveragePooling2D", {"data_format": "channels_last"}, [x], prefix="gap")
        w = self.fc.weight.detach().float().numpy().T  # (in, 1)
        return b.dense(g, w, self.fc.bias.detach().float().numpy(), name="logit", source=self.fc)


class Net(nn.Module):
    """A chain of exportable stages followed by the head."""

    def __init__(self, stages: list[nn.Module], head: Head):
        super().__init__()
        self.rescale = Rescale()
        self.stages = nn.ModuleList(stages)
        self.head = head

    def forward(self, x):
        x = self.rescale(x)
        for s in self.stages:
            x = s(x)
        return self.head(x)

    def export(self, b, x):
        x = self.rescale.export(b, x)
        for s in self.stages:
            x = s.export(b, x)
        return self.head.export(b, x)


def plain_cnn(planes=1, widths=(8, 16, 32), pool="max", dropout=0.0, **_):
    """conv3x3-BN-ReLU + 2x2 pool per width: the smallest useful CNN (CI)."""
    stages, cin = [], planes
    for w in widths:
        stages += [ConvBN(cin, w, 3), Pool(pool, 2)]
        cin = w
    return Net(stages, Head(cin, dropout))


def resnet(planes=1, stem=16, widths=(16, 32, 64, 128), blocks=(1, 1, 1, 1), stem_stride=2, stem_pool=True,
           pool="max", dropout=0.0, stem_kernel=5, **_):
    """Small ResNet-style CNN: stem conv(stem_kernel, stride) [+ maxpool 2], then stages of basic blocks, the
    first block of every stage after the first downsampling by 2. For large inputs a stride-4 7x7 stem without
    the pool costs a quarter of the stride-2 stem and keeps a 4x finer first feature map than stem + pool would
    at a quarter of the input size (measured in training/README.md)."""
    stages = [ConvBN(planes, stem, stem_kernel, stem_stride)] + ([Pool(pool, 2)] if stem_pool else [])
    blocks_, cin = res_stages(stem, widths, blocks)
    return Net(stages + blocks_, Head(cin, dropout))


def lead_grid(planes=1, stem=16, widths=(24, 48, 96), blocks=(1, 1, 1), dropout=0.0, **_):
    """Lead-aware CNN for one-column sheets (dataset2: 12 leads stacked vertically): anisotropic 3x7
    convolutions (time is the long axis) and pooling that shrinks time faster than height, then a final
    average pool that keeps one row per lead band before the global pooling."""
    stages = [ConvBN(planes, stem, (3, 7), (1, 2)), Pool("max", 2)]
    blocks_, cin = res_stages(stem, widths, blocks)
    stages += blocks_ + [ConvBN(cin, cin, (1, 5), (1, 2))]
    return Net(stages, Head(cin, dropout))


class TraceSegmenter(nn.Module):
    """Per-pixel trace logits at the input's own resolution (any height and width): a stack of 3x3 conv-BN-ReLU
    layers whose dilations widen the view (1, 1, 2, 4, 8: a 33 px square, several grid squares at 2-4 px/mm), so
    a pixel is judged by its colour against the paper and grid around it and by the stroke's shape (a grid line
    runs straight for the whole view, a trace bends), then a 1x1 conv to one logit. Input (N, 3, H, W) RGB
    bytes as floats (src/lib/digitise/segment-input.ts); output (N, 1, H, W)."""

    def __init__(self, planes=3, width=12, dilations=(1, 1, 2, 4, 8)):
        super().__init__()
        self.rescale = Rescale()
        layers, cin = [], planes
        for d in dilations:
            layers.append(ConvBN(cin, width, 3, 1, relu=True, dilation=d))
            cin = width
        layers.append(ConvBN(cin, 1, 1, 1, relu=False))
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        x = self.rescale(x)
        for m in self.layers:
            x = m(x)
        return x

    def export(self, b, x):
        x = self.rescale.export(b, x)
        for m in self.layers:
            x = m.export(b, x)
        return x


ARCHS = {"plain_cnn": plain_cnn, "resnet": resnet, "lead_grid": lead_grid}


def build(cfg: dict, planes: int) -> nn.Module:
    arch = cfg["arch"]
    if arch not in ARCHS:
        raise ValueError(f"unknown model arch {arch!r}; known: {sorted(ARCHS)}")
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in cfg.items() if k != "arch"}
    return ARCHS[arch](planes=planes, **kw)


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


class LeadSequence(nn.Module):
    """dataset4: 12 single-lead images per record (planes in standard lead order I, II, III, aVR, aVL, aVF,
    V1-V6). One CNN encoder shared by all leads (the lead images are folded into the batch), global average
    pooling to one C-vector per lead, then a layer across the 12 leads: the 12 lead vectors concatenated in
    lead order (12*C, so the model knows which lead shows what, e.g. ST changes in II/III/aVF vs V1-V4) ->
    Dense(hidden) + ReLU -> Dense logit.

    Export (every layer has an exact TF.js twin): the NHWC input (N, H, W, 12) becomes (N, 12, H, W, 1) with
    Permute + Reshape; the encoder's image layers run inside TimeDistributed (the same weights for every lead,
    as here), Rescaling/Add/Activation act on the 5-D tensor as they are; GlobalAveragePooling2D per lead gives
    (N, 12, C); Flatten gives the same lead-major order as the reshape below; then Dense, Dense.

    (The first version ran a bidirectional GRU across the leads; TF.js's GRU lacks PyTorch's reset_after form,
    so it could not be exported. Attention pooling would need a learned per-lead embedding to keep lead
    identity, which Keras layers can express only indirectly; the concatenation keeps it exactly.)"""

    def __init__(self, planes=12, stem=16, widths=(16, 32, 64), blocks=(1, 1, 1), hidden=64, dropout=0.0,
                 stem_stride=2, stem_pool=True, pool="max"):
        super().__init__()
        self.leads = planes
        self.rescale = Rescale()
        stages = [ConvBN(1, stem, 5, stem_stride)] + ([Pool(pool, 2)] if stem_pool else [])
        blocks_, cin = res_stages(stem, widths, blocks)
        self.stages = nn.ModuleList(stages + blocks_)
        self.features = cin
        self.drop = nn.Dropout(dropout)
        self.mix = nn.Linear(planes * cin, hidden)
        self.fc = nn.Linear(hidden, 1)

    def encode(self, x):
        """(N, 12, H, W) uint8 values -> (N, 12*C) lead-major per-lead features."""
        n, leads, h, w = x.shape
        y = self.rescale(x.reshape(n * leads, 1, h, w))
        for s in self.stages:
            y = s(y)
        return y.mean(dim=(2, 3)).reshape(n, leads * y.shape[1])

    def forward(self, x):
        z = torch.relu(self.mix(self.drop(self.encode(x))))
        return self.fc(self.drop(z)).squeeze(1)

    def export(self, b, x):
        h, w, leads = b.height, b.width, b.planes
        # (N, H, W, 12) -> (N, 12, H, W) -> (N, 12, H, W, 1): one single-channel image per lead.
        x = b.layer("Permute", {"dims": [3, 1, 2]}, [x], prefix="leads_first")
        x = b.layer("Reshape", {"target_shape": [leads, h, w, 1]}, [x], prefix="lead_images")
        x = self.rescale.export(b, x)
        with b.per_lead():  # image layers are wrapped in TimeDistributed: one encoder for all 12 leads
            for s in self.stages:
                x = s.export(b, x)
            x = b.layer("GlobalAveragePooling2D", {"data_format": "channels_last"}, [x], prefix="gap")
        x = b.layer("Flatten", {"data_format": "channels_last"}, [x], prefix="flatten")  # (N, 12*C), lead-major
        x = b.dense(x, self.mix.weight.detach().float().numpy().T, self.mix.bias.detach().float().numpy(),
                    name="lead_mix", activation="relu", source=self.mix)
        return b.dense(x, self.fc.weight.detach().float().numpy().T, self.fc.bias.detach().float().numpy(),
                       name="logit", source=self.fc)


def lead_sequence(planes=12, stem=16, widths=(16, 32, 64), blocks=(1, 1, 1), hidden=64, dropout=0.0, stem_stride=2,
                  stem_pool=True, pool="max", **_):
    if planes != 12:
        raise ValueError("lead_sequence needs dataset4 shards (12 planes per record)")
    return LeadSequence(planes, stem, widths, blocks, hidden, dropout, stem_stride, stem_pool, pool)


ARCHS["lead_sequence"] = lead_sequence
