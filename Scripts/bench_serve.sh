#!/usr/bin/env bash
# Benchmarks `doodle serve` with real Quick, Draw! strokes: the server-side time of one request at a
# time (p50 of `took_ms`), then wrk's load test (64 connections, 10 s, from a second process on
# loopback): requests/s, errors, client p50/p99.
#
#   Scripts/bench_serve.sh [--models DIR] [--model NAME] [--port PORT] [--data DIR] [--taught-words N]
#                          [--lanes N]
#
# --taught-words N teaches the model N words first (POST /api/words, 5 drawings each, into a store of
# its own), so that every guess also scores them; without it the server keeps no drawings. --lanes N
# is passed to `doodle serve` (forward passes that may run at once, one thread each when N > 1).
#
# Needs wrk (apt-get install wrk) and ../shared/data. Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."

models=models
model=doodles
port=8397
data=../shared/data
taught=0
lanes=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --taught-words) taught="$2"; shift 2 ;;
    --lanes) lanes="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "bench_serve: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
strokes="$data/quickdraw/strokes/simplified_ndjson"
[[ -d "$strokes" ]] || { echo "bench_serve: no stroke files in $strokes" >&2; exit 1; }

swift build -c release --product doodle >/dev/null
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# Request bodies: the first two drawings of every category (Google's `drawing` is the API's `strokes`).
for file in "$strokes"/*.ndjson; do head -n 2 "$file"; done |
  sed -E "s/.*\"drawing\":(.*)\}\$/{\"model\":\"$model\",\"top\":5,\"strokes\":\1}/" >"$work/bodies.jsonl"
export DOODLE_BODIES="$work/bodies.jsonl"

store=(--no-store)
[[ "$taught" -gt 0 ]] && store=(--store "$work/drawings.sqlite" --save-burst 1000 --save-rate 100000)
.build/release/doodle serve --port "$port" --models "$models" --lanes "$lanes" "${store[@]}" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve.log"; exit 1; }

# Each taught word: five drawings of one category, in the order of the stroke files.
for i in $(seq "$taught"); do
  file=$(ls "$strokes"/*.ndjson | sed -n "${i}p")
  python3 - "$file" "$model" "taught word $i" >"$work/word.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()[:5]
print(json.dumps({"model": sys.argv[2], "word": sys.argv[3], "drawings": [json.loads(l)["drawing"] for l in lines]}))
PY
  curl -sf "http://127.0.0.1:$port/api/words" -H 'content-type: application/json' --data-binary @"$work/word.json" \
    >/dev/null || { echo "bench_serve: teaching word $i failed" >&2; exit 1; }
done
[[ "$taught" -gt 0 ]] && echo "== taught $taught words: $(curl -sf "http://127.0.0.1:$port/api/words?model=$model" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["words"]))') listed"
echo "== $(wc -l <"$work/bodies.jsonl") drawings, model $model, $lanes lane(s), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- warm-up"
wrk -t1 -c1 -d2s -s Scripts/wrk_predict.lua "http://127.0.0.1:$port" >/dev/null
echo "-- one request at a time (1 connection, 5 s)"
wrk -t1 -c1 -d5s -s Scripts/wrk_predict.lua "http://127.0.0.1:$port" | sed -n '/^requests/,$p'
echo "-- load (64 connections, 2 wrk threads, 10 s)"
wrk -t2 -c64 -d10s -s Scripts/wrk_predict.lua "http://127.0.0.1:$port" | sed -n '/^requests/,$p'
