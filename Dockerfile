# syntax=docker/dockerfile:1
#
# connect-api container images (40 §1, §8).
#
#   docker build -t connect-api:$(git rev-parse --short=12 HEAD) .                 # production (default target)
#   docker build --target debug   -t connect-api:debug .                           # Alpine + shell + curl, non-production only
#   docker build --target sandbox -t twelvego-sandbox .                            # the 12go stand-in over HTTP
#
# The binaries are static (x86_64-unknown-linux-musl), so the production image is the
# distroless "static" base (no libc, no shell) plus the binary and config/default.toml.
# No HEALTHCHECK: the orchestrator probes GET /health (liveness) and GET /ready (readiness).

ARG RUST_IMAGE=rust:1-bookworm
ARG TARGET=x86_64-unknown-linux-musl

# ---------------------------------------------------------------------------- build
FROM ${RUST_IMAGE} AS builder
ARG TARGET
# .git is not in the build context: pass the sha for /build,
# e.g. `docker build --build-arg CONNECT_GIT_SHA=$(git rev-parse --short=12 HEAD) .`
ARG CONNECT_GIT_SHA=unknown
ENV CONNECT_GIT_SHA=${CONNECT_GIT_SHA}
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools python3 \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add ${TARGET}
ENV CC_x86_64_unknown_linux_musl=musl-gcc \
    CARGO_TERM_COLOR=never
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
# Frame pointers for the musl build (the admin CPU profiler walks them).
COPY .cargo ./.cargo
COPY src ./src
COPY config ./config
# Profile-guided build: trains on the recorded 12go answers (scripts/pgo-build.sh).
COPY scripts/pgo-build.sh scripts/pgo_train.py ./scripts/
COPY bench/payloads ./bench/payloads
COPY bench/clients.toml ./bench/clients.toml
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    scripts/pgo-build.sh \
 && mkdir -p /out \
 && cp target/${TARGET}/release/connect-api target/${TARGET}/release/twelvego-sandbox /out/

# ---------------------------------------------------------------- sandbox (12go stand-in)
FROM gcr.io/distroless/static-debian12:nonroot AS sandbox
COPY --from=builder /out/twelvego-sandbox /app/twelvego-sandbox
WORKDIR /app
USER nonroot
ENV SANDBOX_HOST=0.0.0.0 SANDBOX_PORT=8089
EXPOSE 8089
ENTRYPOINT ["/app/twelvego-sandbox"]

# ------------------------------------------------ debug (non-production: shell + curl)
FROM alpine:3.20 AS debug
RUN apk add --no-cache curl ca-certificates \
 && addgroup -S -g 65532 nonroot \
 && adduser -S -D -H -u 65532 -G nonroot nonroot
COPY --from=builder /out/connect-api /app/connect-api
COPY config/default.toml /app/config/default.toml
WORKDIR /app
USER 65532:65532
EXPOSE 8080 9090
ENTRYPOINT ["/app/connect-api"]

# ------------------------------------------------------- production (default, last)
FROM gcr.io/distroless/static-debian12:nonroot AS production
COPY --from=builder /out/connect-api /app/connect-api
COPY config/default.toml /app/config/default.toml
WORKDIR /app
USER nonroot
EXPOSE 8080 9090
ENTRYPOINT ["/app/connect-api"]
