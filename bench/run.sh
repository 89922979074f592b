#!/usr/bin/env bash
# Builds release binaries and writes bench/RESULTS.md (see bench/measure.py).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bins
python3 bench/measure.py target/release "${1:-300}" | tee bench/RESULTS.md
