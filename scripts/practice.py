#!/usr/bin/env python3
"""Typed role-play against Parley's AI prospect from a terminal (standard library only).

Usage: scripts/practice.py EMAIL PASSWORD [SCENARIO_ID] [--base http://127.0.0.1:8000]
Type what you would say; /pause, /resume and /end control the session.
"""
import base64, json, os, socket, sys, threading, urllib.request

def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request) as response:
        return json.load(response)

class Socket:
    """A minimal RFC 6455 client: text frames, masked as clients must."""
    def __init__(self, url):
        rest = url.split("://", 1)[1]
        hostport, path = (rest.split("/", 1) + [""])[:2]
        host, port = (hostport.split(":") + ["80"])[:2]
        self.sock = socket.create_connection((host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise SystemExit("connection refused: " + head.decode(errors="replace").split("\r\n")[0])

    def send(self, message):
        data = json.dumps(message).encode()
        mask = os.urandom(4)
        length = len(data)
        header = bytes([0x81]) + (bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + length.to_bytes(2, "big")
                                  if length < 65536 else bytes([0x80 | 127]) + length.to_bytes(8, "big"))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def receive(self):
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(self._read(2), "big")
        elif length == 127:
            length = int.from_bytes(self._read(8), "big")
        payload = self._read(length)
        if first & 0x0F == 0x8:
            raise EOFError
        return json.loads(payload) if first & 0x0F == 0x1 else None

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--base")]
    base = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--base=")), "http://127.0.0.1:8000")
    if len(args) < 2:
        raise SystemExit(__doc__)
    token = call(base, "POST", "/api/v1/auth/login", {"email": args[0], "password": args[1]})["access_token"]
    session = call(base, "POST", "/api/v1/sessions", {"scenario_id": int(args[2]) if len(args) > 2 else 1}, token)
    scenario = call(base, "GET", f"/api/v1/scenarios/{session['scenario_id']}", token=token)
    print(f"Scenario: {scenario['title']} ({scenario['difficulty']}). Session {session['id']}.\n")
    ws = Socket(session["websocket_url"] + "?token=" + token)
    ws.send({"type": "config", "data": {"format": "text"}})

    def listen():
        try:
            while True:
                message = ws.receive()
                if not message:
                    continue
                kind, data = message.get("type"), message.get("data") or {}
                if kind == "ai_response":
                    print(f"\n{scenario.get('prospect_persona', {}).get('name', 'Prospect')}: {data['text']}\n> ", end="", flush=True)
                elif kind == "coaching":
                    print(f"\n  [coach, {data['category']}] {data['message']}\n> ", end="", flush=True)
                elif kind == "session_ended":
                    print(f"\nSession ended ({data.get('reason')}). Metrics: {json.dumps(data.get('performance_metrics'), indent=2)}")
                    os._exit(0)
                elif kind == "error":
                    print(f"\n  [error {message['error_code']}] {message['message']}\n> ", end="", flush=True)
        except EOFError:
            os._exit(0)

    threading.Thread(target=listen, daemon=True).start()
    for line in sys.stdin:
        line = line.strip()
        if line in ("/pause", "/resume", "/end"):
            ws.send({"type": "control", "action": line[1:]})
        elif line:
            ws.send({"type": "text", "data": line})
    ws.send({"type": "control", "action": "end"})
    threading.Event().wait(5)

if __name__ == "__main__":
    main()
