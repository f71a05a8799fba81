"""An independent Socket.IO client for Parley's tests (python-socketio, Engine.IO v4 / Socket.IO v5).

Connects to one namespace with auth.token, optionally streams a WAV file as live audio
(audio:start, audio chunks as binary, audio:end), records every event, and prints one JSON
object: {"connected", "error", "transport", "events": [{"name", "data"}], "acks": [...]}.
By default it uses the library's default transports, as users run it: HTTP long-polling first,
then the upgrade to a WebSocket.
"""
import argparse
import json
import os
import sys
import threading
import time
import wave

import socketio


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--audio", help="16 kHz mono 16-bit WAV to stream live")
    parser.add_argument("--drop", action="store_true", help="disconnect after the audio without audio:end")
    parser.add_argument("--until", default="completed", help="stop after processing:status with this status")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--ready-file", help="touched once connected")
    parser.add_argument("--stop-file", help="disconnect as soon as this file exists (instead of waiting for --until)")
    parser.add_argument("--call", action="append", default=[], help="EVENT=JSON: emit with an acknowledgement after connecting")
    parser.add_argument("--transports", default="default",
                        help="default (the library's: long-polling, then the upgrade to WebSocket), websocket, or polling")
    args = parser.parse_args()

    events = []
    acks = []
    done = threading.Event()
    result = {"connected": False, "error": None}
    # The library's defaults but for patience: a test machine busy with the whole suite can take
    # longer than engineio's 5 s to answer one HTTP request.
    sio = socketio.Client(reconnection=False, logger=True, engineio_logger=True, request_timeout=30)

    @sio.on("*", namespace=args.namespace)
    def any_event(name, data=None):
        events.append({"name": name, "data": data})
        if name == "processing:status" and isinstance(data, dict):
            status = (data.get("data") or {}).get("status")
            if status in (args.until, "failed"):
                done.set()

    @sio.on("connect_error", namespace=args.namespace)
    def connect_error(data=None):
        result["error"] = data
        done.set()

    try:
        options = {} if args.transports == "default" else {"transports": args.transports.split(",")}
        sio.connect(args.url, namespaces=[args.namespace], auth={"token": args.token}, wait_timeout=10, **options)
        result["connected"] = True
    except socketio.exceptions.ConnectionError as error:
        result["error"] = result["error"] or str(error)
        print(json.dumps({**result, "events": events, "acks": acks}))
        return 0

    if args.ready_file:
        open(args.ready_file, "w").close()

    for call in args.call:
        event, _, payload = call.partition("=")
        acks.append(sio.call(event, json.loads(payload) if payload else None, namespace=args.namespace, timeout=60))

    if args.audio:
        with wave.open(args.audio, "rb") as recording:
            rate = recording.getframerate()
            frames = recording.readframes(recording.getnframes())
        acks.append(sio.call("audio:start", {"sampleRate": rate, "encoding": "pcm16"}, namespace=args.namespace, timeout=60))
        step = rate // 4 * 2  # a quarter of a second of 16-bit samples
        for offset in range(0, len(frames), step):
            sio.emit("audio", frames[offset:offset + step], namespace=args.namespace)
            time.sleep(0.02)
        if args.drop:
            sio.disconnect()
            print(json.dumps({**result, "events": events, "acks": acks}))
            return 0
        acks.append(sio.call("audio:end", namespace=args.namespace, timeout=60))

    deadline = time.monotonic() + args.timeout
    while not done.is_set() and time.monotonic() < deadline:
        if args.stop_file and os.path.exists(args.stop_file):
            break
        done.wait(0.1)
    result["transport"] = sio.transport()
    sio.disconnect()
    print(json.dumps({**result, "events": events, "acks": acks}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
