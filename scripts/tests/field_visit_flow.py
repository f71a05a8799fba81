"""A Field Intelligence visit as the document's clients run it, with `requests` and
`websocket-client` in their default configuration: a technician and a customer spoken with two
espeak-ng voices, uploaded as 5-second M4A chunks out of order and with one duplicate while the
transcription and nudge sockets are open; then stop, analysis, insights, an upsell quoting the
trigger, coaching; the supervisor's side; another team's technician refused; bad input refused
with the field named. Prints a JSON report; exits non-zero on the first failed step."""
import argparse, json, os, subprocess, sys, tempfile, threading, time, wave
import requests
import websocket

steps = []
report = {"steps": steps}

def check(condition, step, detail=""):
    if not condition:
        report.update({"ok": False, "failed": step, "detail": str(detail)[:800]})
        print(json.dumps(report))
        sys.exit(1)

TECHNICIAN = "en-gb+m2"
CUSTOMER = "en-us+f4"
SCRIPT = [
    (TECHNICIAN, "Good morning, I'm John from the service company. I'm here to inspect your fire pump today."),
    (CUSTOMER, "Thanks for coming out so early. The pump room is just down these stairs, past the boiler."),
    (TECHNICIAN, "Great. Before I start, can you tell me how the system has been running lately?"),
    (CUSTOMER, "Honestly, not well. We've had to fix this pump three times this year, and it keeps breaking down."),
    (TECHNICIAN, "I see. Let me check the pressure gauge and the controller first, then I'll look at the seals."),
    (CUSTOMER, "Sure, take your time. The last technician said the bearings were worn out as well."),
    (TECHNICIAN, "The pressure is a little low and the packing is leaking, which matches what you describe."),
    (CUSTOMER, "How much would a new pump cost us?"),
    (TECHNICIAN, "I'm not sure, I'll have to get back to you on that."),
    (CUSTOMER, "Alright. The pump is fifteen years old, so I worry about it during the inspection season."),
    (TECHNICIAN, "That's fair. I will send you a written quote by tomorrow afternoon, with a repair option too."),
    (CUSTOMER, "That would be great, thank you, you have been very thorough and clear today."),
]

def speak(voice, text, path):
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", path, text], check=True, capture_output=True)

def build_visit(folder):
    """The visit as one WAV (22050 Hz mono), with the truth: each line's voice and time."""
    frames, truth, rate = [], [], None
    position = 0.0
    for index, (voice, text) in enumerate(SCRIPT):
        path = os.path.join(folder, f"line{index}.wav")
        speak(voice, text, path)
        with wave.open(path) as line:
            rate = line.getframerate()
            data = line.readframes(line.getnframes())
        silence = b"\x00\x00" * int(rate * 0.8)
        truth.append({"speaker": "technician" if voice == TECHNICIAN else "customer", "text": text,
                      "start": position, "end": position + len(data) / 2 / rate})
        frames.append(data + silence)
        position += (len(data) + len(silence)) / 2 / rate
    visit = os.path.join(folder, "visit.wav")
    with wave.open(visit, "wb") as out:
        out.setnchannels(1); out.setsampwidth(2); out.setframerate(rate)
        out.writeframes(b"".join(frames))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", visit, "-f", "segment", "-segment_time", "5", "-c:a", "aac", "-b:a", "64k",
                    os.path.join(folder, "chunk%03d.m4a")], check=True)
    chunks = sorted(f for f in os.listdir(folder) if f.startswith("chunk"))
    return [os.path.join(folder, name) for name in chunks], truth, position

def words(text):
    return set("".join(c.lower() if c.isalnum() else " " for c in text).split())

def expected_speaker(segment, truth):
    """The truth line sharing most words with a recognised segment."""
    best = max(truth, key=lambda line: len(words(line["text"]) & words(segment["text"])))
    return best["speaker"] if words(best["text"]) & words(segment["text"]) else None

class Listener:
    def __init__(self, url):
        self.messages, self.socket = [], websocket.create_connection(url, timeout=120)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            while True:
                text = self.socket.recv()
                if not text:
                    return
                message = json.loads(text)
                message["_received"] = time.time()
                self.messages.append(message)
        except Exception:
            return

