# shellcheck shell=bash
# runtime_checks: the chart's pods run for real, with the binaries in $bin_dir.
#   - drift: against a local etcd, etcron started with exactly the operator container's
#     command, arguments, environment and rendered config file (Helm 3 and Helm 4 renders);
#     it becomes ready and elects a leader, the helm test pod's script passes, SIGTERM
#     stops it within the grace period; and the harness fails on an unknown setting
#   - TLS: a local etcd with the bundled StatefulSet's flags and generated certificates,
#     etcron with the client Secret; then etcd.external.* with TLS and password auth
runtime_checks() {
    local helm4 etcd_port peer_port http_port etcd_ready name tini major helm rendered
    # Drift: the chart's operator container, run for real against a local etcd.
    helm4=$("$root/scripts/helm.sh" 4)
    if [[ ! -x $bin_dir/etcron ]]; then
        fail "drift: etcron binary" "no $bin_dir/etcron: build it (swift build) or set ETCRON_BIN_DIR"
    else
        etcd_port=$(chart_tool free-port)
        peer_port=$(chart_tool free-port)
        http_port=$(chart_tool free-port)
        (
            for name in $(env | grep -o '^ETCD_[A-Za-z0-9_]*' || true); do unset "$name"; done
            exec setsid etcd --name drift --data-dir "$work/etcd-data" \
                --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
                --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
                --initial-cluster "drift=http://127.0.0.1:$peer_port" \
                --heartbeat-interval=10 --election-timeout=100 >"$work/etcd.log" 2>&1
        ) &
        echo $! >>"$work/pgids"
        disown $!
        etcd_ready=0
        for _ in $(seq 1 100); do
            if python3 -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$etcd_port/health', timeout=1).status == 200 else 1)" 2>/dev/null; then
                etcd_ready=1
                break
            fi
            sleep 0.1
        done
        if ((!etcd_ready)); then
            fail "drift: local etcd on 127.0.0.1:$etcd_port" "$(tail -n 20 "$work/etcd.log")"
        else
            cat >"$work/drift-values.yaml" <<EOF
# The defaults, pointed at the local etcd (plain http) and a free port.
etcd:
  bundled:
    enabled: false
  external:
    endpoints:
      - http://127.0.0.1:$etcd_port
containerPort: $http_port
EOF
            tini=/usr/bin/tini
            for major in 3 4; do
                helm=$("$root/scripts/helm.sh" "$major")
                rendered="$work/drift-$major.yaml"
                if ! "$helm" template "$release" "$chart" --namespace "$namespace" -f "$work/drift-values.yaml" >"$rendered" 2>"$rendered.err"; then
                    fail "drift (helm $major): render" "$(cat "$rendered.err")"
                    continue
                fi
                mkdir -p "$work/drift-run-$major"
                check_verbose "drift (helm $major): etcron runs with the chart's exact command, args, env and config; ready, leader, helm test passes, SIGTERM resigns in time" \
                    chart_tool drift "$rendered" "$root/Dockerfile" "$bin_dir" "$work/drift-run-$major" "$work/pgids" \
                    "$etcd_port" "$http_port" "$tini" "$namespace"
            done
            mkdir -p "$work/drift-bad"
            check_verbose "drift: the harness fails on a setting the binary does not know" \
                chart_tool drift-catches "$work/drift-4.yaml" "$bin_dir" "$work/drift-bad" "$etcd_port"
        fi

        # The bundled etcd's generated certificates and TLS flags, for real.
        rendered="$work/tls.yaml"
        if "$helm4" template "$release" "$chart" --namespace "$namespace" >"$rendered" 2>"$rendered.err"; then
            mkdir -p "$work/tls-run"
            check_verbose "etcd over TLS: the bundled etcd's flags and generated certificates (mutual TLS), then etcd.external.* with TLS and password auth from Secrets" \
                chart_tool etcd-tls "$rendered" "$bin_dir" "$work/tls-run" "$work/pgids" "$namespace" "$helm4" "$chart" "$release"
        else
            fail "bundled etcd: render" "$(cat "$rendered.err")"
        fi
    fi
}
