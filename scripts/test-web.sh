#!/usr/bin/env bash
# The dashboard at / in a real headless browser: `etcron dev` (a local etcd, three
# replicas, the demo jobs) and Debian's Chromium driven over the DevTools protocol. Signs
# in with the demo tenant's token, checks what each page shows (another tenant's job is
# absent), presses Run now and waits for the run, and saves a screenshot of every page in
# $ETCRON_TEST_OUTPUT/dashboard (default .test-output/dashboard). Installs Chromium (apt)
# and websocket-client (pip) when missing. Prints `web: N passed, M failed` last.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
WEBSOCKET_CLIENT_VERSION=1.8.0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
if ! command -v chromium >/dev/null 2>&1; then
    echo "test-web: installing chromium (apt)" >&2
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if ! python3 -c "import websocket" 2>/dev/null; then
    echo "test-web: installing websocket-client $WEBSOCKET_CLIENT_VERSION (pip)" >&2
    python3 -m pip install --quiet "websocket-client==$WEBSOCKET_CLIENT_VERSION" >&2
fi
output="${ETCRON_TEST_OUTPUT:-.test-output}/dashboard"
rm -rf "$output"
exec python3 scripts/web_test.py "${ETCRON_BIN_DIR:-.build/debug}/etcron" "$output"
