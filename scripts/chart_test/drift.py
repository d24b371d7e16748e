"""Drift: the real etcron binary started with exactly the operator container's command,
arguments, environment and rendered config file, against a local etcd; it must become
ready, elect itself, pass the helm test pod's script and resign on SIGTERM within the
grace period. Also the harness' own check that an unknown setting stops the binary."""
import os
import signal
import subprocess
import time

from .manifests import find, load_docs
from .pod import Pod
from .processes import clean_env, stop, tail
from .replica import image_command, operator_pod, run_operator, run_test_pod, wait_leader, wait_ready

def cmd_drift(rendered, dockerfile, bin_dir, workdir, pgid_file, etcd_port, http_port, tini, namespace):
    docs = load_docs(rendered)
    deployment, spec, container = operator_pod(docs)
    pod_name = "etcron-drift-7d9f8c6b5-x2x4q"
    pod = Pod(docs, spec, container, pod_name, "127.0.0.1", namespace, os.path.join(workdir, "pod"))
    pod.materialise()
    env = pod.environment()
    command, args = image_command(dockerfile, container, bin_dir)
    proc, argv = run_operator(pod, command, args, env, workdir, pgid_file, "operator", bin_dir, tini)
    print("started: " + " ".join(argv))
    print("environment: " + " ".join(f"{k}={v}" for k, v in sorted(env.items())))
    config_path = pod.map_path("/etc/etcron/config/etcron.yaml")
    print("config file:\n  " + open(config_path).read().strip().replace("\n", "\n  "))
    try:
        state = wait_ready(http_port, proc)
        if state != "ready":
            print(f"the replica did not become ready ({state or 'timeout'}); its log:\n{tail(os.path.join(workdir, 'operator.log'))}")
            return 1
        print(f"/readyz answered 200 on 127.0.0.1:{http_port}")
        leader, last = wait_leader(bin_dir, config_path, {}, pod_name)
        if not leader:
            print(f"etcron status shows no leader {pod_name}; last answer: {last}\nlog:\n{tail(os.path.join(workdir, 'operator.log'))}")
            return 1
        if leader.get("address") != f"127.0.0.1:{http_port}":
            print(f"the leader advertises {leader.get('address')}, expected 127.0.0.1:{http_port} ($(POD_IP):containerPort)")
            return 1
        print(f"leader: {leader['replicaID']} at {leader['address']} (fencing token {leader['fencingToken']})")
        rc, out = run_test_pod(docs, bin_dir, workdir, namespace, {}, {})
        print("helm test pod: exit " + str(rc) + "\n  " + out.replace("\n", "\n  "))
        if rc != 0 or pod_name not in out:
            print("the helm test pod's script failed against the running replica")
            return 1
        grace = spec.get("terminationGracePeriodSeconds", 30)
        pre_stop = 0
        hook = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
        if len(hook) == 2 and hook[0].endswith("sleep"):
            pre_stop = int(hook[1])
        started = time.time()
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            print(f"SIGTERM did not stop the replica within terminationGracePeriodSeconds ({grace} s)")
            return 1
        took = time.time() - started
        log = open(os.path.join(workdir, "operator.log"), errors="replace").read()
        if "resigned leadership" not in log:
            print("the leader did not log its resignation on SIGTERM")
            return 1
        if pre_stop + took >= grace:
            print(f"preStop {pre_stop} s + shutdown {took:.1f} s does not fit the grace period {grace} s")
            return 1
        print(f"SIGTERM: resigned and exited (status {proc.returncode}) in {took:.2f} s; preStop {pre_stop} s, grace {grace} s")
        return 0
    finally:
        stop(proc)

def cmd_drift_catches(rendered, bin_dir, workdir, etcd_port):
    """The harness' own check: a setting the binary does not know must stop it."""
    docs = load_docs(rendered)
    deployment, spec, container = operator_pod(docs)
    config = find(docs, "ConfigMap")
    config["data"]["etcron.yaml"] += "etcd-endpoint: http://127.0.0.1:%d\n" % etcd_port
    pod = Pod(docs, spec, container, "etcron-drift-bad", "127.0.0.1", "default", os.path.join(workdir, "badpod"))
    pod.materialise()
    env = clean_env()
    env.update(pod.environment())
    r = subprocess.run([os.path.join(bin_dir, "etcron")] + [pod.map_path(a) for a in container["args"]],
                       capture_output=True, text=True, env=env, timeout=30)
    print(f"exit {r.returncode}: {r.stderr.strip()[:300]}")
    return 0 if r.returncode != 0 and "etcd-endpoint" in r.stderr else 1