def upload(base, auth, conversation, sequence, path, name="chunk.m4a", kind="audio/mp4"):
    with open(path, "rb") as handle:
        return requests.post(f"{base}/v1/conversations/{conversation}/upload-audio", headers=auth,
                             files={"chunk": (name, handle, kind)}, data={"sequence": str(sequence)})

def main():
    parser = argparse.ArgumentParser()
    for name in ["--base-url", "--technician-token", "--supervisor-token", "--other-token", "--technician-id"]:
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    tech = {"Authorization": f"Bearer {args.technician_token}"}
    supervisor = {"Authorization": f"Bearer {args.supervisor_token}"}
    other = {"Authorization": f"Bearer {args.other_token}"}
    folder = tempfile.mkdtemp(prefix="field-visit-")
    chunks, truth, seconds = build_visit(folder)
    report["chunks"], report["audio_seconds"] = len(chunks), round(seconds, 1)

    r = requests.post(f"{base}/v1/conversations/start", headers=tech, json={
        "job_id": "JOB-2024-1022-001", "customer_name": "Phoenix Mills Ltd", "customer_phone": "+91 20 2553 4567",
        "location_address": "FC Road, Pune", "consent": [{"party": "technician"}, {"party": "customer", "name": "Raj"}]})
    check(r.status_code in (200, 201) and r.json()["conversation_id"].startswith("CONV-") and r.json()["status"] == "in_progress", "start", r.text)
    conversation, socket_url = r.json()["conversation_id"], r.json()["websocket_url"]
    steps.append("start")

    transcription = Listener(f"{socket_url}?token={args.technician_token}")
    nudges = Listener(f"{socket_url.rsplit('/', 1)[0]}/nudges?token={args.technician_token}")
    steps.append("sockets")

    # Out of order (1 and 2 swapped) and chunk 0 sent twice, at twice real time.
    order = list(range(len(chunks)))
    if len(order) > 3:
        order[1], order[2] = order[2], order[1]
    order.insert(2, 0)
    sent_at = {}
    for sequence in order:
        r = upload(base, tech, conversation, sequence, chunks[sequence])
        check(r.status_code in (200, 201) and r.json()["received"] is True and r.json()["chunk_id"].startswith("CHUNK-"), f"chunk {sequence}", r.text)
        if sequence in sent_at:
            check(r.json()["duplicate"] is True, "duplicate chunk", r.text)
        sent_at.setdefault(sequence, time.time())
        time.sleep(2.5)
    steps.append("chunks")

    # Bad input on a live conversation: sequence not a number, unknown format, someone else's conversation.
    r = requests.post(f"{base}/v1/conversations/{conversation}/upload-audio", headers=tech,
                      files={"chunk": ("c.m4a", open(chunks[0], "rb"), "audio/mp4")}, data={"sequence": "three"})
    check(r.status_code == 422 and r.json()["error"]["details"]["field"] == "sequence", "sequence not a number", r.text)
    r = requests.post(f"{base}/v1/conversations/{conversation}/upload-audio", headers=tech,
                      files={"chunk": ("notes.txt", b"these are not audio bytes at all", "text/plain")}, data={"sequence": "99"})
    check(r.status_code == 422 and r.json()["error"]["details"]["field"] == "chunk" and r.json()["error"]["code"] == "VALIDATION_ERROR",
          "unknown format", r.text)
    r = upload(base, other, conversation, 98, chunks[0])
    check(r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", "another technician's chunk", r.text)
    steps.append("bad chunks")

    # Segments arrive while recording, before stop: wait for the last line's words.
    deadline = time.time() + 90
    while time.time() < deadline:
        finals = [m for m in transcription.messages if m.get("type") == "transcription_segment" and m.get("is_final")]
        if any("thorough" in m["text"].lower() for m in finals):
            break
        time.sleep(0.5)
    finals = [m for m in transcription.messages if m.get("type") == "transcription_segment" and m.get("is_final")]
    partials = [m for m in transcription.messages if m.get("type") == "transcription_segment" and not m.get("is_final")]
    report["live_segments"] = [{"speaker": m["speaker_type"], "text": m["text"]} for m in finals]
    check(len(finals) >= 4, "live finals before stop", transcription.messages)
    check(all(0 <= m["confidence"] <= 1 and m["end_time"] >= m["start_time"] for m in finals), "segment fields", finals)
    labelled = [(m, expected_speaker(m, truth)) for m in finals]
    right = sum(1 for m, expected in labelled if expected and m["speaker_type"] == expected)
    report["live_speaker_accuracy"] = round(right / max(1, sum(1 for _, e in labelled if e)), 2)
    report["partials"] = len(partials)
    check({m["speaker_type"] for m in finals} == {"technician", "customer"}, "both speakers live", report["live_segments"])
    check(report["live_speaker_accuracy"] >= 0.75, "live speakers", report["live_segments"])
    steps.append("live transcription")

    upsell_nudges = [m for m in nudges.messages if m.get("type") == "nudge" and m.get("nudge_type") == "upsell_prompt"]
    report["nudges"] = [{"type": m["nudge_type"], "title": m["title"], "at": m["triggered_at"]} for m in nudges.messages if m.get("type") == "nudge"]
    check(upsell_nudges and upsell_nudges[0]["suggested_response"], "upsell nudge before stop", nudges.messages)
    trigger_chunk = int(next(line for line in truth if "three times" in line["text"])["end"] // 5)
    report["nudge_delay_after_trigger_chunk_s"] = round(upsell_nudges[0]["_received"] - sent_at.get(trigger_chunk, upsell_nudges[0]["_received"]), 1)
    keys = [(m["nudge_type"], m["nudge_id"]) for m in nudges.messages if m.get("type") == "nudge"]
    check(len(keys) == len(set(keys)), "no nudge twice", keys)
    nudges.socket.send(json.dumps({"action": "dismissed", "nudge_id": upsell_nudges[0]["nudge_id"]}))
    nudges.socket.send(json.dumps({"action": "maybe", "nudge_id": upsell_nudges[0]["nudge_id"]}))
    time.sleep(1.0)
    acks = [m for m in nudges.messages if m.get("type") == "nudge_action"]
    errors = [m for m in nudges.messages if m.get("type") == "error"]
    check(acks and acks[0]["action"] == "dismissed", "nudge action", nudges.messages)
    check(errors and errors[0]["details"]["field"] == "action", "bad nudge action", nudges.messages)
    steps.append("nudges")

    r = requests.post(f"{base}/v1/conversations/{conversation}/stop", headers=tech)
    body = r.json()
    check(r.status_code == 200 and body["status"] == "processing" and body["missing_chunks"] == [] and body["recording_url"], "stop", r.text)
    check(abs(body["duration_seconds"] - seconds) <= 2, "stopped duration", (body, seconds))
    recording = requests.get(body["recording_url"])
    check(recording.status_code == 200 and recording.content[:4] == b"RIFF", "recording", recording.status_code)
    r = upload(base, tech, conversation, len(chunks), chunks[0])
    check(r.status_code == 422 and r.json()["error"]["details"]["field"] == "conversation_id", "chunk after stop", r.text)
    steps.append("stop")

    deadline = time.time() + 240
    status = None
    while time.time() < deadline:
        status = requests.get(f"{base}/v1/conversations/{conversation}", headers=tech).json()
        if status["status"] in ("analyzed", "failed"):
            break
        time.sleep(1)
    check(status and status["status"] == "analyzed" and status["has_insights"], "analysed", status)
    steps.append("analysed")

    transcript = requests.get(f"{base}/v1/conversations/{conversation}/transcript", headers=tech).json()
    labelled = [(s, expected_speaker(s, truth)) for s in transcript["segments"]]
    right = sum(1 for s, expected in labelled if expected and s["speaker_type"] == expected)
    report["batch_speaker_accuracy"] = round(right / max(1, sum(1 for _, e in labelled if e)), 2)
    check(report["batch_speaker_accuracy"] >= 0.75, "batch speakers", transcript["segments"])
    insights = requests.get(f"{base}/v1/conversations/{conversation}/insights", headers=tech).json()
    check(insights["summary"] and 0 <= insights["customer_satisfaction_score"] <= 100 and insights["overall_sentiment"] in ("positive", "neutral", "negative"),
          "insights", insights)
    # The embedded sentence encoder runs in every test server: its model decided the signals.
    check(insights.get("signals_method") == "encoder", "insights decided by the encoder model", insights)
    report["insights"] = {k: insights[k] for k in ("summary", "summary_method", "signals_method", "key_topics", "customer_satisfaction_score", "action_items")}
    upsells = requests.get(f"{base}/v1/conversations/{conversation}/upsells", headers=tech).json()["opportunities"]
    report["upsells"] = [{"type": u["opportunity_type"], "trigger": u["trigger_phrase"], "value": u["estimated_value"]} for u in upsells]
    quoted = [u for u in upsells if "pump" in u["trigger_phrase"].lower() or "three times" in u["trigger_phrase"].lower()
              or "fifteen years" in u["trigger_phrase"].lower() or "15 years" in u["trigger_phrase"].lower()]
    check(quoted, "upsell quoting the trigger", upsells)
    coaching = requests.get(f"{base}/v1/conversations/{conversation}/coaching", headers=tech).json()["coaching_moments"]
    report["coaching"] = [m["category"] for m in coaching]
    check(coaching and all(m["what_should_happen"] and m["example_better_response"] for m in coaching), "coaching", coaching)
    steps.append("insights")

    # The supervisor sees it, reviews it and closes the upsell; another team's technician cannot see it.
    recent = requests.get(f"{base}/v1/coach/calls/recent", headers=supervisor, params={"days": 1}).json()["calls"]
    check(any(c["conversation_id"] == conversation and c["upsells_count"] >= 1 for c in recent), "supervisor's recent calls", recent)
    r = requests.post(f"{base}/v1/coach/calls/{conversation}/feedback", headers=supervisor, json={"overall_rating": 6})
    check(r.status_code == 422 and r.json()["error"]["details"]["field"] == "overall_rating", "rating out of range", r.text)
    r = requests.post(f"{base}/v1/coach/calls/{conversation}/feedback", headers=supervisor, json={
        "overall_rating": 4, "rapport_rating": 5, "technical_rating": 4, "upsell_rating": 3, "strengths": "Great rapport building.",
        "areas_for_improvement": "Be proactive with pricing.", "is_training_example": True})
    check(r.status_code in (200, 201) and r.json()["feedback_id"], "feedback", r.text)
    r = requests.put(f"{base}/v1/coach/upsells/{quoted[0]['opportunity_id']}/status", headers=supervisor,
                     json={"status": "closed_won", "actual_value": 35000.0, "notes": "Signed."})
    check(r.status_code == 200 and r.json()["status"] == "closed_won", "upsell won", r.text)
    r = requests.put(f"{base}/v1/coach/upsells/{quoted[0]['opportunity_id']}/status", headers=supervisor, json={"status": "identified"})
    check(r.status_code == 422 and r.json()["error"]["details"]["field"] == "status", "decided upsell stays decided", r.text)
    r = requests.put(f"{base}/v1/coach/upsells/{quoted[0]['opportunity_id']}/status", headers=tech, json={"status": "closed_lost"})
    check(r.status_code == 403, "technician cannot move upsells", r.text)
    daily = requests.get(f"{base}/v1/analytics/technician/{args.technician_id}/daily", headers=supervisor).json()["metrics"]
    check(daily and daily[-1]["upsell_revenue"] == 35000.0 and daily[-1]["upsells_closed"] == 1, "revenue", daily)
    board = requests.get(f"{base}/v1/analytics/leaderboard/weekly", headers=supervisor).json()
    check(board["rankings"] and board["rankings"][0]["user_id"] == args.technician_id, "leaderboard", board)
    overview = requests.get(f"{base}/v1/analytics/team/overview", headers=supervisor).json()["team_stats"]
    check(overview["total_upsell_revenue"] == 35000.0 and overview["recording_coverage"]["with_recording"] >= 1
          and overview["nudges"]["dismissed"] >= 1, "team overview", overview)
    steps.append("supervisor")

    r = requests.get(f"{base}/v1/conversations/{conversation}", headers=other)
    check(r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", "another team's technician", r.text)
    try:
        websocket.create_connection(f"{socket_url}?token={args.other_token}", timeout=10)
        check(False, "another team's socket", "connected")
    except websocket.WebSocketBadStatusException as refused:
        check(refused.status_code == 403, "another team's socket", refused.status_code)
    r = requests.get(f"{base}/v1/coach/technicians", headers=other)
    check(r.status_code == 403, "technician on the coach platform", r.text)
    steps.append("access")
    transcription.socket.close(); nudges.socket.close()
    report["ok"] = True
    print(json.dumps(report))

if __name__ == "__main__":
    main()
