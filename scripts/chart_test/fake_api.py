"""A stand-in Kubernetes API server on loopback, enough for Helm's `lookup` and
`--dry-run=server`: discovery, and GET of the installed release's objects."""
import http.server
import json
import threading

from .manifests import load_docs

class FakeAPI:
    """Just enough of a Kubernetes API server for Helm's lookup and --dry-run=server:
    discovery, and GET of the objects in a YAML file (re-read on every request, owned by
    the release as Helm leaves them). Serves on loopback from a thread of this process."""
    RESOURCES = {
        "v1": [("configmaps", "ConfigMap"), ("secrets", "Secret"), ("services", "Service"),
               ("serviceaccounts", "ServiceAccount"), ("pods", "Pod"), ("persistentvolumeclaims", "PersistentVolumeClaim")],
        "apps/v1": [("deployments", "Deployment"), ("statefulsets", "StatefulSet")],
        "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget")],
        "networking.k8s.io/v1": [("ingresses", "Ingress"), ("networkpolicies", "NetworkPolicy")],
        "monitoring.coreos.com/v1": [("servicemonitors", "ServiceMonitor"), ("prometheusrules", "PrometheusRule")],
    }

    def __init__(self, objects_file, release):
        api = self
        self.objects_file, self.release = objects_file, release

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                code, body = api.answer(self.path.split("?")[0])
                self.reply(code, body)

            def do_POST(self):
                self.reply(405, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 405})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def objects(self):
        found = {}
        for doc in load_docs(self.objects_file):
            gv = doc["apiVersion"]
            plural = next(p for p, k in self.RESOURCES[gv] if k == doc["kind"])
            base = "/api/v1" if gv == "v1" else f"/apis/{gv}"
            meta = doc["metadata"]
            meta.setdefault("annotations", {}).update({"meta.helm.sh/release-name": self.release,
                                                       "meta.helm.sh/release-namespace": meta["namespace"]})
            meta.setdefault("labels", {})["app.kubernetes.io/managed-by"] = "Helm"
            found[f"{base}/namespaces/{meta['namespace']}/{plural}/{meta['name']}"] = doc
        return found

    def answer(self, path):
        if path == "/version":
            return 200, {"major": "1", "minor": "35", "gitVersion": "v1.35.0", "platform": "linux/amd64"}
        if path == "/api":
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
        if path == "/apis":
            groups = []
            for gv in self.RESOURCES:
                if "/" in gv:
                    g, v = gv.split("/")
                    groups.append({"name": g, "versions": [{"groupVersion": gv, "version": v}],
                                   "preferredVersion": {"groupVersion": gv, "version": v}})
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        for gv, resources in self.RESOURCES.items():
            if path == ("/api/v1" if gv == "v1" else f"/apis/{gv}"):
                return 200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": [
                    {"name": p, "singularName": k.lower(), "namespaced": True, "kind": k,
                     "verbs": ["get", "list", "create", "update", "patch", "delete"]} for p, k in resources]}
        objects = self.objects()
        if path in objects:
            return 200, objects[path]
        return 404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
                     "message": "not found"}
