#!/usr/bin/env bash
# Runs each libFuzzer target built by Fuzz/build.sh for SECONDS (default 60), one after the other.
#
#   Fuzz/run.sh [SECONDS]          # FUZZ_TARGETS="csv xml" to pick targets; FUZZ_NICE=0 to run un-niced
#
# Each target starts from its seeds (Fuzz/corpus/<target>/) and the inputs of past findings
# (Fuzz/regressions/<target>/); what it learns goes to .build-fuzz/corpus-<target>/ (kept between runs,
# not committed). Limits: inputs up to 64 KiB, 256 MB RSS, 10 s per input. A crash, timeout, out-of-memory
# or leak is copied to Fuzz/findings/<target>/; the script prints each target's exec count and exits 1
# when any target found something.
set -uo pipefail
cd "$(dirname "$0")/.."
# ASan's quarantine of freed memory (256 MB by default) would count against the 256 MB RSS limit and
# report an out-of-memory after a few thousand inputs although nothing leaks: keep it small.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=20}

seconds=${1:-60}
out=.build-fuzz
targets=${FUZZ_TARGETS:-csv json xml money}
failed=()
summary=()

for target in $targets; do
    binary=$out/fuzz-$target
    if [ ! -x "$binary" ]; then
        echo "Fuzz/run.sh: $binary is missing; run Fuzz/build.sh first" >&2
        exit 2
    fi
    work=$out/corpus-$target
    artifacts=$out/artifacts-$target/
    log=$out/fuzz-$target.log
    rm -rf "$artifacts"
    mkdir -p "$work" "$artifacts"
    corpora=("$work" "Fuzz/corpus/$target")
    [ -d "Fuzz/regressions/$target" ] && corpora+=("Fuzz/regressions/$target")
    dict=()
    [ -f "Fuzz/dict/$target.dict" ] && dict=(-dict="Fuzz/dict/$target.dict")

    echo "== fuzz-$target for ${seconds}s (log: $log)"
    nice -n "${FUZZ_NICE:-10}" "$binary" -max_len=65536 -rss_limit_mb=256 -timeout=10 \
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts" \
        "${dict[@]}" "${corpora[@]}" >"$log" 2>&1
    status=$?

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ -z "$execs" ]; then
        execs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort)
    if [ -n "$found" ]; then
        mkdir -p "Fuzz/findings/$target"
        cp $found "Fuzz/findings/$target/"
    fi
    line="fuzz-$target: ${execs:-?} execs in ${seconds}s, ${coverage:-cov: ?}, peak RSS ${peak:-?} MB, exit $status"
    if [ $status -ne 0 ] || [ -n "$found" ]; then
        line+=", FINDING"
        failed+=("$target")
        grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error)|ALARM|out-of-memory|deadly signal' "$log" | head -5
        for file in $found; do echo "   -> Fuzz/findings/$target/$(basename "$file")"; done
    fi
    echo "$line"
    summary+=("$line")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "Fuzz/run.sh: findings in: ${failed[*]}" >&2
    exit 1
fi
