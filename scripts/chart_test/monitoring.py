"""The Prometheus Operator and Grafana objects the chart renders: a structure check of
ServiceMonitor and PrometheusRule (which have no Kubernetes schema), the rendered rules
against files/prometheus-rules.yaml, and the dashboard ConfigMap."""
import json
import re

import yaml

from .manifests import find, load_docs

def check_type(value, expected, where, problems):
    ok = {"str": isinstance(value, str), "int": isinstance(value, int) and not isinstance(value, bool),
          "list": isinstance(value, list), "dict": isinstance(value, dict)}[expected]
    if not ok:
        problems.append(f"{where}: expected {expected}, got {type(value).__name__}")
    return ok

def check_keys(obj, allowed, where, problems):
    for key in obj:
        if key not in allowed:
            problems.append(f"{where}: unknown field {key!r}")

DURATION = re.compile(r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$")

def cmd_monitoring(rendered):
    """The Prometheus Operator kinds the chart renders, checked against the fields of
    monitoring.coreos.com/v1 they use (kubernetes-validate has no schema for them)."""
    problems = []
    meta = {"name", "namespace", "labels", "annotations"}
    for d in load_docs(rendered):
        kind = d.get("kind")
        if d.get("apiVersion") != "monitoring.coreos.com/v1":
            continue
        where = f"{kind}/{d['metadata'].get('name')}"
        check_keys(d, {"apiVersion", "kind", "metadata", "spec"}, where, problems)
        check_keys(d["metadata"], meta, where + ".metadata", problems)
        spec = d.get("spec", {})
        if kind == "ServiceMonitor":
            check_keys(spec, {"selector", "namespaceSelector", "endpoints", "jobLabel", "targetLabels", "podTargetLabels"}, where + ".spec", problems)
            if not spec.get("selector", {}).get("matchLabels"):
                problems.append(f"{where}: spec.selector.matchLabels is empty")
            for i, ep in enumerate(spec.get("endpoints", [])):
                w = f"{where}.spec.endpoints[{i}]"
                check_keys(ep, {"port", "path", "scheme", "interval", "scrapeTimeout", "relabelings", "metricRelabelings", "honorLabels"}, w, problems)
                check_type(ep.get("port"), "str", w + ".port", problems)
                for field in ("interval", "scrapeTimeout"):
                    if field in ep and not (isinstance(ep[field], str) and DURATION.match(ep[field])):
                        problems.append(f"{w}.{field}: {ep[field]!r} is not a Prometheus duration")
                for field in ("relabelings", "metricRelabelings"):
                    if field in ep:
                        check_type(ep[field], "list", f"{w}.{field}", problems)
            if not spec.get("endpoints"):
                problems.append(f"{where}: no endpoints")
        elif kind == "PrometheusRule":
            check_keys(spec, {"groups"}, where + ".spec", problems)
            for gi, group in enumerate(spec.get("groups", [])):
                w = f"{where}.spec.groups[{gi}]"
                check_keys(group, {"name", "interval", "rules", "limit", "partial_response_strategy", "labels", "query_offset"}, w, problems)
                check_type(group.get("name"), "str", w + ".name", problems)
                for ri, rule in enumerate(group.get("rules", [])):
                    rw = f"{w}.rules[{ri}]"
                    check_keys(rule, {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, rw, problems)
                    if ("record" in rule) == ("alert" in rule):
                        problems.append(f"{rw}: needs exactly one of record and alert")
                    if not isinstance(rule.get("expr"), (str, int)):
                        problems.append(f"{rw}.expr: missing or not a string")
                    for field in ("labels", "annotations"):
                        for k, v in (rule.get(field) or {}).items():
                            if not isinstance(v, str):
                                problems.append(f"{rw}.{field}.{k}: expected a string, got {type(v).__name__}")
        else:
            problems.append(f"{where}: unexpected kind")
    for p in problems:
        print(p)
    return 1 if problems else 0

def cmd_extract_rules(rendered, out_path, source_path):
    rule = find(load_docs(rendered), "PrometheusRule")
    if rule is None:
        print("no PrometheusRule rendered")
        return 1
    groups = rule["spec"]["groups"]
    with open(out_path, "w") as f:
        yaml.safe_dump({"groups": groups}, f, sort_keys=False)
    source = yaml.safe_load(open(source_path))
    if source.get("groups") != groups:
        print(f"the PrometheusRule's groups differ from {source_path}")
        return 1
    return 0

def cmd_dashboard(rendered, expect, dashboard_path):
    docs = load_docs(rendered)
    maps = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("-dashboard")]
    if expect == "absent":
        if maps:
            print("a dashboard ConfigMap was rendered without files/grafana-dashboard.json")
            return 1
        return 0
    if len(maps) != 1:
        print(f"expected one dashboard ConfigMap, got {len(maps)}")
        return 1
    m = maps[0]
    if m["metadata"].get("labels", {}).get("grafana_dashboard") != "1":
        print("the dashboard ConfigMap lacks the label grafana_dashboard: \"1\"")
        return 1
    if json.loads(m["data"]["etcron.json"]) != json.load(open(dashboard_path)):
        print("the dashboard ConfigMap does not hold files/grafana-dashboard.json")
        return 1
    return 0
