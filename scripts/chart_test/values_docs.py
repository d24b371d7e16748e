"""values.yaml documentation: every value carries a `# --` comment, the chart README's
values table is generated from those comments and must match, and values.schema.json
covers and describes every value."""
import json
import re
import sys

import yaml

def documented_values(values_path):
    """(path, default, description) of every documented value: a key whose comment starts
    with `# --`; a mapping without one must document each of its keys."""
    with open(values_path) as f:
        lines = f.read().split("\n")
    values = yaml.safe_load("\n".join(lines))
    comments = {}  # path -> description
    stack = []  # (indent, key)
    pending = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped)
            continue
        if not stripped:
            pending = []
            continue
        match = re.match(r"^(\s*)([A-Za-z0-9_.-]+):", line)
        if not match or stripped.startswith("- "):
            pending = []
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match.group(2)))
        path = ".".join(k for _, k in stack)
        description = None
        for i, c in enumerate(pending):
            if c.startswith("# --"):
                description = " ".join([c[4:].strip()] + [p.lstrip("#").strip() for p in pending[i + 1:]])
                break
        if description is not None:
            comments[path] = description
        pending = []
    rows, problems = [], []
    def walk(node, prefix):
        for key, value in node.items():
            path = f"{prefix}{key}"
            if path in comments:
                rows.append((path, value, comments[path]))
            elif isinstance(value, dict) and value:
                walk(value, path + ".")
            else:
                problems.append(f"values.yaml: {path} has no `# --` comment")
    walk(values, "")
    return rows, problems

def values_table(values_path):
    rows, problems = documented_values(values_path)
    out = ["| Value | Default | Meaning |", "|---|---|---|"]
    for path, value, description in rows:
        default = json.dumps(value, separators=(", ", ": "))
        meaning = description.replace("|", "\\|")
        out.append(f"| `{path}` | `{default}` | {meaning} |")
    return "\n".join(out), problems

def cmd_values_table(values_path):
    table, problems = values_table(values_path)
    print(table)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0

def cmd_values_docs(values_path, readme_path):
    table, problems = values_table(values_path)
    with open(readme_path) as f:
        readme = f.read()
    match = re.search(r"<!-- values-table:start -->\n(.*?)\n<!-- values-table:end -->", readme, re.S)
    if not match:
        problems.append("README.md has no <!-- values-table:start/end --> section")
    elif match.group(1).strip() != table.strip():
        got = set(match.group(1).strip().split("\n"))
        for row in table.strip().split("\n"):
            if row not in got:
                problems.append(f"README.md lacks or differs in: {row[:160]}")
        problems.append("regenerate the table with: scripts/test-chart.sh --values-table")
    for p in problems:
        print(p)
    return 1 if problems else 0

def cmd_schema_covers(values_path, schema_path):
    """Every key of values.yaml is a property of values.schema.json (which refuses others)."""
    values = yaml.safe_load(open(values_path))
    schema = json.load(open(schema_path))
    problems = []
    def walk(node, sch, prefix):
        for key, value in node.items():
            props = sch.get("properties", {})
            if key not in props:
                if sch.get("additionalProperties") is False:
                    problems.append(f"{prefix}{key} is in values.yaml but not in values.schema.json")
                continue
            sub = props[key]
            if "description" not in sub and not sub.get("properties"):
                problems.append(f"{prefix}{key} has no description in values.schema.json")
            if isinstance(value, dict) and sub.get("properties"):
                walk(value, sub, f"{prefix}{key}.")
    walk(values, schema, "")
    for p in problems:
        print(p)
    return 1 if problems else 0
