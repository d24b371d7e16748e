"""The Dockerfile's runtime stage, read as data: the apt packages it installs, the Swift
runtime libraries it copies, its ENTRYPOINT and CMD, and the text of the build and
runtime stages."""
import json
import os
import re

def dockerfile_runtime(dockerfile):
    text = open(dockerfile).read()
    joined = re.sub(r"\\\n", " ", text)
    stages = re.split(r"(?m)^FROM\s+", joined)
    runtime = stages[-1]
    build = stages[-2] if len(stages) > 2 else ""
    packages = set()
    for line in runtime.split("\n"):
        if not line.startswith("RUN"):
            continue
        for segment in re.split(r"&&|;", line):
            match = re.search(r"apt-get\s+install\s+(.*)", segment)
            if match:
                packages.update(t for t in match.group(1).split() if not t.startswith("-"))
    swift_libs = set()
    for line in runtime.split("\n"):
        if line.startswith("COPY") and "--from=" in line:
            parts = line.split()
            sources, dest = [p for p in parts[1:-1] if not p.startswith("--")], parts[-1]
            if dest.rstrip("/").endswith("/lib/swift/linux"):
                swift_libs.update(os.path.basename(s) for s in sources)
    entry = re.search(r"(?m)^ENTRYPOINT\s+(\[.*\])\s*$", runtime)
    cmd = re.search(r"(?m)^CMD\s+(\[.*\])\s*$", runtime)
    return {
        "packages": packages, "swift_libs": swift_libs,
        "entrypoint": json.loads(entry.group(1)) if entry else None,
        "cmd": json.loads(cmd.group(1)) if cmd else None,
        "build": build, "runtime": runtime,
    }
