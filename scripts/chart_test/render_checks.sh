# shellcheck shell=bash
# render_checks: for one Helm major version ($major, binary $helm, output folder $out),
# helm lint --strict of the defaults and of every value set in ci/; helm template of each,
# checked by kubernetes-validate --strict against Kubernetes $kube_version and, for the
# Prometheus Operator kinds, by a structure check; the rendered PrometheusRule must hold
# files/prometheus-rules.yaml unchanged and pass promtool check rules.
render_checks() {
    local version values set_name kv kv_ok unknown rules_out
    version=$("$helm" version --short)
    check "helm $major ($version): lint --strict (defaults)" "$helm" lint --strict "$chart"
    for values in "${value_sets[@]}"; do
        set_name=$(basename "$values" .yaml)
        check "helm $major: lint --strict -f ci/$set_name.yaml" "$helm" lint --strict "$chart" -f "$values"
        if ! "$helm" template "$release" "$chart" --namespace "$namespace" -f "$values" >"$out/$set_name.yaml" 2>"$out/$set_name.err"; then
            fail "helm $major: template -f ci/$set_name.yaml" "$(cat "$out/$set_name.err")"
            continue
        fi
        pass "helm $major: template -f ci/$set_name.yaml ($(grep -c '^kind:' "$out/$set_name.yaml") manifests)"

        # kubernetes-validate: errors fail; a missing schema is allowed only for the
        # Prometheus Operator's kinds, checked by the structure check below instead.
        if kv=$("${kubernetes_validate[@]}" --strict -k "$kube_version" "$out/$set_name.yaml" 2>&1); then kv_ok=1; else kv_ok=0; fi
        unknown=$(grep -E "Couldn't find schema" <<<"$kv" | grep -v "monitoring.coreos.com/v1" || true)
        if ((kv_ok)) && [[ -z $unknown ]]; then
            pass "helm $major: kubernetes-validate --strict -k $kube_version ci/$set_name.yaml"
        else
            fail "helm $major: kubernetes-validate --strict -k $kube_version ci/$set_name.yaml" "$(grep -vE '^INFO' <<<"$kv" | tail -n 20)"
        fi
        if grep -q "^apiVersion: monitoring.coreos.com/v1" "$out/$set_name.yaml"; then
            check "helm $major: ServiceMonitor/PrometheusRule structure (ci/$set_name.yaml)" \
                chart_tool monitoring "$out/$set_name.yaml"
        fi
    done

    # The PrometheusRule's rules: exactly the rules file, and valid for promtool.
    if [[ -f $out/monitoring-values.yaml ]]; then
        if rules_out=$(chart_tool extract-rules "$out/monitoring-values.yaml" "$out/rules.yaml" "$rules_file" 2>&1); then
            pass "helm $major: the PrometheusRule holds files/prometheus-rules.yaml unchanged"
            check "helm $major: promtool check rules (rules of the rendered PrometheusRule)" promtool check rules "$out/rules.yaml"
        else
            fail "helm $major: the PrometheusRule holds files/prometheus-rules.yaml unchanged" "$rules_out"
        fi
    fi
}
