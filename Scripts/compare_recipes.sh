#!/usr/bin/env bash
# Trains the `doodles` data (every category with at least 400 drawings, all formats merged) with a few
# architectures and class samplings for the same short run, scores each on the test split, and prints
# one line per recipe: test top-1 and top-5, the mean of the per-class accuracies (what a player of a
# rare word sees), the worst class, the file's size, and the engine's batch-1 latency.
#
#   Scripts/compare_recipes.sh [EPOCHS]      (default 3; recipes in RECIPES, "arch:sampling" words)
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-3}
RECIPES=${RECIPES:-compact:sqrt compact:natural small:sqrt deep:sqrt}
Q=${DOODLE_SHARED_DATA:-../shared/data}/quickdraw
WORK=${WORK:-/tmp/doodle-compare}
mkdir -p "$WORK"
swift build -c release --product doodle
doodle=.build/release/doodle
DATA=(--data "$Q/bitmap" --data "$Q/strokes/simplified_ndjson" --data "$Q/strokes/kaggle_simplified_ndjson"
    --data "$Q/strokes/sketchrnn_ndjson" --data "$Q/strokes/raw_ndjson")
for recipe in $RECIPES; do
    arch=${recipe%%:*} sampling=${recipe##*:}
    name=$arch-$sampling-$EPOCHS
    [[ -f $WORK/$name.safetensors ]] || $doodle train "${DATA[@]}" --min-drawings 400 --arch "$arch" \
        --epochs "$EPOCHS" --augment --sampling "$sampling" --lr 0.003 --weight-decay 0.0001 \
        --out "$WORK/$name.safetensors" --checkpoints "$WORK/$name.checkpoints" >"$WORK/$name.log" 2>&1
    $doodle eval --model "$WORK/$name.safetensors" "${DATA[@]}" --json >"$WORK/$name.json" 2>/dev/null
done
archs=$(for recipe in $RECIPES; do echo "${recipe%%:*}"; done | sort -u | paste -sd, -)
$doodle bench --arch "$archs" --classes 70 --json >"$WORK/bench.jsonl"
python3 - "$WORK" "$EPOCHS" $RECIPES <<'EOF'
import json, os, sys
work, epochs, recipes = sys.argv[1], sys.argv[2], sys.argv[3:]
latency = {}
for line in open(os.path.join(work, "bench.jsonl")):
    if line.startswith("{"):
        row = json.loads(line)
        if row["what"] == "infer_batch1":
            latency[row["arch"]] = row["median_s"] * 1000
print(f"{'recipe':<18}{'top-1':>8}{'top-5':>8}{'class mean':>12}  {'worst class':<22}{'MB':>6}{'batch-1 ms':>12}")
for recipe in recipes:
    arch, sampling = recipe.split(":")
    name = f"{arch}-{sampling}-{epochs}"
    e = json.load(open(os.path.join(work, name + ".json")))
    classes = [c for c in e["perClass"] if c["count"] > 0]
    mean = sum(c["accuracy"] for c in classes) / len(classes)
    worst = min(classes, key=lambda c: c["accuracy"])
    size = os.path.getsize(os.path.join(work, name + ".safetensors")) / 1e6
    print(f"{arch + ' ' + sampling:<18}{e['top1']*100:>7.2f}%{e['top5']*100:>7.2f}%{mean*100:>11.2f}%  "
          f"{worst['name'] + ' ' + format(worst['accuracy']*100, '.0f') + '%':<22}{size:>6.2f}"
          f"{latency.get(arch, float('nan')):>12.3f}")
EOF
