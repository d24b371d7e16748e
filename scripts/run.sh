#!/usr/bin/env bash
# Runs etcron locally: installs what is missing, builds a release binary, then starts
# `etcron dev` (a local etcd it starts itself, replicas and demo jobs). Extra arguments go to
# `etcron dev`; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product etcron
exec .build/release/etcron dev "$@"
