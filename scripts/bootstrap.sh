#!/usr/bin/env bash
# Installs what etcron needs on a fresh Debian 12 machine that has the Swift toolchain:
# the gRPC C core and protobuf (to build), glibc's and libstdc++'s static libraries (the exec
# guard is a static executable), etcd (to run and test), openssl (test certs),
# tzdata (time zones), iproute2 (`etcron gameday`'s network namespaces). Installs only what is
# missing; needs root (or sudo) for apt.
set -euo pipefail

packages=(libgrpc-dev libprotobuf-dev protobuf-compiler libc6-dev libstdc++-12-dev etcd-server etcd-client openssl tzdata procps util-linux iproute2)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "bootstrap: installing ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "bootstrap: the Swift toolchain (6.2 or newer) must be on PATH" >&2
    exit 1
fi
