#!/bin/bash
# The corpus consumer scenarios under `wick daemon`, from the unit files in
# ../shared/corpus/consumers/units used unchanged (they name /tmp/wick-corpus and fixed ports).
# Usage (as root, for sshd's /run/sshd): consumers-daemon.sh WICK CORPUS_DIR. Prints "N passed, N failed"; exits 1 on a failure.
set -u
wick=${1:?usage: consumers-daemon.sh WICK CORPUS_DIR}
corpus=${2:?usage: consumers-daemon.sh WICK CORPUS_DIR}
base=/tmp/wick-corpus
rm -rf "$base" && mkdir -p "$base/www" "$base/uuidd" "$base/dbus" "$base/sshd"
echo "hello from micro-httpd" > "$base/www/index.html"
ssh-keygen -q -t ed25519 -N '' -f "$base/sshd/hostkey"
printf 'HostKey %s\nPidFile none\nUsePAM no\n' "$base/sshd/hostkey" > "$base/sshd/sshd_config"
mkdir -p /run/sshd   # the privilege-separation directory sshd insists on (as the recipe does)
log=$(mktemp)
setsid "$wick" daemon --units "$corpus/consumers/units" --runtime-dir "$base/run" >"$log" 2>&1 </dev/null &
daemon=$!
cleanup() {
    kill -TERM "$daemon" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.05; done
    kill -KILL -- "-$daemon" 2>/dev/null
    rm -rf "$base" "$log"
}
trap cleanup EXIT
for _ in $(seq 1 100); do grep -q 'loaded' "$log" && [ -S "$base/dbus/bus" ] && break; sleep 0.05; done

pass=0; failed=0
check() {  # check NAME COMMAND...: passes when the command succeeds
    local name=$1; shift
    if out=$("$@" 2>&1); then pass=$((pass+1)); echo "PASS $name"; else failed=$((failed+1)); echo "FAIL $name: $out"; fi
}
micro_httpd() { [ "$(curl -sS --max-time 5 http://127.0.0.1:18080/index.html)" = "hello from micro-httpd" ]; }
uuidd_time() { timeout 10 uuidd --socket "$base/uuidd/request" --time --uuids 3 | grep -qiE '[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-'; }
gunicorn_both() {
    curl -sS --max-time 10 http://127.0.0.1:18000/ | grep -q "Hello world" &&
    curl -sS --max-time 10 http://127.0.0.1:18001/ | grep -q "Hello world"
}
dbus_getid() {
    timeout 10 dbus-send --bus="unix:path=$base/dbus/bus" --print-reply --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.GetId | grep -q string
}
sshd_keyscan() {
    ssh-keyscan -T 5 -t ed25519 -p 18022 127.0.0.1 2>/dev/null | grep -q "$(cut -d' ' -f2 "$base/sshd/hostkey.pub")"
}
check micro-httpd micro_httpd
check micro-httpd-again micro_httpd
check uuidd uuidd_time
check gunicorn gunicorn_both
check dbus-daemon dbus_getid
check sshd-inetd sshd_keyscan
[ $failed = 0 ] || sed 's/^/  wick: /' "$log"
echo "$pass passed, $failed failed"
[ $failed = 0 ]
