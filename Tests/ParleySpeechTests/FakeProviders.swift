import Foundation
@testable import ParleySpeech

/// Local stand-ins for the paid hosted APIs, speaking their real protocols over HTTP:
/// OpenAI transcription and speech, Deepgram pre-recorded listen, ElevenLabs and Cartesia text-to-speech.
/// They check credentials and request shapes as the providers do, derive their answers from
/// what they received (audio length, text length, speed), and record each request for asserts.
final class FakeProviders: @unchecked Sendable {
    static let openAIKey = "sk-test-openai"
    static let deepgramKey = "dg-test-key"
    static let elevenLabsKey = "xi-test-key"
    static let cartesiaKey = "sk_car_test"

    private let child: ChildProcess
    private let script: URL
    let port: Int

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init() async throws {
        script = FileManager.default.temporaryDirectory.appendingPathComponent("fake-providers-\(UUID()).py")
        try Data(Self.source.utf8).write(to: script)
        child = try ChildProcess(
            executable: "/usr/bin/python3", arguments: [script.path], environment: ProcessInfo.processInfo.environment,
            readyMarker: "FAKE_PROVIDERS_LISTENING port="
        ) { _ in }
        for _ in 0..<200 where child.port == nil && child.isRunning {
            try await Task.sleep(for: .milliseconds(25))
        }
        guard let port = child.port else { throw SpeechError.serviceUnavailable(service: "fake providers", reason: child.errorTail) }
        self.port = port
    }

    /// The WebSocket URL root of the fake Deepgram live API.
    var webSocketBase: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// The requests received so far, as the fake summarised them.
    func requests() async throws -> [[String: Any]] {
        let response = try await ProviderHTTP(provider: "fake", timeout: .seconds(5)).send(.GET, baseURL.appendingPathComponent("_requests"), headers: [])
        return (try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]]) ?? []
    }

    deinit {
        child.terminate()
        try? FileManager.default.removeItem(at: script)
    }

    static let source = #"""
import base64, email.parser, email.policy, hashlib, io, json, math, os, struct, sys, threading, wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

REQUESTS = []
OPENAI_VOICES = {"alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer"}

def tone(seconds, rate):
    n = int(seconds * rate)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(n))

