# shellcheck shell=bash
# Reporting for scripts/test-chart.sh: counts passes and failures and prints one line per
# check (`ok   NAME` or `FAIL NAME` with the output indented below).
passed=0
failed=0
pass() {
    passed=$((passed + 1))
    echo "ok   $1"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
    # shellcheck disable=SC2001 # indent every line
    if [[ -n ${2:-} ]]; then sed 's/^/       /' <<<"$2"; fi
}
# check NAME COMMAND...: passes when COMMAND succeeds; its output is shown on failure.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(tail -n 30 <<<"$out")"; fi
}
# check_verbose NAME COMMAND...: like check, and shows the output either way.
check_verbose() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name"; fi
    # shellcheck disable=SC2001 # indent every line
    sed 's/^/       /' <<<"$out"
}
