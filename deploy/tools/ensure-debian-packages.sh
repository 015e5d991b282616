#!/bin/sh
# Make sure the Debian packages the tests use are installed, each named with the
# commands it must put on PATH:
#
#   sh deploy/tools/ensure-debian-packages.sh prometheus:promtool,prometheus chromium:chromium
#
# Idempotent and quiet: does nothing when every command is there; as root installs
# the missing packages with one apt-get run (printing apt's output only if it
# fails); otherwise prints how to install them and exits 1.
set -eu

missing=""
for spec in "$@"; do
    package=${spec%%:*}
    commands=$(echo "${spec#*:}" | tr ',' ' ')
    for command in $commands; do
        if ! command -v "$command" >/dev/null 2>&1; then
            missing="$missing $package"
            break
        fi
    done
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages:$missing; install them as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } \
        >"$log" 2>&1; then
    cat "$log" >&2
    echo "ensure-debian-packages: installing$missing failed" >&2
    exit 1
fi
case "$missing" in
    *prometheus*)
        # Where systemd runs, the package starts a system prometheus; the tests start their own.
        if [ -d /run/systemd/system ]; then
            systemctl disable --now prometheus >/dev/null 2>&1 || true
        fi ;;
esac
for spec in "$@"; do
    for command in $(echo "${spec#*:}" | tr ',' ' '); do
        command -v "$command" >/dev/null 2>&1 || {
            echo "ensure-debian-packages: ${spec%%:*} installed but $command is not on PATH" >&2
            exit 1
        }
    done
done
