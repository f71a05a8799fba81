#!/usr/bin/env python3
"""A local stand-in for Twilio, speaking its published protocols, for Parley's tests.

REST (https://www.twilio.com/docs/voice/api/call-resource): `POST /2010-04-01/Accounts/{sid}/Calls.json`
with HTTP Basic auth (account SID and auth token), form-encoded To, From, Url, StatusCallback,
StatusCallbackEvent (repeated), MachineDetection, Timeout; answers 201 with the call as JSON.
`POST …/Calls/{CallSid}.json` with Status=completed hangs a call up.

Webhooks (https://www.twilio.com/docs/usage/security): each carries `X-Twilio-Signature`, the
base64 HMAC-SHA1 of the URL followed by the sorted POST parameters, keyed with the auth token.
The call's Url is fetched when the callee answers (with AnsweredBy, machine detection being on),
and its TwiML followed: `<Connect><Stream url>` opens a bidirectional Media Stream.

Media Streams (https://www.twilio.com/docs/voice/media-streams/websocket-messages): `connected`,
`start`, `media` (base64 μ-law 8 kHz, 20 ms a frame, in real time), `mark` returned once the audio
sent before it has played (at once on `clear`, which drops what is queued), `stop`.

What a number does: ending in 0000 it is busy; in 9999 a machine answers; in 7777 a person says
the --transfer-wav lines (one of which asks for a person: the agent is expected to redirect the
call to a <Dial>, whose <Number url> announcement the fake fetches as the person would hear it);
otherwise a person answers and says the --callee-wav lines, the first after the agent's greeting
has played, then presses 5 (a `dtmf` event), the second over the agent's next reply (barge-in: it
expects a `clear`), the rest after each reply has played; after the last reply they hang up. Two
malformed frames are sent during each call. `POST …/Calls/{sid}.json` with Twiml records the new
TwiML and ends the stream. Everything seen is reported by `GET /__fake/report`.

Usage: fake_twilio.py --port-file F --account-sid AC… --auth-token T --callee-wav a.wav b.wav …
"""
import argparse
import base64
import hashlib
import hmac
import json
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import wave
import xml.etree.ElementTree as ElementTree
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import websocket

FRAME = 160  # 20 ms of μ-law at 8 kHz
SILENCE = b"\xff" * FRAME


