#!/usr/bin/env bash
# Robustness campaign (issue 8): every parser that sees outside input must never
# panic. One command runs all of it:
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60; CI runs `scripts/fuzz.sh 10`)
#
# 1. The property tests (tests/fuzz_props.rs) with PROPTEST_CASES cases per
#    property (default 256 × SECONDS_PER_TARGET / 10, at least 256).
# 2. Every libFuzzer target of fuzz/ (cargo fuzz; installed from crates.io when
#    missing) for SECONDS_PER_TARGET seconds each, seeded from fuzz/corpus/<target>.
#    The machine has a stable toolchain only, so RUSTC_BOOTSTRAP=1 unlocks the
#    sanitizer flags cargo fuzz passes.
#
# Fails on the first crash: libFuzzer leaves the input in fuzz/artifacts/<target>/
# (reproduce with `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>`), proptest
# prints the minimal failing input. New corpus entries go to fuzz/target/corpus/
# (not committed); the committed seeds stay as they are.
#
# Environment: FUZZ_TARGETS="query token" to run only some targets;
# FUZZ_SKIP_PROPTEST=1 / FUZZ_SKIP_LIBFUZZER=1 to skip a part; FUZZ_SKIP_BUILD=1
# runs the binaries already in fuzz/target.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS="${1:-60}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export RUSTC_BOOTSTRAP=1
start=$(date +%s)
stamp() { echo "   ($(($(date +%s) - start)) s since start)"; }

if [ "${FUZZ_SKIP_PROPTEST:-0}" != 1 ]; then
    cases=$((256 * SECS / 10))
    [ "$cases" -lt 256 ] && cases=256
    # Debug build on purpose: the release profile (fat LTO) takes far longer to build
    # than the cases take to run, and debug keeps overflow checks on.
    echo "== proptest campaign: PROPTEST_CASES=$cases cargo test --test fuzz_props"
    PROPTEST_CASES="$cases" cargo test --locked --test fuzz_props
    stamp
fi

if [ "${FUZZ_SKIP_LIBFUZZER:-0}" != 1 ]; then
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "== installing cargo-fuzz (crates.io)"
        cargo install cargo-fuzz --locked
        stamp
    fi
    targets="${FUZZ_TARGETS:-$(cargo fuzz list --fuzz-dir fuzz)}"
    if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
        echo "== cargo fuzz build (ASan, release with debug assertions)"
        # The fuzz crate has its own lock file and target dir (fuzz/target).
        cargo fuzz build --fuzz-dir fuzz
        stamp
    fi
    # The built binaries are run directly: `cargo fuzz run` builds again first, and
    # with other flags than `cargo fuzz build`, which rebuilt the whole crate per target.
    bin_dir="fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"
    for t in $targets; do
        echo "== libFuzzer $t (${SECS} s)"
        work="fuzz/target/corpus/$t"
        mkdir -p "$work" "fuzz/artifacts/$t"
        # The run's own corpus dir first (new inputs land there), the seeds second.
        log="fuzz/target/$t.log"
        if ! ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}" "$bin_dir/$t" \
            "$work" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" \
            -max_total_time="$SECS" -max_len=65536 -print_final_stats=1 >"$log" 2>&1; then
            tail -n 60 "$log" >&2
            echo "!! $t crashed: the input is in fuzz/artifacts/$t/" >&2
            exit 1
        fi
        # The progress lines are noise; keep the totals.
        grep -E "^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)" "$log" || true
        stamp
    done
fi
echo "== fuzz: no crash ($(($(date +%s) - start)) s)"
