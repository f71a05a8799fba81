#!/usr/bin/env python3
"""Benchmark of Parley's browser console (/app) as a real client sees it: bytes and time to interactive.

Run against a running server (a release build is what the figures are about), with the Python that
has Selenium (`scripts/setup.sh` makes `.venv` from scripts/python/console.txt):

    PARLEY_PORT=8123 PARLEY_DATA_DIR=/tmp/bench-data PARLEY_ADMIN_EMAIL=admin@example.com \\
      PARLEY_ADMIN_PASSWORD=admin12345 .build/release/parley serve &
    .venv/bin/python Benchmarks/console.py --base-url http://127.0.0.1:8123 \\
      --admin-email admin@example.com --admin-password admin12345

Without --admin-* the team page (managers only) is skipped. Debian's `chromium` and
`chromium-driver` run headless, with the fake microphone of scripts/tests/console_browser.py
(espeak-ng makes its WAV). Nothing is downloaded.

What it does
  * Signs up a fresh rep through the API (and, with --admin-*, a supervisor coaching them), adds
    three leads and one analysed speech-coaching recording, so every page has something to show.
  * The voice delay: on the practice call page the rep speaks --lines one-breath lines through the
    fake microphone, separated by --gap seconds of silence. Per prospect reply, the delay is from the
    end of the rep's speech to the first sample of the prospect's audio starting to play. Both ends
    are taken on the page's AudioContext clock (`window.parleyTimings`, kept by pages/call.js): the
    end of speech is just after the last microphone sample above 0.01 sent to the server before the
    reply arrived (pcm-worklet.js; the same threshold as `parley bench live`), the start is the
    time the reply's AudioBufferSourceNode was started at. So it is `parley bench live`'s figure plus
    the browser's share (the worklet's 100 ms chunks, the WebSocket, base64 and WAV decoding, the
    20 ms scheduling margin, queueing behind audio still playing); the sound card's own output
    latency is not in it. Each delay is split into "server" (end of speech to the reply's arrival on
    the page) and "client" (arrival to playing). Replies are matched to the WAV's lines by their
    spacing; a reply to half a line (a pause inside it taken for the end) is counted apart.
  * Every console page (the routes of main.js: sign-in, practice list, a call page, the call's
    scorecard, progress, speech coaching, the recording's analysis, team, leads) is loaded --repeat
    times cold and warm, each as a full navigation from about:blank:
      cold: the browser cache cleared (CDP Network.clearBrowserCache) and disabled
            (Network.setCacheDisabled) for the load;
      warm: the cache enabled and the page loaded once before (not measured), as on a second visit
            within five minutes (the console's modules are served with max-age=300, the page itself
            with no-cache, so it is revalidated).
    For each load: requests and bytes from the Resource Timing entries (navigation + resources):
    "transferred" is the sum of transferSize (headers and body over the network; 0 for a cache hit),
    "body" the sum of encodedBodySize (what the page is made of, wherever it came from), split into
    static files and API answers (/api/, /coaching/). DOMContentLoaded is the navigation entry's
    domContentLoadedEventEnd.
    Time to interactive (TTI), from navigation start: the later of
      (a) the `parley:ready` performance mark the console's router sets when the page's render()
          has resolved (its data fetched and its content in #main; main.js sets it, with
          <body data-ready="<path>">), and
      (b) the end (responseEnd) of the last request of the load, where the load ends when, after
          (a), no request is in flight (followed with Chromium's network log) for 300 ms.
    So it is when the page shows its content and has stopped fetching: what is on screen then can be
    used. Figures printed are medians over the --repeat loads.

Output: a table on stdout, then one line of JSON with every number ({"ok", "pages", "voice",
"problems", ...}). Exits 1 only when the run itself broke (a page that never became ready, the call
that never went live, the server refusing the sign-up, ...); slow figures never fail it.
Rate limits (100-120 API requests a minute per user and surface) are respected by pacing the loads.
"""
import argparse
import collections
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
import uuid
import wave

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# One breath each (no commas or stops inside), so the end of the audio is the end of speech;
# the first three are `parley bench live`'s.
LINES = [
    "Hi this is Sam from Acme and I wanted to ask how your team handles new leads today",
    "What does your current process look like when a new lead comes in",
    "Would a short demo next week be worth your time if we could halve the admin work",
    "How many people on your team touch a lead before it turns into a meeting",
    "Could we put thirty minutes in the diary on Thursday to walk your team through it",
    "What would you need to see in that demo to call it time well spent",
]
TALK = ("Hello everyone and thank you for coming today. I want to talk about how we can improve our onboarding. "
        "New engineers take six weeks to become productive. That is too long. We can cut that in half with better tooling.")
