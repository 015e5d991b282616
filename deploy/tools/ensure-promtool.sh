#!/bin/sh
# Make sure promtool and prometheus (Debian's `prometheus` package) are on PATH.
# Idempotent and quiet: does nothing when both are there; as root installs the
# package with apt-get (printing apt's output only if it fails); otherwise
# prints how to install it and exits 1.
set -eu

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "promtool/prometheus missing; install them as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends prometheus" >&2
    exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; } \
        >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure-promtool: installing Debian's prometheus package failed" >&2
    exit 1
fi
# Where systemd runs, the package starts a system prometheus; the tests start their own.
if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1
