"""The chart's operator container as a running replica: its command from the pod spec or
the image, started with the pod's environment and mapped paths; readiness, leader
election through `etcron status`, and the helm test pod's script run against it."""
import json
import os
import subprocess

from .dockerfile import dockerfile_runtime
from .manifests import find
from .pod import Pod, expand
from .processes import clean_env, http_get, spawn, wait_for

def image_command(dockerfile, container, bin_dir):
    image = dockerfile_runtime(dockerfile)
    command = container.get("command") or image["entrypoint"]
    args = container.get("args") if "args" in container else ([] if container.get("command") else image["cmd"])
    return command, args

def map_binaries(argv, bin_dir, tini):
    """The image's programs as found here (after mount paths were mapped)."""
    out = []
    for a in argv:
        if a == "/usr/local/bin/etcron":
            out.append(os.path.join(bin_dir, "etcron"))
        elif a == "/usr/bin/tini":
            out.append(tini)
        else:
            out.append(a)
    return out

def run_operator(pod, command, args, env, workdir, pgid_file, name, bin_dir, tini=None):
    argv = map_binaries([pod.map_path(expand(a, env)) for a in command + args], bin_dir, tini)
    full_env = clean_env()
    full_env.update(env)
    return spawn(argv, full_env, os.path.join(workdir, f"{name}.log"), pgid_file, cwd=workdir), argv

def status_json(bin_dir, config, env, extra=()):
    full_env = clean_env()
    full_env.update(env)
    r = subprocess.run([os.path.join(bin_dir, "etcron"), "status", "--config", config, "-o", "json", *extra],
                       capture_output=True, text=True, env=full_env, timeout=30)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), ""

def run_test_pod(docs, bin_dir, workdir, namespace, env_override, fixtures):
    """Runs the helm test pod's command, mapped like the operator, and returns (rc, output)."""
    pods = [d for d in docs if d["kind"] == "Pod" and d["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    if len(pods) != 1:
        return 1, f"expected one helm test pod, found {len(pods)}"
    spec = pods[0]["spec"]
    container = spec["containers"][0]
    pod = Pod(docs, spec, container, pods[0]["metadata"]["name"], "127.0.0.2", namespace, os.path.join(workdir, "testpod"))
    pod.extra_maps["/usr/local/bin/etcron"] = os.path.join(bin_dir, "etcron")
    pod.materialise(fixtures)
    env = clean_env()
    env.update(pod.environment(fixtures))
    env.update(env_override)
    argv = [pod.map_path(expand(a, env)) for a in container["command"] + container.get("args", [])]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    return r.returncode, (r.stdout + r.stderr).strip()

def operator_pod(docs):
    deployment = find(docs, "Deployment")
    spec = deployment["spec"]["template"]["spec"]
    container = next(c for c in spec["containers"] if c["name"] == "etcron")
    return deployment, spec, container

def wait_ready(port, proc, timeout=30):
    def ready():
        if proc.poll() is not None:
            return "exited"
        status, _ = http_get(f"http://127.0.0.1:{port}/readyz")
        return "ready" if status == 200 else None
    return wait_for(ready, timeout)

def wait_leader(bin_dir, config, env, replica, extra=(), timeout=30):
    last = [""]
    def leader():
        status, err = status_json(bin_dir, config, env, extra)
        if status is None:
            last[0] = err
            return None
        last[0] = json.dumps(status)
        lead = status.get("leader")
        return lead if lead and lead.get("replicaID") == replica else None
    return wait_for(leader, timeout, 0.5), last[0]
