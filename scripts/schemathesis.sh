#!/usr/bin/env bash
# Property-based API check: schemathesis against the service's own /openapi.json.
#
#   scripts/schemathesis.sh [MAX_EXAMPLES]      (default 100 examples per operation)
#
# Builds the binaries (cargo build --locked --bins), starts `connect-api` on free
# loopback ports in sandbox mode (no TWELVEGO_BASE_URL: built-in client `demo`, key
# `demo-key`), waits for /ready, and runs a pinned schemathesis (installed into a venv
# under the cargo target directory) with positive and negative data and the checks
# not_a_server_error, status_code_conformance, content_type_conformance and
# response_schema_conformance. Exits non-zero on any failure.
# Env: CARGO_TARGET_DIR, SCHEMATHESIS_VENV (venv path), SCHEMATHESIS_ARGS (extra args).
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES=${1:-${MAX_EXAMPLES:-100}}
VERSION=3.39.16
TARGET=${CARGO_TARGET_DIR:-target}
VENV=${SCHEMATHESIS_VENV:-$TARGET/schemathesis-venv}

if [ ! -e "$VENV/.installed-$VERSION" ]; then
  echo "== installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  # hypothesis pinned too: newer releases break schemathesis 3.39's strategies.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" "hypothesis==6.124.9"
  touch "$VENV/.installed-$VERSION"
fi

echo "== cargo build --locked --bins"
cargo build --locked --bins

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
ADMIN_PORT=$(free_port)
LOG=$(mktemp /tmp/schemathesis-connect-api.XXXXXX.log)

# Sandbox mode with the built-in demo client; generous per-client quotas so the run
# measures the contract, not the limiter (429 is documented and checked anyway).
env -u TWELVEGO_BASE_URL -u REDIS_URL -u CONFIG_FILE -u CLIENTS_FILE \
  HOST=127.0.0.1 PORT="$PORT" ADMIN_PORT="$ADMIN_PORT" \
  RATE_LIMIT_SEARCH_PER_MIN=1000000 RATE_LIMIT_BOOKING_PER_MIN=1000000 \
  SANDBOX_SLOW_MS=0 LOG_LEVEL=warn DD_TRACE_ENABLED=false DD_METRICS_ENABLED=false \
  "$TARGET/debug/connect-api" >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "connect-api exited:"; cat "$LOG"; exit 1; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null

echo "== schemathesis $VERSION: $MAX_EXAMPLES examples per operation against :$PORT/openapi.json"
status=0
# shellcheck disable=SC2086
PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.json" \
  --experimental=openapi-3.1 \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --data-generation-method all \
  --hypothesis-max-examples "$MAX_EXAMPLES" \
  --hypothesis-seed "${SCHEMATHESIS_SEED:-1}" \
  --hypothesis-database none \
  --request-timeout 35000 \
  --set-path client_id=demo \
  -H 'x-api-key: demo-key' \
  --no-color ${SCHEMATHESIS_ARGS:-} || status=$?

if grep -q '"level":"ERROR"' "$LOG"; then
  echo "== connect-api logged errors (see $LOG):"
  grep '"level":"ERROR"' "$LOG" | head -20
fi
exit "$status"