QUIET_SECONDS = 0.3
API_PREFIXES = ("/api/", "/coaching/")
API_BUDGET = 80  # API requests a minute this script allows itself (the server allows 100-120 per surface)


class Broken(Exception):
    """The run cannot go on."""


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest rank: the smallest value with at least p of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else None


# The server's API ------------------------------------------------------------------------------
class Api:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, json_body=None, token=None, data=None, content_type=None, ok=(200, 201, 202, 204)):
        headers = {}
        if json_body is not None:
            data = json.dumps(json_body).encode()
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except urllib.error.URLError as error:
            raise Broken(f"{method} {path}: the server at {self.base} cannot be reached ({error.reason})") from None
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = body.decode(errors="replace")
        if status not in ok:
            raise Broken(f"{method} {path} answered {status}: {str(parsed)[:300]}")
        return parsed

    def sign_up(self, role_label):
        email = f"bench-{role_label}-{uuid.uuid4().hex[:8]}@example.com"
        password = "benchmark123"
        answer = self.call("POST", "/api/v1/auth/register", {
            "email": email, "password": password, "first_name": "Bench", "last_name": role_label.title(), "company": "Acme"})
        return {"email": email, "password": password, "id": answer["user"]["id"], "token": answer["access_token"]}

    def sign_in(self, email, password):
        return self.call("POST", "/api/v1/auth/login", {"email": email, "password": password})

    def upload_recording(self, token, wav_path):
        created = self.call("POST", "/coaching/sessions", {"title": "Benchmark talk", "type": "presentation"}, token=token)
        session_id = (created.get("data") or created)["session"]["id"]
        boundary = uuid.uuid4().hex
        with open(wav_path, "rb") as f:
            audio = f.read()
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"talk.wav\"\r\n"
                f"Content-Type: audio/wav\r\n\r\n").encode() + audio + f"\r\n--{boundary}--\r\n".encode()
        self.call("POST", f"/coaching/sessions/{session_id}/upload", token=token, data=body,
                  content_type=f"multipart/form-data; boundary={boundary}")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            time.sleep(3)
            answer = self.call("GET", f"/coaching/sessions/{session_id}", token=token)
            status = (answer.get("data") or answer)["session"]["status"]
            if status == "completed":
                return session_id
            if status == "failed":
                raise Broken(f"the benchmark's recording could not be analysed: {answer}")
        raise Broken("the benchmark's recording was not analysed within 10 minutes")


# Audio ---------------------------------------------------------------------------------------
def espeak(text, path):
    subprocess.run(["espeak-ng", "-v", "en-us+m3", "-w", path, text], check=True, stderr=subprocess.DEVNULL)
    with wave.open(path, "rb") as w:
        return w.getframerate(), w.readframes(w.getnframes())


def trimmed(frames):
    """The 16-bit mono samples without the silence espeak-ng puts around speech (|x| <= 0.01)."""
    import array
    samples = array.array("h", frames)
    loud = [i for i, x in enumerate(samples) if abs(x) > 327]
    return samples[loud[0]:loud[-1] + 1] if loud else samples


def speech_wav(folder, lines, lead, gap, tail):
    """The rep's lines for the fake microphone, and where each ends in the file (seconds)."""
    import array
    out = array.array("h")
    rate = None
    ends = []
    for index, line in enumerate(lines):
        line_rate, frames = espeak(line, os.path.join(folder, f"line{index}.wav"))
        rate = rate or line_rate
        out.extend([0] * int(rate * (lead if index == 0 else gap)))
        out.extend(trimmed(frames))
        ends.append(len(out) / rate)
    out.extend([0] * int(rate * tail))
    path = os.path.join(folder, "rep.wav")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out.tobytes())
    return path, ends, len(out) / rate


