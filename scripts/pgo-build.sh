#!/usr/bin/env bash
# The static musl release binaries, built with profile-guided optimisation (issue 8):
#   1. an instrumented build of connect-api (in $CARGO_TARGET_DIR/pgo-gen);
#   2. a training run, scripts/pgo_train.py: the instrumented service searching the
#      bench's recorded 12go answers (bench/payloads/) for PGO_SECONDS (20);
#   3. the release build of every binary with that profile, in the usual place
#      ($CARGO_TARGET_DIR/x86_64-unknown-linux-musl/release/), as the images ship it.
# On the 140-itinerary search this took a quarter off the CPU per request and ~2 MiB
# off the resident code (bench/search-notes.md, round 4).
# Needs musl-gcc (musl-tools), python3 and the toolchain's llvm-profdata
# (`rustup component add llvm-tools`, which this script runs when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-musl
TDIR="${CARGO_TARGET_DIR:-target}"
export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
log() { echo "== pgo: $*" >&2; }

sysroot=$(rustc --print sysroot)
host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  log "rustup component add llvm-tools"
  rustup component add llvm-tools >/dev/null
fi
rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
# Appended to the target's rustflags in .cargo/config.toml (frame pointers), not
# replacing them as RUSTFLAGS would.
flags() { echo "target.$TARGET.rustflags=[\"$1\"]"; }

log "instrumented build"
cargo build --release --locked --bin connect-api --target "$TARGET" \
  --target-dir "$TDIR/pgo-gen" --config "$(flags "-Cprofile-generate=$data")"

log "training run (${PGO_SECONDS:-20} s)"
LLVM_PROFILE_FILE="$data/connect-api-%m_%p.profraw" \
  python3 scripts/pgo_train.py "$TDIR/pgo-gen/$TARGET/release/connect-api" "${PGO_SECONDS:-20}"
"$profdata" merge -o "$data/merged.profdata" "$data"/*.profraw

log "optimised build"
cargo build --release --locked --bins --target "$TARGET" \
  --config "$(flags "-Cprofile-use=$data/merged.profdata")"
log "done: $TDIR/$TARGET/release/"
