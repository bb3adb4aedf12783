#!/usr/bin/env bash
# Fuzzes Doodle's parsers of untrusted input with libFuzzer (issue 13).
#
#     Scripts/fuzz.sh [TARGET|all] [SECONDS]      (default: all targets, 60 s each)
#
# Builds doodle-fuzz in release with AddressSanitizer and libFuzzer (in .build-fuzz, so the normal
# build is untouched), seeds each target from Scripts/make_fuzz_corpus.py, and runs each target for
# SECONDS with leak detection on. Inputs that found new coverage accumulate in .fuzz/work/TARGET; a
# crash, trap, leak, timeout, out-of-memory or sanitizer report is saved under .fuzz/crashes/TARGET/,
# its path printed, and the script exits 1. Replay a saved input with a normal build:
#
#     swift run doodle-fuzz TARGET .fuzz/crashes/TARGET/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-all}
seconds=${2:-60}
build=.build-fuzz
# lld: gold stops with an internal error on the sanitizer build's debug info.
flags=(-c release --build-path "$build" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DDOODLE_LIBFUZZER
    -Xswiftc -use-ld=lld)

echo "== building doodle-fuzz with -sanitize=fuzzer,address in $build"
start=$SECONDS
swift build "${flags[@]}" --product doodle-fuzz
echo "build: $((SECONDS - start)) s"
binary="$(swift build "${flags[@]}" --show-bin-path)/doodle-fuzz"

targets=$("$binary" --list)
if [ "$target" != all ]; then
    if ! grep -qx -- "$target" <<<"$targets"; then
        echo "fuzz.sh: unknown target '$target'; targets: $(echo $targets)" >&2
        exit 2
    fi
    targets=$target
fi

python3 Scripts/make_fuzz_corpus.py .fuzz/corpus >/dev/null

# The largest input per target: a little above its largest seed, so mutations stay fast.
max_len() {
    case $1 in
        model | png | predict | onnx) echo 20000 ;;
        ndjson) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

failed=()
summary=()
for t in $targets; do
    mkdir -p ".fuzz/work/$t" ".fuzz/crashes/$t" .fuzz/dicts .fuzz/logs
    dict=".fuzz/dicts/$t.dict"
    : >"$dict"
    case $t in json | ndjson | predict | drawing | words) cat Scripts/fuzz/json.dict >>"$dict" ;; esac
    [ -f "Scripts/fuzz/$t.dict" ] && cat "Scripts/fuzz/$t.dict" >>"$dict"
    dict_flag=()
    [ -s "$dict" ] && dict_flag=(-dict="$dict")
    log=".fuzz/logs/$t.log"
    echo "== fuzzing $t for $seconds s (log: $log)"
    status=0
    # Swift's own backtracer would catch a trap first and trip over ASan; libFuzzer reports it instead.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 "$binary" "$t" \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -max_len="$(max_len "$t")" -timeout=10 -detect_leaks=1 -artifact_prefix=".fuzz/crashes/$t/" \
        "${dict_flag[@]}" ".fuzz/work/$t" ".fuzz/corpus/$t" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
    corpus=$(find ".fuzz/work/$t" -type f | wc -l)
    if [ "$status" -ne 0 ]; then
        grep -E "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|Fatal error|SUMMARY" "$log" | head -5 || true
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        echo "FOUND ($t): reproducer ${artifact:-not written (see $log)}"
        failed+=("$t")
    fi
    summary+=("$(printf '%-14s %12s execs  %-22s corpus %5s  %s' "$t" "${runs:-?}" "${cov:-cov: ?}" "$corpus" \
        "$([ "$status" -eq 0 ] && echo ok || echo FOUND)")")
done

echo "== fuzz summary ($seconds s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: findings in ${failed[*]}; reproducers under .fuzz/crashes/" >&2
    exit 1
fi
