#!/bin/sh
# Make sure soffice (Debian's `libreoffice-calc-nogui`) is on PATH: the spreadsheet
# tests convert their sheets with it into the genuine Italian Excel and LibreOffice
# dialects (tests/integration/spreadsheets). Idempotent and quiet: does nothing when
# it is there; as root installs the package with apt-get (printing apt's output only
# if it fails); otherwise prints how to install it and exits 1.
set -eu

if command -v soffice >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "soffice missing; install it as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends libreoffice-calc-nogui" >&2
    exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui; } \
        >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure-libreoffice: installing Debian's libreoffice-calc-nogui package failed" >&2
    exit 1
fi
command -v soffice >/dev/null 2>&1
