"""The image library check: every shared library the binaries link (ldd) comes from a
Debian package the Dockerfile's runtime stage installs (or one of their dependencies) or
is a Swift runtime library the stage copies."""
import os
import re
import subprocess

from .dockerfile import dockerfile_runtime

def dpkg_owner(path):
    candidates = [path, os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path)), os.path.realpath(path)]
    more = []
    for c in candidates:
        more.append(c[4:] if c.startswith("/usr/") else "/usr" + c)
    for c in candidates + more:
        r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True)
        if r.returncode == 0:
            line = r.stdout.strip().split("\n")[0]
            owner = line.rsplit(": ", 1)[0]
            if "diversion" in owner:
                continue
            return sorted(p.split(":")[0] for p in owner.split(", "))
    return None

def package_closure(packages):
    r = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                        "--no-breaks", "--no-replaces", "--no-enhances"] + sorted(packages),
                       capture_output=True, text=True)
    closure = set()
    for line in r.stdout.split("\n"):
        if line and not line[0].isspace() and not line.startswith("<"):
            closure.add(line.split(":")[0].strip())
    return closure

def cmd_ldd(bin_dir, dockerfile):
    image = dockerfile_runtime(dockerfile)
    problems, notes = [], []
    binaries = ["etcron", "etcron-exec-guard"]
    for name in binaries:
        if not re.search(rf"install\s+-D\s+-m\s+0755\s+\S*/{re.escape(name)}\"?\s+/staging/usr/local/bin/{re.escape(name)}\b", image["build"]):
            problems.append(f"Dockerfile: the build stage does not install {name} into /staging/usr/local/bin")
    if not re.search(r"(?m)^COPY --from=build /staging/usr/local/bin/ /usr/local/bin/", image["runtime"]):
        problems.append("Dockerfile: the runtime stage does not copy /staging/usr/local/bin/ to /usr/local/bin/ (etcron-exec-guard must sit next to etcron)")
    closure = package_closure(image["packages"])
    missing_pkgs = image["packages"] - closure
    if missing_pkgs:
        problems.append(f"apt-cache does not know the Dockerfile's packages {sorted(missing_pkgs)} (run apt-get update)")
    libs_seen = {}
    for name in binaries:
        path = os.path.join(bin_dir, name)
        if not os.access(path, os.X_OK):
            problems.append(f"{path}: missing (build it, or set ETCRON_BIN_DIR)")
            continue
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        for line in out.split("\n"):
            line = line.strip()
            if not line or line.startswith("linux-vdso") or line.startswith("statically linked"):
                continue
            if "not found" in line:
                problems.append(f"{name}: {line}")
                continue
            m = re.match(r"^(\S+)\s+=>\s+(\S+)\s+\(", line) or re.match(r"^(\S+)\s+\(", line)
            if not m:
                continue
            soname = m.group(1)
            resolved = m.group(2) if m.lastindex == 2 else m.group(1)
            libs_seen.setdefault((soname, resolved), set()).add(name)
    for (soname, resolved), users in sorted(libs_seen.items()):
        who = ", ".join(sorted(users))
        base = os.path.basename(resolved)
        if "/lib/swift/" in resolved:
            if base in image["swift_libs"]:
                continue
            if base == "libswiftSwiftOnoneSupport.so":
                notes.append(f"{base} ({who}): linked by debug builds only; the image builds -c release")
                continue
            problems.append(f"{base} ({who}): a Swift runtime library the Dockerfile does not copy to /usr/lib/swift/linux/")
            continue
        owners = dpkg_owner(resolved)
        if owners is None:
            problems.append(f"{resolved} ({who}): no Debian package provides it (dpkg -S)")
            continue
        if not any(o in closure for o in owners):
            problems.append(f"{resolved} ({who}): from package {', '.join(owners)}, which the runtime stage neither installs nor gets as a dependency of {sorted(image['packages'])}")
    print(f"{len(libs_seen)} libraries checked; packages installed: {' '.join(sorted(image['packages']))}; "
          f"Swift libraries copied: {len(image['swift_libs'])}")
    for n in notes:
        print("note: " + n)
    for p in problems:
        print(p)
    return 1 if problems else 0
