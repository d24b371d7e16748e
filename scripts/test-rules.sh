#!/usr/bin/env bash
# Checks etcron's default alert rules (charts/etcron/files/prometheus-rules.yaml) with
# `promtool check rules` and runs their unit tests (charts/etcron/tests/) with
# `promtool test rules`. Installs promtool (Debian's `prometheus` package) when missing.
# Also checks that every alert of the rules file has a test where it fires and one where it
# stays silent. Prints `rules: N passed, M failed` last (N + M = the number of alerts) and
# exits non-zero if any failed. Works from any directory.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

rules=charts/etcron/files/prometheus-rules.yaml
tests=charts/etcron/tests/prometheus-rules.test.yaml

scripts/install-prometheus.sh
promtool --version 2>&1 | head -n 1

# The alerts of the rules file, in order.
mapfile -t alerts < <(sed -n 's/^[[:space:]]*-[[:space:]]*alert:[[:space:]]*\([A-Za-z0-9_]*\).*/\1/p' "$rules")
total=${#alerts[@]}
if [ "$total" -eq 0 ]; then
    echo "test-rules: no alert found in $rules" >&2
    echo "rules: 0 passed, 1 failed"
    exit 1
fi

declare -A bad=()

# 1. Syntax and PromQL of the rules file: if this fails, every alert fails.
if ! promtool check rules "$rules"; then
    for alert in "${alerts[@]}"; do bad[$alert]="promtool check rules failed; "; done
fi

# 2. Coverage: every alert has a test case that expects it to fire (exp_alerts with
#    entries) and one that expects silence (exp_alerts: []). A test case names its alert
#    (`alertname: X`) before its `exp_alerts:`, on the same line (flow style) or a later one.
coverage=$(awk '
    {
        line = $0
        sub(/[[:space:]]#.*/, "", line)
        if (match(line, /alertname:[[:space:]]*["'\'']?[A-Za-z0-9_]+/)) {
            name = substr(line, RSTART, RLENGTH)
            sub(/alertname:[[:space:]]*["'\'']?/, "", name)
        }
        if (name != "" && match(line, /exp_alerts:.*/)) {
            rest = substr(line, RSTART + 11)
            if (rest ~ /^[[:space:]]*\[[[:space:]]*\]/) silent[name] = 1; else fires[name] = 1
            name = ""
        }
    }
    END { for (n in fires) print n, "fires"; for (n in silent) print n, "silent" }
' "$tests")
for alert in "${alerts[@]}"; do
    grep -qx "$alert fires" <<<"$coverage" || bad[$alert]="${bad[$alert]:-}no test where it fires; "
    grep -qx "$alert silent" <<<"$coverage" || bad[$alert]="${bad[$alert]:-}no test where it stays silent; "
done

# 3. The unit tests. promtool names the alert of every failed expectation
#    ("alertname: X, time: ..."); a failure that names none (a bad test file) fails all.
set +e
output=$(promtool test rules "$tests" 2>&1)
status=$?
set -e
printf '%s\n' "$output"
if [ "$status" -ne 0 ]; then
    mapfile -t failing < <(grep -o 'alertname: [A-Za-z0-9_]*' <<<"$output" | awk '{print $2}' | sort -u)
    if [ "${#failing[@]}" -eq 0 ]; then
        for alert in "${alerts[@]}"; do bad[$alert]="${bad[$alert]:-}promtool test rules failed; "; done
    else
        for alert in "${failing[@]}"; do bad[$alert]="${bad[$alert]:-}unit test failed; "; done
    fi
fi

failed=0
for alert in "${alerts[@]}"; do
    if [ -n "${bad[$alert]:-}" ]; then
        echo "FAIL $alert: ${bad[$alert]}"
        failed=$((failed + 1))
    else
        echo "ok   $alert"
    fi
done
# Failures for alertnames the rules file does not have (a typo in a test) count too.
for name in "${!bad[@]}"; do
    printf '%s\n' "${alerts[@]}" | grep -qx "$name" || { echo "FAIL $name (not an alert of $rules): ${bad[$name]}"; failed=$((failed + 1)); }
done
passed=$((total - failed))
[ "$passed" -lt 0 ] && passed=0
echo "rules: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
