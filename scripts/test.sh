#!/usr/bin/env bash
# Runs etcron's whole test suite: installs what is missing, builds (failing on any compiler
# warning in etcron's own code), then runs every test: pure unit tests, the tests that
# start real etcd members and real etcron processes, the alert rules' unit tests, and the
# Helm chart's checks (helm 3 and 4, kubernetes-validate, the chart against the real binary). The groups that kill processes and
# measure failover run one after another, so that they never compete for the CPU.
# Extra arguments are passed to every `swift test` run; for a subset, run
# `swift test --filter ...` directly instead.
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

heavy="ClientSuites|EtcdSuites|ReplicaProcessSuites|SchedulerProcessTests|SemanticsProcessTests|ExecRunnerTests|HTTPRunnerTests"
groups=(
    "--skip $heavy"
    "--filter ExecRunnerTests|HTTPRunnerTests"
    "--filter ClientSuites|EtcdSuites"
    "--filter ReplicaProcessSuites"
    "--filter SchedulerProcessTests"
    "--filter SemanticsProcessTests"
)
passed=0
failed=0
for group in "${groups[@]}"; do
    echo "== swift test $group"
    # shellcheck disable=SC2086
    if swift test --skip-build $group "$@" 2>&1 | tee "$log"; then status=0; else status=1; fi
    count=$(grep -oE "Test run with [0-9]+ tests?" "$log" | grep -oE "[0-9]+" | tail -1 || true)
    if [[ $status -eq 0 ]]; then
        passed=$((passed + ${count:-0}))
    else
        issues=$(grep -cE "^✘ Test .* failed after" "$log" || true)
        [[ ${issues:-0} -gt 0 ]] || issues=1
        failed=$((failed + issues))
        if [[ ${count:-0} -gt $issues ]]; then passed=$((passed + count - issues)); fi
    fi
done
# Suites outside Swift (alert rules with promtool, the Helm chart): each prints
# `<name>: N passed, M failed` last.
export ETCRON_BIN_DIR=.build/debug  # the chart's drift test runs the binaries just built
for script in "scripts/generate-openapi.sh --check" scripts/test-rules.sh scripts/test-dashboard.sh scripts/test-web.sh scripts/test-chart.sh scripts/test-image.sh scripts/test-api-contract.sh; do
    echo "== $script"
    # shellcheck disable=SC2086 # a script and its arguments
    if $script 2>&1 | tee "$log"; then status=0; else status=1; fi
    line=$(grep -E "^[a-z]+: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1 || true)
    ok=$(sed -E 's/^[a-z]+: ([0-9]+) passed.*/\1/' <<<"$line")
    bad=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    passed=$((passed + ${ok:-0}))
    if [[ $status -ne 0 && ${bad:-0} -eq 0 ]]; then bad=1; fi
    failed=$((failed + ${bad:-0}))
done
echo "test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