def mulaw(sample):
    """One 16-bit sample to G.711 μ-law."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent, mask = 7, 0x4000
    while exponent > 0 and not magnitude & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def line_audio(path):
    """A WAV (16-bit mono) as μ-law 8 kHz, resampled by linear interpolation."""
    with wave.open(path, "rb") as source:
        rate, width, frames = source.getframerate(), source.getsampwidth(), source.readframes(source.getnframes())
    if width != 2:
        raise SystemExit(f"{path}: 16-bit WAV needed")
    samples = [int.from_bytes(frames[i:i + 2], "little", signed=True) for i in range(0, len(frames), 2)]
    out = bytearray()
    step = rate / 8000
    position = 0.0
    while position < len(samples) - 1:
        index = int(position)
        fraction = position - index
        out.append(mulaw(int(samples[index] * (1 - fraction) + samples[index + 1] * fraction)))
        position += step
    return bytes(out)


def signature(url, params, token):
    text = url + "".join(k + v for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()).decode()


class Fake:
    def __init__(self, args):
        self.args = args
        self.lines = [line_audio(path) for path in args.callee_wav]
        self.transfer_lines = [line_audio(path) for path in args.transfer_wav or []]
        self.calls = {}
        self.lock = threading.Lock()
        self.problems = []

    def report(self):
        with self.lock:
            return {"calls": list(self.calls.values()), "problems": self.problems}

    def problem(self, text):
        with self.lock:
            self.problems.append(text)
        print(f"fake twilio: {text}", file=sys.stderr, flush=True)

    # Webhooks ---------------------------------------------------------------------------------
    def webhook(self, call, url, params):
        params = {k: str(v) for k, v in params.items()}
        body = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature(url, params, self.args.auth_token),
            "User-Agent": "TwilioProxy/1.1"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        except Exception as error:  # the server being down is recorded, not fatal
            status, text = 0, str(error)
        call["webhooks"].append({"url": url, "status": status, "CallStatus": params.get("CallStatus")})
        return status, text

    def callback(self, call, status, **extra):
        if status not in ("initiated", "ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"):
            raise ValueError(status)
        event = {"in-progress": "answered"}.get(status, status)
        if event in ("initiated", "ringing", "answered", "completed") and event not in call["events"]:
            return  # not asked for
        call["sequence"] += 1
        params = {"CallSid": call["sid"], "AccountSid": self.args.account_sid, "From": call["from"], "To": call["to"], "CallStatus": status,
                  "Direction": "outbound-api", "ApiVersion": "2010-04-01", "SequenceNumber": call["sequence"] - 1,
                  "Timestamp": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()), "CallbackSource": "call-progress-events"}
        params.update(extra)
        self.webhook(call, call["status_callback"], params)

    # One call ---------------------------------------------------------------------------------
    def run_call(self, call):
        try:
            self.callback(call, "initiated")
            self.callback(call, "ringing")
            if call["to"].endswith("0000"):
                call["status"] = "busy"
                self.callback(call, "busy", CallDuration=0)
                return
            answered_by = "machine_end_beep" if call["to"].endswith("9999") else "human"
            status, twiml = self.webhook(call, call["url"], {
                "CallSid": call["sid"], "AccountSid": self.args.account_sid, "From": call["from"], "To": call["to"],
                "CallStatus": "in-progress", "Direction": "outbound-api", "ApiVersion": "2010-04-01", "AnsweredBy": answered_by})
            call["twiml"] = twiml
            call["answered_by"] = answered_by
            self.callback(call, "in-progress", AnsweredBy=answered_by)
            started = time.time()
            stream = None
            if status == 200:
                root = ElementTree.fromstring(twiml)
                found = root.find("./Connect/Stream")
                if found is not None:
                    stream = (found.get("url"), {p.get("name"): p.get("value") for p in found.findall("Parameter")})
                elif root.find("./Hangup") is None:
                    self.problem(f"TwiML with neither <Connect><Stream> nor <Hangup>: {twiml}")
            else:
                self.problem(f"the answer URL said {status}: {twiml[:200]}")
            if stream:
                call["stream_url"] = stream[0]
                self.media_stream(call, stream[0], stream[1], machine=answered_by != "human")
                if call.get("redirect_twiml"):
                    self.follow_redirect(call)
            call["status"] = "completed"
            self.callback(call, "completed", CallDuration=int(time.time() - started), AnsweredBy=answered_by)
        except Exception as error:
            self.problem(f"call {call['sid']}: {error.__class__.__name__}: {error}")

    def follow_redirect(self, call):
        """New TwiML for the call: a <Dial> is followed as Twilio would (the <Number url> is what the
        person hears on answering, fetched with the called party's parameters)."""
        root = ElementTree.fromstring(call["redirect_twiml"])
        dial = root.find("./Dial")
        if dial is None:
            self.problem(f"redirected to TwiML without <Dial>: {call['redirect_twiml']}")
            return
        number = dial.find("./Number")
        call["transfer"] = {"number": (number.text or "").strip() if number is not None else None, "timeout": dial.get("timeout"),
                            "caller_id": dial.get("callerId")}
        if number is not None and number.get("url"):
            status, twiml = self.webhook(call, number.get("url"), {
                "CallSid": "CA" + "".join(random.choice("0123456789abcdef") for _ in range(32)), "AccountSid": self.args.account_sid,
                "From": call["from"], "To": call["transfer"]["number"], "CallStatus": "in-progress", "Direction": "outbound-dial",
                "ParentCallSid": call["sid"]})
            call["transfer"]["announcement"] = twiml if status == 200 else f"HTTP {status}"

    def media_stream(self, call, url, parameters, machine):
        socket = websocket.create_connection(url, timeout=10)
        socket.settimeout(None)  # the server may say nothing for long stretches (the agent's audio is sent at once)
        stream_sid = "MZ" + "".join(random.choice("0123456789abcdef") for _ in range(32))
        call["stream_sid"] = stream_sid
        state = {"queued_until": time.time(), "pending": [], "agent_media": 0, "agent_audio_seconds": 0.0, "marks": 0,
                 "clears": 0, "returned": 0, "closed": False, "reply_started": None}
        lock = threading.Lock()
        number = [0]

        def send(message):
            number[0] += 1
            message.setdefault("sequenceNumber", str(number[0]))
            socket.send(json.dumps(message))

        def receive():
            while True:
                try:
                    text = socket.recv()
                except Exception:
                    break
                if not text:
                    break
                try:
                    message = json.loads(text)
                except ValueError:
                    self.problem(f"the server sent a frame that is not JSON: {text[:100]!r}")
                    continue
                event = message.get("event")
                if message.get("streamSid") != stream_sid:
                    self.problem(f"a {event} for stream {message.get('streamSid')!r}")
                with lock:
                    now = time.time()
                    if event == "media":
                        payload = base64.b64decode(message["media"]["payload"])
                        seconds = len(payload) / 8000
                        state["queued_until"] = max(state["queued_until"], now) + seconds
                        state["agent_media"] += 1
                        state["agent_audio_seconds"] += seconds
                        if state["reply_started"] is None:
                            state["reply_started"] = now
                    elif event == "mark":
                        state["marks"] += 1
                        state["pending"].append((state["queued_until"], message["mark"]["name"]))
                    elif event == "clear":
                        state["clears"] += 1
                        state["queued_until"] = now
                        state["pending"] = [(now, name) for _, name in state["pending"]]
                    else:
                        self.problem(f"the server sent an unknown event {event!r}")
            with lock:
                state["closed"] = True

        threading.Thread(target=receive, daemon=True).start()
        send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        send({"event": "start", "start": {"accountSid": self.args.account_sid, "streamSid": stream_sid, "callSid": call["sid"],
                                           "tracks": ["inbound"], "customParameters": parameters,
                                           "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}},
              "streamSid": stream_sid})
        chunk = [0]
        began = time.time()

        def tick(payload):
            # One inbound frame, and the marks whose audio has played by now.
            chunk[0] += 1
            send({"event": "media", "streamSid": stream_sid,
                  "media": {"track": "inbound", "chunk": str(chunk[0]), "timestamp": str(int((time.time() - began) * 1000)),
                            "payload": base64.b64encode(payload).decode()}})
            with lock:
                now = time.time()
                due = [name for at, name in state["pending"] if at <= now]
                state["pending"] = [(at, name) for at, name in state["pending"] if at > now]
            for name in due:
                send({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})
                with lock:
                    state["returned"] += 1
            time.sleep(0.02)

        def marks_returned():
            with lock:
                return state["returned"]

        def wait_for(condition, limit):
            deadline = time.time() + limit
            while time.time() < deadline and not condition():
                with lock:
                    if state["closed"] or call.get("hung_up") or call.get("redirect_twiml"):
                        return False
                tick(SILENCE)
            return condition()

        def say(audio):
            for start in range(0, len(audio), FRAME):
                tick(audio[start:start + FRAME].ljust(FRAME, b"\xff"))

        # Malformed frames Twilio never sends, which the server must drop and carry on.
        socket.send("this is not json")
        send({"event": "media", "streamSid": stream_sid, "media": {"payload": "%%% not base64 %%%"}})
        if machine:
            # The agent's message plays; the server hangs up when it has (or the fake gives up).
            wait_for(lambda: call.get("hung_up"), 60)
        elif call["to"].endswith("7777"):
            if not wait_for(lambda: marks_returned() >= 1, 60):
                self.problem("the agent's greeting never finished playing")
            for audio in self.transfer_lines:
                say(audio)
                replies = marks_returned() + 1
                if not wait_for(lambda: marks_returned() >= replies or call.get("redirect_twiml"), 60):
                    break
                if call.get("redirect_twiml"):
                    break
                wait_for(lambda: False, 0.6)
            wait_for(lambda: call.get("redirect_twiml"), 20)
            call["hung_up_by_callee"] = False
        else:
            if not wait_for(lambda: marks_returned() >= 1, 60):
                self.problem("the agent's greeting never finished playing")
            for index, audio in enumerate(self.lines):
                with lock:
                    state["reply_started"] = None
                say(audio)
                if index == 0:
                    send({"event": "dtmf", "streamSid": stream_sid, "dtmf": {"track": "inbound_track", "digit": "5"}})
                if index == 1:
                    # The line talked over the agent: its `clear` may come after the line ends (a loaded
                    # server hears the onset late), and the mark it returns is not the next reply's.
                    wait_for(lambda: state["clears"] >= 1, 10)
                    wait_for(lambda: False, 0.1)
                replies = marks_returned() + 1
                if index == 0 and len(self.lines) > 1:
                    # Barge in: the next line starts while the agent's reply is playing.
                    if not wait_for(lambda: state["reply_started"] is not None and time.time() - state["reply_started"] > 0.6, 60):
                        self.problem("the agent never answered the first line")
                        break
                    continue
                wait_for(lambda: marks_returned() >= replies, 60)
                wait_for(lambda: False, 0.6)
            call["hung_up_by_callee"] = not call.get("hung_up")
        with lock:
            call["media"] = {k: state[k] for k in ("agent_media", "agent_audio_seconds", "marks", "clears", "returned")}
        try:
            send({"event": "stop", "streamSid": stream_sid, "stop": {"accountSid": self.args.account_sid, "callSid": call["sid"]}})
            socket.close()
        except Exception:
            pass


class Handler(BaseHTTPRequestHandler):
    fake = None

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/__fake/report":
            return self.reply(200, self.fake.report())
        self.reply(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})

    def do_POST(self):
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        expected = "Basic " + base64.b64encode(f"{fake.args.account_sid}:{fake.args.auth_token}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self.reply(401, {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
        prefix = f"/2010-04-01/Accounts/{fake.args.account_sid}/Calls"
        if self.path == prefix + ".json":
            one = lambda name: (form.get(name) or [""])[0]
            to = one("To")
            if not to.startswith("+") or not to[1:].isdigit():
                return self.reply(400, {"code": 21211, "message": f"The 'To' number {to} is not a valid phone number.", "status": 400})
            if not one("Url") or not one("From"):
                return self.reply(400, {"code": 21205, "message": "Url and From are required", "status": 400})
            sid = "CA" + "".join(random.choice("0123456789abcdef") for _ in range(32))
            call = {"sid": sid, "to": to, "from": one("From"), "url": one("Url"), "status_callback": one("StatusCallback"),
                    "events": form.get("StatusCallbackEvent", []), "machine_detection": one("MachineDetection"), "timeout": one("Timeout"),
                    "send_digits": one("SendDigits") or None,
                    "status": "queued", "sequence": 0, "webhooks": []}
            with fake.lock:
                fake.calls[sid] = call
            threading.Thread(target=fake.run_call, args=(call,), daemon=True).start()
            return self.reply(201, {"sid": sid, "account_sid": fake.args.account_sid, "to": to, "from": call["from"], "status": "queued",
                                    "api_version": "2010-04-01", "uri": f"{prefix}/{sid}.json"})
        if self.path.startswith(prefix + "/") and self.path.endswith(".json"):
            sid = self.path[len(prefix) + 1:-5]
            with fake.lock:
                call = fake.calls.get(sid)
            if not call:
                return self.reply(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
            if (form.get("Status") or [""])[0] == "completed":
                call["hung_up"] = True
            elif (form.get("Twiml") or [""])[0]:
                call["redirect_twiml"] = form["Twiml"][0]
            return self.reply(200, {"sid": sid, "status": call["status"]})
        self.reply(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})


def main():
    # A parent that blocks signals (a Swift test process does) passes the mask on: unblock the ones
    # that stop this fake, so the test's terminate() ends it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--callee-wav", nargs="+", required=True)
    parser.add_argument("--transfer-wav", nargs="*", help="what the person at a number ending in 7777 says")
    args = parser.parse_args()
    Handler.fake = Fake(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
