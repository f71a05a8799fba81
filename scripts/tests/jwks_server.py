#!/usr/bin/env python3
"""A local stand-in for Google's published signing keys (https://www.googleapis.com/oauth2/v3/certs):
serves the JWKS file it is given at GET /oauth2/v3/certs with `Cache-Control: public, max-age=N`,
as Google does, and counts the fetches (GET /__fake/count), so a test can see the keys are cached.

Usage: jwks_server.py --port-file F --jwks keys.json [--max-age 3600]
"""
import argparse
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})  # a Swift parent passes them on blocked
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--jwks", required=True)
    parser.add_argument("--max-age", type=int, default=3600)
    args = parser.parse_args()
    body = open(args.jwks, "rb").read()
    count = {"fetches": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send(self, status, data, headers=()):
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/oauth2/v3/certs":
                with lock:
                    count["fetches"] += 1
                return self.send(200, body, [("Cache-Control", f"public, max-age={args.max_age}, must-revalidate, no-transform")])
            if self.path == "/__fake/count":
                with lock:
                    return self.send(200, json.dumps(count).encode())
            self.send(404, b'{"error": "not found"}')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
