"""HeartNet Notebook training package: shards -> PyTorch CNN -> TensorFlow.js LayersModel.

Run through `npm run train -- --config training/configs/NAME.json` (validates config and data first) or
`/usr/bin/python3 -m training.train --config ...` directly."""
import os

# On a shared, oversubscribed CPU, OpenMP threads that spin-wait for each other lose most of their time
# (measured: 14 vs 137 training images/s, see training/README.md). Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
