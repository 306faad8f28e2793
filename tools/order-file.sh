#!/bin/bash
# Writes the link order of the static wick (tools/wick.order): first the functions an Accept=yes
# connection runs once the daemon is warm (its connection path: on 62 pages of code instead of
# 158, docs/performance.md "The fourteenth session"), then the functions the daemon runs from
# exec to idle, for Accept=yes and Accept=no connections and for the control requests, then those
# `wick activate` adds (start-up with 40 listeners, connections, stop), in the order callgrind
# first lists them. `make static` links with lld and this file so that those
# functions sit next to each other instead of across the 12 MB of code (docs/performance.md,
# "Footprint"). Needs valgrind; run by `make order-file` on the release build's binary.
# usage: order-file.sh WICK_BINARY OUT_FILE
#        order-file.sh --check WICK_BINARY ORDER_FILE   (before strip: is the order still the code's?)
set -euo pipefail
if [ "${1:-}" = --check ]; then
    binary=${2:?usage: order-file.sh --check WICK_BINARY ORDER_FILE}
    order=${3:?usage: order-file.sh --check WICK_BINARY ORDER_FILE}
    # The share of the order's functions the binary still defines; renamed or removed code
    # makes the order stale: its functions are then laid out in no particular order.
    found=$(nm --defined-only "$binary" | awk '{ print $3 }' | sort -u | comm -12 - <(sort -u "$order") | wc -l)
    total=$(sort -u "$order" | wc -l)
    echo "order-file.sh: $found of $total functions of $order are in $binary"
    if [ $((found * 100)) -lt $((total * 80)) ]; then
        echo "order-file.sh: fewer than 80 % remain: run \`make order-file\` (needs valgrind)" >&2
        exit 1
    fi
    readelf -SW "$binary" | grep ' \.text\.local ' > /dev/null || { echo "order-file.sh: no .text.local section: tools/local-text.ld was not applied" >&2; exit 1; }
    exit 0
fi
wick=${1:?usage: order-file.sh WICK_BINARY OUT_FILE}
out=${2:?usage: order-file.sh WICK_BINARY OUT_FILE}
command -v valgrind >/dev/null || { echo "order-file.sh: valgrind is needed (apt install valgrind)" >&2; exit 1; }
work=$(mktemp -d)
daemon=
cleanup() {
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# valgrind cannot read Swift's DWARF; the symbol table is all it needs.
strip --strip-debug -o "$work/wick" "$wick"
port=$((20000 + $$ % 20000))
mkdir "$work/units"
cat > "$work/units/greet.socket" <<EOF
[Socket]
ListenStream=127.0.0.1:$port
Accept=yes
EOF
cat > "$work/units/greet@.service" <<EOF
[Service]
ExecStart=/bin/echo hello
StandardInput=socket
EOF
cat > "$work/units/echo.socket" <<EOF
[Socket]
ListenStream=127.0.0.1:$((port + 1))
EOF
cat > "$work/units/echo.service" <<EOF
[Service]
ExecStart=/usr/bin/python3 -c "import socket; c, _ = socket.socket(fileno=3).accept(); c.sendall(c.recv(100))"
EOF
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.out" \
    "$work/wick" daemon --units "$work/units" --control "$work/control" > "$work/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 1 300); do [ -S "$work/control" ] && break; sleep 0.1; done
[ -S "$work/control" ] || { cat "$work/daemon.log" >&2; exit 1; }
python3 - "$port" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
def ask(p, data=b""):
    with socket.create_connection(("127.0.0.1", p), timeout=30) as s:
        if data: s.sendall(data)
        while s.recv(4096): pass
for _ in range(300):  # under valgrind the listeners come up after the control socket
    try: ask(port); break
    except ConnectionRefusedError: time.sleep(0.1)
for _ in range(30): ask(port)
EOF
# The connection path alone: the profile so far is dumped (part 1), then 30 more connections
# (part 2).
callgrind_control -d "$daemon" > /dev/null 2>&1
python3 - "$port" <<'EOF'
import socket, sys
port = int(sys.argv[1])
for _ in range(30):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        while s.recv(4096): pass
EOF
callgrind_control -d "$daemon" > /dev/null 2>&1
python3 - "$port" <<'EOF'
import socket, sys, time
port = int(sys.argv[1]) + 1
for _ in range(5):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"ping\n")
        while s.recv(4096): pass
    time.sleep(0.2)
EOF
for request in status list-units list-sockets "show greet.socket" "logs echo.service"; do
    # shellcheck disable=SC2086
    "$wick" $request --control "$work/control" > /dev/null || true
done
kill -TERM "$daemon"
wait "$daemon" || true
daemon=
# Then `wick activate` (its start-up with many listeners, a few connections, the stop): its own
# functions follow the daemon's.
listens=()
for offset in $(seq 2 41); do listens+=(-l "127.0.0.1:$((port + offset))"); done
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/activate.out" \
    "$work/wick" activate "${listens[@]}" --accept --inetd -- /bin/echo hello > "$work/activate.log" 2>&1 &
daemon=$!
python3 - "$((port + 2))" <<'EOF2'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(300):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            while s.recv(4096): pass
        break
    except ConnectionRefusedError: time.sleep(0.1)
for _ in range(5):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        while s.recv(4096): pass
EOF2
kill -TERM "$daemon"
wait "$daemon" || true
daemon=
# Function names in the order callgrind lists them (about their first call), once each; the
# addresses of unnamed code are left out. The connection path's part lists the functions that
# ran in it (`fn=`; a name is given once per file, at its first `fn=` or `cfn=`).
python3 - "$work/callgrind.out.2" > "$work/connection-path" <<'EOF'
import re, sys
names, ran = {}, []
for line in open(sys.argv[1]):
    match = re.match(r"^(c?)fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
    if not match:
        continue
    called, number, name = match.groups()
    if name:
        names[number] = name
    if not called:
        ran.append(number)
for number in ran:
    name = names.get(number, "")
    if name and not name.startswith("0x"):
        print(name)
EOF
for profile in "$work/callgrind.out.1" "$work/callgrind.out" "$work/activate.out"; do
    grep -E '^c?fn=' "$profile" | sed -E 's/^c?fn=\([0-9]+\) ?//' | grep -v -E '^$|^0x'
done | cat "$work/connection-path" - | awk '!seen[$0]++' > "$out"
echo "order-file.sh: $(wc -l < "$out") functions in $out" >&2
