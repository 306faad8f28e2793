#!/usr/bin/env python3
"""A Type=simple service with WatchdogSec= (wick's tests): writes what it was given
(WATCHDOG_USEC, whether WATCHDOG_PID is its own pid, whether NOTIFY_SOCKET is set) to argv[1],
then pings WATCHDOG=1 every second, as sd_watchdog_enabled(3) clients do."""
import os, socket, sys, time

usec = os.environ.get("WATCHDOG_USEC", "")
own = os.environ.get("WATCHDOG_PID", "") == str(os.getpid())
address = os.environ.get("NOTIFY_SOCKET", "")
with open(sys.argv[1], "w") as out:
    out.write(f"usec={usec} own-pid={own} notify={'yes' if address else 'no'}\n")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.connect(address)
while True:
    sock.send(b"WATCHDOG=1")
    time.sleep(1)
