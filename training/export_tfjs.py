"""Write a PyTorch model from training/models.py as a TensorFlow.js LayersModel (model.json in Keras
functional topology + one weights .bin), without the tensorflowjs package.

Layouts: inputs are NHWC in TF.js (N, H, W, planes); Conv2D kernels go from PyTorch (out, in, kh, kw) to
Keras (kh, kw, in, out); Dense from (out, in) to (in, out). BatchNorm is folded into the preceding conv.
Optional float16 weight quantisation uses TF.js's own weightsManifest 'quantization' field.

Multi-image models (lead_sequence: 12 lead images) export their per-image layers inside `per_lead()`: every
layer of a class in PER_IMAGE is then written as TimeDistributed(layer), which TF.js runs on each lead with
the same weights. Every layer class written here is registered in @tensorflow/tfjs-layers 4.22
(LAYER_CLASSES lists them; tests/unit/parity.test.ts loads a fixture of each architecture)."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import zlib

import numpy as np
import torch

WEIGHTS_FILE = "group1-shard1of1.bin"

# Layers that act on one image (H, W, C). Inside per_lead() they are wrapped in TimeDistributed, which maps
# them over axis 1 of (N, leads, H, W, C); elementwise layers (Rescaling, Add, Activation) need no wrapper.
PER_IMAGE = {"ZeroPadding2D", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D"}
# Every class this module may write (checked in KerasBuilder.layer), all serialisable by TF.js 4.22 layers.
LAYER_CLASSES = PER_IMAGE | {"InputLayer", "Rescaling", "Add", "Activation", "Dense", "Permute", "Reshape",
                             "Flatten", "TimeDistributed"}


class KerasBuilder:
    def __init__(self, height: int | None, width: int | None, planes: int, name: str):
        """height/width None: any size (a fully convolutional model such as the trace segmenter)."""
        self.layers: list[dict] = []
        self.weights: list[tuple[str, np.ndarray]] = []
        # the torch module each (kernel, bias) pair of `weights` came from, in the same order (reference_forward)
        self.sources: list[torch.nn.Module | None] = []
        self.counts: dict[str, int] = {}
        self.name = name
        self.height, self.width, self.planes = height, width, planes
        self.time_distributed = False
        self.input = "input"
        self.layers.append({"class_name": "InputLayer", "name": "input", "inbound_nodes": [],
                            "config": {"batch_input_shape": [None, height, width, planes], "dtype": "float32",
                                       "sparse": False, "name": "input"}})

    def _name(self, prefix: str) -> str:
        k = self.counts.get(prefix, 0) + 1
        self.counts[prefix] = k
        return f"{prefix}_{k}"

    @contextlib.contextmanager
    def per_lead(self):
        """Within this block, image layers are applied to every lead (axis 1) with shared weights."""
        self.time_distributed = True
        try:
            yield
        finally:
            self.time_distributed = False

    def layer(self, cls: str, config: dict, inputs: list[str], prefix: str, name: str | None = None) -> str:
        if cls not in LAYER_CLASSES:
            raise ValueError(f"layer class {cls} is not in LAYER_CLASSES (check TF.js supports it, then add it)")
        name = name or self._name(prefix)
        cfg = {"name": name, "trainable": False, "dtype": "float32", **config}
        if self.time_distributed and cls in PER_IMAGE:
            # TimeDistributed(inner): the wrapper carries the node name; TF.js builds the inner layer inside
            # the wrapper's name scope, so its weights are "<wrapper name>/kernel", "<wrapper name>/bias".
            inner = {"class_name": cls, "config": {**cfg, "name": name + "_inner"}}
            cls, cfg = "TimeDistributed", {"name": name, "trainable": False, "dtype": "float32", "layer": inner}
        self.layers.append({"class_name": cls, "name": name, "config": cfg,
                            "inbound_nodes": [[[i, 0, 0, {}] for i in inputs]]})
        return name

    def conv2d(self, x: str, w_oihw: np.ndarray, bias: np.ndarray, strides: list[int], activation: str,
               source: torch.nn.Module | None = None, dilation: list[int] | None = None) -> str:
        o, i, kh, kw = w_oihw.shape
        name = self.layer("Conv2D", {"filters": int(o), "kernel_size": [int(kh), int(kw)], "strides": strides,
                                     "padding": "valid", "data_format": "channels_last",
                                     "dilation_rate": [int(d) for d in (dilation or [1, 1])],
                                     "activation": activation, "use_bias": True}, [x], prefix="conv")
        self.weights.append((f"{name}/kernel", np.ascontiguousarray(w_oihw.transpose(2, 3, 1, 0))))
        self.weights.append((f"{name}/bias", bias.astype(np.float32)))
        self.sources.append(source)
        return name

    def dense(self, x: str, w_io: np.ndarray, bias: np.ndarray, name: str, activation: str = "linear",
              source: torch.nn.Module | None = None) -> str:
        name = self.layer("Dense", {"units": int(w_io.shape[1]), "activation": activation, "use_bias": True}, [x],
                          prefix="dense", name=name)
        self.weights.append((f"{name}/kernel", np.ascontiguousarray(w_io.astype(np.float32))))
        self.weights.append((f"{name}/bias", bias.astype(np.float32)))
        self.sources.append(source)
        return name

    def topology(self, output: str) -> dict:
        return {"class_name": "Model", "keras_version": "2.13.1", "backend": "tensorflow",
                "config": {"name": self.name, "layers": self.layers, "input_layers": [[self.input, 0, 0]],
                           "output_layers": [[output, 0, 0]]}}


def build_graph(model: torch.nn.Module, height: int, width: int, planes: int, name: str):
    b = KerasBuilder(height, width, planes, name)
    out = model.export(b, b.input)
    return b, out


def quantize_weights(weights, quantization: str):
    """Return the weights as the browser will see them (float16 rounding applied) - used for the fold-9
    check and the parity reference."""
    if quantization == "none":
        return weights
    if quantization == "float16":
        return [(n, w.astype(np.float16).astype(np.float32)) for n, w in weights]
    raise ValueError(f"unknown quantization {quantization!r}")


def write_model(out_dir: str, builder: KerasBuilder, output: str, quantization: str = "none") -> int:
    """Writes model.json + weights; returns the weights' size in bytes."""
    os.makedirs(out_dir, exist_ok=True)
    specs, blobs = [], []
    for n, w in builder.weights:
        spec = {"name": n, "shape": list(w.shape), "dtype": "float32"}
        if quantization == "float16":
            spec["quantization"] = {"dtype": "float16"}
            blobs.append(w.astype("<f2").tobytes())
        else:
            blobs.append(w.astype("<f4").tobytes())
        specs.append(spec)
    data = b"".join(blobs)
    with open(os.path.join(out_dir, WEIGHTS_FILE), "wb") as f:
        f.write(data)
    mj = {"format": "layers-model", "generatedBy": "heartnet training/export_tfjs.py",
          "convertedBy": None, "modelTopology": builder.topology(output),
          "weightsManifest": [{"paths": [WEIGHTS_FILE], "weights": specs}]}
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(mj, f)
    return len(data)


