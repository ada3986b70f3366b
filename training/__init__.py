"""HeartNet Notebook training package: shards -> PyTorch CNN -> TensorFlow.js LayersModel.

Run through `npm run train -- --config training/configs/NAME.json` (validates config and data first) or
`/usr/bin/python3 -m training.train --config ...` directly."""
