#!/bin/bash
# What the Accept=yes c=1 figure is made of (docs/performance.md, fourteenth session).
#
#   bench/c1-anatomy.sh WICK BENCH_DIR   (make bench-anatomy)
#
# Interleaved rounds, shuffled, of one connection at a time against: the floor; floor-sd (the
# floor with systemd's per-spawn system calls and held connection, bench/floor-systemd.patch);
# floor-sd with a busy wait of the activator's own (bench/floor-spin.patch) placed on the path
# the client waits on (before the clone and before the close of the held connection) or off it
# (after each); and the wick daemon. Prints the median connections/s of each, its ratio to the
# floor's median, and the activator's own CPU a connection (/proc/PID/stat, user and system).
# Environment: ROUNDS (12), CONNECTIONS (3000 a run), SPIN_CLONE and SPIN_CLOSE (15 and 5 µs).
set -euo pipefail
wick=$(realpath "${1:?usage: c1-anatomy.sh WICK BENCH_DIR}")
bench=$(realpath "${2:?usage: c1-anatomy.sh WICK BENCH_DIR}")
here=$(dirname "$(realpath "$0")")
rounds=${ROUNDS:-12} connections=${CONNECTIONS:-3000} clone_us=${SPIN_CLONE:-15} close_us=${SPIN_CLOSE:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$bench" "$work/bench"
cd "$work/bench"
make -s >/dev/null
cp floor/floor.c floor/floor-systemd.c
git apply "$here/floor-systemd.patch" "$here/floor-spin.patch"
cc -O2 -Wall -DHELD=1 -DSYSTEMD_STEPS=1 -o bin/floor-sd floor/floor-systemd.c
ticks=$(getconf CLK_TCK)
port=$((24000 + RANDOM % 2000))

# run NAME [VAR=VALUE...] ACTIVATOR: one measured run; prints "NAME cps user_us sys_us".
run() {
    local name=$1 pid units
    shift
    port=$((port + 1))
    if [ "$name" = wick ]; then
        units=$(mktemp -d -p "$work")
        printf '[Socket]\nListenStream=127.0.0.1:%s\nAccept=yes\nBacklog=1024\nMaxConnections=4096\nTriggerLimitIntervalSec=0\nPollLimitIntervalSec=0\n' \
            "$port" >"$units/bench.socket"
        printf '[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=%s\nStandardInput=socket\nStandardOutput=socket\n' \
            "$PWD/bin/svc_inetd" >"$units/bench@.service"
        "$wick" daemon --units "$units" --control "$units/control" >"$units/log" 2>&1 &
    else
        env "$@" -a -r "127.0.0.1:$port:1" -- "$PWD/bin/svc_inetd" &
    fi
    pid=$!
    sleep 0.5
    bin/bclient rate 127.0.0.1 "$port" 300 1 30 >/dev/null
    local before after cps
    before=$(cut -d' ' -f14,15 "/proc/$pid/stat")
    cps=$(bin/bclient rate 127.0.0.1 "$port" "$connections" 1 60 | python3 -c 'import json,sys; print(json.load(sys.stdin)["cps"])')
    after=$(cut -d' ' -f14,15 "/proc/$pid/stat")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    set -- $before $after
    echo "$name $cps $(( ($3 - $1) * 1000000 / ticks / connections )) $(( ($4 - $2) * 1000000 / ticks / connections ))"
}

for round in $(seq "$rounds"); do
    for config in $(printf '%s\n' floor floor-sd on-path off-path wick | shuf); do
        case $config in
            floor) run floor bin/floor ;;
            floor-sd) run floor-sd bin/floor-sd ;;
            on-path) run on-path SPIN_BEFORE_CLONE="$clone_us" SPIN_BEFORE_CLOSE="$close_us" bin/floor-sd ;;
            off-path) run off-path SPIN_AFTER_CLONE="$clone_us" SPIN_AFTER_CLOSE="$close_us" bin/floor-sd ;;
            wick) run wick ;;
        esac
    done >>"$work/runs"
    echo "round $round of $rounds" >&2
done

python3 - "$work/runs" "$clone_us" "$close_us" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, cps, user, system = line.split()
    runs[name].append((float(cps), int(user), int(system)))
floor = statistics.median(r[0] for r in runs["floor"])
spin = f"{int(sys.argv[2]) + int(sys.argv[3])} µs"
label = {"floor": "floor", "floor-sd": "floor-sd", "on-path": f"floor-sd + {spin} on the path",
         "off-path": f"floor-sd + {spin} off the path", "wick": "wick daemon"}
print("| activator, c=1 | connections/s (min / median / max) | ratio | CPU a connection, user / system |")
print("|---|---|---|---|")
for name in ["floor", "floor-sd", "on-path", "off-path", "wick"]:
    cps = sorted(r[0] for r in runs[name])
    user = statistics.median(r[1] for r in runs[name])
    system = statistics.median(r[2] for r in runs[name])
    print(f"| {label[name]} | {cps[0]:,.0f} / {statistics.median(cps):,.0f} / {cps[-1]:,.0f} "
          f"| {statistics.median(cps) / floor:.3f}× | {user:.0f} / {system:.0f} µs |")
print(f"\n{len(runs['floor'])} rounds, the activators shuffled in each.")
EOF
