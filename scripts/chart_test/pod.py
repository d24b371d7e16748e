"""A rendered pod template's container as a local process: Kubernetes' $(VAR)
expansion, environment with fieldRefs and Secret/ConfigMap references resolved, volumes
materialised under a temporary folder, and mount paths mapped there."""
import base64
import os
import re

from .manifests import find

VAR = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")

def expand(text, env):
    """Kubernetes' $(VAR) expansion: defined variables are replaced, $$ escapes a $,
    undefined references stay as written."""
    def repl(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return VAR.sub(repl, text)

class Pod:
    """Turns a rendered pod template's container into a local process: environment with
    fieldRefs and Secret/ConfigMap references resolved, mounts materialised under a
    temporary folder, and paths in arguments, environment and mounted files mapped there."""

    def __init__(self, docs, pod_spec, container, pod_name, pod_ip, namespace, root, claims=()):
        self.docs, self.spec, self.container = docs, pod_spec, container
        self.claims = set(claims)  # volumeClaimTemplates: empty folders here
        self.fields = {"metadata.name": pod_name, "metadata.namespace": namespace, "status.podIP": pod_ip,
                       "status.hostIP": "127.0.0.1", "spec.nodeName": "drift-node",
                       "spec.serviceAccountName": pod_spec.get("serviceAccountName", "default"),
                       "metadata.uid": "00000000-0000-0000-0000-000000000000"}
        self.root = root
        mounts = container.get("volumeMounts", [])
        self.mount_paths = sorted((m["mountPath"] for m in mounts), key=len, reverse=True)
        self.path_re = re.compile("|".join(rf"(?<![\w.]){re.escape(p)}(?=[/\s\"',]|$)" for p in self.mount_paths) or r"(?!x)x")
        self.extra_maps = {}

    def map_path(self, text):
        text = self.path_re.sub(lambda m: self.root + m.group(0), text)
        for src, dst in self.extra_maps.items():
            text = re.sub(rf"(?<![\w.]){re.escape(src)}(?=[/\s\"',]|$)", dst, text)
        return text

    def secret_data(self, name):
        s = find(self.docs, "Secret", name)
        if s is None:
            return None
        data = {k: base64.b64decode(v) for k, v in (s.get("data") or {}).items()}
        data.update({k: v.encode() for k, v in (s.get("stringData") or {}).items()})
        return data

    def configmap_data(self, name):
        c = find(self.docs, "ConfigMap", name)
        if c is None:
            return None
        return {k: v.encode() for k, v in (c.get("data") or {}).items()}

    def resolve_value_from(self, ref, fixtures):
        if "fieldRef" in ref:
            path = ref["fieldRef"]["fieldPath"]
            if path not in self.fields:
                raise RuntimeError(f"fieldRef {path} has no test value")
            return self.fields[path]
        for key, getter in (("secretKeyRef", self.secret_data), ("configMapKeyRef", self.configmap_data)):
            if key in ref:
                name, item = ref[key]["name"], ref[key]["key"]
                data = getter(name)
                if data is None:
                    if (name, item) in fixtures:
                        return fixtures[(name, item)]
                    raise RuntimeError(f"{key} {name}/{item}: not rendered by the chart and no test fixture")
                if item not in data:
                    raise RuntimeError(f"{key} {name}/{item}: the rendered object has no such key")
                return data[item].decode()
        raise RuntimeError(f"valueFrom {ref} is not supported by the drift test")

    def environment(self, fixtures=None):
        fixtures = fixtures or {}
        env = {}
        for src in self.container.get("envFrom", []):
            prefix = src.get("prefix", "")
            if "configMapRef" in src:
                data = self.configmap_data(src["configMapRef"]["name"])
            else:
                data = self.secret_data(src["secretRef"]["name"])
            if data is None:
                raise RuntimeError(f"envFrom {src}: not rendered by the chart")
            env.update({prefix + k: v.decode() for k, v in data.items()})
        for item in self.container.get("env", []):
            if "valueFrom" in item:
                env[item["name"]] = self.resolve_value_from(item["valueFrom"], fixtures)
            else:
                env[item["name"]] = expand(item.get("value", ""), env)
        return {k: self.map_path(v) for k, v in env.items()}

    def materialise(self, fixtures=None):
        fixtures = fixtures or {}
        volumes = {v["name"]: v for v in self.spec.get("volumes", [])}
        for mount in self.container.get("volumeMounts", []):
            target = self.root + mount["mountPath"]
            os.makedirs(target, exist_ok=True)
            if mount["name"] in self.claims and mount["name"] not in volumes:
                continue
            volume = volumes[mount["name"]]
            if "emptyDir" in volume:
                continue
            if "configMap" in volume:
                name, data = volume["configMap"]["name"], self.configmap_data(volume["configMap"]["name"])
                items = volume["configMap"].get("items")
            elif "secret" in volume:
                name, data = volume["secret"]["secretName"], self.secret_data(volume["secret"]["secretName"])
                items = volume["secret"].get("items")
            else:
                raise RuntimeError(f"volume {volume} is not supported by the drift test")
            if data is None:
                data = {k: v.encode() for (n, k), v in fixtures.items() if n == name}
                if not data and items:
                    raise RuntimeError(f"volume {mount['name']}: {name} is not rendered by the chart and has no test fixture")
            files = {i["path"]: data[i["key"]] for i in items} if items else data
            for path, content in files.items():
                full = os.path.join(target, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                if "configMap" in volume:
                    content = self.map_path(content.decode()).encode()
                with open(full, "wb") as f:
                    f.write(content)
