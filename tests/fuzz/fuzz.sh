#!/usr/bin/env bash
# `make fuzz`: runs each libFuzzer driver for a while on a scratch copy of its
# seed corpus, one after the other, and fails if any of them finds a crash.
#
#   tests/fuzz/fuzz.sh SECONDS DRIVER_BINARY...
#
# A driver build-fuzz/bin/fuzz-NAME uses tests/fuzz/corpus/NAME/ and, when it
# exists, the dictionary tests/fuzz/NAME.dict. New inputs the fuzzer finds go
# to the scratch copy, so a run leaves the tree as it was. Logs and crashing
# inputs stay in tests/artifacts/fuzz/ (reproduce with DRIVER_BINARY FILE).
# Ends with one line "fuzz: N drivers, N crashed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD

if [ "$#" -lt 2 ]; then
    echo "usage: $0 SECONDS DRIVER_BINARY..." >&2
    exit 2
fi
SECONDS_EACH=$1
shift
case $SECONDS_EACH in
'' | *[!0-9]*)
    echo "fuzz.sh: SECONDS must be a whole number, not '$SECONDS_EACH'" >&2
    exit 2
    ;;
esac

ART=$ROOT/tests/artifacts/fuzz
mkdir -p "$ART"
TMP=$(mktemp -d /tmp/ftk-fuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'echo "fuzz.sh: interrupted" >&2; exit 130' INT TERM

# Sanitizer reports must end the run with a stack, so the input is kept.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

drivers=0
crashed=0
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz-}
    drivers=$((drivers + 1))
    corpus=$ROOT/tests/fuzz/corpus/$name
    work=$TMP/$name
    out=$ART/$name
    log=$ART/$name.log
    rm -rf "$out"
    mkdir -p "$work" "$out"
    if [ -d "$corpus" ]; then
        cp -R "$corpus/." "$work/"
    else
        echo "fuzz.sh: warning: $name has no seed corpus in tests/fuzz/corpus/$name" >&2
    fi
    opts=(-max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$out/")
    if [ -f "tests/fuzz/$name.dict" ]; then
        opts+=(-dict="tests/fuzz/$name.dict")
    fi
    # One process (no -jobs, -workers or -fork): the machine's cores are
    # shared, and a crash then ends the run with its report in this log.
    # The outer timeout only guards against a driver that never returns.
    timeout --kill-after=10 $((SECONDS_EACH + 120)) "$bin" "${opts[@]}" "$work" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    execs=${execs:-?}
    found=$(find "$out" -type f | LC_ALL=C sort | head -n 1)
    # The timeout counts wall time, so a busy machine can stall one input
    # past it; such a timeout counts only when the input is slow again.
    case $found in
    */timeout-*)
        if [ "$(find "$out" -type f | wc -l)" = 1 ] &&
            "$bin" -timeout=20 "$found" >"$log.again" 2>&1; then
            printf 'ok    %-10s %s executions, stopped by a timeout that did not recur (%s)\n' \
                "$name" "$execs" "${found#"$ROOT"/}"
            continue
        fi
        ;;
    esac
    if [ "$rc" = 0 ] && [ -z "$found" ]; then
        printf 'ok    %-10s %s executions in %s s, no crash\n' "$name" "$execs" "$SECONDS_EACH"
        continue
    fi
    crashed=$((crashed + 1))
    printf 'FAIL  %-10s crash after %s executions (exit status %s)\n' "$name" "$execs" "$rc"
    if [ -n "$found" ]; then
        echo "      input: ${found#"$ROOT"/}  (reproduce: $bin ${found#"$ROOT"/})"
    fi
    echo "      log:   ${log#"$ROOT"/}; its end:"
    grep -v '^#[0-9]' "$log" | tail -n 40 | sed 's/^/        /'
done

echo "fuzz: $drivers drivers, $crashed crashed"
[ "$crashed" -eq 0 ]
