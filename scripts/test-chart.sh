#!/usr/bin/env bash
# Checks the Helm chart (charts/etcron) and the image definition (Dockerfile) without a
# cluster or a Docker engine:
#
#   for Helm 3 and Helm 4 (scripts/helm.sh):
#     - helm lint --strict, for the defaults and every value set in charts/etcron/ci/
#     - helm template of every value set; kubernetes-validate --strict of every manifest
#       against Kubernetes $KUBERNETES_VERSION (offline schemas); a structure check of the
#       Prometheus Operator kinds, which have no Kubernetes schema
#     - promtool check rules on the rules of the rendered PrometheusRule, which must equal
#       files/prometheus-rules.yaml
#     - wrong values (wrong types, unknown keys, 2 etcd members, ...) fail rendering with
#       the expected message
#     - NOTES.txt renders; the packaged chart holds the templates and files and no test data
#     - the Grafana dashboard ConfigMap appears exactly when files/grafana-dashboard.json exists
#     - upgrades, rendered with --dry-run=server against a stand-in API server on loopback
#       that holds the installed release: the generated certificates and API token are
#       kept (lookup), the pods' checksums do not change, an existing Secret's content
#       rolls them, and changing the etcd members, TLS or cluster domain is refused
#   once:
#     - every value in values.yaml is documented there and in the chart README's table
#     - every shared library the binaries link (ldd) comes from a package the Dockerfile's
#       runtime stage installs or a Swift runtime library it copies
#     - drift: the real etcron binary, started with exactly the operator container's
#       command, arguments, environment and rendered config file (mount paths mapped into a
#       temporary folder), against a local etcd, becomes ready and elects a leader; the helm
#       test pod's script passes against it; SIGTERM stops it well within the grace period
#     - the bundled etcd's generated TLS material and TLS flags work: a local etcd started
#       with the StatefulSet's flags and the server Secret, etcron with the client Secret;
#       then the same etcd with authentication on, reached through etcd.external.* (TLS
#       files and the password from existing Secrets; a wrong password must not get ready)
#
# Binaries: $ETCRON_BIN_DIR holds etcron and etcron-exec-guard; by default .build/release
# when it has etcron, else .build/debug (what scripts/test.sh builds).
# Installs what is missing: kubernetes-validate (pip), promtool (apt: prometheus), etcd
# (apt: etcd-server), tini (apt; the image's entrypoint). apt needs root or sudo.
# Prints `chart: N passed, M failed` last and exits non-zero if M > 0. Works from any
# directory. `scripts/test-chart.sh --values-table` prints the README's values table.
#
# The checks live in scripts/chart_test/: the shell parts (*.sh, sourced below, one group
# of checks each) and the Python package they call for YAML, processes and HTTP.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lib="$root/scripts/chart_test"
chart_src="$root/charts/etcron"
if [[ -n ${ETCRON_BIN_DIR:-} ]]; then
    bin_dir=$ETCRON_BIN_DIR
elif [[ -x $root/.build/release/etcron ]]; then
    bin_dir="$root/.build/release"
else
    bin_dir="$root/.build/debug"
fi
case $bin_dir in /*) ;; *) bin_dir="$root/$bin_dir" ;; esac
kube_version=${KUBERNETES_VERSION:-1.35.0}

# chart_tool SUBCOMMAND ARGS...: the Python half of the checks (scripts/chart_test/).
py=python3
chart_tool() { "$py" "$lib" "$@"; }

if [[ ${1:-} == --values-table ]]; then
    chart_tool values-table "$chart_src/values.yaml"
    exit $?
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/etcron-chart-test.XXXXXX")
# Sessions started by the checks (one id per line); every process of each is ended at
# exit, so a child that left its parent's process group (tini's) is not left running.
: >"$work/pgids"
cleanup() {
    local sid
    while read -r sid; do
        if [[ -n $sid ]]; then pkill -KILL -s "$sid" 2>/dev/null || true; fi
    done <"$work/pgids"
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=chart_test/report.sh
source "$lib/report.sh"
# shellcheck source=chart_test/tools.sh
source "$lib/tools.sh"
# shellcheck source=chart_test/render_checks.sh
source "$lib/render_checks.sh"
# shellcheck source=chart_test/refusal_checks.sh
source "$lib/refusal_checks.sh"
# shellcheck source=chart_test/release_checks.sh
source "$lib/release_checks.sh"
# shellcheck source=chart_test/runtime_checks.sh
source "$lib/runtime_checks.sh"

install_tools

# The chart under test. Without the alert rules file (written separately), a copy of the
# chart gets a minimal valid one, so the PrometheusRule can still be rendered and checked.
chart="$chart_src"
rules_file="$chart_src/files/prometheus-rules.yaml"
if [[ ! -f $rules_file ]]; then
    chart="$work/chart-with-rules"
    cp -r "$chart_src" "$chart"
    mkdir -p "$chart/files"
    cat >"$chart/files/prometheus-rules.yaml" <<'EOF'
groups:
  - name: etcron.placeholder
    rules:
      - alert: EtcronNoLeader
        expr: max(etcron_leader) < 1
        for: 1m
        labels: {severity: critical}
        annotations: {summary: "no etcron replica leads ({{ $labels.namespace }})"}
EOF
    rules_file="$chart/files/prometheus-rules.yaml"
    echo "test-chart: charts/etcron/files/prometheus-rules.yaml does not exist yet; testing a copy of the chart with a placeholder rules file" >&2
fi

echo "test-chart: Kubernetes $kube_version (kubernetes-validate $("${kubernetes_validate[@]}" --version 2>&1 | tail -n 1)), $(promtool --version 2>&1 | head -n 1 | cut -d' ' -f1-3), etcd $(etcd --version 2>/dev/null | head -n 1 | awk '{print $3}'), binaries from $bin_dir"

# kubernetes-validate carries its schemas; prove that it needs no network (a network
# namespace without interfaces), where this user may make one.
if command -v unshare >/dev/null 2>&1 && unshare --net true 2>/dev/null; then
    offline_manifest="$work/offline-check.yaml"
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: offline\ndata:\n  a: b\n' >"$offline_manifest"
    check "kubernetes-validate -k $kube_version works without network (unshare --net)" \
        unshare --net "${kubernetes_validate[@]}" --strict -k "$kube_version" "$offline_manifest"
fi

value_sets=("$chart"/ci/*.yaml)
namespace=etcron-ci
release=etcron-ci

# ------------------------------------------------------------ per Helm major version ----
for major in 3 4; do
    if ! helm=$("$root/scripts/helm.sh" "$major" 2>"$work/helm-$major.err"); then
        fail "helm $major: obtain a binary (scripts/helm.sh $major)" "$(cat "$work/helm-$major.err")"
        continue
    fi
    out="$work/helm$major"
    mkdir -p "$out"
    render_checks
    refusal_checks
    release_checks
done

# ------------------------------------------------------------------------ once ----
check "values.yaml: every value documented (# --), and the README table matches" \
    chart_tool values-docs "$chart_src/values.yaml" "$chart_src/README.md"
check "values.schema.json covers and describes every value of values.yaml" \
    chart_tool schema-covers "$chart_src/values.yaml" "$chart_src/values.schema.json"
check_verbose "Dockerfile: every library the binaries link (ldd) is installed or copied by the runtime stage" \
    chart_tool ldd "$bin_dir" "$root/Dockerfile"
runtime_checks

echo "chart: $passed passed, $failed failed"
((failed == 0))
