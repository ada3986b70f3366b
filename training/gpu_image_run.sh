#!/usr/bin/env bash
# The part of a GPU image-model run that happens on the rented machine (training/README.md, "Image models on a
# GPU"), in a copy of the working tree with .gpu carried (training/gpu_image_prepare.sh made it):
#   bash training/gpu_image_run.sh training/configs/NAME.json [RENDER_S] [TRAIN_S]
# Renders every shard set it can in RENDER_S seconds on all CPUs (validation sets first), rebuilds the init
# checkpoint from its TF.js export (training/tfjs_init.py), trains for about TRAIN_S seconds with --no-export, and
# leaves in $OUT: the effective config (the sets that finished), the log, the checkpoint, the init's note and
# the console output. DEVICE=cpu runs the same steps without a GPU (the smoke run at home).
set -uo pipefail
CFG=$1
RENDER_S=${2:-240}
TRAIN_S=${3:-200}
OUT=${OUT:-build/gpu-out}
DEVICE=${DEVICE:-cuda}
RATE=${RATE:-2000}   # expected training images/s: sets the epochs (training stops at TRAIN_S in any case)
G=.gpu
PY=${PYTHON:-python3}   # the one with PyTorch (on the GPU machine, plain python3)
T0=$(date +%s)
log() { echo "[gpu $(($(date +%s) - T0)) s] $*"; }
mkdir -p "$OUT"
export HEARTNET_GIT_COMMIT="$(cat $G/commit)"
$PY -c "import lzma, shutil; shutil.copyfileobj(lzma.open('$G/node.xz'), open('/tmp/heartnet-node', 'wb'))" &&
  chmod +x /tmp/heartnet-node && /tmp/heartnet-node --version || { log "no Node"; exit 1; }
$PY -m training.record_pack unpack $G/records /tmp/heartnet-ptbxl || exit 1
NAME=$($PY -c "import json, sys; print(json.load(open(sys.argv[1]))['name'])" "$CFG")
INIT=$($PY -c "import json, sys; print(json.load(open(sys.argv[1]))['init'])" "$CFG")
$PY -m training.gpu_image jobs "$CFG" --runner "/tmp/heartnet-node $G/export-images.mjs" \
  --data /tmp/heartnet-ptbxl --val-ids $G/val-sets.json > /tmp/heartnet-jobs.txt || exit 1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null; log "rendering $(wc -l < /tmp/heartnet-jobs.txt) shard sets on $(nproc) CPUs until ${RENDER_S} s"
# A job that would run past the deadline is stopped there; its set then has no manifest and is left out.
export DEADLINE=$((T0 + RENDER_S))
xargs -P "$(nproc)" -d '\n' -I{} bash -c 'left=$((DEADLINE - $(date +%s))); [ $left -gt 0 ] || exit 0; timeout $left {} || true' \
  < /tmp/heartnet-jobs.txt > "$OUT/render.log" 2>&1
log "rendering stopped"
# the effective config replaces the plan in this copy, so the log names training/configs/NAME.json
$PY -m training.gpu_image effective "$CFG" "/tmp/heartnet-effective.json" --seconds "$TRAIN_S" --rate "$RATE" || exit 1
cp /tmp/heartnet-effective.json "training/configs/$NAME.json"
cp /tmp/heartnet-effective.json "$OUT/$NAME.config.json"
CAL=$($PY -c "import json, sys; print(json.load(open(sys.argv[1]))['data']['train'][0]['dir'])" "$CFG")
$PY -m training.tfjs_init "public/models/$INIT" --config "training/configs/$INIT.json" --calibrate "$CAL" || exit 1
cp "training/checkpoints/$INIT.pt.json" "$OUT/init.pt.json"
log "training"
PYTHONUNBUFFERED=1 $PY -m training.train --config "training/configs/$NAME.json" --device "$DEVICE" --threads 8 \
  --no-export 2>&1 | tee "$OUT/train-console.txt"
cp "data/training/$NAME.json" "$OUT/$NAME.log.json" 2>/dev/null || cp "data/training/$NAME.json.partial" "$OUT/" 2>/dev/null
cp "training/checkpoints/$NAME.pt" "$OUT/$NAME.pt" 2>/dev/null
log "done"
ls -la "$OUT"
