#!/usr/bin/env bash
# Fine-tuning, measured as a user would do it: drawings of words a model does not know are saved to a
# drawing store (`doodle drawings import`, standing in for players' corrections), exported
# (`doodle drawings export`), and the model is fine-tuned on them with the data it was trained on
# (`doodle train --from`). Then both models are scored on the original test split, and the new one on
# the new words' held-out drawings too.
#
#   Scripts/fine_tune_check.sh [--model NAME] [--words "coffee cup,cell phone"] [--epochs N] [--out DIR]
#
# The new words' drawings come from ../shared/data's Kaggle simplified set. Needs the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

model=doodles
words="coffee cup,cell phone"
epochs=2
out=$(mktemp -d)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --words) words="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
Q=../shared/data/quickdraw
doodle=.build/release/doodle
swift build -c release --product doodle >/dev/null 2>&1

IFS=, read -r -a list <<<"$words"
files=()
for word in "${list[@]}"; do files+=("$Q/strokes/kaggle_simplified_ndjson/$word.ndjson"); done
$doodle drawings import --store "$out/drawings.sqlite" "${files[@]}"
$doodle drawings export --store "$out/drawings.sqlite" --out "$out/given"

$doodle train --from "$model" --data $Q/bitmap --data $Q/strokes/simplified_ndjson \
  --data $Q/strokes/kaggle_simplified_ndjson --data $Q/strokes/sketchrnn_ndjson --data $Q/strokes/raw_ndjson \
  --data "$out/given" --categories "$words" --epochs "$epochs" --augment --sampling sqrt --lr 0.0005 \
  --weight-decay 0.0001 --out "$out/tuned.safetensors" | grep -v '%'

$doodle eval --model "$model" --json >"$out/before.json"
$doodle eval --model "$out/tuned.safetensors" --json >"$out/after.json"
python3 - "$out/before.json" "$out/after.json" "$words" <<'PY'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
new = set(sys.argv[3].split(","))
def pooled(ev, names):
    rows = [c for c in ev["perClass"] if c["name"] in names]
    n = sum(c["count"] for c in rows)
    return sum(c["accuracy"] * c["count"] for c in rows) / n, n
old = {c["name"] for c in before["perClass"]}
b, n = pooled(before, old)
a, _ = pooled(after, old)
w, m = pooled(after, new)
print(f"original classes' test split ({n} drawings): top-1 {b:.2%} before, {a:.2%} after ({(a - b) * 100:+.2f} points)")
print(f"new words ({', '.join(sorted(new))}; {m} held-out drawings): top-1 {w:.2%} after (the model before cannot answer them)")
PY
echo "models and numbers in $out"