def reference_forward(builder: KerasBuilder, weights, model: torch.nn.Module, x_u8: np.ndarray) -> np.ndarray:
    """Logits of the exported graph computed by PyTorch: the model with BN folded and the (possibly quantised)
    exported `weights` (builder.weights or a quantised copy) loaded back into the modules the builder recorded
    them from (builder.sources; no second walk of the model). x_u8: (N, planes, H, W) uint8."""
    import copy

    from . import models as M

    if len(weights) != 2 * len(builder.sources) or any(s is None for s in builder.sources):
        raise ValueError("every exported weight pair needs its source module (KerasBuilder.conv2d/dense source=)")
    m = copy.deepcopy(model).eval()
    path_of = {id(mod): name for name, mod in model.named_modules()}
    copied = dict(m.named_modules())
    with torch.no_grad():
        for k, src in enumerate(builder.sources):
            mod = copied[path_of[id(src)]]
            kern, bias = weights[2 * k][1], weights[2 * k + 1][1]
            if isinstance(mod, M.ConvBN):
                mod.conv.weight.copy_(torch.from_numpy(kern.transpose(3, 2, 0, 1).copy()))
                mod.conv.bias = torch.nn.Parameter(torch.from_numpy(bias.copy()))
                mod.bn = torch.nn.Identity()
            else:
                mod.weight.copy_(torch.from_numpy(kern.T.copy()))
                mod.bias.copy_(torch.from_numpy(bias.copy()))
        return m(torch.from_numpy(x_u8.astype(np.float32))).double().numpy()


def pack_u8(x: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(x, dtype=np.uint8).tobytes(), 9)).decode()


def write_parity(path: str, inputs_u8: np.ndarray, logits: np.ndarray, unfused_logits: np.ndarray, note: str):
    """inputs_u8: (N, planes, H, W). Stored NCHW-flattened, zlib+base64; the TS test reshapes to NHWC."""
    n, planes, h, w = inputs_u8.shape
    doc = {"format": "heartnet-parity/1", "note": note, "layout": "NCHW uint8, zlib-deflate, base64",
           "shape": [planes, h, w], "tolerance": 1e-4,
           "cases": [{"input": pack_u8(inputs_u8[i]), "logit": float(logits[i]),
                      "torch_unfused_logit": float(unfused_logits[i])} for i in range(n)]}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
