"""The dashboard test of scripts/test-dashboard.sh: etcron dev, Prometheus, every panel's
query through Prometheus' HTTP API."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

DASHBOARD = "charts/etcron/files/grafana-dashboard.json"
RULES = "charts/etcron/files/prometheus-rules.yaml"
# The default alert rules are loaded too: the demo's failing job must fire EtcronRunFailed.
ALERT = "alert EtcronRunFailed fires for the demo's failing job"
# What the dashboard's variables are set to: the demo tenant and its succeeding job.
VARIABLES = {"$namespace": ".*", "$tenant": "demo", "$job": "hello", "$__rate_interval": "30s"}
DEADLINE = 150  # seconds for every query to have data
# Series some panels must show once the demo has run: a Forbid skip and a failed run.
EXPECTED = {
    "Scheduling decisions by kind and reason [A]": [{"decision": "invoke"}, {"decision": "skip", "reason": "concurrencyPolicy"}],
    "Runs started and finished by result [B]": [{"result": "succeeded"}, {"result": "failed"}],
    "Runs finished per tenant and result (1 h) [A]": [{"tenant": "demo", "result": "failed"}],
    "Skips per tenant and reason (1 h) [A]": [{"tenant": "demo", "reason": "concurrencyPolicy"}],
    # etcron dev creates its demo jobs after the leader has loaded: the gauge follows new jobs.
    "Jobs per tenant [A]": [{"tenant": "demo"}],
    ALERT: [{"tenant": "demo"}],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queries(dashboard):
    """(panel title, expression) of every target of every panel, variables substituted."""
    found = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in VARIABLES.items():
                expr = expr.replace(name, value)
            found.append((f'{panel["title"]} [{target["refId"]}]', expr))
    return found


def query(port, expr):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        return f"refused: {error.read().decode(errors='replace')[:300]}", []
    except OSError as error:
        return f"unreachable: {error}", []
    if body.get("status") != "success":
        return f"refused: {body}", []
    return None, [series["metric"] for series in body["data"]["result"]]


def missing(title, series):
    """The expected label sets of `title` that no series has."""
    return [want for want in EXPECTED.get(title, []) if not any(all(s.get(k) == v for k, v in want.items()) for s in series)]


def main():
    etcron = sys.argv[1]
    dashboard = json.load(open(DASHBOARD))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            assert variable["query"].startswith("label_values("), variable
    checks = queries(dashboard) + [(ALERT, 'ALERTS{alertname="EtcronRunFailed",alertstate="firing"}')]
    work = tempfile.mkdtemp(prefix="etcron-dashboard-")
    dev_log = open(os.path.join(work, "dev.log"), "w")
    dev = subprocess.Popen([etcron, "dev", "--replicas", "3"], stdout=dev_log, stderr=subprocess.STDOUT, start_new_session=True)
    prometheus = None
    try:
        ports = []
        started = time.time()
        while len(ports) < 3 and time.time() - started < 60:
            time.sleep(0.5)
            ports = re.findall(r"replica dev-\d+: http://127\.0\.0\.1:(\d+)", open(dev_log.name).read())
            if dev.poll() is not None:
                break
        if len(ports) < 3:
            print("etcron dev did not start three replicas:\n" + open(dev_log.name).read()[-2000:])
            print(f"dashboard: 0 passed, {len(checks)} failed")
            return 1
        port = free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                    f"rule_files: [{os.path.abspath(RULES)}]\n"
                    "scrape_configs:\n  - job_name: etcron\n    static_configs:\n"
                    f"      - targets: [{', '.join(f'127.0.0.1:{p}' for p in ports)}]\n")
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/data", f"--web.listen-address=127.0.0.1:{port}"],
            stdout=open(os.path.join(work, "prometheus.log"), "w"), stderr=subprocess.STDOUT, start_new_session=True)
        results = {}
        started = time.time()
        while time.time() - started < DEADLINE:
            time.sleep(5)
            results = {title: query(port, expr) for title, expr in checks}
            if all(error is None and series and not missing(title, series) for title, (error, series) in results.items()):
                break
        passed = 0
        for (title, expr) in checks:
            error, series = results.get(title, ("not run", []))
            lacking = missing(title, series or [])
            if error is None and series and not lacking:
                passed += 1
                print(f"ok   {title}: {len(series)} series")
            else:
                print(f"FAIL {title}: {error or ('no series' if not series else f'no series with {lacking}')}\n       {expr}")
        print(f"dashboard: {passed} passed, {len(checks) - passed} failed")
        return 0 if passed == len(checks) else 1
    finally:
        for process in (prometheus, dev):
            if process is not None:
                try:
                    os.killpg(process.pid, signal.SIGINT if process is dev else signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in (prometheus, dev):
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
