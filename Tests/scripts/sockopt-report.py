#!/usr/bin/env python3
"""Reports, from inside an activated service, the options set on its passed sockets (wick's
tests): argv[1] is the output file; fd 3 is a TCP listener, fd 4 a UDP socket."""
import socket, sys

tcp = socket.socket(fileno=3)
udp = socket.socket(fileno=4)
values = {
    "keepalive": tcp.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    "keepidle": tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
    "keepintvl": tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
    "keepcnt": tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
    "nodelay": tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
    "pktinfo": udp.getsockopt(socket.IPPROTO_IP, 8),  # IP_PKTINFO
    "timestampns": udp.getsockopt(socket.SOL_SOCKET, 35),  # SO_TIMESTAMPNS
}
with open(sys.argv[1], "w") as out:
    out.write(" ".join(f"{k}={v}" for k, v in values.items()) + "\n")
tcp.detach()
udp.detach()
