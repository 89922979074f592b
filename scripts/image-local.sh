#!/usr/bin/env bash
# Builds the production image without Docker: a static musl binary from cargo,
# packaged with buildah FROM scratch (binary, config/default.toml, CA bundle,
# /etc/passwd + /etc/group with nonroot uid 65532), committed as an OCI image,
# exported to an OCI archive, measured, and verified by running the binary out of
# the unpacked image rootfs until /ready answers 200.
#
# Usage: scripts/image-local.sh            (build + package + verify)
#   SKIP_BUILD=1   reuse target/$TARGET/release/connect-api as it is
#   OUT=/tmp/connect-api-image   where the OCI layout, archive and rootfs go
#   IMAGE=connect-api            image name (tag = version-gitsha)
# Works as root inside a container without overlayfs or user namespaces
# (vfs storage, chroot isolation; nothing is run inside the image by buildah).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-musl
OUT=${OUT:-/tmp/connect-api-image}
IMAGE=${IMAGE:-connect-api}
export BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
BUILDAH=(buildah --storage-driver "$STORAGE_DRIVER")

log() { printf '==> %s\n' "$*" >&2; }

# --- tools (install only what is missing; apt only as root) ----------------------
need_apt=()
command -v musl-gcc >/dev/null || need_apt+=(musl-tools)
command -v buildah >/dev/null || need_apt+=(buildah)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${need_apt[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null; }
  else
    echo "missing: ${need_apt[*]} (install them, or run as root on Debian)" >&2; exit 1
  fi
fi
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  log "rustup target add $TARGET"; rustup target add "$TARGET"
fi

# --- static binary ----------------------------------------------------------------
BIN="target/$TARGET/release/connect-api"
if [ -z "${SKIP_BUILD:-}" ]; then
  log "profile-guided release build (scripts/pgo-build.sh)"
  CARGO_TARGET_DIR=target scripts/pgo-build.sh
fi
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }
if file "$BIN" | grep -q 'dynamically linked'; then echo "$BIN is not static" >&2; exit 1; fi

VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
SHA=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
TAG="$VERSION-$SHA"
CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# --- rootfs staging -----------------------------------------------------------------
rm -rf "$OUT"; mkdir -p "$OUT/stage/app/config" "$OUT/stage/etc/ssl/certs" "$OUT/stage/tmp"
install -m 0755 "$BIN" "$OUT/stage/app/connect-api"
install -m 0644 config/default.toml "$OUT/stage/app/config/default.toml"
install -m 0644 /etc/ssl/certs/ca-certificates.crt "$OUT/stage/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$OUT/stage/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$OUT/stage/etc/group"
chmod 1777 "$OUT/stage/tmp"

# --- image ----------------------------------------------------------------------------
log "buildah from scratch ($STORAGE_DRIVER, $BUILDAH_ISOLATION)"
ctr=$("${BUILDAH[@]}" from scratch)
trap '"${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
"${BUILDAH[@]}" copy --chown 0:0 "$ctr" "$OUT/stage/" / >/dev/null
"${BUILDAH[@]}" config \
  --user 65532:65532 --workingdir /app \
  --entrypoint '["/app/connect-api"]' --cmd '' \
  --port 8080 --port 9090 \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --label org.opencontainers.image.title=connect-api \
  --label org.opencontainers.image.version="$VERSION" \
  --label org.opencontainers.image.revision="$SHA" \
  --label org.opencontainers.image.created="$CREATED" \
  "$ctr"
"${BUILDAH[@]}" commit --quiet --format oci --rm "$ctr" "$IMAGE:$TAG" >/dev/null
trap - EXIT
"${BUILDAH[@]}" tag "$IMAGE:$TAG" "$IMAGE:latest"
"${BUILDAH[@]}" push --quiet "$IMAGE:$TAG" "oci:$OUT/oci:$IMAGE:$TAG"
"${BUILDAH[@]}" push --quiet "$IMAGE:$TAG" "oci-archive:$OUT/$IMAGE-$TAG.oci.tar:$IMAGE:$TAG"

# --- size + unpack ---------------------------------------------------------------------
python3 - "$OUT" "$IMAGE-$TAG.oci.tar" <<'PY'
import gzip, io, json, os, sys, tarfile
out, archive = sys.argv[1], sys.argv[2]
blob = lambda d: os.path.join(out, "oci", "blobs", *d.split(":"))
index = json.load(open(os.path.join(out, "oci", "index.json")))
mdesc = index["manifests"][0]
manifest = json.load(open(blob(mdesc["digest"])))
layers = manifest["layers"]
compressed = sum(l["size"] for l in layers)
total = compressed + manifest["config"]["size"] + mdesc["size"]
rootfs = os.path.join(out, "rootfs"); os.makedirs(rootfs, exist_ok=True)
uncompressed = 0
for l in layers:
    data = open(blob(l["digest"]), "rb").read()
    raw = gzip.decompress(data) if "gzip" in l["mediaType"] else data
    uncompressed += len(raw)
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        t.extractall(rootfs)
cfg = json.load(open(blob(manifest["config"]["digest"])))["config"]
print(f"image layers: {len(layers)}; compressed (gzip) layer size: {compressed/1e6:.2f} MB; "
      f"image total (layers + config + manifest): {total/1e6:.2f} MB")
print(f"uncompressed layer (tar) size: {uncompressed/1e6:.2f} MB")
print(f"oci-archive {archive}: {os.path.getsize(os.path.join(out, archive))/1e6:.2f} MB")
print(f"config: User={cfg.get('User')} WorkingDir={cfg.get('WorkingDir')} Entrypoint={cfg.get('Entrypoint')} "
      f"ExposedPorts={sorted(cfg.get('ExposedPorts', {}))} Labels={cfg.get('Labels')}")
PY

# --- verify: run the binary from the unpacked rootfs, as uid 65532 --------------------
ROOTFS="$OUT/rootfs"
for sh in bin/sh bin/bash bin/busybox; do [ ! -e "$ROOTFS/$sh" ] || { echo "image has a shell: $sh" >&2; exit 1; }; done
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
aport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log "verify: $ROOTFS/app/connect-api as uid 65532 on 127.0.0.1:$port (admin $aport)"
run=(env -i PORT="$port" ADMIN_PORT="$aport" HOST=127.0.0.1 LOG_LEVEL=warn "$ROOTFS/app/connect-api")
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  run=(setpriv --reuid 65532 --regid 65532 --clear-groups "${run[@]}")
fi
(cd "$ROOTFS/app" && exec "${run[@]}") >"$OUT/verify.log" 2>&1 &
pid=$!
ok=""
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/ready" >"$OUT/ready.json" 2>/dev/null; then ok=1; break; fi
  sleep 0.05
done
build=$(curl -fsS "http://127.0.0.1:$aport/build" 2>/dev/null || true)
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
if [ -z "$ok" ]; then echo "verify FAILED: /ready did not answer 200" >&2; cat "$OUT/verify.log" >&2; exit 1; fi
echo "verify: /ready -> $(cat "$OUT/ready.json"); admin /build -> $build"
echo "image: $IMAGE:$TAG (also $IMAGE:latest in buildah's $STORAGE_DRIVER storage); OCI layout $OUT/oci; archive $OUT/$IMAGE-$TAG.oci.tar"
