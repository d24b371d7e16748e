"""Rendered manifests: loading the YAML documents `helm template` writes, and finding an
object in them by kind and name. Shared by every check that reads a rendering."""
import yaml

def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]

def find(docs, kind, name=None):
    for d in docs:
        if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name):
            return d
    return None
