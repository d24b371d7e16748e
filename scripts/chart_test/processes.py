"""Local processes and ports for the runtime checks: free loopback ports, processes
started in their own session (recorded in the shell's pgid file, whose sessions are
ended at exit), HTTP probes, polling, log tails, and an environment without ETCRON_/ETCD_
settings of the caller."""
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def remember(pgid_file, pid):
    with open(pgid_file, "a") as f:
        f.write(f"{pid}\n")

def spawn(argv, env, log_path, pgid_file, cwd=None):
    log = open(log_path, "wb")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, cwd=cwd)
    remember(pgid_file, proc.pid)
    return proc

def kill_session(sid):
    """SIGKILLs every process of session `sid` (each spawn starts one): tini puts its child
    in a process group of its own, so killing tini's group alone would orphan the child."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getsid(int(entry)) == sid:
                os.kill(int(entry), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

def stop(proc, sig=signal.SIGKILL, timeout=10):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_session(proc.pid)
        proc.wait()
    # Whatever it left behind (a child that ignored the signal) goes too.
    kill_session(proc.pid)

def http_get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except Exception as e:
        return None, str(e)

def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETCRON_") and not k.startswith("ETCD_")}
    return env

def start_etcd(args, workdir, pgid_file, name="etcd"):
    env = clean_env()
    proc = spawn(["etcd"] + args, env, os.path.join(workdir, f"{name}.log"), pgid_file)
    return proc

def wait_for(predicate, timeout, interval=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return None

def tail(path, lines=25):
    try:
        return "\n".join(open(path, errors="replace").read().split("\n")[-lines:])
    except OSError:
        return ""
