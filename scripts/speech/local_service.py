"""What Parley's local services share: a quiet JSON request handler and the supervised start-up.

Every service binds 127.0.0.1, prints `PARLEY_SERVICE_LISTENING port=N load_seconds=S` on stdout
once its model is loaded (the supervisor in ParleySpeech reads that line), and exits when its
standard input closes, so it never outlives the process that started it.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no access log (stdout belongs to the supervisor), JSON answers."""

    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_error_json(self, status: int, message: str, kind: str = "invalid_request_error", param=None) -> None:
        """The OpenAI error shape: {"error": {"message", "type", "param", "code"}}."""
        self.send_json(status, {"error": {"message": message, "type": kind, "param": param, "code": None}})


def exit_when_parent_goes() -> None:
    """Standard input is a pipe from the supervisor: end of file means it is gone."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def serve(handler, host: str = "127.0.0.1", port: int = 0, started: float = 0.0, watch_parent: bool = True) -> None:
    """Serves `handler` until killed, after announcing the port the supervisor waits for."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    if watch_parent:
        threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(f"PARLEY_SERVICE_LISTENING port={server.server_address[1]} load_seconds={time.monotonic() - started:.2f}", flush=True)
    server.serve_forever()
