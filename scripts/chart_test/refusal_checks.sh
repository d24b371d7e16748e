# shellcheck shell=bash
# refusal_checks: for one Helm major version ($major, binary $helm), wrong values (wrong
# types, unknown keys, settings the chart manages, 2 etcd members, ...) must fail rendering
# with a message that says what is wrong; each Helm major words the schema errors its own way.

# negative NAME EXPECTED VALUE-FLAGS...: rendering with the flags fails, saying EXPECTED.
negative() {
    local name=$1 expect=$2 msg
    shift 2
    if msg=$("$helm" template "$release" "$chart" --namespace "$namespace" "$@" 2>&1 >/dev/null); then
        fail "helm $major: refuses $name" "rendering succeeded"
    elif grep -qF -- "$expect" <<<"$msg"; then
        pass "helm $major: refuses $name: $(grep -F -- "$expect" <<<"$msg" | head -n 1 | sed 's/^Error: //' | cut -c1-150)"
    else
        fail "helm $major: refuses $name" "expected \"$expect\" in: $msg"
    fi
}

refusal_checks() {
    local type_msg key_msg config_key_msg managed_msg range_msg bool_msg
    if [[ $major == 3 ]]; then
        type_msg="replicaCount: Invalid type. Expected: integer, given: string"
        key_msg="Additional property bogusKey is not allowed"
        config_key_msg="config: Additional property lease_ttl is not allowed"
        managed_msg="config: Additional property etcd-endpoints is not allowed"
        range_msg="config.lease-ttl: Must be less than or equal to 3600"
        bool_msg="config.executor: Invalid type. Expected: boolean, given: string"
    else
        type_msg="at '/replicaCount': got string, want integer"
        key_msg="additional properties 'bogusKey' not allowed"
        config_key_msg="at '/config': additional properties 'lease_ttl' not allowed"
        managed_msg="at '/config': additional properties 'etcd-endpoints' not allowed"
        range_msg="at '/config/lease-ttl': maximum: got 7,200, want 3,600"
        bool_msg="at '/config/executor': got string, want boolean"
    fi
    negative "a string replica count" "$type_msg" --set-string replicaCount=three
    negative "an unknown top-level key" "$key_msg" --set bogusKey=1
    negative "an unknown operator setting (config.lease_ttl)" "$config_key_msg" --set config.lease_ttl=5
    negative "a setting the chart manages (config.etcd-endpoints)" "$managed_msg" --set config.etcd-endpoints=x:1
    negative "lease-ttl out of range" "$range_msg" --set config.lease-ttl=7200
    negative "a string for a boolean setting" "$bool_msg" --set-string config.executor=yes
    negative "a bundled etcd with 2 members" "etcd.bundled.replicaCount is 2; an etcd cluster needs an odd number of members" \
        --set etcd.bundled.replicaCount=2
    negative "external etcd without endpoints" "etcd.bundled.enabled=false but etcd.external.endpoints is empty" \
        --set etcd.bundled.enabled=false
    negative "bundled and external etcd at once" "use one etcd" --set 'etcd.external.endpoints[0]=https://etcd:2379'
    negative "external TLS with http:// endpoints" "etcd.external.tls.existingSecret is set but etcd.external.endpoints use http://" \
        --set etcd.bundled.enabled=false --set 'etcd.external.endpoints[0]=http://etcd:2379' --set etcd.external.tls.existingSecret=etcd-tls
    negative "API TLS without a Secret" "api.tls.enabled=true needs api.tls.existingSecret" --set api.tls.enabled=true
}
