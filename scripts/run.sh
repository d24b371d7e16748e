#!/usr/bin/env bash
# Runs etcron locally: installs what is missing, builds the release binaries (etcron and
# the etcron-exec-guard its executors start targets through), then starts
# `etcron dev` (a local etcd it starts itself, replicas and demo jobs). Extra arguments go to
# `etcron dev`; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product etcron
swift build -c release --product etcron-exec-guard
exec .build/release/etcron dev "$@"
