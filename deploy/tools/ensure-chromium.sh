#!/bin/sh
# Make sure Debian's chromium is installed, for the browser tests (tests/browser:
# Playwright drives /usr/bin/chromium; its own browser download is not used).
# Idempotent and quiet: does nothing when chromium is there; as root installs the
# package with apt-get (printing apt's output only if it fails); otherwise prints
# how to install it and exits 1.
set -eu

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "chromium missing; install it as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2
    exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } \
        >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure-chromium: installing Debian's chromium package failed" >&2
    exit 1
fi
command -v chromium >/dev/null 2>&1
