#!/usr/bin/env bash
# Benchmarks the drawing store under `doodle serve` (release, a new SQLite file): saves/s under 64
# connections; then /api/predict's throughput (64 connections) alone, while players save at a steady
# --rate (Scripts/save_at_rate.py, default 100 a second: a game round ends every 20 s for each of 2,000
# players), and while 32 more connections save as fast as they can. wrk runs on loopback, sharing the
# machine's cores.
#
#   Scripts/bench_store.sh [--port PORT] [--data DIR] [--seconds N] [--rate SAVES_PER_SECOND]
#
# Needs wrk (apt-get install wrk) and ../shared/data. Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."

port=8398
data=../shared/data
seconds=10
rate=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "bench_store: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
strokes="$data/quickdraw/strokes/simplified_ndjson"
[[ -d "$strokes" ]] || { echo "bench_store: no stroke files in $strokes" >&2; exit 1; }

swift build -c release --product doodle >/dev/null 2>&1
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# The first two drawings of every category, as predictions and as game rounds to save.
for file in "$strokes"/*.ndjson; do head -n 2 "$file"; done |
  sed -E 's/.*"drawing":(.*)\}$/{"model":"doodles","top":5,"strokes":\1}/' >"$work/bodies.jsonl"
for file in "$strokes"/*.ndjson; do
  word=$(basename "$file" .ndjson)
  head -n 2 "$file" | sed -E "s/.*\"drawing\":(.*)\}\$/{\"label\":\"$word\",\"source\":\"game\",\"strokes\":\1}/"
done >"$work/saves.jsonl"
export DOODLE_BODIES="$work/bodies.jsonl" DOODLE_SAVES="$work/saves.jsonl"

.build/release/doodle serve --port "$port" --store "$work/drawings.sqlite" --save-burst 1000000 \
  --save-rate 1000000 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve.log"; exit 1; }

url="http://127.0.0.1:$port"
echo "== $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t1 -c4 -d2s -s Scripts/wrk_predict.lua "$url" >/dev/null
echo "-- saves alone (64 connections, $seconds s)"
wrk -t1 -c64 -d"${seconds}s" -s Scripts/wrk_save.lua "$url" | grep '^saves'
predict() { wrk -t1 -c64 -d"${seconds}s" -s Scripts/wrk_predict.lua "$url" | grep -E '^(requests|errors)'; }
echo "-- predictions alone (64 connections, $seconds s)"
predict
echo "-- predictions (64 connections) while players save $rate drawings a second"
python3 Scripts/save_at_rate.py "$url" "$work/saves.jsonl" "$rate" "$seconds" >"$work/steady.txt" &
steady=$!
predict
wait "$steady"
cat "$work/steady.txt"
echo "-- predictions (64 connections) while 32 connections save as fast as they can"
wrk -t1 -c32 -d"${seconds}s" -s Scripts/wrk_save.lua "$url" >"$work/saving.txt" &
saving=$!
predict
wait "$saving"
grep '^saves' "$work/saving.txt"
echo "-- the store: $(curl -s "$url/api/drawings/stats" | head -c 60)..."
