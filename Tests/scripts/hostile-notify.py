#!/usr/bin/env python3
"""A hostile sd_notify(3) client for wick's tests: sends each argument as one datagram to
$NOTIFY_SOCKET, then sleeps (so that it stays the unit's main process).

Arguments:  TEXT            one datagram (\\n in TEXT is a newline)
            @pidfile:PATH   MAINPID= of the pid written in PATH (another unit's process)
            @parent         MAINPID= of this process's parent (wick itself)
            @dead           MAINPID= of a child that has exited and been reaped
            @flood:N        N datagrams of WATCHDOG=1 as fast as possible
            @fds            a datagram with 3 fds attached and no FDSTORE=1
            @bytes:HEX      raw bytes (invalid UTF-8 and NULs)
            @sleep:S        sleep S seconds before the next argument
"""
import os, socket, subprocess, sys, time

address = os.environ["NOTIFY_SOCKET"]
if address.startswith("@"):
    address = "\0" + address[1:]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.connect(address)

def send(data):
    try:
        sock.send(data)
    except OSError as error:   # EAGAIN under a flood, EMSGSIZE for a datagram over the limit
        print(f"send: {error}", flush=True)

for argument in sys.argv[1:]:
    if argument.startswith("@pidfile:"):
        pid = 0
        for _ in range(200):
            try:
                pid = int(open(argument[9:]).read().strip())
                break
            except (OSError, ValueError):
                time.sleep(0.05)
        send(f"MAINPID={pid}".encode())
    elif argument == "@parent":
        send(f"MAINPID={os.getppid()}".encode())
    elif argument == "@dead":
        child = subprocess.Popen(["/bin/true"])
        child.wait()
        send(f"MAINPID={child.pid}".encode())
    elif argument.startswith("@flood:"):
        for _ in range(int(argument[7:])):
            send(b"WATCHDOG=1")
    elif argument == "@fds":
        fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)]
        socket.send_fds(sock, [b"STATUS=with fds"], fds)
    elif argument.startswith("@bytes:"):
        send(bytes.fromhex(argument[7:]))
    elif argument.startswith("@sleep:"):
        time.sleep(float(argument[7:]))
    else:
        send(argument.replace("\\n", "\n").encode())
print("hostile-notify: sent", flush=True)
time.sleep(1000)
