# syntax=docker/dockerfile:1.7
#
# etcron's container image: `etcron` and `etcron-exec-guard`, built with the official Swift
# toolchain image and run on a slim Debian 12 with only what they need at run time.
#
#   docker build -t REGISTRY/etcron:0.1.0 .
#
# The runtime stage runs as the non-root user etcron, UID and GID 65532; the Helm chart's
# security context (charts/etcron/values.yaml: podSecurityContext, securityContext) uses
# the same numbers. scripts/test-chart.sh checks that every shared library the binaries
# link (ldd) comes from a package installed below or a Swift library copied below.

ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------- build ----
FROM ${SWIFT_IMAGE} AS build

# The gRPC C core's headers and libraries (Sources/CGRPC links grpc and gpr).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgrpc-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Package.resolved pins the dependencies when the checkout has one (it is not committed;
# the bracket makes the copy optional).
COPY Package.swift Package.resol[v]ed ./
# Every target named in Package.swift must exist for the package to load, tests included.
COPY Sources ./Sources
COPY Tests ./Tests

# The build cache keeps dependency checkouts and objects between builds; the binaries are
# copied out of it in the same step.
RUN --mount=type=cache,target=/src/.build,id=etcron-swiftpm \
    swift build -c release --product etcron \
 && swift build -c release --product etcron-exec-guard \
 && bin="$(swift build -c release --show-bin-path)" \
 && install -D -m 0755 "$bin/etcron" /staging/usr/local/bin/etcron \
 && install -D -m 0755 "$bin/etcron-exec-guard" /staging/usr/local/bin/etcron-exec-guard

# -------------------------------------------------------------------------- runtime ----
FROM ${RUNTIME_IMAGE} AS runtime

# Run-time packages, and nothing else:
# - libgrpc29: the gRPC C core (with its absl, c-ares, re2, OpenSSL and zlib libraries)
# - libcurl4: linked by the Swift runtime's libFoundationNetworking.so
# - tzdata: IANA time zones for jobs' timeZone
# - ca-certificates: roots for https:// etcd endpoints and http targets
# - tini: PID 1, reaps the orphaned children of exec targets and forwards signals
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates \
      libcurl4 \
      libgrpc29 \
      tini \
      tzdata \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 65532 etcron \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin etcron

# The Swift runtime libraries the binaries link, where their RUNPATH looks for them (the
# toolchain's /usr/lib/swift/linux).
COPY --from=build \
     /usr/lib/swift/linux/libBlocksRuntime.so \
     /usr/lib/swift/linux/libdispatch.so \
     /usr/lib/swift/linux/libFoundation.so \
     /usr/lib/swift/linux/libFoundationEssentials.so \
     /usr/lib/swift/linux/libFoundationInternationalization.so \
     /usr/lib/swift/linux/libFoundationNetworking.so \
     /usr/lib/swift/linux/lib_FoundationICU.so \
     /usr/lib/swift/linux/libswift_Builtin_float.so \
     /usr/lib/swift/linux/libswift_Concurrency.so \
     /usr/lib/swift/linux/libswift_RegexParser.so \
     /usr/lib/swift/linux/libswift_StringProcessing.so \
     /usr/lib/swift/linux/libswiftCore.so \
     /usr/lib/swift/linux/libswiftDispatch.so \
     /usr/lib/swift/linux/libswiftGlibc.so \
     /usr/lib/swift/linux/libswiftSynchronization.so \
     /usr/lib/swift/linux/

# Symbolicated crash backtraces in the log (Swift's runtime backtracer).
COPY --from=build /usr/libexec/swift/linux/swift-backtrace-static /usr/libexec/swift/linux/swift-backtrace-static
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/libexec/swift/linux/swift-backtrace-static

# etcron's executors start exec targets through etcron-exec-guard, found next to etcron.
COPY --from=build /staging/usr/local/bin/ /usr/local/bin/

# Fail the build, not the first pod, when a library is missing.
RUN for binary in /usr/local/bin/etcron /usr/local/bin/etcron-exec-guard; do \
      if ldd "$binary" | grep "not found"; then echo "$binary: libraries missing (above)" >&2; exit 1; fi; \
    done \
 && /usr/local/bin/etcron --help >/dev/null

ARG ETCRON_VERSION=0.1.0
LABEL org.opencontainers.image.title="etcron" \
      org.opencontainers.image.description="Highly-available cron service backed by etcd" \
      org.opencontainers.image.version="${ETCRON_VERSION}"

USER 65532:65532
WORKDIR /tmp
# The operator's HTTP server: API, dashboard, /metrics, /healthz, /readyz.
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/etcron"]
CMD ["operator"]
