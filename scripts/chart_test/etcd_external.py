"""etcd.external.* against a real etcd with TLS and authentication switched on: TLS files
and the password from existing Secrets; a wrong password must keep the replica unready,
the right one must make it ready and the leader."""
import base64
import os
import subprocess

import yaml

from .manifests import find
from .pod import Pod
from .processes import clean_env, free_port, stop, tail
from .replica import operator_pod, run_operator, run_test_pod, wait_leader, wait_ready

def external_with_auth(bundled_docs, client_port, bin_dir, workdir, pgid_file, namespace, helm, chart, release):
    """etcd.external.* against a real etcd with TLS and authentication: the CA and client
    certificate from an existing Secret under other key names, the user name from the
    environment and the password from a mounted file (with the trailing newline of a Secret
    made with kubectl from a file)."""
    tls = find(bundled_docs, "Secret", f"{release}-etcd-client-tls")["data"]
    ca, crt, key = (base64.b64decode(tls[k]).decode() for k in ("ca.crt", "tls.crt", "tls.key"))
    etcdctl = ["etcdctl", f"--endpoints=https://127.0.0.1:{client_port}", "--cacert", os.path.join(workdir, "ext-ca.pem"),
               "--cert", os.path.join(workdir, "ext-client.pem"), "--key", os.path.join(workdir, "ext-client-key.pem")]
    for name, content in (("ext-ca.pem", ca), ("ext-client.pem", crt), ("ext-client-key.pem", key)):
        with open(os.path.join(workdir, name), "w") as f:
            f.write(content)
    env = clean_env()
    env["ETCDCTL_API"] = "3"
    steps = [["user", "add", "root", "--new-user-password=root-pw"], ["user", "grant-role", "root", "root"],
             ["user", "add", "etcron-ext", "--new-user-password=s3cret"], ["role", "add", "etcron-ext"],
             ["role", "grant-permission", "etcron-ext", "--prefix=true", "readwrite", "/etcron-ext/"],
             ["user", "grant-role", "etcron-ext", "etcron-ext"], ["auth", "enable"]]
    for step in steps:
        r = subprocess.run(etcdctl + step, capture_output=True, text=True, env=env, timeout=30)
        if r.returncode != 0:
            print(f"etcdctl {' '.join(step)}: {r.stderr.strip()}")
            return 1
    print("etcd authentication enabled; user etcron-ext may read and write /etcron-ext/ only")
    http_port = free_port()
    values = os.path.join(workdir, "external-values.yaml")
    with open(values, "w") as f:
        f.write(f"""etcd:
  bundled: {{enabled: false}}
  external:
    endpoints: [https://127.0.0.1:{client_port}]
    tls: {{existingSecret: ext-etcd-tls, caKey: ca.pem, certKey: client.pem, keyKey: client-key.pem}}
    auth: {{existingSecret: ext-etcd-auth, usernameKey: user, passwordKey: pass}}
config:
  key-prefix: /etcron-ext/
containerPort: {http_port}
""")
    r = subprocess.run([helm, "template", release, chart, "--namespace", namespace, "-f", values],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        print(r.stderr)
        return 1
    docs = [d for d in yaml.safe_load_all(r.stdout) if d]
    fixtures = {("ext-etcd-tls", "ca.pem"): ca, ("ext-etcd-tls", "client.pem"): crt, ("ext-etcd-tls", "client-key.pem"): key,
                ("ext-etcd-auth", "user"): "etcron-ext", ("ext-etcd-auth", "pass"): "s3cret\n"}
    deployment, spec, container = operator_pod(docs)
    replica = "etcron-ext-5c7d9-abcde"
    operator = None
    try:
        for password, expect_ready in (("wrong-password\n", False), ("s3cret\n", True)):
            fixtures[("ext-etcd-auth", "pass")] = password
            root_dir = os.path.join(workdir, "extpod-ok" if expect_ready else "extpod-bad")
            pod = Pod(docs, spec, container, replica, "127.0.0.1", namespace, root_dir)
            pod.materialise(fixtures)
            penv = pod.environment(fixtures)
            operator, _ = run_operator(pod, ["/usr/local/bin/etcron"], container["args"], penv, workdir, pgid_file,
                                       "operator-ext" if expect_ready else "operator-ext-bad", bin_dir)
            log = os.path.join(workdir, "operator-ext.log" if expect_ready else "operator-ext-bad.log")
            state = wait_ready(http_port, operator, timeout=30 if expect_ready else 8)
            if not expect_ready:
                if state == "ready":
                    print("etcron became ready with a wrong etcd password")
                    return 1
                stop(operator)
                operator = None
                print("with a wrong password in the Secret, the replica does not become ready: "
                      + (tail(log, 3).strip().split("\n")[-1][:200]))
                continue
            if state != "ready":
                print(f"etcron did not become ready against the external etcd ({state or 'timeout'}):\n{tail(log)}")
                return 1
            config_path = pod.map_path("/etc/etcron/config/etcron.yaml")
            user_env = {"ETCRON_ETCD_USERNAME": "etcron-ext"}
            leader, last = wait_leader(bin_dir, config_path, user_env, replica)
            if not leader:
                print(f"no leader against the external etcd; last answer: {last}")
                return 1
            print(f"external etcd with TLS from an existing Secret and password auth: ready, leader {leader['replicaID']}")
            rc, out = run_test_pod(docs, bin_dir, workdir, namespace, {}, fixtures)
            print("helm test pod: exit " + str(rc) + "\n  " + out.replace("\n", "\n  "))
            if rc != 0:
                return 1
        return 0
    finally:
        if operator is not None:
            stop(operator)
