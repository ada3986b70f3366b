#!/usr/bin/env bash
# Makes .gpu/ for training/gpu_image_run.sh (training/README.md, "Image models on a GPU"):
#   bash training/gpu_image_prepare.sh training/configs/NAME.json
# the config's validation sets rendered here (the export at home re-checks its threshold on them), our
# export-images bundled into one file, this machine's Node compressed, and the records the plan draws from (its
# training sets' `subset` pool of folds 1-8, plus the validation sets' records) packed by training/record_pack.py.
# Needs every PTB-XL record (npm run setup -- --all, or PTBXL_DIR). Prints what will travel.
set -euo pipefail
cd "$(dirname "$0")/.."
CFG=$1
DATA=${PTBXL_DIR:-data/ptb-xl}
G=.gpu
mkdir -p $G
read -r SUBSET INIT < <(python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print(c['data']['train'][0]['subset'], c['init'])" "$CFG")
# validation sets, exactly as npm run train would export them
/usr/bin/python3 -m training.gpu_image jobs "$CFG" --runner "npx tsx scripts/export-images.ts" --data "$DATA" \
  --val-only --workers 2 | bash
# the records of each validation set (the machine renders exactly these: gpu_image jobs --val-ids), and all of them
python3 - "$CFG" $G/val-sets.json > $G/val-ids.json <<'PY'
import json, os, sys
cfg = json.load(open(sys.argv[1]))
sets = {v["dir"]: sorted({it["ecg_id"] for it in json.load(open(os.path.join(v["dir"], "manifest.json")))["items"]})
        for v in cfg["data"]["val"]}
json.dump(sets, open(sys.argv[2], "w"))
print(json.dumps(sorted({i for ids in sets.values() for i in ids})))
PY
npx esbuild scripts/export-images.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile=$G/export-images.mjs "--banner:js=import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
# stripped of its symbols (99 -> 86 MB) and compressed hard: 21.9 MB against 24.2 with xz -6, which the tree's growth
# needed to stay under 64 MiB (heartnet-wild-6)
if [ ! -s $G/node.xz ]; then
  strip -o /tmp/heartnet-node-stripped "$(command -v node)"
  xz -T2 -9e -c /tmp/heartnet-node-stripped > $G/node.xz
fi
rm -rf $G/records
/usr/bin/python3 -m training.record_pack pack "$DATA" $G/records --folds 1-8 --subset "$SUBSET" --ids-file $G/val-ids.json
git rev-parse HEAD > $G/commit
echo "prepare: init from public/models/$INIT; travelling: tree $(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) bytes + .gpu $(du -sb $G | cut -f1) bytes (64 MiB = 67108864)"
