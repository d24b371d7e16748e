"""The bundled etcd for real: a local etcd started with the StatefulSet's own flags and
the generated server certificates, etcron connecting with the generated client
certificate (mutual TLS), and a client without a certificate refused; then hands over to
the external etcd check (etcd_external) on the same etcd."""
import os
import re
import subprocess

from .etcd_external import external_with_auth
from .manifests import find, load_docs
from .pod import Pod, expand
from .processes import clean_env, free_port, http_get, start_etcd, stop, tail, wait_for
from .replica import operator_pod, run_operator, run_test_pod, wait_leader, wait_ready

def cmd_etcd_tls(rendered, bin_dir, workdir, pgid_file, namespace, helm, chart, release):
    """The bundled etcd: a local etcd with the StatefulSet's own flags (URLs moved to
    loopback, paths mapped) and the generated server Secret; etcron with the client Secret.
    Then the same etcd as an external one, with etcd authentication switched on: etcron
    configured by etcd.external.* (TLS files and the password from existing Secrets)."""
    docs = load_docs(rendered)
    sts = find(docs, "StatefulSet")
    espec = sts["spec"]["template"]["spec"]
    econtainer = espec["containers"][0]
    member = f"{sts['metadata']['name']}-0"
    claims = [c["metadata"]["name"] for c in sts["spec"].get("volumeClaimTemplates", [])]
    epod = Pod(docs, espec, econtainer, member, "127.0.0.1", namespace, os.path.join(workdir, "etcdpod"), claims)
    epod.materialise()
    eenv = epod.environment()
    client, peer, metrics = free_port(), free_port(), free_port()
    loopback = {
        "--listen-client-urls": f"https://127.0.0.1:{client}",
        "--advertise-client-urls": f"https://127.0.0.1:{client}",
        "--listen-peer-urls": f"https://127.0.0.1:{peer}",
        "--initial-advertise-peer-urls": f"https://127.0.0.1:{peer}",
        "--initial-cluster": f"{member}=https://127.0.0.1:{peer}",
        "--listen-metrics-urls": f"http://127.0.0.1:{metrics}",
        "--data-dir": os.path.join(workdir, "etcd-tls-data"),
    }
    args = []
    for a in econtainer["args"]:
        flag = a.split("=", 1)[0]
        args.append(f"{flag}={loopback[flag]}" if flag in loopback else epod.map_path(expand(a, eenv)))
    missing = [f for f in loopback if not any(a.startswith(f + "=") for a in args)]
    if missing:
        print(f"the StatefulSet lacks {missing}")
        return 1
    print("etcd " + " ".join(args))
    etcd = start_etcd(args, workdir, pgid_file, "etcd-tls")
    operator = None
    try:
        probes = [econtainer[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe", "readinessProbe")]
        def healthy():
            if etcd.poll() is not None:
                return "exited"
            return all(http_get(f"http://127.0.0.1:{metrics}{p}")[0] == 200 for p in probes) or None
        state = wait_for(healthy, 30)
        if state is not True:
            print(f"etcd's probes {probes} did not answer 200 ({state or 'timeout'}):\n{tail(os.path.join(workdir, 'etcd-tls.log'))}")
            return 1
        print(f"etcd's probe paths answer 200 on the metrics port: {', '.join(probes)}")
        deployment, spec, container = operator_pod(docs)
        pod = Pod(docs, spec, container, "etcron-tls-0", "127.0.0.1", namespace, os.path.join(workdir, "tlspod"))
        pod.materialise()
        env = pod.environment()
        config_path = pod.map_path("/etc/etcron/config/etcron.yaml")
        endpoint = {"ETCRON_ETCD_ENDPOINTS": f"https://127.0.0.1:{client}"}
        http_port = free_port()
        env["ETCRON_ADVERTISE_ADDRESS"] = f"127.0.0.1:{http_port}"
        with open(config_path) as f:
            text = f.read()
        with open(config_path, "w") as f:
            f.write(re.sub(r"http-listen: \S+", f"http-listen: 127.0.0.1:{http_port}", text))
        env.update(endpoint)
        operator, argv = run_operator(pod, ["/usr/local/bin/etcron"], container["args"], env, workdir, pgid_file, "operator-tls", bin_dir)
        state = wait_ready(http_port, operator)
        if state != "ready":
            print(f"etcron did not become ready over TLS ({state or 'timeout'}):\n{tail(os.path.join(workdir, 'operator-tls.log'))}")
            return 1
        leader, last = wait_leader(bin_dir, config_path, endpoint, "etcron-tls-0")
        if not leader:
            print(f"no leader over TLS; last answer: {last}")
            return 1
        print(f"etcron over mutual TLS with the generated client certificate: ready, leader {leader['replicaID']}")
        rc, out = run_test_pod(docs, bin_dir, workdir, namespace, endpoint, {})
        print("helm test pod: exit " + str(rc) + "\n  " + out.replace("\n", "\n  "))
        if rc != 0:
            return 1
        # A client without a certificate: the TLS handshake fails (client-cert-auth).
        bare_env = clean_env()
        bare_config = os.path.join(workdir, "bare.yaml")
        with open(bare_config, "w") as f:
            f.write(f"etcd-endpoints: https://127.0.0.1:{client}\netcd-ca-file: {pod.map_path('/etc/etcron/etcd-tls/ca.crt')}\n")
        r = subprocess.run([os.path.join(bin_dir, "etcron"), "status", "--config", bare_config, "-o", "json"],
                           capture_output=True, text=True, env=bare_env, timeout=60)
        if r.returncode == 0:
            print("etcd answered a client without a certificate")
            return 1
        print("a client without the client certificate is refused: " + r.stderr.strip().split("\n")[-1][:200])
        stop(operator)
        operator = None
        return external_with_auth(docs, client, bin_dir, workdir, pgid_file, namespace, helm, chart, release)
    finally:
        if operator is not None:
            stop(operator)
        stop(etcd)
