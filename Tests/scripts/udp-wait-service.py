#!/usr/bin/env python3
"""An inetd "wait"-style UDP service (StandardInput=socket, Accept=no): stdin is the listening
datagram socket itself. Answers every datagram waiting, then exits once idle for 0.3 s, so that
the next datagram activates it again. Reports LISTEN_FDS (systemd passes none in this mode)."""
import os, select, socket, sys

sock = socket.socket(fileno=0)
while select.select([sock], [], [], 0.3)[0]:
    data, peer = sock.recvfrom(512)
    sock.sendto(b"pid=%d listen_fds=%s got=%s" % (os.getpid(), os.environ.get("LISTEN_FDS", "none").encode(), data), peer)
sock.detach()
