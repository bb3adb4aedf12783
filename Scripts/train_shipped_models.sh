#!/usr/bin/env bash
# Rebuilds the shipped models exactly as the README says, scores them on their test splits, and (with
# PEER=/path/to/python, a Python with torch) trains ../shared/peers/torch_train.py's `small` on the same
# bitmap categories, split sizes and epochs as Doodle's `small`, for the side-by-side accuracy, and then
# Doodle's shipped recipe (`compact`, augmented) on that same data.
#
#   Scripts/train_shipped_models.sh [digits] [doodles] [peer]     (default: all three)
#
# PEER_EPOCHS (default 5) sets the epochs of the three peer-comparison runs.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DOODLE_SHARED_DATA:-../shared/data}
OUT=${OUT:-models}
WORK=${WORK:-/tmp/doodle-shipped}
mkdir -p "$OUT" "$WORK"
what=${*:-digits doodles peer}
swift build -c release --product doodle
doodle=.build/release/doodle

if [[ " $what " == *" digits "* ]]; then
    $doodle train --data "$DATA/mnist" --arch deep --epochs 6 --augment --lr 0.003 --weight-decay 0.0001 \
        --out "$OUT/digits.safetensors" --checkpoints "$WORK/digits"
    $doodle eval --model "$OUT/digits.safetensors" --data "$DATA/mnist"
fi

if [[ " $what " == *" doodles "* ]]; then
    # Every category in Google's form: the 23 numpy_bitmap files, and the stroke files with at least
    # 2,000 drawings (the four sketch-rnn sets, rendered by Doodle's rasterizer after normalisation).
    $doodle train --data "$DATA/quickdraw/bitmap" --data "$DATA/quickdraw/strokes/sketchrnn_ndjson" \
        --arch compact --epochs 12 --augment --lr 0.003 --weight-decay 0.0001 \
        --out "$OUT/doodles.safetensors" --checkpoints "$WORK/doodles"
    $doodle eval --model "$OUT/doodles.safetensors" --data "$DATA/quickdraw/bitmap" \
        --data "$DATA/quickdraw/strokes/sketchrnn_ndjson"
fi

if [[ " $what " == *" peer "* ]]; then
    : "${PEER:?set PEER to a Python with torch, e.g. PEER=/tmp/peer/bin/python}"
    # Same architecture, categories (the 23 bitmap files), per-class limit, 80/10/10 split sizes, epochs,
    # batch, optimizer (Adam, one-cycle, max lr 0.003).
    epochs=${PEER_EPOCHS:-5}
    $doodle train --data "$DATA/quickdraw/bitmap" --per-class 2495 --arch small --epochs "$epochs" --lr 0.003 \
        --out "$WORK/small-bitmap.safetensors" --checkpoints "$WORK/small-bitmap"
    $doodle eval --model "$WORK/small-bitmap.safetensors" --data "$DATA/quickdraw/bitmap" --per-class 2495
    "$PEER" ../shared/peers/torch_train.py --data "$DATA/quickdraw/bitmap" --classes 23 --per-class 2495 \
        --epochs "$epochs" --arch small | tail -1
    # The shipped recipe (compact, augmented) on the same data, split sizes and epochs: beyond the peer?
    $doodle train --data "$DATA/quickdraw/bitmap" --per-class 2495 --arch compact --epochs "$epochs" --augment \
        --lr 0.003 --weight-decay 0.0001 --out "$WORK/compact-bitmap.safetensors" --checkpoints "$WORK/compact-bitmap"
    $doodle eval --model "$WORK/compact-bitmap.safetensors" --data "$DATA/quickdraw/bitmap" --per-class 2495
fi