# The browser ---------------------------------------------------------------------------------
class Browser:
    def __init__(self, args, wav):
        options = webdriver.ChromeOptions()
        options.binary_location = args.chromium
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,900",
                     "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     "--autoplay-policy=no-user-gesture-required", "--disable-extensions", "--no-first-run",
                     "--lang=en-US", f"--use-file-for-fake-audio-capture={wav}%noloop"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        service = webdriver.ChromeService(executable_path=args.chromedriver)
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_script_timeout(30)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.base = args.base_url

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition, timeout, what):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda d: condition())
        except TimeoutException:
            main = self.js("return (document.querySelector('#main') || document.body || {}).innerText || ''") or ""
            raise Broken(f"timed out after {timeout} s waiting for {what} (at {self.driver.current_url}; page says {main[:300]!r})") from None

    def visible(self, selector):
        for element in self.driver.find_elements(By.CSS_SELECTOR, selector):
            try:
                if element.is_displayed():
                    return element
            except WebDriverException:
                pass
        return None

    def find(self, selector, timeout=30):
        return self.wait(lambda: self.visible(selector), timeout, f"'{selector}'")

    def network_events(self):
        """Chromium's network events since the last call (the performance log drains when read)."""
        events = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"].startswith("Network."):
                events.append(message)
        return events

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass


# Page loads ------------------------------------------------------------------------------------
class Pages:
    def __init__(self, browser, repeat):
        self.b = browser
        self.repeat = repeat
        self.api_calls = collections.deque()  # (monotonic time, API requests of a load)

    def pace(self, expected=12):
        while True:
            now = time.monotonic()
            while self.api_calls and now - self.api_calls[0][0] > 60:
                self.api_calls.popleft()
            if sum(n for _, n in self.api_calls) + expected <= API_BUDGET:
                return
            time.sleep(max(0.5, 60 - (now - self.api_calls[0][0])))

    def load(self, path):
        """One full navigation to `path`, waited until ready and quiet; its numbers."""
        driver = self.b.driver
        driver.get("about:blank")
        self.b.network_events()  # drop what came before
        driver.get(self.b.base + path)
        self.b.wait(lambda: self.b.js("return document.body && document.body.dataset.ready || null"), 60,
                    f"{path} to render (data-ready)")
        state = self.b.js("return document.body.dataset.ready")
        if state == "error":
            shown = self.b.js("return document.querySelector('#main').innerText") or ""
            raise Broken(f"{path} showed an error: {shown[:300]!r}")
        # Wait until nothing is in flight for QUIET_SECONDS (at most 15 s).
        inflight = set()
        quiet_since = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            events = self.b.network_events()
            for event in events:
                method, params = event["method"], event.get("params", {})
                url = params.get("request", {}).get("url", "")
                if method == "Network.requestWillBeSent" and not url.startswith(("data:", "blob:", "about:")):
                    inflight.add(params["requestId"])
                elif method in ("Network.loadingFinished", "Network.loadingFailed"):
                    inflight.discard(params["requestId"])
            if events or inflight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_SECONDS:
                break
            time.sleep(0.05)
        else:
            raise Broken(f"{path}: requests still in flight after 15 s: {len(inflight)}")
        numbers = self.b.js("""
            const nav = performance.getEntriesByType('navigation')[0];
            const ready = performance.getEntriesByName('parley:ready')[0];
            const entries = [nav].concat(performance.getEntriesByType('resource'));
            return {
              ready: ready ? ready.startTime : null,
              dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
              entries: entries.map(e => ({ url: e.name, type: e.initiatorType || 'navigation', transfer: e.transferSize || 0,
                body: e.encodedBodySize || 0, end: e.responseEnd, status: e.responseStatus || 0 })),
            };""")
        entries = numbers["entries"]
        origin = self.b.base
        rel = lambda url: url[len(origin):] if url.startswith(origin) else url
        api = [e for e in entries if rel(e["url"]).startswith(API_PREFIXES)]
        static = [e for e in entries if not rel(e["url"]).startswith(API_PREFIXES)]
        limited = [rel(e["url"]) for e in entries if e["status"] == 429]
        if limited:
            raise Broken(f"{path}: rate limited (429) on {limited}")
        self.api_calls.append((time.monotonic(), len(api)))
        return {
            "requests": len(entries),
            "from_cache": sum(1 for e in entries if e["transfer"] == 0 and e["body"] > 0),
            "transferred": sum(e["transfer"] for e in entries),
            "body": sum(e["body"] for e in entries),
            "static_transferred": sum(e["transfer"] for e in static),
            "api_transferred": sum(e["transfer"] for e in api),
            "api_requests": len(api),
            "dcl_ms": numbers["dcl"],
            "tti_ms": max([numbers["ready"]] + [e["end"] for e in entries]),
            "ready_ms": numbers["ready"],
            "files": [[rel(e["url"]), e["transfer"], e["body"]] for e in entries],
        }

    def measure(self, name, path):
        """--repeat cold and warm loads of `path`; medians, and every load's figures."""
        driver = self.b.driver
        loads = {"cold": [], "warm": []}
        for _ in range(self.repeat):
            self.pace()
            driver.get("about:blank")
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
            try:
                loads["cold"].append(self.load(path))
            finally:
                driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
            self.pace()
            self.load(path)  # fills the cache
            self.pace()
            loads["warm"].append(self.load(path))
        rows = []
        for cache, runs in loads.items():
            row = {"page": name, "path": path, "cache": cache, "loads": len(runs)}
            for key in ("requests", "from_cache", "transferred", "body", "static_transferred", "api_transferred", "api_requests",
                        "dcl_ms", "tti_ms", "ready_ms"):
                values = [r[key] for r in runs if r[key] is not None]
                row[key] = round(statistics.median(values), 1) if values else None
            row["tti_ms_all"] = [round(r["tti_ms"], 1) for r in runs]
            row["files"] = runs[-1]["files"]
            rows.append(row)
            log(f"  {name:<10} {cache}: {row['transferred']:>8.0f} B transferred, {row['requests']:.0f} requests, "
                f"TTI {row['tti_ms']:.0f} ms {row['tti_ms_all']}")
        return rows


