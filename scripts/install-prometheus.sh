#!/usr/bin/env bash
# Installs Debian's `prometheus` package (the prometheus server and promtool) when either
# is missing, without leaving the server running: its postinst would start it, so a
# policy-rc.d forbids that for the install. Used by scripts/test-rules.sh (promtool) and
# scripts/test-dashboard.sh (a Prometheus of its own on loopback).
set -euo pipefail

install() {
    command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "install-prometheus: promtool is missing and installing it needs root or sudo" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    # Debian 12's `prometheus` package ships /usr/bin/promtool, and its postinst starts the
    # Prometheus server (systemd, or without it the init script through invoke-rc.d) and
    # fails the install if that start fails. We want neither a server left running nor a
    # failed install: a policy-rc.d answering 101 ("action forbidden") makes invoke-rc.d and
    # deb-systemd-invoke skip the start. Add one for the install if the machine has none
    # (Docker images usually do), and remove it afterwards.
    local policy=/usr/sbin/policy-rc.d added=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# added by etcron scripts/test-rules.sh while installing promtool\nexit 101\n' \
            | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        added=1
        # shellcheck disable=SC2064 # expand now: the array is local
        trap "${sudo[*]} rm -f '$policy'" EXIT
    fi
    echo "install-prometheus: installing promtool (apt package prometheus)" >&2
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    if [ "$added" -eq 1 ]; then
        "${sudo[@]}" rm -f "$policy"
        trap - EXIT
    fi
    command -v promtool >/dev/null 2>&1 || { echo "install-prometheus: promtool not found after installing prometheus" >&2; exit 1; }
}


install
