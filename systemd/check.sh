#!/usr/bin/env bash
# Checks the systemd units offline: `systemd-analyze verify` on each (a warning about our units fails
# too), and the exposure gate of RELIABILITY.md T9 on the services (`security --offline=true
# --threshold=20`: exposure 2.0 or lower).
#
# verify needs each ExecStart= binary to exist. The units name /usr/local/bin/catalogsync, so they are
# checked as copies in a temporary folder whose ExecStart= points at BINARY (default: the debug build,
# else a stub script). The template is checked as catalogsync@example.service.
#
# usage: systemd/check.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")"

binary="${1:-$PWD/../.build/debug/catalogsync}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ ! -x "$binary" ]; then
    binary="$work/catalogsync"
    printf '#!/bin/sh\nexit 0\n' > "$binary"
    chmod +x "$binary"
fi
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"

for unit in catalogsync.service catalogsync-resync.service catalogsync-resync.timer catalogsync@.service; do
    sed "s|/usr/local/bin/catalogsync|$binary|g" "$unit" > "$work/$unit"
done
cp "$work/catalogsync@.service" "$work/catalogsync@example.service"

failed=0
for unit in catalogsync.service catalogsync-resync.service catalogsync-resync.timer catalogsync@example.service; do
    if ! output="$(cd "$work" && systemd-analyze verify "./$unit" 2>&1)"; then
        echo "systemd: verify $unit failed:" >&2
        echo "$output" >&2
        failed=1
    elif grep -q catalogsync <<<"$output"; then
        echo "systemd: verify $unit warns:" >&2
        echo "$output" >&2
        failed=1
    else
        echo "systemd: verify $unit: ok"
    fi
done

for unit in catalogsync.service catalogsync@example.service catalogsync-resync.service; do
    if output="$(cd "$work" && systemd-analyze security --offline=true --threshold=20 "./$unit" 2>&1)"; then
        echo "systemd: security $unit: $(grep 'Overall exposure' <<<"$output" | sed 's/.*: //')"
    else
        echo "$output" | grep -E '✗|Overall' >&2 || echo "$output" >&2
        echo "systemd: security $unit: exposure above 2.0 (RELIABILITY.md T9)" >&2
        failed=1
    fi
done
exit "$failed"
