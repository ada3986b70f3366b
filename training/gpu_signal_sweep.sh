#!/usr/bin/env bash
# Train several signal-classifier configs at once on a rented GPU machine (training/README.md, "On a GPU").
# Run in the repository root of a copy of the tree:
#   HEARTNET_GIT_COMMIT=<commit copied> bash training/gpu_signal_sweep.sh PACKED_DIR CONFIG.json...
# PACKED_DIR is what `training/signal_pack.py pack` wrote. Each config trains in its own process (the
# perturbations run on the CPU, one core each; the networks share the GPU) and, when it ends, leaves
# $OUT/<name>.tgz: its TF.js export, training log, checkpoint and console output. Nothing else in the project
# calls this; `npm run train` on the CPU is the normal route.
# WORKERS: processes per config that draw the perturbed batches (see signal_train --workers; give each config
# about (cores - 1) / configs). DEVICE (default cuda), EPOCHS (default: the config's) and PYTHON (default
# python3) exist to try it on a CPU first.
set -uo pipefail
packed=$1
shift
: "${OUT:?set OUT to the folder that receives the results}"
"${PYTHON:-python3}" -m training.signal_pack unpack "$packed" build/signals/ptbxl-printout || exit 1
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
pids=()
for cfg in "$@"; do
  name=$(basename "$cfg" .json)
  (
    "${PYTHON:-python3}" -m training.signal_train --config "$cfg" --device "${DEVICE:-cuda}" ${EPOCHS:+--epochs "$EPOCHS"} ${WORKERS:+--workers "$WORKERS"} \
      > "$OUT/$name.log" 2>&1
    rc=$?
    echo "[sweep] $name exit $rc; $(grep -E '^\[signal\] (best epoch|fold-9 perturbed)' "$OUT/$name.log" | tr '\n' ' ')"
    tar czf "$OUT/$name.tgz" --ignore-failed-read -C "$OUT" "$name.log" -C "$PWD" "public/models/$name" \
      "data/training/$name.json" "data/training/$name.json.partial" "training/checkpoints/$name.pt" 2>/dev/null
    rm -f "$OUT/$name.log"
    exit $rc
  ) &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit $rc
