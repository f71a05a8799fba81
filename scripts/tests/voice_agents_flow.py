"""The Voice Agents document's flow with `requests` and `websocket-client` in their default
configuration: sign up and in, an agent as the document's example writes it, a campaign, its
launch, the do-not-call list, errors in the document's envelope, and a typed web call.
Prints a JSON report; exits non-zero on the first failed step."""
import argparse, json, sys, uuid
import requests
import websocket

steps = []

def check(condition, step, detail=""):
    if not condition:
        print(json.dumps({"ok": False, "steps": steps, "failed": step, "detail": str(detail)[:500]}))
        sys.exit(1)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    base = parser.parse_args().base_url.rstrip("/")
    email = f"va-{uuid.uuid4().hex[:8]}@example.com"
    r = requests.post(f"{base}/auth/register", json={"email": email, "password": "SecurePass123!", "first_name": "John", "last_name": "Doe"})
    check(r.status_code == 201 and uuid.UUID(r.json()["id"]), "register", r.text); steps.append("register")
    r = requests.post(f"{base}/auth/login", json={"email": email, "password": "SecurePass123!"})
    check(r.status_code == 200 and "token" in r.json() and "refresh_token" in r.json(), "login", r.text); steps.append("login")
    token, refresh = r.json()["token"], r.json()["refresh_token"]
    auth = {"Authorization": f"Bearer {token}"}
    r = requests.post(f"{base}/auth/refresh-token", headers={"Authorization": f"Bearer {refresh}"})
    check(r.status_code == 200 and r.json().get("token"), "refresh", r.text); steps.append("refresh")
    r = requests.post(f"{base}/agents", headers=auth, json={
        "name": "Support Agent", "description": "Handles customer support", "llm_provider": "openai", "llm_model": "gpt-4",
        "stt_provider": "deepgram", "tts_provider": "cartesia", "system_prompt": "You are a helpful support agent.",
        "language": "en", "voice_parameters": {"voice_id": "english_male", "speed": 1.0, "tone": "professional"}})
    check(r.status_code == 201 and r.json()["status"] == "active", "agent", r.text); steps.append("agent")
    agent = r.json()["id"]
    r = requests.get(f"{base}/agents", headers=auth, params={"skip": 0, "limit": 10, "search": "support"})
    check(r.status_code == 200 and r.json()["total"] == 1, "list agents", r.text); steps.append("list agents")
    # The documented additions, as a client sends them: fields every call is read into, and call control.
    r = requests.put(f"{base}/agents/{agent}", headers=auth, json={
        "extraction_schema": [{"name": "pain_point", "type": "text", "description": "What they struggle with"}],
        "call_control": {"silence_timeout_seconds": 30, "max_duration_seconds": 900, "transfer_number": "+1 415 555 0100"}})
    body = r.json()
    check(r.status_code == 200 and body["extraction_schema"][0]["name"] == "pain_point"
          and body["call_control"]["transfer_number"] == "+14155550100", "agent additions", r.text)
    r = requests.put(f"{base}/agents/{agent}", headers=auth, json={"call_control": {"transfer_mode": "warm"}})
    check(r.status_code == 422 and r.json()["error"]["field"] == "call_control.transfer_mode", "call control refused", r.text)
    steps.append("agent additions")
    r = requests.post(f"{base}/campaigns", headers=auth, json={
        "name": "Q2 Marketing Campaign", "agent_id": agent, "phone_numbers": ["+1234567890", "+1234567891"],
        "start_time": "2098-04-01T00:00:00Z", "end_time": "2099-06-30T23:59:59Z", "max_concurrent_calls": 50})
    check(r.status_code == 201 and r.json()["status"] == "draft", "campaign", r.text); steps.append("campaign")
    campaign = r.json()["id"]
    r = requests.post(f"{base}/campaigns/{campaign}/launch", headers=auth)
    check(r.status_code == 200 and r.json()["status"] == "active", "launch", r.text); steps.append("launch")
    r = requests.post(f"{base}/campaigns/{campaign}/launch", headers=auth)
    body = r.json()
    check(r.status_code == 409 and body["success"] is False and body["error"]["code"] == "CAMPAIGN_002", "relaunch", r.text)
    steps.append("errors")
    r = requests.post(f"{base}/do-not-call", headers=auth, json={"phone_numbers": ["+1 234 567 8901"]})
    check(r.status_code == 201 and r.json()["added"] == ["+12345678901"], "do-not-call", r.text); steps.append("do-not-call")
    ws = websocket.create_connection(base.replace("http", "ws", 1) + f"/agents/{agent}/web-call?token={token}")
    ws.send(json.dumps({"type": "config", "data": {"format": "text"}}))
    ws.send(json.dumps({"type": "text", "data": "Hi, yes, I have a minute. We struggle with slow support replies."}))
    replies = []
    while len(replies) < 2:
        message = json.loads(ws.recv())
        check(message["type"] != "error", "web call", message)
        if message["type"] == "ai_response":
            replies.append(message["data"]["text"])
    ws.send(json.dumps({"type": "control", "action": "end"}))
    ended = None
    while ended is None:
        message = json.loads(ws.recv())
        if message["type"] == "session_ended":
            ended = message["data"]
    ws.close()
    r = requests.get(f"{base}/call-logs/{ended['call_id']}", headers=auth)
    check(r.status_code == 200 and "slow support" in r.json()["transcript"].lower(), "call log", r.text); steps.append("web call")
    extracted = r.json()["extracted_data"] or {}
    check("slow support" in (extracted.get("pain_point") or "").lower() and r.json()["extraction_source"] == "rules", "extraction", r.text)
    steps.append("extraction")
    print(json.dumps({"ok": True, "steps": steps}))

main()
