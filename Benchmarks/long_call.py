#!/usr/bin/env python3
"""A voice agent's web call held for a long time (30 minutes by default), in real time, while the
server's resident memory is sampled: the aim is flat memory over the call.

The caller speaks espeak-ng lines as 16 kHz PCM over /agents/{id}/web-call in 100 ms frames at
real-time pace, with a pause after each, so the agent recognises each turn, answers it, stores it
and speaks. When the agent ends the call (its playbook runs out of things to say), a new call
starts at once: the measure is the server process over the whole period.

Usage (a release server on this machine; its pid is found from the port):
    .build/release/parley serve &    # PARLEY_PORT=8125 …
    .venv/bin/python Benchmarks/long_call.py --base-url http://127.0.0.1:8125 --minutes 30

Prints one line a minute (minute, RSS MB, turns so far) and a final JSON line with the RSS series,
the growth from the first to the last sample and its slope in MB per minute.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import wave

import websocket

LINES = [
    "Yes I have a minute, go ahead.",
    "We book every job by phone and it takes hours every week.",
    "Mostly the office manager does it, with a shared spreadsheet.",
    "Price matters to us, we are a small team.",
    "Maybe, send me something by email first.",
    "Next Tuesday afternoon could work.",
]


def api(base, path, body=None, token=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None,
                                     method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def pcm(text):
    """espeak-ng speech as 16 kHz mono 16-bit PCM bytes."""
    path = os.path.join(tempfile.mkdtemp(), "line.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", path, text], check=True)
    with wave.open(path, "rb") as source:
        rate, frames = source.getframerate(), source.readframes(source.getnframes())
    samples = [int.from_bytes(frames[i:i + 2], "little", signed=True) for i in range(0, len(frames), 2)]
    out = bytearray()
    step = rate / 16000
    position = 0.0
    while position < len(samples) - 1:
        index = int(position)
        fraction = position - index
        value = int(samples[index] * (1 - fraction) + samples[index + 1] * fraction)
        out += value.to_bytes(2, "little", signed=True)
        position += step
    return bytes(out)


def server_pid(port):
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    for part in out.split("pid=")[1:]:
        return int(part.split(",")[0])
    raise SystemExit(f"no process listens on port {port}")


def rss_mb(pid):
    """Resident memory of the server and its child processes (the embedded speech services)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0) / 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return total


def own_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--minutes", type=float, default=30)
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    pid = server_pid(int(base.rsplit(":", 1)[1]))
    email = f"long-call-{int(time.time())}@example.com"
    api(base, "/auth/register", {"email": email, "password": "longcall123", "first_name": "Long", "last_name": "Call"})
    token = api(base, "/auth/login", {"email": email, "password": "longcall123"})["token"]
    agent = api(base, "/agents", {"name": "Marathon", "description": "Books demos of our scheduling assistant",
                                  "call_control": {"max_duration_seconds": 3600, "silence_timeout_seconds": 30}}, token)["id"]
    speech = [pcm(line) for line in LINES]
    silence = b"\x00\x00" * 1600  # 100 ms
    turns = [0]
    calls = [0]
    stop = time.time() + args.minutes * 60
    samples = []
    server_only = []

    def caller():
        while time.time() < stop:
            ws = websocket.create_connection(base.replace("http", "ws", 1) + f"/agents/{agent}/web-call?token={token}", timeout=120)
            calls[0] += 1
            ws.send(json.dumps({"type": "config", "data": {"sample_rate": 16000, "channels": 1, "format": "pcm"}}))
            ended = [False]

            def listen():
                while True:
                    try:
                        message = json.loads(ws.recv())
                    except Exception:
                        break
                    if message.get("type") == "ai_response":
                        turns[0] += 1
                    if message.get("type") == "session_ended":
                        ended[0] = True
                        break

            threading.Thread(target=listen, daemon=True).start()
            index = 0
            while not ended[0] and time.time() < stop:
                audio = speech[index % len(speech)] + silence * 25  # the line, then 2.5 s of quiet
                index += 1
                for start in range(0, len(audio), 3200):
                    if ended[0] or time.time() >= stop:
                        break
                    ws.send(json.dumps({"type": "audio", "data": base64.b64encode(audio[start:start + 3200]).decode()}))
                    time.sleep(0.1)
                for _ in range(40):  # the agent's answer plays (about 4 s)
                    if ended[0] or time.time() >= stop:
                        break
                    ws.send(json.dumps({"type": "audio", "data": base64.b64encode(silence).decode()}))
                    time.sleep(0.1)
            try:
                ws.send(json.dumps({"type": "control", "action": "end"}))
                ws.close()
            except Exception:
                pass

    thread = threading.Thread(target=caller, daemon=True)
    thread.start()
    started = time.time()
    minute = 0
    while time.time() < stop:
        samples.append(round(rss_mb(pid), 1))
        server_only.append(round(own_rss_mb(pid), 1))
        print(f"minute {minute:3d}: RSS {samples[-1]:7.1f} MB with its speech services ({server_only[-1]:.1f} MB the server alone), "
              f"{turns[0]} agent turns in {calls[0]} call(s)", flush=True)
        minute += 1
        time.sleep(max(0, started + minute * 60 - time.time()))
    samples.append(round(rss_mb(pid), 1))
    server_only.append(round(own_rss_mb(pid), 1))
    thread.join(timeout=30)
    # Growth after the first five minutes (engines and caches warm up first), as a least-squares slope.
    def slope(series):
        tail = series[5:] if len(series) > 10 else series
        n = len(tail)
        mean_x, mean_y = (n - 1) / 2, sum(tail) / n
        return round(sum((i - mean_x) * (y - mean_y) for i, y in enumerate(tail)) / max(1e-9, sum((i - mean_x) ** 2 for i in range(n))), 3)

    print(json.dumps({"minutes": args.minutes, "calls": calls[0], "agent_turns": turns[0], "rss_mb": samples, "server_rss_mb": server_only,
                      "growth_mb": round(samples[-1] - samples[0], 1), "slope_mb_per_minute_after_warmup": slope(samples),
                      "server_slope_mb_per_minute_after_warmup": slope(server_only)}))


if __name__ == "__main__":
    main()
