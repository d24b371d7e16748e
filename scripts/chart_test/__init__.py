"""The Python half of scripts/test-chart.sh: checks of the rendered Helm chart that need
YAML, processes or HTTP. The shell script runs it as `python3 scripts/chart_test
SUBCOMMAND ARGS...` (see __main__); each module owns one concern:

    manifests      loading rendered manifests, finding objects
    values_docs    values.yaml documentation, README values table, schema coverage
    monitoring     ServiceMonitor/PrometheusRule structure, rules file, dashboard
    dockerfile     the Dockerfile's runtime stage as data
    image_libs     ldd of the binaries against the runtime stage's packages
    processes      process groups, ports, HTTP probes, polling
    pod            a rendered container's environment and volumes, locally
    replica        the operator container run as a local replica
    drift          the real binary with the chart's exact command, args, env, config
    etcd_tls       the bundled etcd's flags and generated certificates
    etcd_external  etcd.external.* with TLS and password auth from Secrets
    fake_api       a stand-in API server for lookup and --dry-run=server
    upgrade        what upgrades keep, roll and refuse
"""
