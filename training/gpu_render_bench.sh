#!/usr/bin/env bash
# Render throughput on a rented GPU machine's CPUs (training/README.md, "Image models on a GPU"): per style, with
# and without a larger young generation for Node's garbage collector, every CPU busy, then one process alone.
# Run there in a copy of the working tree with .gpu carried (training/gpu_image_prepare.sh made it):
#   LIMIT=48 bash training/gpu_render_bench.sh        # images per process and run (PROCS: processes, default nproc)
# Prints one line per run; the figures of one run are in data/training/gpu-image/README.md.
set -u
lscpu | grep -E "Model name|^CPU\(s\)|Thread"; nproc; free -g | head -2
python3 -c "import lzma, shutil; shutil.copyfileobj(lzma.open('.gpu/node.xz'), open('/tmp/node', 'wb'))"; chmod +x /tmp/node; /tmp/node --version
python3 -m training.record_pack unpack .gpu/records /tmp/ptb > /dev/null || exit 1
P=${PROCS:-$(nproc)}
run() { # style flags procs
  rm -rf /tmp/b; mkdir -p /tmp/b
  local t0=$(date +%s.%N)
  seq 1 $3 | xargs -P $3 -I{} /tmp/node $2 .gpu/export-images.mjs --style $1 --folds 1-8 --out /tmp/b/s{} --input 384x512 --tone ink-flat --subset 0/3 --limit ${LIMIT:-24} --seed {} --data /tmp/ptb --workers 0 --quiet
  local t1=$(date +%s.%N)
  local n=$(python3 -c "import json,glob; print(sum(json.load(open(f))['count'] for f in glob.glob('/tmp/b/*/manifest.json')))")
  python3 -c "print('$1 procs=$3 flags=[$2] images=$n seconds=%.1f images/s=%.1f' % ($t1-$t0, $n/($t1-$t0)))"
}
for style in wild-photo wild-scan wild-printout printout; do
  run $style "" $P
  run $style "--max-semi-space-size=64" $P
done
run wild-photo "" 1
run wild-photo "--max-semi-space-size=64" 1
