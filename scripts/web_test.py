"""The browser test of scripts/test-web.sh: the dashboard at / of `etcron dev`, driven in a
real headless Chromium over the DevTools protocol (sign in, read each page's DOM, press
Run now, screenshots of every page).

Usage: web_test.py ETCRON_BINARY OUTPUT_DIRECTORY. Prints `web: N passed, M failed` last.
"""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

import websocket  # websocket-client (pip), the DevTools protocol's transport

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Browser:
    """One headless Chromium with a fresh profile, and its first tab over the DevTools protocol."""

    def __init__(self, work):
        self.profile = os.path.join(work, "chromium-profile")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--remote-debugging-port=0",
             "--remote-allow-origins=*", f"--user-data-dir={self.profile}", "--window-size=1280,900", "about:blank"],
            stdout=open(os.path.join(work, "chromium.log"), "w"), stderr=subprocess.STDOUT, start_new_session=True)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError("chromium did not start: " + open(os.path.join(work, "chromium.log")).read()[-2000:])
            time.sleep(0.2)
        port = int(open(port_file).read().split("\n")[0])
        pages = []
        while not pages and time.time() < deadline:
            pages = [t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list")) if t["type"] == "page"]
            time.sleep(0.2)
        self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_loaded(self, previous=None):
        """Waits until the document is complete (and, after a navigation, is a new one)."""
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                state = self.evaluate("[document.readyState, String(performance.timeOrigin)]")
                if state[0] == "complete" and state[1] != previous:
                    return
            except RuntimeError:
                pass  # the page is being replaced
            time.sleep(0.1)
        raise RuntimeError("the page did not finish loading")

    def origin_stamp(self):
        return self.evaluate("String(performance.timeOrigin)")

    def open(self, url):
        before = self.origin_stamp()
        self.call("Page.navigate", url=url)
        self.wait_loaded(before)

    def submit(self, script):
        """Runs `script` (which submits a form) and waits for the answer's page."""
        before = self.origin_stamp()
        self.evaluate(script)
        self.wait_loaded(before)

    def dom(self):
        return self.evaluate("document.documentElement.outerHTML")

    def path(self):
        return self.evaluate("location.pathname + location.search")

    def screenshot(self, file):
        height = self.evaluate("Math.max(900, document.documentElement.scrollHeight)")
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=min(int(height), 2400), deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        with open(file, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.socket.close()
        finally:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def js(text):
    return json.dumps(text)


def api(base, method, path, token, body=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def main():
    etcron, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    work = tempfile.mkdtemp(prefix="etcron-web-")
    dev_log = open(os.path.join(work, "dev.log"), "w")
    dev = subprocess.Popen([etcron, "dev", "--replicas", "3"], stdout=dev_log, stderr=subprocess.STDOUT, start_new_session=True)
    browser = None
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"), flush=True)
        return ok

    try:
        started = time.time()
        text = ""
        while time.time() - started < 60:
            time.sleep(0.5)
            text = open(dev_log.name).read()
            if "demo job demo/flaky" in text or dev.poll() is not None:
                break
        dashboard = re.search(r"dashboard: (http://127\.0\.0\.1:\d+)/", text)
        demo = re.search(r"sign in with (dev-demo-[0-9a-f]+)", text)
        admin = re.search(r"or (dev-admin-[0-9a-f]+) \(admin", text)
        if not check("etcron dev prints the dashboard's URL and tokens to sign in with", bool(dashboard and demo and admin), text[-2000:]):
            return 1
        base, demo, admin = dashboard.group(1), demo.group(1), admin.group(1)
        # Another tenant's job, which tenant demo's token must never see.
        api(base, "PUT", "/v1/tenants/other-team/jobs/secret-report", admin,
            {"schedule": "0 3 * * *", "target": {"exec": {"command": "/bin/true"}}, "description": "other team only"})

        # --dump-dom, as a person would try it first: a fresh browser is asked to sign in.
        dumped = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                 f"--user-data-dir={work}/dump-profile", "--dump-dom", base + "/"],
                                capture_output=True, text=True, timeout=120).stdout
        check("--dump-dom of / without a session shows the sign-in form", 'id="token"' in dumped and "Sign in" in dumped,
              dumped[:500])

        browser = Browser(work)
        browser.open(base + "/")
        check("/ redirects a new visitor to the sign-in page", browser.path().startswith("/login"), browser.path())
        browser.screenshot(os.path.join(output, "sign-in.png"))
        browser.submit(f"document.getElementById('token').value = {js(demo)}; document.getElementById('sign-in').click()")
        check("signing in with tenant demo's token lands on the jobs list", browser.path() == "/",
              f"{browser.path()}: " + " ".join(re.findall(r'id="problem">([^<]*)', browser.dom())))
        cookies = browser.call("Network.getCookies", urls=[base + "/"]).get("cookies", [])
        session = [c for c in cookies if c["name"] == "etcron_token"]
        check("the session cookie is HttpOnly and SameSite",
              bool(session) and session[0]["httpOnly"] and session[0].get("sameSite") in ("Lax", "Strict"), cookies)
        check("document.cookie cannot read the token", "etcron_token" not in (browser.evaluate("document.cookie") or ""))

        # Wait until the demo jobs have a failure and a Forbid skip to show.
        deadline = time.time() + 90
        while time.time() < deadline:
            browser.open(base + "/")
            page = browser.dom()
            if 'badge failed' in page and "badge running" in page:
                break
            time.sleep(2)
        page = browser.dom()
        check("the jobs list shows demo's jobs with their schedule in words",
              all(f"/jobs/demo/{name}" in page for name in ("hello", "slow-report", "flaky")) and "every 10th second" in page,
              page[:800])
        check("the jobs list shows the failing job's last result", "badge failed" in page)
        check("tenant demo does not see another tenant's job", "secret-report" not in page and "other-team" not in page)
        browser.screenshot(os.path.join(output, "jobs.png"))

        browser.open(base + "/jobs/other-team/secret-report")
        check("another tenant's job page is 'Not found' for tenant demo", "Not found" in browser.dom())

        deadline = time.time() + 60
        while time.time() < deadline:
            browser.open(base + "/jobs/demo/slow-report")
            page = browser.dom()
            if 'badge skip">concurrencyPolicy' in page and "<rect" in page:
                break
            time.sleep(2)
        check("the Forbid job's page lists its skips with the reason", 'badge skip">concurrencyPolicy' in page)
        check("the job's page draws the start delay chart (inline SVG)", "<svg" in page and "<rect" in page)
        browser.screenshot(os.path.join(output, "job-slow-report.png"))

        browser.open(base + "/jobs/demo/hello")
        browser.submit("document.getElementById('run-note').value = 'pressed in chromium'; document.getElementById('run-now').click()")
        check("Run now answers with the requested run", "Run requested: m-" in browser.dom(), browser.dom()[:1000])
        deadline = time.time() + 30
        ran = False
        while time.time() < deadline and not ran:
            time.sleep(1)
            browser.open(base + "/jobs/demo/hello")
            page = browser.dom()
            row = re.search(r"<tr>\s*<td>[^<]*</td>\s*<td><code>m-[^<]*</code>.*?pressed in chromium.*?</tr>", page, re.S)
            ran = bool(row and "badge succeeded" in row.group(0))
        check("the manual run appears with its note and succeeds", ran, page[-3000:])
        browser.screenshot(os.path.join(output, "job-hello.png"))

        browser.open(base + "/cluster")
        page = browser.dom()
        check("the cluster page shows the leader, its fencing token and three replicas",
              'id="leader-replica">dev-' in page and 'id="fencing-token">' in page and page.count('<span class="badge follower">') == 2,
              page[:1500])
        check("the cluster page lists the recent leader changes", 'id="terms"' in page)
        browser.screenshot(os.path.join(output, "cluster.png"))

        browser.submit("document.querySelector('form.signout button').click()")
        check("signing out returns to the sign-in page", browser.path().startswith("/login"), browser.path())
        browser.open(base + "/")
        check("after signing out, / asks to sign in again", browser.path().startswith("/login"), browser.path())
    except Exception as error:  # a step that could not run is a failure, with its reason
        # The step that failed, and what etcron dev printed, to tell a browser's fault from etcron's.
        check("the browser session ran to its end", False,
              f"{error!r}\n{traceback.format_exc(limit=4)}etcron dev printed:\n{open(dev_log.name).read()[-3000:]}")
    finally:
        if browser is not None:
            browser.close()
        try:
            os.killpg(dev.pid, signal.SIGINT)
            dev.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(dev.pid, signal.SIGKILL)
    passed = sum(results)
    print(f"screenshots: {', '.join(sorted(os.path.join(output, f) for f in os.listdir(output)))}")
    print(f"web: {passed} passed, {len(results) - passed} failed")
    return 0 if results and passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
