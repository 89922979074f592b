#!/usr/bin/env bash
# Builds release binaries and writes bench/RESULTS.md (see bench/measure.py).
# TARGET=x86_64-unknown-linux-musl bench/run.sh builds the static musl binary
# (needs `rustup target add x86_64-unknown-linux-musl` and Debian's musl-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${TARGET:-}" ]; then
  export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
  cargo build --release --locked --bins --target "$TARGET"
  dir="target/$TARGET/release"
else
  cargo build --release --locked --bins
  dir="target/release"
fi
python3 bench/measure.py "$dir" "${1:-300}" | tee bench/RESULTS.md
