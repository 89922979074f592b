#!/usr/bin/env bash
# Builds release binaries and writes bench/RESULTS.md (see bench/measure.py): binary
# size, start-up to /ready, idle RSS, sequential search latency, 256 concurrent
# searches (bench/load.py) with RSS sampled during the load, and the image size when
# scripts/image-local.sh has been run (OCI layout in IMAGE_OCI, /tmp/connect-api-image/oci).
#
# TARGET=x86_64-unknown-linux-musl bench/run.sh builds the static musl binary as the
# images do, profile-guided (scripts/pgo-build.sh; PGO=0 without); it needs
# `rustup target add x86_64-unknown-linux-musl` and Debian's musl-tools.
# SKIP_BUILD=1 measures the binaries already in the target directory.
# LOAD_CONCURRENCY (256), LOAD_DURATION (10 s), LOAD_MAX_REQUESTS (50000) tune the load.
# MD_SKIP=1 skips master data (bench/masterdata.py); NOTIFY_SKIP=1 skips the notification
# delivery bench (bench/notify.py; NOTIFY_N, default 5000, notifications per outbox).
# Then bench/search.sh (SEARCH_SKIP=1 skips it) adds the search throughput section:
# wrk against a static nginx fake 12go, next to an nginx pass-through (NGINX_SKIP=1
# skips that comparison), and bench/search-latency.png.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${TARGET:-}" ]; then
  export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
  if [ -z "${SKIP_BUILD:-}" ]; then
    # As the images build it (profile-guided) unless PGO=0.
    if [ "$TARGET" = x86_64-unknown-linux-musl ] && [ "${PGO:-1}" != 0 ]; then
      CARGO_TARGET_DIR=target scripts/pgo-build.sh
    else
      cargo build --release --locked --bins --target "$TARGET"
    fi
  fi
  dir="target/$TARGET/release"
else
  [ -n "${SKIP_BUILD:-}" ] || cargo build --release --locked --bins
  dir="target/release"
fi
# Write to a temporary file first so a failed run keeps the previous results.
python3 bench/measure.py "$dir" "${1:-300}" > bench/RESULTS.md.tmp
mv bench/RESULTS.md.tmp bench/RESULTS.md
[ -n "${SEARCH_SKIP:-}" ] || SKIP_BUILD=1 BIN_DIR="$dir" bench/search.sh >/dev/null
cat bench/RESULTS.md
