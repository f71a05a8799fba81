"""The Leads & Voice Calls document's Python SDK example, as a client written from the
document would run it with `requests` against Parley (only the base URL changed).

A small `LeadManagementClient` in the document's shape (`client.leads.create({...})`) signs
in, creates leads, lists them with the documented query parameters, updates one, scores it,
adds the documented activity, reads the analytics, exports, and places the SDK's voice call, talked
over the realtime WebSocket with websocket-client in its default configuration. Prints one JSON object
{"ok": bool, "steps": [...], "error": str|null}; exits 1 when a step fails.
"""
import argparse
import csv
import io
import json
import sys

import requests
import websocket  # websocket-client, in its default configuration


class APIError(Exception):
    def __init__(self, response):
        super().__init__(f"{response.request.method} {response.url} -> {response.status_code}: {response.text[:300]}")
        self.response = response


class Obj(dict):
    """A JSON object whose keys read as attributes (`lead.id`), as the SDK example uses them."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(name) from error


class LeadManagementClient:
    def __init__(self, api_key, base_url):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"
        self.leads = Leads(self)
        self.voice = Voice(self)
        self.analytics = Analytics(self)

    def call(self, method, path, expect=(200,), **kwargs):
        response = self.session.request(method, self.base_url + path, timeout=30, **kwargs)
        if response.status_code not in expect:
            raise APIError(response)
        if "json" in response.headers.get("Content-Type", ""):
            return response.json(object_hook=Obj)
        return response


class Leads:
    def __init__(self, client):
        self.client = client

    def create(self, fields):
        return self.client.call("POST", "/leads", expect=(201,), json=fields)

    def list(self, **params):
        return self.client.call("GET", "/leads", params=params)

    def update(self, lead_id, fields):
        return self.client.call("PUT", f"/leads/{lead_id}", json=fields)

    def score(self, lead_id):
        return self.client.call("POST", f"/leads/{lead_id}/score")

    def add_activity(self, lead_id, activity):
        return self.client.call("POST", f"/leads/{lead_id}/activities", expect=(201,), json=activity)

    def export(self, format="csv"):
        return self.client.call("GET", "/leads/export", params={"format": format})


class Voice:
    def __init__(self, client):
        self.client = client

    def start_call(self, lead_id, phone_number=None):
        body = {"lead_id": lead_id}
        if phone_number:
            body["phone_number"] = phone_number
        return self.client.call("POST", "/voice/calls", expect=(200, 201), json=body)


class Analytics:
    def __init__(self, client):
        self.client = client

    def dashboard(self, days=30):
        return self.client.call("GET", "/analytics/dashboard", params={"days": days})

    def leads_overview(self, days=30):
        return self.client.call("GET", "/leads/analytics/overview", params={"days": days})


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True, help="http://host:port/api/v1")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    steps = []
    try:
        # Login (the document's Authentication section).
        login = requests.post(f"{args.base_url}/auth/login", json={"email": args.email, "password": args.password}, timeout=30)
        check(login.status_code == 200, f"login: {login.status_code} {login.text[:200]}")
        token = login.json()
        check(token["token_type"] == "bearer" and token["access_token"], "login answer")
        steps.append("login")

        client = LeadManagementClient(api_key=token["access_token"], base_url=args.base_url)

        # The SDK example: create a lead.
        lead = client.leads.create({"first_name": "John", "last_name": "Doe", "email": "john@example.com"})
        check(lead.id.startswith("lead_") and lead.status == "new", f"created lead {lead}")
        check(0 <= lead.score.overall_score <= 1 and 0 <= lead.score.conversion_probability <= 1, "score in the lead")
        steps.append("create")

        # The Create Lead example, field by field.
        full = client.leads.create({
            "first_name": "Jane", "last_name": "Roe", "email": "jane.roe@company.com", "phone": "+1-555-123-4567",
            "company": "Acme Corp", "title": "VP of Sales", "industry": "technology", "source": "website",
            "notes": "Interested in our AI solution",
        })
        for key in ["id", "first_name", "last_name", "email", "phone", "company", "title", "industry", "source", "status",
                    "score", "created_at", "updated_at"]:
            check(key in full, f"lead object lacks {key}")
        for key in ["overall_score", "demographic_score", "behavioral_score", "engagement_score", "conversion_probability"]:
            check(key in full.score, f"score lacks {key}")
        check(full.created_at.endswith("Z"), "timestamps in UTC")
        steps.append("create-documented")

        # Get Leads with the documented parameters.
        page = client.leads.list(page=1, per_page=20, status="new", min_score=0)
        check(page.total == 2 and page.page == 1 and page.per_page == 20 and page.total_pages == 1, f"list {page}")
        check({item.id for item in page.leads} == {lead.id, full.id}, "both leads listed")
        found = client.leads.list(search="acme")
        check([item.id for item in found.leads] == [full.id], "search by company")
        steps.append("list")

        # Update Lead as documented.
        updated = client.leads.update(full.id, {"status": "qualified", "notes": "Had productive call, very interested"})
        check(updated.status == "qualified" and updated.notes.startswith("Had productive"), "update")
        steps.append("update")

        # Add Lead Activity, then Get Lead Score with its factors.
        activity = client.leads.add_activity(full.id, {
            "activity_type": "demo_requested", "description": "Sent product demo invitation",
            "metadata": {"email_subject": "Demo of our AI solution", "campaign_id": "campaign_123"},
        })
        check(activity.metadata.campaign_id == "campaign_123", "activity metadata kept")
        score = client.leads.score(full.id)
        for key in ["overall_score", "demographic_score", "behavioral_score", "engagement_score", "intent_score", "conversion_probability"]:
            check(0 <= score[key] <= 1, f"score {key}")
        check("Requested product demo" in score.factors.positive_factors, f"factors {score.factors}")
        check(isinstance(score.factors.negative_factors, list) and score.factors.recommendations, "reasons")
        steps.append("score")

        # Analytics.
        dashboard = client.analytics.dashboard(days=30)
        for key in ["totalLeads", "newLeadsToday", "totalCalls", "callsToday", "conversionRate", "avgLeadScore", "revenue", "voiceAICallsActive"]:
            check(key in dashboard, f"dashboard lacks {key}")
        check(dashboard.totalLeads == 2, "dashboard counts")
        overview = client.analytics.leads_overview(days=30)
        check(overview.total_leads == 2 and overview.qualified_leads == 1 and overview.by_source.get("website") == 1, f"overview {overview}")
        steps.append("analytics")

        # Export.
        exported = client.leads.export("csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        check(len(rows) == 2 and {row["email"] for row in rows} == {"john@example.com", "jane.roe@company.com"}, "export")
        steps.append("export")

        # The SDK example's voice call, then the document's realtime WebSocket as its JavaScript
        # example opens it (a plain URL; a browser cannot set headers, so the token rides in the query).
        call = client.voice.start_call(lead_id=lead.id, phone_number="+1-555-123-4567")
        check(bool(call.call_id), f"call {call}")
        url = args.base_url.replace("http", "ws", 1) + f"/voice/calls/{call.call_id}/realtime?token={token['access_token']}"
        ws = websocket.create_connection(url, timeout=60)

        def until(kind):
            seen = []
            while True:
                message = json.loads(ws.recv())
                seen.append(message.get("type"))
                if message.get("type") == "error":
                    raise RuntimeError(f"socket error {message}")
                if message.get("type") == kind:
                    return message, seen

        opening, _ = until("ai_response")
        check(opening["text"] and opening.get("audio"), "the AI opens the call with words and audio")
        ws.send(json.dumps({"type": "text_input", "text": "Yes, this is John. What is this about?"}))
        reply, _ = until("ai_response")
        check(reply["text"] and reply["text"] != opening["text"] and -1 <= reply["analysis"]["sentiment"] <= 1, f"reply {reply.get('text')}")
        ws.send(json.dumps({"type": "end_call"}))
        ended, _ = until("call_ended")
        check(ended.get("summary") is not None, "the call ends with its summary")
        ws.close()
        stored = client.call("GET", f"/voice/calls/{call.call_id}")
        check(stored.status == "completed", f"stored call {stored.status}")
        steps.append("voice-call")

        # The documented error body.
        bad = client.session.post(f"{args.base_url}/leads", json={"first_name": "X", "email": "nope"}, timeout=30)
        body = bad.json()
        check(bad.status_code == 422 and body["details"]["field"] == "email" and body["status_code"] == 422 and "timestamp" in body, f"error {body}")
        check(int(bad.headers["X-RateLimit-Limit"]) == 100, "rate limit headers")
        steps.append("errors")
        print(json.dumps({"ok": True, "steps": steps, "error": None}))
        return 0
    except Exception as error:  # noqa: BLE001 - the report names whatever failed
        print(json.dumps({"ok": False, "steps": steps, "error": str(error)}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
