# shellcheck shell=bash
# The tools scripts/test-chart.sh needs, installed when missing.
# install_tools: sets py, a Python with PyYAML and kubernetes-validate (this python3 if it
# has them or pip can add them; otherwise, for an externally managed system Python, a venv
# in .cache/), and kubernetes_validate, its command; installs promtool, etcd and tini with
# apt (as root or through sudo). Uses root.
install_tools() {
    local need_venv=0 as_root=() apt_packages=() policy added_policy venv
    if ! python3 -c "import kubernetes_validate, yaml" 2>/dev/null; then
        echo "test-chart: installing kubernetes-validate (pip)" >&2
        if ! python3 -m pip install --quiet kubernetes-validate pyyaml >&2; then
            need_venv=1
        fi
    fi
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then as_root=(sudo); fi
    fi
    command -v promtool >/dev/null 2>&1 || apt_packages+=(prometheus)
    command -v etcd >/dev/null 2>&1 || apt_packages+=(etcd-server)
    if ((need_venv)) && ! python3 -c "import venv, ensurepip" 2>/dev/null; then apt_packages+=(python3-venv); fi
    [[ -x /usr/bin/tini ]] || apt_packages+=(tini)
    if ((${#apt_packages[@]} > 0)); then
        if [[ $(id -u) -ne 0 && ${#as_root[@]} -eq 0 ]]; then
            echo "test-chart: ${apt_packages[*]} missing, and installing them needs root or sudo" >&2
            exit 1
        fi
        echo "test-chart: installing ${apt_packages[*]} (apt)" >&2
        # Debian's prometheus package would start its server from postinst; a policy-rc.d that
        # forbids service starts keeps the install to the files we want (promtool).
        policy=/usr/sbin/policy-rc.d
        added_policy=0
        if [[ ! -e $policy ]]; then
            printf '#!/bin/sh\n# added by etcron scripts/test-chart.sh while installing packages\nexit 101\n' |
                "${as_root[@]}" tee "$policy" >/dev/null
            "${as_root[@]}" chmod 755 "$policy"
            added_policy=1
        fi
        "${as_root[@]}" apt-get update -qq
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
        if ((added_policy)); then "${as_root[@]}" rm -f "$policy"; fi
    fi
    if ((need_venv)); then
        venv="$root/.cache/chart-test-venv"
        [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
        "$venv/bin/python" -c "import kubernetes_validate, yaml" 2>/dev/null ||
            "$venv/bin/python" -m pip install --quiet kubernetes-validate pyyaml >&2
        py="$venv/bin/python"
    fi
    kubernetes_validate=("$py" -m kubernetes_validate)
}
