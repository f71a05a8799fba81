#!/usr/bin/env python3
"""Drives Parley's browser console (/app) in a real headless Chromium, as a person would.

Debian's `chromium` and `chromium-driver` with Selenium; nothing is downloaded at test time.
The rep signs in, places a voice call through Chromium's fake microphone (a WAV of spoken lines)
until the AI prospect answers, ends it and reads the scorecard with its findings, places a short
typed call, looks at their progress, uploads a recording and reads its analysis, imports leads, runs a voice-agent campaign from the agents page and opens one of its calls,
answers a speech drill out loud through the fake microphone and reads its score, and signs out (the
token is then refused); a manager signs in, finds the rep on the team page and opens the recording
the rep shared, then opens the rep's progress and practice call and pins a comment to one of its
turns; with --admin-email, an administrator creates a team and a person in it on the users-and-teams
page and makes them a supervisor. Every page is screenshotted and checked with axe-core (vendored by the
PyPI package axe-selenium-python): any serious or critical violation fails the run. The first page's
transferred size is measured and must stay under 100 KB.

Prints one JSON object {"ok", "steps", "problems", "first_page_bytes", "screenshots"} and exits 1
when anything failed.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import urllib.request
import wave

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

FIRST_PAGE_LIMIT = 100 * 1024


class Problem(Exception):
    pass


class Console:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.steps = []
        self.problems = []
        self.shots = []
        self.first_page_bytes = None
        os.makedirs(args.screenshots, exist_ok=True)
        for name in os.listdir(args.screenshots):  # this run's pictures only
            if name.endswith(".png") and name[:2].isdigit():
                os.remove(os.path.join(args.screenshots, name))
        self.axe_source = open(axe_path(), encoding="utf-8").read()
        self.driver = self.browser(args.speech_wav)

    def browser(self, wav):
        options = webdriver.ChromeOptions()
        options.binary_location = self.args.chromium
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,900",
                     "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     "--autoplay-policy=no-user-gesture-required", "--disable-extensions", "--no-first-run",
                     "--lang=en-US"]:
            options.add_argument(flag)
        if wav:
            path, self.speech_seconds = padded(wav)
            options.add_argument(f"--use-file-for-fake-audio-capture={path}%noloop")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.downloads = tempfile.mkdtemp(prefix="parley-downloads-")
        options.add_experimental_option("prefs", {"download.default_directory": self.downloads, "download.prompt_for_download": False})
        service = webdriver.ChromeService(executable_path=self.args.chromedriver)
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_script_timeout(60)
        return driver

    # Helpers -------------------------------------------------------------------------------
    def step(self, name, fn):
        started = time.monotonic()
        try:
            fn()
            self.steps.append(name)
            log(f"step {name}: ok ({time.monotonic() - started:.1f} s)")
            return True
        except Exception as error:  # a failed step is recorded and the run goes on where it can
            detail = f"{name}: {error.__class__.__name__}: {error}".strip()
            self.problems.append(detail[:2000])
            log(f"step {name}: FAILED {detail}\n{traceback.format_exc()}")
            self.shot(f"failed-{name}")
            self.dump_console()
            return False

    def wait(self, condition, timeout=30, what="condition"):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(lambda d: condition())
        except TimeoutException:
            raise Problem(f"timed out after {timeout} s waiting for {what} (at {self.driver.current_url}; page says: "
                          f"{self.text('#main')[:400]!r})") from None

    def find(self, selector, timeout=30):
        return self.wait(lambda: self.visible(selector), timeout, f"'{selector}'")

    def visible(self, selector):
        for element in self.driver.find_elements(By.CSS_SELECTOR, selector):
            try:
                if element.is_displayed():
                    return element
            except WebDriverException:
                pass
        return None

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def text(self, selector):
        try:
            return self.driver.find_element(By.CSS_SELECTOR, selector).text
        except WebDriverException:
            return ""

    def open(self, path):
        self.driver.get(self.base + path)

    def shot(self, name, full=False):
        path = os.path.join(self.args.screenshots, f"{len(self.shots) + 1:02d}-{name}.png")
        try:
            if full:
                self.driver.execute_script("window.scrollTo(0, 0)")
                height = self.driver.execute_script("return Math.max(document.body.scrollHeight, 900)")
                self.driver.set_window_size(1366, min(int(height) + 40, 4000))
            self.driver.save_screenshot(path)
            self.shots.append(path)
        finally:
            if full:
                self.driver.set_window_size(1366, 900)

    def axe(self, page):
        """Runs axe-core on the page; serious and critical violations are problems."""
        self.driver.execute_script(self.axe_source)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
            ".catch(e => done(JSON.stringify({error: String(e)})));")
        violations = json.loads(result)
        if isinstance(violations, dict):
            raise Problem(f"axe could not run on {page}: {violations['error']}")
        bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
        for v in bad:
            targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
            self.problems.append(f"accessibility ({page}): {v['impact']} {v['id']}: {v['help']} at {targets}")
        if bad:
            raise Problem(f"{len(bad)} serious or critical accessibility violations on {page}")

    def dump_console(self):
        try:
            for entry in self.driver.get_log("browser")[-20:]:
                log(f"  browser {entry.get('level')}: {entry.get('message')}")
        except WebDriverException:
            pass

    def js_errors(self):
        try:
            return [e["message"] for e in self.driver.get_log("browser")
                    if e.get("level") == "SEVERE" and "favicon" not in e["message"] and "401" not in e["message"]
                    and "Failed to load resource" not in e["message"]]
        except WebDriverException:
            return []

    def sign_in(self, email, password):
        self.open("/app/signin")
        self.find("form.signin-form")
        email_input = self.find("input[type=email]")
        email_input.clear()
        email_input.send_keys(email)
        password_input = self.find("input[type=password]")
        password_input.clear()
        password_input.send_keys(password)
        self.find("form.signin-form button[type=submit]").click()
        self.find("#nav", 20)

    def sign_out(self):
        self.find("#signout").click()
        self.find("form.signin-form")

    # Steps ---------------------------------------------------------------------------------
    def first_page(self):
        # A fresh profile's first visit: '/' redirects to /app/ and the sign-in page renders.
        self.open("/")
        self.find("form.signin-form")
        if not self.driver.current_url.endswith("/app/signin"):
            raise Problem(f"/ did not lead to the sign-in page: {self.driver.current_url}")
        time.sleep(0.5)
        sizes = self.driver.execute_script(
            "const nav = performance.getEntriesByType('navigation');"
            "const res = performance.getEntriesByType('resource');"
            "return nav.concat(res).map(e => [e.name, e.transferSize || 0, e.encodedBodySize || 0]);")
        outside = [name for name, _, _ in sizes if not name.startswith(self.base) and not name.startswith("data:")]
        if outside:
            raise Problem(f"the first page fetched from outside the server: {outside}")
        self.first_page_bytes = sum(transfer for _, transfer, _ in sizes)
        self.first_page_files = [{"url": name.replace(self.base, ""), "bytes": transfer} for name, transfer, _ in sizes]
        if self.first_page_bytes > FIRST_PAGE_LIMIT:
            raise Problem(f"the first page transferred {self.first_page_bytes} bytes (limit {FIRST_PAGE_LIMIT})")
        self.shot("signin")
        self.axe("sign-in")

    def wrong_password(self):
        self.find("input[type=email]").send_keys(self.args.email)
        self.find("input[type=password]").send_keys("not-the-password")
        self.find("form.signin-form button[type=submit]").click()
        alert = self.find(".signin-form .alert-error")
        if "match" not in alert.text:
            raise Problem(f"a wrong password showed {alert.text!r}")

    def rep_signs_in(self):
        self.sign_in(self.args.email, self.args.password)
        self.find(".scenario")
        if "/app/practice" not in self.driver.current_url:
            raise Problem(f"signing in landed on {self.driver.current_url}")
        self.shot("practice")
        self.axe("practice")

    def voice_call(self):
        self.open("/app/practice/1")
        self.find("#start-voice")
        self.find(".persona")
        self.shot("scenario")
        self.axe("scenario")
        self.find("#start-voice").click()
        self.wait(lambda: self.driver.execute_script(
            "const s = document.querySelector('#call-status'); return s && s.dataset.state === 'live'"), 30, "the call to go live")
        live = time.monotonic()
        # The prospect opens; the fake microphone then speaks the rep's lines (talking over the opening
        # interrupts it); once the rep has said everything, the prospect answers the last of it.
        self.wait(lambda: len(self.all(".turn-user")) >= 1, 60, "the rep's speech in the transcript")
        self.wait(lambda: time.monotonic() - live > self.speech_seconds + 1 and self.answered(), 90,
                  "the prospect to answer the rep")
        self.session_url = self.driver.current_url
        if not self.wait(lambda: self.text("#call-timer") not in ("", "0:00"), 10, "the timer"):
            raise Problem("the timer did not run")
        if "%" not in self.text(".meter + .spread"):
            raise Problem("the talk-ratio gauge shows nothing")
        self.shot("voice-call")
        self.axe("voice call")
        self.find("#end-call").click()
        self.scorecard(voice=True)

    def answered(self):
        # The prospect has answered the rep's last turn.
        return self.driver.execute_script(
            "const t = [...document.querySelectorAll('#live-transcript .turn')];"
            "const u = t.map(e => e.classList.contains('turn-user')).lastIndexOf(true);"
            "return u >= 0 && t.slice(u + 1).some(e => e.classList.contains('turn-ai'));")

    def scorecard(self, voice):
        self.find("#scorecard", 60)
        self.session_id = self.driver.current_url.rstrip("/").split("/")[-1]
        findings = self.all("#findings .finding")
        links = self.all("#findings .evidence a")
        if not findings or not links:
            raise Problem(f"the scorecard has {len(findings)} findings and {len(links)} links to turns")
        for label in ("Talk ratio", "Questions asked", "Objection handling", "Rapport", "Closing"):
            if label not in self.text("#scorecard"):
                raise Problem(f"the scorecard does not show {label}")
        if not self.all("ol.transcript .turn-user"):
            raise Problem("the scorecard's transcript has none of the rep's turns")
        link = links[0]
        target = link.get_attribute("href").split("#")[-1]
        link.click()
        self.wait(lambda: "highlight" in (self.driver.find_element(By.ID, target).get_attribute("class") or ""), 5,
                  "the linked turn to be highlighted")
        if voice:
            self.shot("scorecard", full=True)
            self.axe("scorecard")
            self.find("#rating input[name=rating][value='4']").click()
            self.find("#rating input[name=difficulty_rating][value='3']").click()
            self.find("#rating-text").send_keys("Realistic prospect.")
            self.find("#rating button[type=submit]").click()
            self.find("#rating .alert-success")

    def typed_call(self):
        self.open("/app/practice/4")
        self.find("#start-typed").click()
        say = self.find("#say", 30)
        self.wait(lambda: self.driver.execute_script("return document.querySelector('#call-status').dataset.state === 'live'"), 20, "live")
        self.find("#pause").click()
        self.wait(lambda: self.driver.execute_script("return document.querySelector('#call-status').dataset.state === 'paused'"), 10, "the call to pause")
        self.find("#pause").click()
        self.wait(lambda: self.driver.execute_script("return document.querySelector('#call-status').dataset.state === 'live'"), 10, "the call to resume")
        before = len(self.all(".turn-ai"))
        say = self.find("#say")
        say.send_keys("Hi Tony, thanks for taking my call. What takes most of your time at the shop today?\n")
        self.wait(lambda: len(self.all(".turn-ai")) > before, 30, "the prospect's typed-mode answer")
        self.find("#end-call").click()
        self.scorecard(voice=False)

    def progress(self):
        self.open("/app/progress")
        self.find("#sessions")
        if not self.all("svg.chart"):
            raise Problem("the progress page has no chart")
        if self.session_id not in self.driver.page_source:
            raise Problem("the voice call is not among the recent calls")
        self.shot("progress", full=True)
        self.axe("progress")

    def coaching_upload(self):
        self.open("/app/coaching")
        self.find("#upload-form")
        self.shot("coaching")
        self.axe("speech coaching")
        self.find("#rec-title").send_keys("Pitch rehearsal")
        self.driver.find_element(By.CSS_SELECTOR, "#rec-file").send_keys(os.path.abspath(self.args.recording))
        self.find("#upload-btn").click()
        self.find("#upload-progress")
        self.wait(lambda: "/app/coaching/session_" in self.driver.current_url, 240, "the analysis to be ready")
        self.recording_url = self.driver.current_url
        self.analysis("analysis")
        # The PDF report of the period downloads (fetched with the token, saved from memory).
        self.open("/app/coaching")
        self.find("#recordings")
        self.find("button[data-report=pdf]").click()
        self.find(".alert-success", 60)
        self.wait(lambda: any(name.endswith(".pdf") for name in os.listdir(self.downloads)), 20, "the PDF report download")

    def analysis(self, name):
        self.find("#overview", 30)
        self.wait(lambda: len(self.all("#words .word")) > 3, 20, "the word-timed transcript")
        self.wait(lambda: self.driver.execute_script(
            "const c = document.querySelector('#waveform'); return c && c.width > 0 && document.querySelector('#player').src.startsWith('blob:')"),
            20, "the waveform and player")
        charts = len(self.all("svg.chart path.line"))
        if charts < 2:
            raise Problem(f"the analysis shows {charts} of its pitch and pace lines")
        words = self.all("#words .word")
        word = words[min(5, len(words) - 1)]
        start = float(word.get_attribute("data-start"))
        word.click()
        self.wait(lambda: abs(self.driver.execute_script("return document.querySelector('#player').currentTime") - start) < 1.5,
                  10, "the player to jump to the clicked word")
        self.driver.execute_script("document.querySelector('#player').pause()")
        self.shot(name, full=True)
        self.axe(name)

    def leads(self):
        self.open("/app/leads")
        self.find("#lead-file")
        path = os.path.join(tempfile.mkdtemp(), "leads.csv")
        stamp = int(time.time() * 1000)
        with open(path, "w", encoding="utf-8") as f:
            f.write("First Name,Last Name,Email,Company,Job Title,Lead Source\n")
            f.write(f"Dana,Whitfield,dana.{stamp}@example.com,Northwind Traders,VP of Sales,website\n")
            f.write(f"Omar,Haddad,omar.{stamp}@example.com,Contoso,Head of Operations,referral\n")
            f.write(f"Mei,Tanaka,mei.{stamp}@example.com,Fabrikam,CTO,event\n")
        self.driver.find_element(By.CSS_SELECTOR, "#lead-file").send_keys(path)
        self.find("form.filters button[type=submit].btn-primary").click()
        self.find(".alert-success", 60)
        self.wait(lambda: "Whitfield" in self.text("#leads"), 20, "the imported leads in the table")
        self.shot("leads")
        self.axe("leads")

    def voice_agents(self):
        # An agent, a campaign of two numbers the simulated carrier answers, launched from the page; its
        # live counts move until both are done; one call opens with its transcript, summary and recording.
        self.open("/app/agents")
        self.find("#agent-form")
        stamp = int(time.time() * 1000)
        self.find("#agent-name").send_keys(f"Demo Booker {stamp}")
        self.find("#agent-description").send_keys("Books product demos with small businesses")
        self.find("#agent-form button[type=submit]").click()
        self.wait(lambda: f"Demo Booker {stamp}" in self.text("#agents"), 20, "the new agent in the list")
        self.find("#campaign-name").send_keys(f"Console campaign {stamp}")
        self.find("#campaign-numbers").send_keys("\n".join(answering_numbers(2)))
        concurrent = self.find("#campaign-concurrent")
        concurrent.clear()
        concurrent.send_keys("2")
        self.find("#campaign-form button[type=submit]").click()
        self.find("#campaign-form .alert-success", 20)
        name = f"Console campaign {stamp}"
        # The table is redrawn as its counts refresh, so rows are read (and the button clicked) in one script each time.
        row = lambda: self.driver.execute_script(
            "const r = [...document.querySelectorAll('#campaigns tbody tr')].find(r => r.textContent.includes(arguments[0]));"
            "return r ? r.innerText : '';", name)
        self.wait(lambda: "Launch" in row(), 20, "the campaign in the list")
        self.driver.execute_script(
            "[...document.querySelectorAll('#campaigns tbody tr')].find(r => r.textContent.includes(arguments[0])).querySelector('button').click()", name)
        self.wait(lambda: "Active" in row() or "Completed" in row(), 20, "the campaign to run")
        self.shot("voice-agents-running")
        self.wait(lambda: "Completed" in row(), 360, "the campaign to finish (its counts refresh on their own)")
        self.wait(lambda: "Completed" in self.text("#call-logs"), 20, "the finished calls")
        self.driver.execute_script("document.querySelector('#call-logs a.btn').scrollIntoView({block: 'center'})")
        self.shot("voice-agents", full=True)
        self.axe("voice-agents")
        self.driver.execute_script("document.querySelector('#call-logs a.btn').click()")
        self.find("#call-transcript", 20)
        if not self.all("#call-transcript .turn-ai") or not self.all("#call-transcript .turn-user"):
            raise Problem(f"the call's transcript lacks a side: {self.text('#call-transcript')[:300]!r}")
        if not self.text("#call-summary").strip():
            raise Problem("the call has no summary")
        if not self.visible("#call-recording"):
            raise Problem("the call's recording is not offered")
        self.shot("voice-agent-call", full=True)
        self.axe("voice-agent-call")

    def drills(self):
        # The rep filters the drills, opens a confidence drill, hears its model answer, answers the first
        # exercise out loud and reads the score. Chromium's fake microphone replays its WAV from the start
        # for every capture a page opens (the call page's closed with the call), so the answer recorded
        # here is the rep's spoken lines: an introduction, which is what this exercise asks for.
        if self.all("a.nav-link[href='/app/admin']"):
            raise Problem("a rep is offered the administrators' page")
        self.open("/app/drills")
        self.find("#drills .card")
        Select(self.find("#drill-category")).select_by_value("confidence")
        self.wait(lambda: "category=confidence" in self.driver.current_url and self.all("#drills .card")
                  and all("Confidence" in card.text for card in self.all("#drills .card")), 20, "only confidence drills")
        self.shot("drills")
        self.axe("drills")
        self.find("#drills a[href='/app/drills/drill_confidence_1']").click()
        self.find("#record-0", 20)
        if len(self.all(".exercise")) < 2:
            raise Problem(f"the drill shows {len(self.all('.exercise'))} exercises")
        self.find("#listen-0").click()
        self.wait(lambda: "Stop listening" in self.text("#listen-0") or self.text("#rec-status-0"), 30, "the model answer to play")
        if self.text("#rec-status-0"):
            raise Problem(f"the model answer did not play: {self.text('#rec-status-0')!r}")
        self.find("#record-0").click()  # stops the model answer, which would be recorded too
        self.wait(lambda: self.text("#record-0") == "Stop", 15, "the recording to start")
        time.sleep(self.speech_seconds + 1.5)  # the WAV's leading silence and speech, then a pause
        self.find("#record-0").click()
        self.find("#take-0 audio", 10)
        self.find("#submit-0").click()
        self.wait(lambda: self.visible("#result-0 .drill-result") or self.visible("#result-0 .alert-error"), 90, "the score")
        if not self.visible("#result-0 .drill-result"):
            raise Problem(f"the drill answer was not scored: {self.text('#result-0')!r}")
        result = self.text("#result-0")
        if "Score" not in result or not self.text("#result-0 .feedback").strip():
            raise Problem(f"the result lacks a score or feedback: {result!r}")
        if "nothing" in self.text("#result-0 dl.facts"):
            raise Problem(f"no words were heard in the recording: {result!r}")
        if "1 of 2 answered" not in self.text("#drill-status"):
            raise Problem(f"the drill's progress says {self.text('#drill-status')!r}")
        self.shot("drill", full=True)
        self.axe("drill")

    def sign_out_revokes(self):
        token = self.driver.execute_script("return JSON.parse(localStorage.getItem('parley.auth')).access_token")
        self.sign_out()
        if self.driver.execute_script("return localStorage.getItem('parley.auth')"):
            raise Problem("signing out left the tokens in the browser")
        request = urllib.request.Request(self.base + "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        try:
            urllib.request.urlopen(request, timeout=10)
            raise Problem("the signed-out access token is still accepted")
        except urllib.error.HTTPError as error:
            if error.code != 401:
                raise Problem(f"the signed-out token answered {error.code}") from None

    def quiet_refresh(self):
        # An access token the server refuses is replaced with the refresh token, without a word to the person.
        self.driver.execute_script(
            "const a = JSON.parse(localStorage.getItem('parley.auth')); a.access_token = 'stale'; localStorage.setItem('parley.auth', JSON.stringify(a))")
        self.open("/app/progress")
        self.find("#sessions, .stat", 20)
        token = self.driver.execute_script("return JSON.parse(localStorage.getItem('parley.auth')).access_token")
        if token == "stale":
            raise Problem("the stale access token was not refreshed")

    def expired_session(self):
        # A session whose tokens the server no longer honours sends the person to sign in, with a reason.
        self.open("/app/signin")
        self.driver.execute_script(
            "localStorage.setItem('parley.auth', JSON.stringify({access_token: 'expired', refresh_token: 'revoked',"
            " expires_at: Date.now() + 3600000, user: {id: 1, email: 'x@example.com', role: 'user', first_name: 'X'}}))")
        self.open("/app/progress")
        self.find("form.signin-form", 20)
        message = self.text(".signin-form .alert-info")
        if "sign in again" not in message:
            raise Problem(f"an expired session showed {message!r}")

    def manager(self):
        self.sign_in(self.args.manager_email, self.args.manager_password)
        self.open("/app/team")
        self.find("#members", 20)
        if self.args.email.lower() not in self.text("#members").lower():
            raise Problem("the rep is not among the manager's team members")
        self.shot("team")
        self.axe("team")
        field = self.find("#shared-link")
        field.send_keys(self.recording_url)
        self.find("#open-shared button[type=submit]").click()
        self.wait(lambda: "/app/coaching/session_" in self.driver.current_url, 10, "the shared recording to open")
        self.analysis("manager-sees-rep-recording")
        if self.text("h1") != "Pitch rehearsal":
            raise Problem(f"the manager sees {self.text('h1')!r} instead of the rep's recording")

    def manager_reviews_call(self):
        # From the team page to the rep's progress, their practice call, and a comment pinned to a turn.
        self.open("/app/team")
        self.find("#members", 20)
        rows = [row for row in self.all("#members tbody tr") if self.args.email.lower() in row.text.lower()]
        if not rows:
            raise Problem("the rep is not among the manager's team members")
        rows[0].find_element(By.CSS_SELECTOR, "a[href^='/app/team/']").click()
        self.find("#sessions", 20)
        if "progress" not in self.text("h1").lower():
            raise Problem(f"the rep's page is titled {self.text('h1')!r}")
        self.shot("manager-rep-progress", full=True)
        self.axe("manager-rep-progress")
        link = self.visible(f"#sessions a[href='/app/sessions/{self.session_id}']")
        if not link:
            raise Problem(f"the rep's call {self.session_id} is not in their recent calls: {self.text('#sessions')[:300]!r}")
        link.click()
        self.find("#comments-card", 30)
        self.wait(lambda: len(self.all(".transcript .turn")) >= 2, 20, "the rep's transcript")
        if self.visible("#rating"):
            raise Problem("the manager is offered the rep's own rating form")
        self.find(".comment-on[data-turn='2']").click()
        note = "Good question here; let the prospect finish before you answer."
        self.find("#comment-text").send_keys(note)
        self.find("#comment-form button[type=submit]").click()
        self.wait(lambda: note in self.text("#comments"), 15, "the comment to appear")
        if "Turn 2" not in self.text("#comments"):
            raise Problem(f"the comment is not pinned to turn 2: {self.text('#comments')!r}")
        self.wait(lambda: self.visible("#turn-2 .has-comments"), 10, "turn 2 to show its comment")
        self.shot("manager-comments-on-call", full=True)
        self.axe("manager-comments-on-call")

    def admin(self):
        # The admin creates a team and a person in it (a too-short password is refused, naming the
        # field), makes that person a supervisor, and sees it all listed.
        if self.visible("#signout"):
            self.sign_out()
        self.sign_in(self.args.admin_email, self.args.admin_password)
        self.find("a.nav-link[href='/app/admin']").click()
        self.find("#users", 20)
        stamp = int(time.time() * 1000)
        team = f"Field sales {stamp % 100000}"
        self.find("#team-name").send_keys(team)
        self.find("#team-form button[type=submit]").click()
        self.wait(lambda: team in self.text("#teams"), 15, "the new team in the list")
        email = f"jordan.{stamp}@example.com"
        self.find("#new-first").send_keys("Jordan")
        self.find("#new-last").send_keys("Lee")
        self.find("#new-email").send_keys(email)
        self.find("#new-password").send_keys("short")
        Select(self.find("#new-team")).select_by_visible_text(team)
        self.find("#user-form button[type=submit]").click()
        error = self.find("#user-form .alert-error", 15)
        if "Password" not in error.text or self.find("#new-password").get_attribute("aria-invalid") != "true":
            raise Problem(f"a too-short password showed {error.text!r} without marking the field")
        self.find("#new-password").clear()
        self.find("#new-password").send_keys("welcome123")
        self.find("#user-form button[type=submit]").click()
        self.find("#user-form .alert-success", 15)
        row = lambda: self.driver.execute_script(
            "return [...document.querySelectorAll('#users tbody tr')].find(r => r.textContent.includes(arguments[0]))?.dataset.user", email)
        self.wait(row, 10, "the new person in the table")
        user_id = row()
        team_shown = Select(self.find(f"#team-{user_id}")).first_selected_option.text
        if team_shown != team:
            raise Problem(f"the new person's team shows {team_shown!r}, not {team!r}")
        Select(self.find(f"#role-{user_id}")).select_by_value("supervisor")
        self.wait(lambda: "supervisor" in self.text("#users-status").lower(), 15, "the role change to be saved")
        if self.driver.execute_script(f"return document.querySelector('#role-{user_id}').value") != "supervisor":
            raise Problem("the table does not list the new role")
        if f"Jordan Lee (Supervisor)" not in self.text("#new-coach"):
            raise Problem("the new supervisor is not offered as a coach")
        if "1 person" not in self.driver.execute_script(
                "return [...document.querySelectorAll('#teams li')].find(l => l.textContent.includes(arguments[0]))?.textContent || ''", team):
            raise Problem(f"the team does not count its member: {self.text('#teams')!r}")
        self.shot("admin", full=True)
        self.axe("admin")

    def run(self):
        ok = self.step("first-page", self.first_page)
        self.step("wrong-password", self.wrong_password)
        if not self.step("sign-in", self.rep_signs_in):
            return
        self.session_id = None
        self.step("voice-call", self.voice_call)
        self.step("typed-call", self.typed_call)
        if self.session_id:
            self.step("progress", self.progress)
        self.recording_url = None
        if self.args.recording:
            self.step("speech-coaching", self.coaching_upload)
        self.step("leads", self.leads)
        self.step("voice-agents", self.voice_agents)
        self.step("drills", self.drills)
        self.step("quiet-refresh", self.quiet_refresh)
        self.step("sign-out", self.sign_out_revokes)
        self.step("expired-session", self.expired_session)
        if self.args.manager_email and self.recording_url:
            self.step("manager", self.manager)
        if self.args.manager_email and self.session_id:
            self.step("manager-reviews-call", self.manager_reviews_call)
        if self.args.admin_email:
            self.step("admin", self.admin)
        errors = self.js_errors()
        if errors:
            self.problems.append(f"JavaScript errors: {errors[:5]}")
        del ok

    def close(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass


def padded(path, before=1.0, after=5.0):
    """A copy of the WAV with silence around the speech: the call connects before the rep speaks,
    and the pause after it is what tells the server the rep has finished (so the prospect answers)."""
    with wave.open(path, "rb") as source:
        channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
        frames = source.readframes(source.getnframes())
    if width != 2:
        raise SystemExit(f"{path} must be 16-bit PCM WAV (Chromium's fake microphone reads no other)")
    out = os.path.join(tempfile.mkdtemp(prefix="parley-console-"), "speech.wav")
    with wave.open(out, "wb") as target:
        target.setnchannels(channels)
        target.setsampwidth(width)
        target.setframerate(rate)
        silence = lambda seconds: b"\x00" * (int(rate * seconds) * channels * width)
        target.writeframes(silence(before) + frames + silence(after))
    return out, before + len(frames) / (rate * channels * width)


def answering_numbers(count):
    """Numbers the simulated carrier answers (it decides by the FNV-1a hash of the number, as
    SimulatedTelephony.pickup does: 0 busy, 1 no answer, 2 voicemail, else a person answers)."""
    found, n = [], int(time.time()) % 1_000_000
    while len(found) < count:
        number = f"+1415{n % 10_000_000:07d}"
        value = 0xcbf29ce484222325
        for byte in number.encode():
            value = ((value ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        if value % 10 >= 3:
            found.append(number)
        n += 7919
    return found


def axe_path():
    import axe_selenium_python
    path = os.path.join(os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(path):
        raise SystemExit(f"axe-core is missing from axe-selenium-python ({path})")
    return path


def log(message):
    print(message, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True, help="the server's root, e.g. http://127.0.0.1:8000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--manager-email")
    parser.add_argument("--manager-password")
    parser.add_argument("--admin-email", help="an administrator, for the users-and-teams page")
    parser.add_argument("--admin-password")
    parser.add_argument("--screenshots", default="console-screenshots")
    parser.add_argument("--speech-wav", required=True, help="the rep's spoken lines (16-bit PCM WAV) for the fake microphone")
    parser.add_argument("--recording", help="a recording to upload to speech coaching")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = parser.parse_args()

    console = None
    report = {"ok": False, "steps": [], "problems": []}
    try:
        console = Console(args)
        console.run()
        report.update(steps=console.steps, problems=console.problems, first_page_bytes=console.first_page_bytes,
                      first_page_files=getattr(console, "first_page_files", []), screenshots=console.shots)
        expected = ["first-page", "wrong-password", "sign-in", "voice-call", "typed-call", "progress", "leads", "voice-agents", "drills",
                    "quiet-refresh", "sign-out", "expired-session"]
        if args.recording:
            expected.append("speech-coaching")
        if args.manager_email and args.recording:
            expected.append("manager")
        if args.manager_email:
            expected.append("manager-reviews-call")
        if args.admin_email:
            expected.append("admin")
        missing = [s for s in expected if s not in console.steps]
        if missing and not console.problems:
            console.problems.append(f"steps not run: {missing}")
        report["ok"] = not console.problems and not missing
    except Exception as error:
        report["problems"].append(f"{error.__class__.__name__}: {error}")
        log(traceback.format_exc())
    finally:
        if console:
            console.close()
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