def wav_seconds(data):
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / w.getframerate()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass

    def reply(self, status, body, content_type="application/json"):
        if not isinstance(body, bytes): body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_requests": return self.reply(200, REQUESTS)
        if self.path.startswith("/v1/listen") and self.headers.get("Upgrade", "").lower() == "websocket":
            return self.live()
        self.reply(404, {"error": {"message": "not found"}})

    # Deepgram live: linear16 frames in; interim Results every 0.5 s of speech; an utterance ends
    # after 300 ms below the energy gate (endpointing=300) with is_final and speech_final.
    def live(self):
        url = urlparse(self.path); query = {k: v[0] for k, v in parse_qs(url.query).items()}
        REQUESTS.append({"path": url.path, "query": query, "websocket": True})
        if self.headers.get("Authorization") != "Token dg-test-key":
            return self.reply(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."})
        if query.get("encoding") != "linear16" or query.get("sample_rate") != "16000":
            return self.reply(400, {"err_msg": "expected linear16 at 16000 Hz"})
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket"); self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept); self.end_headers(); self.wfile.flush()
        def send(opcode, data):
            n = len(data)
            head = bytes([0x80 | opcode]) + (bytes([n]) if n < 126 else bytes([126]) + struct.pack(">H", n) if n < 65536 else bytes([127]) + struct.pack(">Q", n))
            self.wfile.write(head + data); self.wfile.flush()
        def results(start, end, final, speech_final, count):
            words = [{"word": "word", "punctuated_word": f"word{i}", "start": start + (end - start) * i / max(count, 1),
                      "end": start + (end - start) * (i + 1) / max(count, 1), "confidence": 0.9} for i in range(count)]
            send(1, json.dumps({"type": "Results", "channel_index": [0, 1], "start": start, "duration": end - start,
                "is_final": final, "speech_final": speech_final,
                "channel": {"alternatives": [{"transcript": " ".join(w["punctuated_word"] for w in words), "confidence": 0.9, "words": words}]}}).encode())
        samples = 0; speech_start = None; last_speech = 0; last_interim = 0; pending = b""
        while True:
            b1, b2 = self.rfile.read(2); opcode = b1 & 0x0F; n = b2 & 0x7F
            if not b2 & 0x80:
                send(8, struct.pack(">H", 1002) + b"client frames must be masked"); return
            if n == 126: n = struct.unpack(">H", self.rfile.read(2))[0]
            elif n == 127: n = struct.unpack(">Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4); data = bytearray(self.rfile.read(n))
            for i in range(n): data[i] ^= mask[i % 4]
            if opcode == 2:
                pending += bytes(data)
                while len(pending) >= 640:
                    frame, pending = pending[:640], pending[640:]
                    values = struct.unpack("<320h", frame)
                    rms = math.sqrt(sum(v * v for v in values) / 320) / 32768
                    t = samples / 16000; samples += 320
                    if rms > 0.01:
                        if speech_start is None: speech_start = t; last_interim = t
                        last_speech = t + 0.02
                        if t - last_interim >= 0.5:
                            last_interim = t; results(speech_start, t, False, False, int((t - speech_start) / 0.25))
                    elif speech_start is not None and t - last_speech >= 0.3:
                        results(speech_start, last_speech, True, True, max(1, int((last_speech - speech_start) / 0.25)))
                        speech_start = None
            elif opcode == 1 and json.loads(bytes(data)).get("type") == "CloseStream":
                if speech_start is not None:
                    results(speech_start, last_speech, True, True, max(1, int((last_speech - speech_start) / 0.25)))
                send(1, json.dumps({"type": "Metadata", "duration": samples / 16000}).encode())
                send(8, struct.pack(">H", 1000)); return
            elif opcode == 8:
                return

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlparse(self.path); query = parse_qs(url.query)
        record = {"path": url.path, "query": {k: v[0] for k, v in query.items()}}
        REQUESTS.append(record)
        if url.path == "/v1/audio/transcriptions":
            if self.headers.get("Authorization") != "Bearer sk-test-openai":
                return self.reply(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
            fields = {}
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                fields.setdefault(name, []).append(payload if part.get_filename() else payload.decode())
            record["fields"] = {k: v for k, v in fields.items() if k != "file"}
            if "model" not in fields or "file" not in fields:
                return self.reply(400, {"error": {"message": "model and file are required"}})
            seconds = wav_seconds(fields["file"][0])
            words = [{"word": "Hello", "start": 0.1, "end": 0.4}, {"word": "world", "start": 0.5, "end": min(0.9, seconds)}]
            return self.reply(200, {"task": "transcribe", "language": "english", "duration": seconds,
                "text": "Hello world. Second part.",
                "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 1.0, "text": " Hello world.", "avg_logprob": -0.1},
                             {"id": 1, "seek": 0, "start": 1.0, "end": seconds, "text": " Second part.", "avg_logprob": -0.2}],
                "words": words + [{"word": "Second", "start": 1.1, "end": 1.4}, {"word": "part", "start": 1.5, "end": 1.8}]})
        if url.path == "/v1/audio/speech":
            if self.headers.get("Authorization") != "Bearer sk-test-openai":
                return self.reply(401, {"error": {"message": "Incorrect API key provided"}})
            request = json.loads(body); record["json"] = request
            if request.get("voice") not in OPENAI_VOICES:
                return self.reply(400, {"error": {"message": f"Invalid voice {request.get('voice')}"}})
            seconds = 0.06 * len(request["input"]) / float(request.get("speed", 1.0))
            return self.reply(200, tone(seconds, 24000), "audio/pcm")
        if url.path == "/v1/listen":
            if self.headers.get("Authorization") != "Token dg-test-key":
                return self.reply(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."})
            record["content_type"] = self.headers.get("Content-Type")
            seconds = wav_seconds(body)
            words = [{"word": "hello", "punctuated_word": "Hello", "start": 0.2, "end": 0.5, "confidence": 0.98},
                     {"word": "there", "punctuated_word": "there.", "start": 0.6, "end": 0.9, "confidence": 0.91}]
            alt = {"transcript": "Hello there.", "confidence": 0.95, "words": words}
            result = {"metadata": {"duration": seconds, "channels": 1},
                      "results": {"channels": [{"alternatives": [alt]}]}}
            if query.get("utterances") == ["true"]:
                result["results"]["utterances"] = [{"start": 0.2, "end": 0.9, "confidence": 0.95, "channel": 0,
                    "transcript": "Hello there.", "words": words, "speaker": 0, "id": "u1"}]
            return self.reply(200, result)
        if url.path.startswith("/v1/text-to-speech/"):
            if self.headers.get("xi-api-key") != "xi-test-key":
                return self.reply(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
            request = json.loads(body); record["json"] = request
            voice = url.path.rsplit("/", 1)[1]; record["voice"] = voice
            fmt = query.get("output_format", ["mp3_44100_128"])[0]
            if fmt != "pcm_16000":
                return self.reply(422, {"detail": {"message": f"fake only makes pcm_16000, not {fmt}"}})
            seconds = 0.06 * len(request["text"]) / float(request.get("voice_settings", {}).get("speed", 1.0))
            return self.reply(200, tone(seconds, 16000), "audio/pcm")
        if url.path == "/tts/bytes":
            if self.headers.get("Authorization") != "Bearer sk_car_test":
                return self.reply(401, {"error": "Invalid API key", "title": "Unauthorized"})
            if not self.headers.get("Cartesia-Version"):
                return self.reply(400, {"error": "Cartesia-Version header is required", "title": "Bad Request"})
            record["version"] = self.headers.get("Cartesia-Version")
            request = json.loads(body); record["json"] = request
            voice = request.get("voice", {})
            fmt = request.get("output_format", {})
            if voice.get("mode") != "id" or not voice.get("id") or not request.get("transcript") or not request.get("model_id"):
                return self.reply(400, {"error": "model_id, transcript and voice {mode: id, id} are required", "title": "Bad Request"})
            if fmt != {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 16000}:
                return self.reply(400, {"error": f"fake only makes raw pcm_s16le at 16000, not {fmt}", "title": "Bad Request"})
            record["voice"] = voice["id"]
            speed = float(request.get("generation_config", {}).get("speed", 1.0))
            seconds = 0.06 * len(request["transcript"]) / speed
            return self.reply(200, tone(seconds, 16000), "audio/pcm")
        self.reply(404, {"error": {"message": f"no route {url.path}"}})

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
print(f"FAKE_PROVIDERS_LISTENING port={server.server_address[1]} ", flush=True)
server.serve_forever()
"""#
}
