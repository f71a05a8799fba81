import Foundation
@testable import ParleySpeech

/// Local stand-ins for the paid hosted APIs, speaking their real protocols over HTTP:
/// OpenAI transcription and speech, Deepgram pre-recorded listen, ElevenLabs text-to-speech.
/// They check credentials and request shapes as the providers do, derive their answers from
/// what they received (audio length, text length, speed), and record each request for asserts.
final class FakeProviders: @unchecked Sendable {
    static let openAIKey = "sk-test-openai"
    static let deepgramKey = "dg-test-key"
    static let elevenLabsKey = "xi-test-key"

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
import email.parser, email.policy, io, json, math, os, struct, sys, threading, wave
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
        if self.path == "/_requests": self.reply(200, REQUESTS)
        else: self.reply(404, {"error": {"message": "not found"}})

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
        self.reply(404, {"error": {"message": f"no route {url.path}"}})

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
print(f"FAKE_PROVIDERS_LISTENING port={server.server_address[1]} ", flush=True)
server.serve_forever()
"""#
}
