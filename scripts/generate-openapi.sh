#!/usr/bin/env bash
# Regenerates the committed Swift code of the /v1 API from its contract,
# Sources/EtcronAPI/openapi.yaml, with swift-openapi-generator run as a command (not as
# a build plugin, so a clean build of etcron never builds the generator):
#   types  -> Sources/EtcronAPIModel/Generated/   (config: Sources/EtcronAPIModel/openapi-generator-config.yaml)
#   server -> Sources/EtcronAPI/Generated/        (config: Sources/EtcronAPI/openapi-generator-config.yaml)
#   client -> Sources/EtcronAPIClient/Generated/  (when that module has a config)
# The generator is built once per version into .build-openapi-generator/ (about a minute).
#
# Usage: scripts/generate-openapi.sh [--check]
#   --check   regenerate into a scratch directory and fail if the committed code differs
#             (the test suite runs this: the committed code is always what the contract says);
#             prints `codegen: N passed, M failed` last.
# Environment: OPENAPI_GENERATOR_VERSION (default 1.14.3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VERSION="${OPENAPI_GENERATOR_VERSION:-1.14.3}"
CACHE="$ROOT/.build-openapi-generator"
SPEC="Sources/EtcronAPI/openapi.yaml"
MODULES=(EtcronAPIModel EtcronAPI EtcronAPIClient)
CHECK=false
[[ "${1:-}" == "--check" ]] && CHECK=true

log() { printf '[generate-openapi] %s\n' "$*" >&2; }
die() { printf '[generate-openapi] error: %s\n' "$*" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/generate-openapi.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

GENERATOR="$CACHE/$VERSION/swift-openapi-generator"
if [[ ! -x "$GENERATOR" ]]; then
    log "building swift-openapi-generator $VERSION (about a minute)"
    src="$CACHE/src-$VERSION"
    rm -rf "$src"
    git -c advice.detachedHead=false clone --quiet --branch "$VERSION" \
        https://github.com/apple/swift-openapi-generator "$src" 2>&1 | grep -v 'depth is ignored' >&2 || true
    [[ -f "$src/Package.swift" ]] || die "could not clone swift-openapi-generator $VERSION"
    swift build --package-path "$src" --scratch-path "$CACHE/build" --product swift-openapi-generator >&2
    mkdir -p "$(dirname "$GENERATOR")"
    cp "$(swift build --package-path "$src" --scratch-path "$CACHE/build" --show-bin-path)/swift-openapi-generator" "$GENERATOR"
fi

status=0
for module in "${MODULES[@]}"; do
    config="Sources/$module/openapi-generator-config.yaml"
    [[ -f "$config" ]] || continue
    out="$TMP/$module"
    mkdir -p "$out"
    "$GENERATOR" generate "$SPEC" --config "$config" --output-directory "$out" >/dev/null 2>"$TMP/$module.log" \
        || { cat "$TMP/$module.log" >&2; die "generating $module failed"; }
    # The generator writes the types as several files, each with the same public imports;
    # one file that uses only some of them warns (Swift before 6.4 ignores the generator's
    # @diagnose). One file with the imports once builds warning-free.
    python3 - "$out" <<'PY'
import pathlib, re, sys
out = pathlib.Path(sys.argv[1])
files = sorted(out.glob("*.swift"), key=lambda f: (f.name != "Types.swift", f.name))
if len(files) > 1:
    header_line = re.compile(r"^(//|#if|#endif|@diagnose|@_spi|public import|import)")
    header, bodies = None, []
    for f in files:
        lines = f.read_text().splitlines(keepends=True)
        cut = 0
        while cut < len(lines) and header_line.match(lines[cut]):
            cut += 1
        header = header or "".join(lines[:cut])
        bodies.append("".join(lines[cut:]))
        f.unlink()
    (out / "Types.swift").write_text(header + "".join(bodies))
PY
    target="Sources/$module/Generated"
    if $CHECK; then
        if ! diff -r -q "$out" "$target" >/dev/null 2>&1; then
            log "$target is not what $SPEC generates; run scripts/generate-openapi.sh"
            status=1
        fi
    else
        rm -rf "$target"
        mkdir -p "$target"
        cp "$out"/*.swift "$target"/
        log "$target: $(cat "$target"/*.swift | wc -l) lines"
    fi
done
if $CHECK; then
    if [[ $status -eq 0 ]]; then echo "codegen: 1 passed, 0 failed"; else echo "codegen: 0 passed, 1 failed"; fi
fi
exit $status