def sign_in_through_form(browser, email, password):
    browser.driver.get(browser.base + "/app/signin")
    browser.js("localStorage.clear(); sessionStorage.clear()")
    browser.driver.get(browser.base + "/app/signin")
    browser.find("form.signin-form")
    browser.find("input[type=email]").send_keys(email)
    browser.find("input[type=password]").send_keys(password)
    browser.find("form.signin-form button[type=submit]").click()
    browser.find("#nav", 20)


# The voice delay -------------------------------------------------------------------------------
def voice_delay(browser, line_ends, speech_seconds):
    b = browser
    b.driver.get(b.base + "/app/practice/1")
    b.find("#start-voice")
    b.find("#start-voice").click()
    b.wait(lambda: b.js("const s = document.querySelector('#call-status'); return s && s.dataset.state === 'live'"), 30,
           "the call to go live")
    clicked = time.monotonic()
    lines = len(line_ends)

    def turns():
        timings = b.js("return window.parleyTimings || null")
        return timings, match_turns(timings, line_ends) if timings else None

    # The fake microphone starts with getUserMedia, before the call is live: the whole file has
    # played by `speech_seconds` after the click; then the last reply is awaited (at most 30 s).
    deadline = clicked + speech_seconds + 30
    while True:
        timings, matched = turns()
        if time.monotonic() > clicked + speech_seconds and matched and len(matched["turns"]) >= lines:
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    time.sleep(1)  # the last reply's audio decoding
    timings, matched = turns()
    b.find("#end-call").click()
    b.wait(lambda: "/app/sessions/" in b.driver.current_url, 30, "the scorecard after the call")
    b.find("#scorecard", 90)
    session_path = "/app/sessions/" + b.driver.current_url.split("/app/sessions/")[1].split("?")[0]
    return timings, matched, session_path


def match_turns(timings, line_ends, tolerance=0.35):
    """Pairs the replies with the WAV's lines. The page's clock and the file's differ by one offset;
    the offset that puts the most replies' end of speech on a line's end (within `tolerance` s) is
    taken. Each line's first reply that played is its turn."""
    replies = [r for r in timings["replies"] if r["voicedAt"]]
    opening = len(timings["replies"]) - len(replies)
    groups = collections.OrderedDict()
    for reply in replies:
        groups.setdefault(reply["voicedAt"], []).append(reply)
    best = None
    for voiced in groups:
        for end in line_ends:
            offset = voiced - end
            hits = {}
            for v in groups:
                line = min(range(len(line_ends)), key=lambda k: abs(v - offset - line_ends[k]))
                if abs(v - offset - line_ends[line]) <= tolerance and line not in hits:
                    hits[line] = v
            if best is None or len(hits) > len(best[1]):
                best = (offset, hits)
    turns, unplayed = [], 0
    for line, voiced in sorted((best[1] if best else {}).items()):
        played = [r for r in groups[voiced] if r.get("start") is not None]
        if not played:
            unplayed += 1
            continue
        first = played[0]
        turns.append({"line": line + 1, "delay_ms": round((first["start"] - voiced) * 1000, 1),
                      "server_ms": round((first["arrived"] - voiced) * 1000, 1),
                      "client_ms": round((first["start"] - first["arrived"]) * 1000, 1)})
    matched_voices = set(best[1].values()) if best else set()
    return {"turns": turns, "opening_replies": opening, "unplayed": unplayed,
            "replies_to_part_of_a_line": sum(len(g) for v, g in groups.items() if v not in matched_voices),
            "unanswered_lines": len(line_ends) - len(best[1] if best else {})}


