#!/usr/bin/env bash
# A smoke test of the image's runtime stage without a Docker engine: builds its file system
# with debootstrap (Debian 12, minbase) from the same package list as the Dockerfile's
# runtime stage, copies in the binaries and the Swift runtime libraries the Dockerfile
# copies, and inside it (chroot, as UID/GID 65532 like the image) checks that ldd finds
# every library, runs `etcron --help`, starts `etcron operator` under tini against a local
# etcd on loopback and waits until `etcron status`, also run inside, shows it leading.
# Installs debootstrap when missing. Prints `image: N passed, M failed` last.
#
# Binaries: $ETCRON_BIN_DIR (default .build/release). A debug build also links
# libswiftSwiftOnoneSupport.so, which a release build (the image's) does not; it is copied
# for debug binaries only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin_dir="${ETCRON_BIN_DIR:-.build/release}"
swift_libs="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")/lib/swift/linux"
passed=0
failed=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

if [[ $(id -u) -ne 0 ]]; then
    echo "test-image: needs root (debootstrap, chroot, mount)"
    echo "image: 0 passed, 1 failed"
    exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
    echo "test-image: installing debootstrap" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# The runtime stage's packages and Swift libraries, read from the Dockerfile itself.
runtime=$(sed -n '/^FROM .* AS runtime/,$p' Dockerfile)
packages=$(awk '/apt-get install -y --no-install-recommends/ {on=1; next} on && /&&/ {on=0} on {gsub(/[\\ ]/, ""); if ($0 != "") print}' <<<"$runtime" | paste -sd, -)
libraries=$(grep -oE '/usr/lib/swift/linux/[A-Za-z0-9_.]+\.so' <<<"$runtime" | xargs -n1 basename)
[[ -n "$packages" && -n "$libraries" ]] || { echo "test-image: cannot read the runtime stage's packages and libraries from the Dockerfile"; echo "image: 0 passed, 1 failed"; exit 1; }
echo "runtime packages: $packages"

work="$(mktemp -d "${TMPDIR:-/tmp}/etcron-image.XXXXXX")"
root="$work/rootfs"
pids=()
http_port=""
cleanup() {
    # The operator runs under chroot and tini, started from a function in a subshell: $! is
    # the subshell's, so the image's processes are also found by their own listener port.
    if [[ -n "$http_port" ]]; then pkill -9 -f -- "--http-listen 127.0.0.1:$http_port" 2>/dev/null || true; fi
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if ! debootstrap --variant=minbase --include="$packages" bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1; then
    tail -20 "$work/debootstrap.log"
    fail "debootstrap of the runtime packages ($packages)"
    echo "image: $passed passed, $failed failed"
    exit 1
fi
pass "the runtime file system from the Dockerfile's package list"

install -d "$root/usr/lib/swift/linux" "$root/usr/local/bin"
for library in $libraries; do cp "$swift_libs/$library" "$root/usr/lib/swift/linux/"; done
if readelf -d "$bin_dir/etcron" | grep -q NEEDED.*libswiftSwiftOnoneSupport; then
    cp "$swift_libs/libswiftSwiftOnoneSupport.so" "$root/usr/lib/swift/linux/"
fi
install -m 0755 "$bin_dir/etcron" "$bin_dir/etcron-exec-guard" "$root/usr/local/bin/"
mount -t proc proc "$root/proc"
# The image's binaries find the Swift libraries through their RUNPATH (the toolchain image
# builds them with /usr/lib/swift/linux); these were built here, so the path is given.
in_image() { chroot --userspec=65532:65532 "$root" env LD_LIBRARY_PATH=/usr/lib/swift/linux HOME=/tmp "$@"; }

missing=$(chroot "$root" env LD_LIBRARY_PATH=/usr/lib/swift/linux ldd /usr/local/bin/etcron /usr/local/bin/etcron-exec-guard | grep "not found" || true)
if [[ -z "$missing" ]]; then pass "ldd finds every library of etcron and etcron-exec-guard"; else fail "libraries missing in the image: $missing"; fi
if in_image /usr/local/bin/etcron --help >/dev/null 2>&1; then pass "etcron --help"; else fail "etcron --help"; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
client_port=$(free_port); peer_port=$(free_port); http_port=$(free_port)
etcd --name image --data-dir "$work/etcd" \
    --listen-client-urls "http://127.0.0.1:$client_port" --advertise-client-urls "http://127.0.0.1:$client_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "image=http://127.0.0.1:$peer_port" >"$work/etcd.log" 2>&1 &
pids+=($!)
in_image /usr/bin/tini -s -- /usr/local/bin/etcron operator --etcd-endpoints "127.0.0.1:$client_port" \
    --replica-id image-1 --http-listen "127.0.0.1:$http_port" >"$work/operator.log" 2>&1 &
pids+=($!)
leading=false
for _ in $(seq 1 60); do
    if in_image /usr/local/bin/etcron status --etcd-endpoints "127.0.0.1:$client_port" -o json 2>/dev/null | grep -q '"replicaID" *: *"image-1"'; then
        leading=true
        break
    fi
    sleep 0.5
done
if $leading; then
    pass "etcron operator runs in the image (tini, UID 65532) and etcron status there shows it leading"
else
    fail "etcron operator in the image did not lead; its log:"
    tail -20 "$work/operator.log"
fi
echo "image: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
