#!/usr/bin/env python3
"""A tiny HTTP server for wick's example units: takes its listening socket from the service manager
(LISTEN_FDS/LISTEN_PID, as sd_listen_fds(3)) and exits after --idle seconds without a request."""
import argparse
import http.server
import os
import socket
import sys


def listening_socket():
    if os.environ.get("LISTEN_PID") != str(os.getpid()) or int(os.environ.get("LISTEN_FDS", "0")) < 1:
        sys.exit("idle-http: no socket passed (run me under wick or systemd-socket-activate)")
    return socket.socket(fileno=3)


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello from a socket-activated service (pid {os.getpid()}, fd names {os.environ.get('LISTEN_FDNAMES')})\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    server = http.server.HTTPServer(("127.0.0.1", 0), Hello, bind_and_activate=False)
    server.socket.close()
    server.socket = listening_socket()
    server.timeout = args.idle
    while True:
        handled = []
        server.handle_timeout = lambda: handled.append(False)
        server.handle_request()
        if handled:
            print(f"idle for {args.idle:g} s, exiting; wick listens again")
            return


if __name__ == "__main__":
    main()
