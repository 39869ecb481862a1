#!/usr/bin/env bash
# Runs the libFuzzer targets built by `make fuzz-build` (build-fuzz/fuzz_*).
#
#   scripts/fuzz.sh smoke              every target for FUZZ_SECONDS each (CI: `make fuzz`)
#   scripts/fuzz.sh run TARGET [SECS]  one target, longer (default 600 s)
#   scripts/fuzz.sh list               the targets it would run
#
# Each run starts from a throw-away copy of tests/fuzz/corpus/<target>/, so the repository
# never changes under a run; findings (crash-*, leak-*, timeout-*, oom-*) go to
# FUZZ_ARTIFACTS (default build-fuzz/fuzz-artifacts/<target>/), which outlives the run.
# Any finding, or a target that is missing from the build, makes the script fail.
#
# Environment: FUZZ_SECONDS (15), FUZZ_MAX_LEN (8192), FUZZ_BUILD_DIR (build-fuzz),
#              FUZZ_ARTIFACTS, FUZZ_KEEP_CORPUS=1 (keep the grown corpus; path printed).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
SECONDS_EACH="${FUZZ_SECONDS:-15}"
MAX_LEN="${FUZZ_MAX_LEN:-8192}"
ARTIFACTS="${FUZZ_ARTIFACTS:-$BUILD_DIR/fuzz-artifacts}"

# The sanitizer runtime must turn every report into a non-zero exit, which libFuzzer then
# records as a finding; leak detection is on so that error paths that forget a free count.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# The targets are the sources, not whatever happens to lie in the build directory: a
# target that did not build must fail the run rather than silently drop out of it.
targets() {
    local f
    for f in tests/fuzz/fuzz_*.c; do
        [ -e "$f" ] || continue
        basename "$f" .c
    done
}

# run_one TARGET SECONDS -> 0 when the target ran clean.
run_one() {
    local target="$1" secs="$2"
    local bin="$BUILD_DIR/$target"
    if [ ! -x "$bin" ]; then
        echo "fuzz: $target: $bin not built (run 'make fuzz-build')" >&2
        return 1
    fi
    local work
    work="$(mktemp -d "${TMPDIR:-/tmp}/orgtrail-fuzz-$target.XXXXXX")"
    mkdir -p "$work/corpus" "$ARTIFACTS/$target"
    if [ -d "tests/fuzz/corpus/$target" ]; then
        cp -R "tests/fuzz/corpus/$target/." "$work/corpus/"
    fi
    local extra=()
    [ -f "tests/fuzz/dict/$target.dict" ] && extra+=("-dict=tests/fuzz/dict/$target.dict")

    local art_dir
    art_dir="$(cd "$ARTIFACTS/$target" && pwd)"
    local before
    before="$(ls -1 "$art_dir" | wc -l)"
    local rc=0 t0=$SECONDS
    "$bin" -max_total_time="$secs" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$art_dir/" ${extra[@]+"${extra[@]}"} \
        "$work/corpus" >"$work/log" 2>&1 || rc=$?
    local took=$((SECONDS - t0))
    local execs
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)"

    # A finding is a non-zero exit, a sanitizer report in the log, or a new artifact (some
    # reports, e.g. -rss_limit, do not all exit the same way).
    local after
    after="$(ls -1 "$art_dir" | wc -l)"
    if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ] ||
        grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$work/log"; then
        echo "fuzz: $target: FAILED after ${took}s (exit $rc); log follows" >&2
        # The report itself (with whatever the target printed just before it), not the
        # libFuzzer progress lines around it.
        if grep -qE 'runtime error:|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' "$work/log"; then
            grep -vE '^#[0-9]+' "$work/log" |
                grep -m1 -B3 -A40 -E 'runtime error:|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' >&2
        else
            grep -vE '^#[0-9]+' "$work/log" | tail -40 >&2
        fi
        local repro
        repro="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | tail -1)"
        [ -n "$repro" ] || repro="$(ls -1t "$art_dir"/* 2>/dev/null | head -1 || true)"
        echo "fuzz: $target: reproducer: ${repro:-<none written>}" >&2
        echo "fuzz: $target: replay with: $bin ${repro:-<file>}" >&2
        echo "fuzz: $target: full log kept in $work/log" >&2
        return 1
    fi
    echo "fuzz: $target: ok (${took}s, ${execs:-?} runs)"
    if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
        echo "fuzz: $target: grown corpus in $work/corpus"
    else
        rm -rf "$work"
    fi
    return 0
}

cmd="${1:-}"
case "$cmd" in
-h | --help | help)
    usage
    ;;
list)
    targets
    ;;
smoke)
    mapfile -t all < <(targets)
    if [ ${#all[@]} -eq 0 ]; then
        echo "fuzz: no targets (tests/fuzz/fuzz_*.c)" >&2
        exit 1
    fi
    failed=()
    t0=$SECONDS
    for t in "${all[@]}"; do
        run_one "$t" "$SECONDS_EACH" || failed+=("$t")
    done
    echo "fuzz: smoke: ${#all[@]} targets in $((SECONDS - t0))s"
    if [ ${#failed[@]} -gt 0 ]; then
        echo "fuzz: smoke FAILED: ${failed[*]}" >&2
        exit 1
    fi
    ;;
run)
    [ $# -ge 2 ] || { usage >&2; exit 2; }
    target="${2%.c}"
    target="${target##*/}"
    # (not `targets | grep -q`: grep's early exit would fail the pipe under pipefail)
    mapfile -t all < <(targets)
    printf '%s\n' "${all[@]}" | grep -x "$target" >/dev/null || { echo "fuzz: unknown target '$target' (see: $0 list)" >&2; exit 2; }
    run_one "$target" "${3:-600}"
    ;;
*)
    usage >&2
    exit 2
    ;;
esac
