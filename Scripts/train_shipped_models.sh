#!/usr/bin/env bash
# Rebuilds the shipped models exactly as models/README.md says, and scores each on its test split.
# With PEER=/path/to/python (a Python with torch), `peer` trains ../shared/peers/torch_train.py's
# `small` for 10 epochs on the bitmaps of the `doodles` categories, for the side-by-side accuracy.
#
#   Scripts/train_shipped_models.sh [digits] [doodles] [doodles-345] [peer]   (default: all but peer)
#
# Run it from anywhere; it works in the repository's root, so the models record relative paths.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DOODLE_SHARED_DATA:-../shared/data}
Q=$DATA/quickdraw
WORK=${WORK:-/tmp/doodle-shipped}
mkdir -p models "$WORK"
what=${*:-digits doodles doodles-345}
swift build -c release --product doodle
doodle=.build/release/doodle
# Every genuine Quick, Draw! source in shared, merged per category (bitmap_rendered/ is not Google's
# rendering and is left out).
QUICKDRAW=(--data "$Q/bitmap" --data "$Q/strokes/simplified_ndjson" --data "$Q/strokes/kaggle_simplified_ndjson"
    --data "$Q/strokes/sketchrnn_ndjson" --data "$Q/strokes/raw_ndjson")

if [[ " $what " == *" digits "* ]]; then
    $doodle train --data "$DATA/mnist" --arch deep --epochs 6 --augment --lr 0.003 --weight-decay 0.0001 \
        --out models/digits.safetensors
    $doodle eval --model models/digits.safetensors --data "$DATA/mnist"
fi

if [[ " $what " == *" doodles "* ]]; then
    $doodle train "${QUICKDRAW[@]}" --min-drawings 400 --arch compact --epochs 20 --augment --sampling natural \
        --lr 0.003 --weight-decay 0.0001 --out models/doodles.safetensors
    $doodle eval --model models/doodles.safetensors
fi

if [[ " $what " == *" doodles-345 "* ]]; then
    $doodle train "${QUICKDRAW[@]}" --arch compact --epochs 12 --augment --sampling sqrt --lr 0.003 \
        --weight-decay 0.0001 --no-game --out models/doodles-345.safetensors
    $doodle eval --model models/doodles-345.safetensors
fi

if [[ " $what " == *" peer "* ]]; then
    : "${PEER:?set PEER to a Python with torch, e.g. PEER=/tmp/peer/bin/python}"
    # The peer reads every .npy of one folder: link the bitmaps of the doodles model's categories.
    bitmaps=$WORK/doodles-bitmaps
    rm -rf "$bitmaps" && mkdir -p "$bitmaps"
    $doodle eval --model models/doodles.safetensors --format npy --json >"$WORK/doodles-npy.json"
    python3 - "$bitmaps" "$Q/bitmap" <<'EOF'
import json, os, struct, sys
with open("models/doodles.safetensors", "rb") as f:
    header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
for name in json.loads(header["__metadata__"]["labels"]):
    source = os.path.join(sys.argv[2], name + ".npy")
    if os.path.exists(source):
        os.symlink(os.path.abspath(source), os.path.join(sys.argv[1], name + ".npy"))
EOF
    count=$(find "$bitmaps" -name '*.npy' | wc -l)
    "$PEER" ../shared/peers/torch_train.py --data "$bitmaps" --classes "$count" --per-class 1000000 \
        --epochs 10 --arch small | tail -1
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(json.dumps({"doodle": "doodles", "bitmap_test_images": e["count"], "test_top1": e["top1"], "test_top5": e["top5"]}))' \
        "$WORK/doodles-npy.json"
fi
