#!/usr/bin/env bash
# Search throughput of connect-api against a static fake 12go, next to an nginx
# pass-through of the same upstream (bench/search.py): builds the release binaries,
# installs wrk, nginx and gnuplot (Debian) when missing, writes the "Search throughput"
# section of bench/RESULTS.md (the rest of the file is kept) and bench/search-latency.png.
#
# TARGET=x86_64-unknown-linux-musl builds the static musl binary (profile-guided, as
# the images ship it: scripts/pgo-build.sh; PGO=0 builds without); SKIP_BUILD=1 measures
# the binaries already built (BIN_DIR names their directory, as bench/run.sh does);
# NGINX_SKIP=1 skips the nginx comparison. RUNS (3),
# DURATION (10 s), CONNS (32), SWEEP_CONNS ("1 4 16 32 64 128"), SWEEP_DURATION (5 s),
# WRK_CPU (1), PROFILE_SECS (0: no profile) tune it (see bench/search.py).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
# nginx is also the fake 12go, so it is needed even with NGINX_SKIP=1.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v gnuplot >/dev/null 2>&1 || need+=(gnuplot-nox)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} (Debian packages; the search bench needs them)" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "missing ${need[*]}: install them as root (apt-get install -y ${need[*]})" >&2; exit 1; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"
tdir="${CARGO_TARGET_DIR:-target}"
if [ -n "${BIN_DIR:-}" ]; then
  dir="$BIN_DIR"
elif [ -n "${TARGET:-}" ]; then
  export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
  if [ -z "${SKIP_BUILD:-}" ]; then
    # As the images build it (profile-guided) unless PGO=0.
    if [ "$TARGET" = x86_64-unknown-linux-musl ] && [ "${PGO:-1}" != 0 ]; then
      scripts/pgo-build.sh
    else
      cargo build --release --locked --bins --target "$TARGET"
    fi
  fi
  dir="$tdir/$TARGET/release"
else
  [ -n "${SKIP_BUILD:-}" ] || cargo build --release --locked --bins
  dir="$tdir/release"
fi
python3 bench/search.py "$dir"