# The run ---------------------------------------------------------------------------------------
def run(args, report):
    api = Api(args.base_url)
    api.call("GET", "/health")
    folder = tempfile.mkdtemp(prefix="parley-console-bench-")
    try:
        wav, line_ends, speech_seconds = speech_wav(folder, LINES[:args.lines], args.lead, args.gap, args.tail)
        report["speech"] = {"lines": len(line_ends), "seconds": round(speech_seconds, 1), "gap_s": args.gap}
        talk = os.path.join(folder, "talk.wav")
        espeak(TALK, talk)

        log("signing up a rep (and a supervisor) through the API; adding leads and an analysed recording …")
        rep = api.sign_up("rep")
        supervisor = None
        if args.admin_email:
            admin = api.sign_in(args.admin_email, args.admin_password)["access_token"]
            supervisor = {"email": f"bench-coach-{uuid.uuid4().hex[:8]}@example.com", "password": "benchmark123"}
            coach = api.call("POST", "/api/v1/admin/users", {**supervisor, "first_name": "Bench", "last_name": "Coach",
                                                             "role": "supervisor"}, token=admin)
            api.call("PATCH", f"/api/v1/admin/users/{rep['id']}", {"supervisor_id": coach["id"]}, token=admin)
        for first, last, company in [("Dana", "Whitfield", "Northwind"), ("Omar", "Haddad", "Contoso"), ("Mei", "Tanaka", "Fabrikam")]:
            api.call("POST", "/api/v1/leads", {"first_name": first, "last_name": last, "company": company, "title": "VP of Sales",
                                               "email": f"{first.lower()}.{uuid.uuid4().hex[:6]}@example.com", "source": "website"},
                     token=rep["token"])
        recording = api.upload_recording(rep["token"], talk)

        browser = Browser(args, wav)
        try:
            pages = Pages(browser, args.repeat)
            rows = report["pages"]
            log("pages:")
            browser.driver.get(args.base_url + "/app/signin")
            browser.js("localStorage.clear(); sessionStorage.clear()")
            rows += pages.measure("sign-in", "/app/signin")
            sign_in_through_form(browser, rep["email"], rep["password"])

            log("voice delay: the rep speaks through the fake microphone …")
            timings, matched, scorecard = voice_delay(browser, line_ends, speech_seconds)
            delays = [t["delay_ms"] for t in matched["turns"]]
            report["voice"] = {
                "turns": len(delays), "lines": len(line_ends),
                "delay_ms": {"p50": percentile(delays, 0.5), "p95": percentile(delays, 0.95), "max": max(delays, default=None)},
                "server_ms": {"p50": percentile([t["server_ms"] for t in matched["turns"]], 0.5),
                              "max": max((t["server_ms"] for t in matched["turns"]), default=None)},
                "client_ms": {"p50": percentile([t["client_ms"] for t in matched["turns"]], 0.5),
                              "max": max((t["client_ms"] for t in matched["turns"]), default=None)},
                "per_turn": matched["turns"], **{k: v for k, v in matched.items() if k != "turns"},
            }
            if len(delays) < min(3, len(line_ends)):
                report["problems"].append(f"only {len(delays)} of {len(line_ends)} lines got a reply that played: {matched}")

            for name, path in [("practice", "/app/practice"), ("call", "/app/practice/1"), ("scorecard", scorecard),
                               ("progress", "/app/progress"), ("coaching", "/app/coaching"),
                               ("analysis", f"/app/coaching/{recording}"), ("leads", "/app/leads")]:
                rows += pages.measure(name, path)
            if supervisor:
                sign_in_through_form(browser, supervisor["email"], supervisor["password"])
                rows += pages.measure("team", "/app/team")
            else:
                report["skipped"].append("team (needs --admin-email and --admin-password)")
            errors = [e["message"] for e in browser.driver.get_log("browser") if e.get("level") == "SEVERE"
                      and "favicon" not in e["message"]]
            if errors:
                report["browser_errors"] = errors[:10]
        finally:
            browser.quit()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_table(report):
    print(f"\nParley console on {report['base_url']} ({report['repeat']} loads each; medians)")
    print(f"{'page':<10} {'cache':<5} {'requests':>8} {'cached':>6} {'transferred':>12} {'static':>9} {'api':>8} {'body':>9}"
          f" {'DCL ms':>7} {'TTI ms':>7}")
    for row in report["pages"]:
        print(f"{row['page']:<10} {row['cache']:<5} {row['requests']:>8.0f} {row['from_cache']:>6.0f} {row['transferred']:>12,.0f}"
              f" {row['static_transferred']:>9,.0f} {row['api_transferred']:>8,.0f} {row['body']:>9,.0f}"
              f" {row['dcl_ms']:>7.0f} {row['tti_ms']:>7.0f}")
    voice = report.get("voice")
    if voice:
        print(f"\nvoice: end of the rep's speech → prospect audio playing, {voice['turns']} turns of {voice['lines']} lines"
              f" ({voice['opening_replies']} opening repl{'y' if voice['opening_replies'] == 1 else 'ies'} not counted)")
        for t in voice["per_turn"]:
            print(f"  line {t['line']}: {t['delay_ms']:6.0f} ms  (server {t['server_ms']:.0f} + client {t['client_ms']:.0f})")
        d = voice["delay_ms"]
        if d["p50"] is not None:
            print(f"  p50 {d['p50']:.0f} ms · p95 {d['p95']:.0f} ms · max {d['max']:.0f} ms"
                  f"   (server p50 {voice['server_ms']['p50']:.0f} ms, client p50 {voice['client_ms']['p50']:.0f} ms)")
        if voice["replies_to_part_of_a_line"] or voice["unanswered_lines"] or voice["unplayed"]:
            print(f"  replies to part of a line {voice['replies_to_part_of_a_line']}, lines unanswered {voice['unanswered_lines']},"
                  f" replies not played {voice['unplayed']}")
    for problem in report["problems"]:
        print(f"problem: {problem}")
    for skipped in report["skipped"]:
        print(f"skipped: {skipped}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2])
    parser.add_argument("--base-url", required=True, help="the running server's root, e.g. http://127.0.0.1:8123")
    parser.add_argument("--admin-email", help="an admin, to create the supervisor the team page is measured as")
    parser.add_argument("--admin-password")
    parser.add_argument("--repeat", type=int, default=3, help="cold and warm loads per page (medians are printed)")
    parser.add_argument("--lines", type=int, default=5, choices=range(1, len(LINES) + 1), help="the rep's spoken lines (turns)")
    parser.add_argument("--gap", type=float, default=2.5, help="seconds of silence between the rep's lines")
    parser.add_argument("--lead", type=float, default=3.0, help="seconds of silence before the first line (the call connects)")
    parser.add_argument("--tail", type=float, default=5.0, help="seconds of silence after the last line")
    parser.add_argument("--files", action="store_true", help="list each page's files and their bytes in the JSON")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = parser.parse_args()
    args.base_url = args.base_url.rstrip("/")
    if bool(args.admin_email) != bool(args.admin_password):
        parser.error("--admin-email and --admin-password go together")

    report = {"ok": False, "base_url": args.base_url, "repeat": args.repeat, "pages": [], "voice": None,
              "problems": [], "skipped": []}
    started = time.monotonic()
    try:
        run(args, report)
    except Broken as error:
        report["problems"].append(str(error))
        log(f"broken: {error}")
    except Exception as error:  # the run broke
        report["problems"].append(f"{error.__class__.__name__}: {error}")
        log(traceback.format_exc())
    report["seconds"] = round(time.monotonic() - started, 1)
    report["ok"] = not report["problems"]
    print_table(report)
    if not args.files:
        for row in report["pages"]:
            row.pop("files", None)
    print(json.dumps(report, separators=(",", ":")))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
