"""Upgrades rendered with --dry-run=server against the stand-in API server: generated
certificates and the API token are kept (lookup), the pods' checksums stay stable and
follow an existing Secret's content, and changes an installed etcd cannot take (members,
TLS, cluster domain) are refused."""
import base64
import os
import subprocess

import yaml

from .fake_api import FakeAPI
from .manifests import find

def cmd_upgrade(helm, major, chart, workdir, release, namespace):
    """What `lookup` keeps across upgrades, and the guards that read the installed release."""
    def render(*extra, server=None):
        argv = [helm, "template", release, chart, "--namespace", namespace, *extra]
        env = dict(os.environ)
        if server:
            argv += ["--dry-run=server"] + (["--disable-openapi-validation"] if major == "4" else [])
            env["KUBECONFIG"] = kubeconfig
        r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        return r.returncode, r.stdout, r.stderr
    def annotations(text):
        docs = [d for d in yaml.safe_load_all(text) if d]
        return find(docs, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    def secrets(text):
        return {d["metadata"]["name"]: d["data"] for d in yaml.safe_load_all(text) if d and d["kind"] == "Secret"}

    installed = os.path.join(workdir, "installed.yaml")
    rc, first, err = render()
    if rc != 0:
        print(err)
        return 1
    with open(installed, "w") as f:
        f.write(first)
    api = FakeAPI(installed, release)
    kubeconfig = os.path.join(workdir, "kubeconfig")
    with open(kubeconfig, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters: [{{name: fake, cluster: {{server: "http://127.0.0.1:{api.port}"}}}}]
users: [{{name: fake, user: {{}}}}]
contexts: [{{name: fake, context: {{cluster: fake, user: fake, namespace: {namespace}}}}}]
current-context: fake
""")
    os.chmod(kubeconfig, 0o600)
    problems = []
    try:
        rc, second, err = render(server=True)
        if rc != 0:
            print("the upgrade render failed:\n" + err)
            return 1
        before, after = secrets(first), secrets(second)
        for name in sorted(before):
            if before[name] != after.get(name):
                problems.append(f"Secret {name} changed on upgrade")
        print(f"kept on upgrade (lookup): {', '.join(sorted(before))}")
        for key in ("checksum/config", "checksum/secrets"):
            if annotations(first)[key] != annotations(second)[key]:
                problems.append(f"{key} changed on an upgrade that changed nothing (the pods would roll)")
        for extra, expect in ((["--set", "etcd.bundled.replicaCount=5"], "cannot change from 3 to 5 on upgrade"),
                              (["--set", "etcd.bundled.tls.enabled=false"], "peer URLs would change"),
                              (["--set", "clusterDomain=example.internal"], "peer URLs would change")):
            rc, _, err = render(*extra, server=True)
            if rc == 0 or expect not in err:
                problems.append(f"upgrade with {' '.join(extra)}: expected a failure saying {expect!r}, got: {err.strip()[:300]}")
            else:
                print(f"refused on upgrade: {' '.join(extra[1::2])}: ...{expect}...")
        # An existing Secret's content is part of the checksum: changing it rolls the pods.
        digests = []
        for content in ("tokens-a", "tokens-b", "tokens-a"):
            with open(installed, "w") as f:
                f.write(first + f"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: team-tokens\n  namespace: {namespace}\n"
                        f"data:\n  tokens: {base64.b64encode(content.encode()).decode()}\n")
            rc, text, err = render("--set", "api.tokens.existingSecret=team-tokens", server=True)
            if rc != 0:
                problems.append(f"render with an existing token Secret failed: {err.strip()[:300]}")
                break
            digests.append(annotations(text)["checksum/secrets"])
        if len(digests) == 3:
            if digests[0] == digests[1]:
                problems.append("changing the existing token Secret does not change checksum/secrets")
            elif digests[0] != digests[2]:
                problems.append("checksum/secrets is not stable for the same existing Secret")
            else:
                print("checksum/secrets follows the content of an existing Secret")
    finally:
        api.server.shutdown()
    for p in problems:
        print(p)
    return 1 if problems else 0
