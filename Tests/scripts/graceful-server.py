#!/usr/bin/env python3
"""A socket-activated server (Accept=no) that answers "ok" to every connection on fd 3 and, on
SIGTERM, finishes the connection in hand and exits: what nginx or gunicorn do on a graceful stop.
Connections it did not accept stay in the listening socket's backlog for the next instance."""
import os
import signal
import socket

stopping = False


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)
assert os.environ.get("LISTEN_FDS") == "1" and os.environ.get("LISTEN_PID") == str(os.getpid())
listener = socket.socket(fileno=3)
listener.settimeout(0.05)
while not stopping:
    try:
        connection, _ = listener.accept()
    except (TimeoutError, socket.timeout):
        continue
    with connection:
        connection.settimeout(None)
        connection.sendall(b"ok %d\n" % os.getpid())
