#!/bin/bash
# The cost of a full sandbox at start (issue 12): the same oneshot (/bin/true) without and with
# systemd's usual hardening, started N times each with `wick start` (which returns when the job
# is done: spawn, namespaces, filters, exec, exit, reap). Prints the mean per start.
set -eu
wick=${1:-.build/release/wick}
count=${2:-200}
dir=$(mktemp -d)
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$dir"' EXIT
mkdir -p "$dir/units"
printf '[Unit]\nStartLimitIntervalSec=0\n[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$dir/units/plain.service"
cat > "$dir/units/boxed.service" <<'UNIT'
[Unit]
StartLimitIntervalSec=0
[Service]
Type=oneshot
ExecStart=/bin/true
DynamicUser=yes
PrivateNetwork=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectHostname=yes
ProtectClock=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
UNIT
"$wick" daemon --units "$dir/units" --runtime-dir "$dir/run" >"$dir/log" 2>&1 &
daemon=$!
for _ in $(seq 1 100); do [ -S "$dir/run/wick/control" ] && break; sleep 0.05; done
for unit in plain boxed; do
    "$wick" start --control "$dir/run/wick/control" "$unit.service"   # warm up
    start=$(date +%s%N)
    for _ in $(seq 1 "$count"); do "$wick" start --control "$dir/run/wick/control" "$unit.service"; done
    end=$(date +%s%N)
    echo "$unit: $(( (end - start) / count / 1000 )) us per start ($count starts)"
done
