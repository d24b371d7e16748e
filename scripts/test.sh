#!/usr/bin/env bash
# Runs etcron's whole test suite: installs what is missing, builds (failing on any compiler
# warning in etcron's own code), then runs every test: pure unit tests and the ones that
# start real etcd members and etcron processes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build --build-tests >"$log" 2>&1; then
    grep -E "error:|warning:" "$log" | grep -v "/.build/" | sort -u >&2 || tail -50 "$log" >&2
    exit 1
fi
if grep -E "^/.*(Sources|Tests)/.*warning:" "$log" | grep -v "/.build/" | sort -u | grep .; then
    echo "test: compiler warnings in etcron's code (above); the project builds warning-free" >&2
    exit 1
fi
swift test --skip-build "$@"
