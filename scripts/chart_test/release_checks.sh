# shellcheck shell=bash
# release_checks: for one Helm major version ($major, binary $helm), what a release shows
# beyond its manifests: NOTES.txt renders for every value set; the packaged chart holds
# the templates and files and no test data; upgrades against a stand-in API server keep
# the generated material and refuse what an installed etcd cannot take; the Grafana
# dashboard ConfigMap appears exactly when files/grafana-dashboard.json exists.
release_checks() {
    local notes_chart notes_ok notes_msg notes values pkg_msg listing missing required extra dash_chart
    # NOTES.txt renders for every value set. Helm 4 prints it from a client-side dry run;
    # Helm 3's dry run wants a cluster, so a copy of the chart renders it through tpl.
    notes_chart="$work/notes-chart-$major"
    rm -rf "$notes_chart"
    cp -r "$chart" "$notes_chart"
    mv "$notes_chart/templates/NOTES.txt" "$notes_chart/notes.txt"
    cat >"$notes_chart/templates/zz-notes.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: notes
data:
  notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}
EOF
    notes_ok=1
    notes_msg=""
    for values in "${value_sets[@]}"; do
        if ! notes=$("$helm" template "$release" "$notes_chart" --namespace "$namespace" -f "$values" \
            --show-only templates/zz-notes.yaml 2>&1); then
            notes_ok=0
            notes_msg+="$(basename "$values"): $notes"$'\n'
        elif ! grep -q "etcron status" <<<"$notes"; then
            notes_ok=0
            notes_msg+="$(basename "$values"): NOTES.txt does not say how to run etcron status"$'\n'
        fi
    done
    if ((notes_ok)); then pass "helm $major: NOTES.txt renders for every value set"; else fail "helm $major: NOTES.txt renders for every value set" "$notes_msg"; fi

    # The package: templates (tests included) and files, without the CI value sets.
    mkdir -p "$work/package-$major"
    if pkg_msg=$("$helm" package "$chart_src" --destination "$work/package-$major" 2>&1); then
        listing=$(tar tzf "$work/package-$major"/etcron-*.tgz)
        missing=""
        for required in etcron/templates/tests/test-status.yaml etcron/values.schema.json etcron/templates/NOTES.txt; do
            grep -qx "$required" <<<"$listing" || missing+=" $required"
        done
        if [[ -f $chart_src/files/prometheus-rules.yaml ]] && ! grep -qx etcron/files/prometheus-rules.yaml <<<"$listing"; then
            missing+=" etcron/files/prometheus-rules.yaml"
        fi
        extra=$(grep -E '^etcron/(ci|tests)/' <<<"$listing" || true)
        if [[ -z $missing && -z $extra ]]; then
            pass "helm $major: package holds the templates, tests and files, and no ci/ or tests/"
        else
            fail "helm $major: package contents" "missing:$missing; unexpected: $extra"
        fi
    else
        fail "helm $major: package" "$pkg_msg"
    fi

    # Upgrades against a stand-in API server: generated material is kept (lookup), and
    # changes an installed etcd cannot take are refused.
    mkdir -p "$work/upgrade-$major"
    check_verbose "helm $major: upgrade keeps the generated certificates and token (lookup), checksums stable; refuses member, TLS and domain changes" \
        chart_tool upgrade "$helm" "$major" "$chart" "$work/upgrade-$major" "$release" "$namespace"

    # The dashboard ConfigMap exists exactly when files/grafana-dashboard.json does.
    dash_chart="$work/dashboard-chart-$major"
    rm -rf "$dash_chart"
    cp -r "$chart" "$dash_chart"
    rm -f "$dash_chart/files/grafana-dashboard.json"
    "$helm" template "$release" "$dash_chart" --set metrics.grafanaDashboard.enabled=true >"$work/dash-absent.yaml"
    check "helm $major: no dashboard ConfigMap without files/grafana-dashboard.json" \
        chart_tool dashboard "$work/dash-absent.yaml" absent ""
    printf '{"title": "etcron", "panels": [{"type": "stat", "title": "Leader", "targets": [{"expr": "max(etcron_leader)"}]}], "schemaVersion": 39}\n' \
        >"$dash_chart/files/grafana-dashboard.json"
    "$helm" template "$release" "$dash_chart" --set metrics.grafanaDashboard.enabled=true >"$work/dash-present.yaml"
    check "helm $major: the dashboard ConfigMap holds files/grafana-dashboard.json, labelled for the sidecar" \
        chart_tool dashboard "$work/dash-present.yaml" present "$dash_chart/files/grafana-dashboard.json"
}
