#!/usr/bin/env bash
# Fuzzes and soaks a release `doodle serve` on 127.0.0.1 (Scripts/server_soak.py): random and malformed
# requests, then many connections of mixed traffic, then slow clients. Fails if the server crashes,
# answers 5xx or a 4xx without a JSON error, fails a valid request, grows its memory, or keeps a slow
# client's connection past its read timeout.
#
#   Scripts/server_soak.sh [--requests N] [--soak-seconds S] [--connections C] [--read-timeout T]
#                          [--port PORT] [--binary PATH]
#
# Defaults are the full run (10,000 requests, 60 s at 64 connections, a 5 s read timeout); CI passes
# smaller numbers. Builds the release binary first unless --binary is given.
set -euo pipefail
cd "$(dirname "$0")/.."

requests=10000
soak=60
connections=64
timeout=5
port=8398
binary=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --requests) requests="$2"; shift 2 ;;
    --soak-seconds) soak="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --read-timeout) timeout="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$binary" ]]; then
  swift build -c release --product doodle >/dev/null
  binary=.build/release/doodle
fi

log=$(mktemp)
store=$(mktemp -d)
# A store of its own, with saving limits no soak reaches: a valid save must answer 201.
"$binary" serve --port "$port" --read-timeout "$timeout" --store "$store/drawings.sqlite" \
  --save-burst 1000000 --save-rate 1000000 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$log" "$store"' EXIT
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

status=0
python3 Scripts/server_soak.py --url "http://127.0.0.1:$port" --pid "$server" --requests "$requests" \
  --soak-seconds "$soak" --connections "$connections" --read-timeout "$timeout" || status=$?
if ! kill -0 "$server" 2>/dev/null; then
  echo "server_soak: doodle serve is no longer running; its log ends:" >&2
  tail -20 "$log" >&2
  exit 1
fi
exit "$status"
