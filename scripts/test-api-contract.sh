#!/usr/bin/env bash
# Runs schemathesis (PyPI) against the /v1 API of a live `etcron operator` (a real etcd
# on free loopback ports with a fresh data dir), driven by the contract the replica
# serves at /v1/openapi.json: examples, coverage, fuzzing and stateful phases, a bounded
# number of examples each. Fails on any 5xx, and on any answer whose status, content type,
# headers or body the contract does not describe. Installs schemathesis when missing.
# Prints `contract: N passed, M failed` last. Works from any directory.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN_DIR="${ETCRON_BIN_DIR:-.build/debug}"
SCHEMATHESIS_VERSION=4.32.5
EXAMPLES="${API_CONTRACT_EXAMPLES:-15}"

if ! command -v schemathesis >/dev/null 2>&1; then
    echo "test-api-contract: installing schemathesis $SCHEMATHESIS_VERSION (pip)" >&2
    python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION" >&2
    hash -r
fi
command -v etcd >/dev/null 2>&1 || { echo "test-api-contract: etcd is missing (apt-get install etcd-server)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/etcron-api-contract.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
client_port=$(free_port); peer_port=$(free_port); http_port=$(free_port)

etcd --name contract --data-dir "$work/etcd" \
    --listen-client-urls "http://127.0.0.1:$client_port" --advertise-client-urls "http://127.0.0.1:$client_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "contract=http://127.0.0.1:$peer_port" >"$work/etcd.log" 2>&1 &
pids+=($!)

token="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
digest="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
printf 'tokens:\n  - {name: contract-admin, sha256: %s, role: admin}\n' "$digest" >"$work/tokens.yaml"

"$BIN_DIR/etcron" operator --etcd-endpoints "127.0.0.1:$client_port" --replica-id contract-1 \
    --http-listen "127.0.0.1:$http_port" --api-tokens-file "$work/tokens.yaml" --api-rate-limit 0 \
    >"$work/operator.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$http_port/v1/openapi.json" 2>/dev/null && break
    sleep 0.1
done

status=0
schemathesis run "http://127.0.0.1:$http_port/v1/openapi.json" --url "http://127.0.0.1:$http_port" \
    -H "Authorization: Bearer $token" --max-examples "$EXAMPLES" --no-color \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    >"$work/schemathesis.log" 2>&1 || status=$?
tail -25 "$work/schemathesis.log"
if [ "$status" -ne 0 ]; then
    echo "--- operator log (last 40 lines)"; tail -40 "$work/operator.log"
    echo "contract: 0 passed, 1 failed"
    exit 1
fi
echo "contract: 1 passed, 0 failed"
