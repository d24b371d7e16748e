#!/usr/bin/env bash
# Regenerates the committed *.pb.swift files from proto/ with /usr/bin/protoc and a protoc-gen-swift pinned to our SwiftProtobuf version (cached in .build-protoc/).
#
# Usage: scripts/generate-protos.sh            (from anywhere; works on the repo it lives in)
# Environment overrides:
#   SWIFT_PROTOBUF_VERSION   generator version (default: from Package.resolved, then
#                            Package.swift, then 1.39.0)
#   PROTOC                   protoc binary (default /usr/bin/protoc)
#   PROTOC_GEN_SWIFT_CACHE   where built generators are kept (default <repo>/.build-protoc)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Proto root (the -I directory; imports are relative to it) -> Swift target directory.
# One line per generated module.
PROTO_TARGETS=(
    "proto/etcd:Sources/EtcdProto"
    "proto/etcron:Sources/EtcronProto"
)

PROTOC="${PROTOC:-/usr/bin/protoc}"
CACHE="${PROTOC_GEN_SWIFT_CACHE:-$ROOT/.build-protoc}"
DEFAULT_VERSION="1.39.0"

log() { printf '[generate-protos] %s\n' "$*" >&2; }
die() { printf '[generate-protos] error: %s\n' "$*" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/generate-protos.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
trap 'printf "[generate-protos] FAILED at line %s: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

# --- Which swift-protobuf version the package uses -----------------------------------

version_from_resolved() {
    # Package.resolved (v2/v3): the "version" inside the swift-protobuf pin, if any.
    [[ -f Package.resolved ]] || return 0
    awk '
        /"identity"[[:space:]]*:/ { inpin = ($0 ~ /"swift-protobuf"/) }
        inpin && /"version"[[:space:]]*:/ {
            if (match($0, /[0-9]+\.[0-9]+\.[0-9]+/)) { print substr($0, RSTART, RLENGTH); exit }
        }
    ' Package.resolved
}

version_from_manifest() {
    # The first x.y.z on the line declaring the swift-protobuf dependency.
    [[ -f Package.swift ]] || return 0
    grep -E 'github\.com/apple/swift-protobuf' Package.swift \
        | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true
}

VERSION="${SWIFT_PROTOBUF_VERSION:-}"
VERSION_SOURCE="SWIFT_PROTOBUF_VERSION"
if [[ -z "$VERSION" ]]; then
    VERSION="$(version_from_resolved)"; VERSION_SOURCE="Package.resolved"
fi
if [[ -z "$VERSION" ]]; then
    VERSION="$(version_from_manifest)"; VERSION_SOURCE="Package.swift"
fi
if [[ -z "$VERSION" ]]; then
    VERSION="$DEFAULT_VERSION"; VERSION_SOURCE="default"
fi
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad swift-protobuf version '$VERSION'"
log "swift-protobuf $VERSION (from $VERSION_SOURCE)"

[[ -x "$PROTOC" ]] || die "protoc not found at $PROTOC (apt-get install protobuf-compiler)"
log "protoc: $PROTOC ($("$PROTOC" --version))"

# --- protoc-gen-swift, built once per version ----------------------------------------

PLUGIN="$CACHE/swift-protobuf-$VERSION/protoc-gen-swift"

plugin_ok() {
    [[ -x "$PLUGIN" ]] && [[ "$("$PLUGIN" --version 2>/dev/null)" == *" $VERSION" ]]
}

if plugin_ok; then
    log "protoc-gen-swift: cached $PLUGIN"
else
    command -v swift >/dev/null || die "swift not found; needed to build protoc-gen-swift"
    WORK="$TMP/protoc-gen-swift"
    log "protoc-gen-swift: building $VERSION in $WORK (takes a minute or two)"
    started=$SECONDS
    git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$VERSION" \
        https://github.com/apple/swift-protobuf "$WORK/swift-protobuf" 2>&1 \
        | grep -v 'depth is ignored in local clones' >&2 || true
    [[ -f "$WORK/swift-protobuf/Package.swift" ]] || die "could not clone swift-protobuf $VERSION"
    swift build --package-path "$WORK/swift-protobuf" --scratch-path "$WORK/build" \
        -c release --product protoc-gen-swift >&2
    built="$(swift build --package-path "$WORK/swift-protobuf" --scratch-path "$WORK/build" \
        -c release --show-bin-path)/protoc-gen-swift"
    mkdir -p "$(dirname "$PLUGIN")"
    cp "$built" "$PLUGIN.tmp"
    mv -f "$PLUGIN.tmp" "$PLUGIN"
    plugin_ok || die "built $PLUGIN does not report version $VERSION"
    log "protoc-gen-swift: built in $((SECONDS - started)) s, cached at $PLUGIN"
fi

# --- Generate --------------------------------------------------------------------------

for pair in "${PROTO_TARGETS[@]}"; do
    proto_root="${pair%%:*}"
    target_dir="${pair#*:}"
    [[ -d "$proto_root" ]] || die "proto root $proto_root does not exist (listed in PROTO_TARGETS)"
    [[ -d "$target_dir" ]] || die "target dir $target_dir does not exist (listed in PROTO_TARGETS)"

    protos=()
    while IFS= read -r -d '' f; do protos+=("$f"); done \
        < <(find "$proto_root" -name '*.proto' -type f -print0 | LC_ALL=C sort -z)
    [[ ${#protos[@]} -gt 0 ]] || die "no .proto files under $proto_root"

    # Generate into a scratch dir first so a protoc error leaves the target untouched.
    out="$TMP/out/$target_dir"
    mkdir -p "$out"
    "$PROTOC" \
        --plugin=protoc-gen-swift="$PLUGIN" \
        --swift_opt=Visibility=Public \
        --swift_opt=FileNaming=PathToUnderscores \
        --swift_out="$out" \
        -I "$proto_root" \
        "${protos[@]}"

    stale="$(find "$target_dir" -name '*.pb.swift' -type f | wc -l)"
    find "$target_dir" -name '*.pb.swift' -type f -delete
    generated=()
    while IFS= read -r -d '' f; do generated+=("$(basename "$f")"); done \
        < <(find "$out" -name '*.pb.swift' -type f -print0 | LC_ALL=C sort -z)
    for f in "${generated[@]}"; do mv "$out/$f" "$target_dir/$f"; done

    log "$proto_root -> $target_dir: removed $stale old *.pb.swift, generated ${#generated[@]} from ${#protos[@]} protos:"
    for f in "${generated[@]}"; do
        log "  $target_dir/$f ($(wc -l < "$target_dir/$f") lines)"
    done
done
log "done"
