#!/usr/bin/env bash
# Soak (not part of make test): the release daemon serves CONNECTIONS Accept=yes connections
# (default 1,000,000) while a crash loop (Restart=always, RestartSec=0, no start limit) runs for
# MINUTES (default 10); the daemon's RSS, fd count and zombie count are printed every minute.
# docs/reliability.md keeps the output of a real run.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-1000000}
minutes=${2:-10}
wick=${WICK:-.build/release/wick}
[ -x "$wick" ] || swift build -c release --product wick
dir=$(mktemp -d /tmp/wick-soak-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/echo.socket" <<UNIT
[Socket]
ListenStream=127.0.0.1:$port
Accept=yes
TriggerLimitIntervalSec=0
PollLimitIntervalSec=0
Backlog=1024
UNIT
cat > "$dir/echo@.service" <<UNIT
[Service]
ExecStart=/bin/echo pong
StandardInput=socket
UNIT
cat > "$dir/crash.service" <<UNIT
[Unit]
StartLimitIntervalSec=0
[Service]
ExecStart=/bin/sh -c 'echo crash; exit 1'
Restart=always
RestartSec=0
[Install]
WantedBy=multi-user.target
UNIT
"$wick" daemon --units "$dir" --runtime-dir "$dir/run" > "$dir/log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -S "$dir/run/wick/control" ] && break; sleep 0.1; done
sample() {
  local rss fds zombies
  rss=$(awk '/VmRSS/ {print $2}' /proc/$daemon/status)
  fds=$(ls /proc/$daemon/fd | wc -l)
  zombies=$(ps --ppid $daemon -o stat= | grep -c Z || true)
  printf '%s  minute %-3s rss %6s KiB  fds %4s  zombies %s  served %s  restarts %s\n' "$(date +%T)" "$1" "$rss" "$fds" "$zombies" \
    "$(cat "$dir/served" 2>/dev/null || echo 0)" \
    "$(WICK_CONTROL=$dir/run/wick/control "$wick" show crash.service 2>/dev/null | sed -n 's/^NRestarts=//p')"
}
python3 - "$port" "$connections" "$dir/served" <<'PY' &
import socket, sys, multiprocessing
port, total, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def work(count, counter):
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        data = b""
        while True:
            chunk = s.recv(64)
            if not chunk: break
            data += chunk
        s.close()
        if data == b"pong\n":
            with counter.get_lock(): counter.value += 1
counter = multiprocessing.Value("q", 0)
workers = [multiprocessing.Process(target=work, args=(total // 2, counter)) for _ in range(2)]
for w in workers: w.start()
import time
while any(w.is_alive() for w in workers):
    open(out, "w").write(str(counter.value)); time.sleep(1)
open(out, "w").write(str(counter.value))
PY
client=$!
sample 0
for minute in $(seq 1 "$minutes"); do
  sleep 60
  sample "$minute"
done
while kill -0 $client 2>/dev/null; do sleep 60; minute=$((minute + 1)); sample "$minute"; done
wait $client || true
WICK_CONTROL=$dir/run/wick/control "$wick" stop crash.service >/dev/null
sleep 1
sample end
echo "soak: $(cat "$dir/served") of $connections connections answered"
