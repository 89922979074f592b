#!/usr/bin/env bash
# Upstream fault matrix (spec 40 §9): connect-api against a fault-injecting fake 12go.
#
#   scripts/faults.sh [SUMMARY.md]          FAULTS_QUICK=1: the short CI subset
#
# Builds the binaries (cargo build --locked --bins), then runs bench/faults/run.py:
# latency, 5xx bursts, resets, truncated / malformed / slow / 50 MB bodies on the 12go
# calls behind search, GetItinerary (T, A, S), CreateBooking (R), ConfirmBooking (C)
# booking details (B) and cancel (O, F); checks statuses and deadlines, /health latency, RSS back to
# baseline and that R, C and F are sent at most once. Writes a Markdown summary
# (default: bench/faults/RESULTS.md, or $CARGO_TARGET_DIR/faults-quick.md when quick)
# and exits non-zero on any failed check. Needs only python3.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
if [ "${FAULTS_QUICK:-}" = 1 ]; then DEFAULT_OUT="$TARGET/faults-quick.md"; else DEFAULT_OUT=bench/faults/RESULTS.md; fi
OUT=${1:-$DEFAULT_OUT}

echo "== cargo build --locked --bins"
cargo build --locked --bins
mkdir -p "$(dirname "$OUT")"
FAULTS_LOG_DIR=${FAULTS_LOG_DIR:-$TARGET} python3 bench/faults/run.py "$TARGET/debug" "$OUT"
