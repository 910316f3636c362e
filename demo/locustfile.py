"""The mixed load test's users, run by locust in a process of its own (demo.bench_load starts
it; never imported by Django: locust patches the standard library with gevent).

It reads its plan from the JSON file named by CIVIC311_LOAD_PLAN (written by demo.bench_load):
the report to file, tracking numbers to look up, the staff requests to act on, a handful of
signed-in staff sessions shared by every staff user, and the file to append each acknowledged
submission to (one private token a line: the POST answered with a redirect to its confirmation
and the confirmation page showed its tracking number).

- Residents (3 of 4 users): report a problem through the form (GET the form for its CSRF
  token and hidden fields, POST, follow to the confirmation), track a request, open the home
  page or the public list.
- Staff (1 of 4): load their queue, refresh its rows in place (the HTMX request the page makes
  every 20 s, with the ETag of the rows it shows: mostly 304s), open a request and act on it
  through the page's own forms: acknowledge, assign (to a person offered by the form), put on
  hold / resume, or change priority, whichever the page offers, with the version it shows.

A failure is any exception or any answer other than what a browser would get: 5xx above all,
but also a 4xx or a missing confirmation. A 409 on a staff action (two users changed the same
request; the page shows "changed by X") is what the product promises under contention, so it
is counted apart ("... 409 conflict"), not as a failure.
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

PLAN = json.loads(open(os.environ["CIVIC311_LOAD_PLAN"]).read())  # noqa: SIM115
THINK = PLAN.get("think", [1.0, 3.0])
HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TRACKING_RE = re.compile(r'data-testid="tracking-number">\s*([\w-]+)\s*<')
FORM_RE = re.compile(
    r'<form method="post" action="(/staff/requests/[^/"]+/(\w+)/)"(.*?)</form>', re.DOTALL
)
SELECT_RE = re.compile(r'<select name="(\w+)"[^>]*>(.*?)</select>', re.DOTALL)
OPTION_RE = re.compile(r'<option value="([^"]+)"')
STAFF_ACTIONS = ("acknowledge", "assign", "resume", "hold", "priority")
SUBMITTED = open(PLAN["submitted_file"], "a", buffering=1)  # noqa: SIM115


def _fail_unexpected(response, expected: tuple[int, ...], what: str) -> bool:
    """Mark the response failed unless its status is expected; True when it was."""
    if response.status_code in expected:
        response.success()
        return True
    response.failure(f"{what}: HTTP {response.status_code}")
    return False


class Resident(FastHttpUser):
    weight = 3
    wait_time = between(*THINK)

    @task(1)
    def report(self) -> None:
        plan = PLAN["report"]
        path = f"/report/?category={plan['category_id']}"
        with self.client.get(path, name="report form", catch_response=True) as form:
            if not _fail_unexpected(form, (200,), "report form"):
                return
            hidden = dict(HIDDEN_RE.findall(form.text or ""))
            csrf = CSRF_RE.search(form.text or "")
            if not csrf or "idempotency_key" not in hidden:
                form.failure("report form: no CSRF token or idempotency key")
                return
        data = {
            "csrfmiddlewaretoken": csrf.group(1),
            "idempotency_key": hidden["idempotency_key"],
            "started": hidden.get("started", ""),
            "website": "",
            "category": str(plan["category_id"]),
            "address": plan["address"],
            "latitude": f"{plan['latitude']:.6f}",
            "longitude": f"{plan['longitude']:.6f}",
            "asset": "",
            "description": plan["description"],
            "anonymous": "on",
            "contact_method": "none",
            "language": "en",
            "action": "submit",
            **plan.get("answers", {}),
        }
        headers = {
            "Referer": self.host + "/report/",
            "Origin": self.host,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        with self.client.post(
            "/report/",
            data=urlencode(data, doseq=True),
            headers=headers,
            name="report POST",
            allow_redirects=False,
            catch_response=True,
        ) as posted:
            if not _fail_unexpected(posted, (302,), "report POST"):
                return
            location = posted.headers.get("Location", "")
        match = re.search(r"/requests/submitted/([^/]+)/$", location)
        if not match:
            return
        with self.client.get(location, name="confirmation", catch_response=True) as confirmation:
            if not _fail_unexpected(confirmation, (200,), "confirmation"):
                return
            if not TRACKING_RE.search(confirmation.text or ""):
                confirmation.failure("confirmation: no tracking number")
                return
        SUBMITTED.write(match.group(1) + "\n")

    @task(4)
    def track(self) -> None:
        number = random.choice(PLAN["tracking_numbers"])
        self.client.get(f"/requests/{number}/", name="tracker")

    @task(1)
    def browse(self) -> None:
        if random.random() < 0.5:
            self.client.get("/", name="home")
        else:
            self.client.get("/requests/", name="public list")


class Staff(FastHttpUser):
    weight = 1
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.cookie = random.choice(PLAN["staff_cookies"])
        self.csrf = dict(
            part.strip().split("=", 1) for part in self.cookie.split(";") if "=" in part
        ).get("csrftoken", "")

    def _get(self, path: str, name: str, headers: dict | None = None):
        return self.client.get(path, name=name, headers={"Cookie": self.cookie, **(headers or {})})

    @task(2)
    def queue(self) -> None:
        self._get("/staff/", "staff queue")

    @task(4)
    def refresh(self) -> None:
        # As the page's own script polls: with the ETag of the rows it shows, so an unchanged
        # queue answers 304 (static/js/staff_queue.js).
        headers = {"HX-Request": "true", "HX-Target": "queue-rows"}
        if getattr(self, "etag", ""):
            headers["If-None-Match"] = self.etag
        response = self._get("/staff/", "queue refresh", headers)
        if response.status_code == 200:
            self.etag = response.headers.get("ETag", "")

    @task(2)
    def act(self) -> None:
        number = random.choice(PLAN["staff_tracking_numbers"])
        path = f"/staff/requests/{number}/"
        with self.client.get(
            path, name="staff request page", headers={"Cookie": self.cookie}, catch_response=True
        ) as page:
            if not _fail_unexpected(page, (200,), "staff request page"):
                return
            forms = {action: (url, body) for url, action, body in FORM_RE.findall(page.text or "")}
        offered = [a for a in STAFF_ACTIONS if a in forms]
        if not offered:
            return
        action = offered[0] if random.random() < 0.5 else random.choice(offered)
        url, body = forms[action]
        data = dict(HIDDEN_RE.findall(body))
        selects = {name: OPTION_RE.findall(options) for name, options in SELECT_RE.findall(body)}
        if action == "assign":
            people = selects.get("assignee", [])
            if not people:
                return
            data["assignee"] = random.choice(people)
        elif action == "hold":
            data["message"] = "Could you add a photo of the problem, please? (load test)"
        elif action == "priority":
            data["priority"] = random.choice(selects.get("priority") or ["normal"])
            data["reason"] = "Load test"
        headers = {
            "Cookie": self.cookie,
            "Referer": self.host + path,
            "Origin": self.host,
            "X-CSRFToken": data.get("csrfmiddlewaretoken", self.csrf),
        }
        data.setdefault("draft_key", str(uuid.uuid4()))
        with self.client.post(
            url,
            data=data,
            headers=headers,
            name=f"staff action: {action}",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 409:
                answer.success()
                answer.request_meta["name"] = f"staff action: {action} 409 conflict"
                return
            _fail_unexpected(answer, (303,), f"staff action {action}")
