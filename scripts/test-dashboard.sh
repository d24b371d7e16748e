#!/usr/bin/env bash
# Runs every query of etcron's Grafana dashboard (charts/etcron/files/grafana-dashboard.json)
# against a real Prometheus scraping a real etcron: `etcron dev` (a local etcd, three
# replicas, demo jobs that succeed, fail and are skipped by Forbid) and a Prometheus of its
# own on loopback, scraping the replicas every second. A query fails if Prometheus refuses
# it or it returns no series once the demo has run for a while. Installs Prometheus
# (Debian's package) when missing. Prints `dashboard: N passed, M failed` last (one per
# query, and one for the default alert rules: the demo's failing job fires EtcronRunFailed).
# Works from any directory.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-prometheus.sh
exec python3 scripts/dashboard_test.py "${ETCRON_BIN_DIR:-.build/debug}/etcron"
