"""Submitting a report over HTTP, through the real form (issue 11's "Submitting a report" goal).

Each submission is what a browser without JavaScript does: GET `/report/?category=ID` (the
CSRF cookie and token, the form's idempotency key and signed start time, a device cookie), then
POST it with a category, a point and an address, a description, anonymous, `action=submit`; the
answer must be a redirect to the confirmation page, which is then fetched (200, with the
tracking number). Only the POST is the submission's time; the confirmation GET is timed as a
page of its own. The form GET is not timed here (the report form is a row of the table).

The bench database's intake limits (issue 10: reports per address and per device, the minimum
time to fill the form in) would refuse a benchmark, which sends hundreds of reports from
127.0.0.1 in seconds: `bench_intake_limits` raises the per-sender limits to their maximum (so
they are still counted on every POST, as in production) and the fill-in time to 0 for the run,
and puts the admin's values back after.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from demo.bench_http import (
    MIN_SAMPLES,
    Budget,
    Page,
    PageResult,
    Response,
    fetch,
    percentile,
)
from demo.bench_sql import page_queries, queries_replay
from requests_app.forms import QUESTION_PREFIX, form_started_token
from requests_app.models import AddressPoint, Category, IntakeSettings, Question

REPORT_PATH = "/report/"
CONFIRMATION_RE = re.compile(r"^(?:https?://[^/]+)?(/requests/submitted/([^/]+)/)$")
HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
TRACKING_RE = re.compile(r'data-testid="tracking-number">\s*([\w-]+)\s*<')
DESCRIPTION = "Bench report: a pothole about a foot wide in the right-hand lane, getting deeper."
LIMIT_MAX = 32767  # PositiveSmallIntegerField's largest value


class SubmitError(Exception):
    pass


@dataclass(frozen=True)
class ReportPlan:
    """What every benchmark report says: a category with nothing else to ask, and a place."""

    category_id: int
    latitude: float
    longitude: float
    address: str
    description: str = DESCRIPTION
    answers: dict[str, str | list[str]] = field(default_factory=dict)  # q_<code>: answer


@dataclass
class Submission:
    post_ms: float
    confirmation_ms: float
    token: str
    tracking_number: str


@dataclass
class SubmitRun:
    submissions: list[Submission] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


PREFERRED_CATEGORY = "pothole"  # the everyday report; any other will do if it is missing


def _answer(question: Question) -> str | list[str] | None:
    """A valid answer to a required question, or None when the plan cannot give one."""
    keys = [c.key for c in question.choices.all()]
    datatype = question.datatype
    if datatype == Question.Datatype.SINGLE and keys:
        return keys[0]
    if datatype == Question.Datatype.MULTI and keys:
        return [keys[0]]
    if datatype == Question.Datatype.NUMBER:
        return "2"
    if datatype in (Question.Datatype.STRING, Question.Datatype.TEXT):
        return "Bench answer"
    return None


def report_plan() -> ReportPlan | None:
    """A report the form accepts in one POST: an online category without an asset to pick (the
    form would ask for one first), preferably a pothole, its required questions answered, and an
    address point of the city; None when the database has no such category or no address."""
    point = AddressPoint.objects.order_by("id").first()
    categories = (
        Category.objects.filter(active=True, online_submission_allowed=True, asset_type="")
        .prefetch_related("questions__choices")
        .order_by("id")
    )
    ordered = sorted(categories, key=lambda c: c.code != PREFERRED_CATEGORY)
    for category in ordered if point is not None else []:
        answers = {}
        for question in category.questions.all():
            if question.variable and question.required:
                answers[f"{QUESTION_PREFIX}{question.code}"] = _answer(question)
        if None in answers.values():
            continue
        return ReportPlan(
            category_id=category.pk,
            latitude=point.location.y,
            longitude=point.location.x,
            address=point.label,
            answers=answers,
        )
    return None


@contextmanager
def bench_intake_limits() -> Iterator[None]:
    """Module docstring: limits raised for the run, the admin's values back after."""
    limits = IntakeSettings.load()
    names = (
        "reports_per_address_per_hour",
        "reports_per_device_per_hour",
        "reports_per_contact_per_day",
        "min_fill_seconds",
    )
    saved = {name: getattr(limits, name) for name in names}
    for name in names[:3]:
        setattr(limits, name, LIMIT_MAX)
    limits.min_fill_seconds = 0
    limits.save(update_fields=list(names))
    try:
        yield
    finally:
        IntakeSettings.objects.filter(pk=limits.pk).update(**saved)


def _cookies(response: Response) -> str:
    return "; ".join(f"{k}={v}" for k, v in response.cookies().items())


def form_fields(base_url: str, plan: ReportPlan) -> tuple[dict[str, str], str]:
    """GET the form: its hidden fields and the Cookie header its answer set."""
    page = fetch(base_url, f"{REPORT_PATH}?category={plan.category_id}")
    hidden = dict(HIDDEN_RE.findall(page.body))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or not csrf or "idempotency_key" not in hidden:
        raise SubmitError(f"report form: HTTP {page.status}, no CSRF token or idempotency key")
    hidden["csrfmiddlewaretoken"] = csrf.group(1)
    return hidden, _cookies(page)


def report_fields(plan: ReportPlan, hidden: dict[str, str]) -> dict[str, str | list[str]]:
    """What the form sends: its hidden fields and the plan's answers, anonymous, submit."""
    return {
        "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"],
        "idempotency_key": hidden["idempotency_key"],
        "started": hidden.get("started", ""),
        "website": "",
        "category": str(plan.category_id),
        "address": plan.address,
        "latitude": f"{plan.latitude:.6f}",
        "longitude": f"{plan.longitude:.6f}",
        "asset": "",
        "description": plan.description,
        "anonymous": "on",
        "contact_method": "none",
        "language": "en",
        "action": "submit",
        **plan.answers,
    }


def report_body(plan: ReportPlan, hidden: dict[str, str]) -> str:
    return urlencode(report_fields(plan, hidden), doseq=True)


def report_submit(base_url: str, plan: ReportPlan) -> Submission:
    """One report through the form (module docstring); raises SubmitError when any step
    answers otherwise than a browser would need."""
    hidden, cookie = form_fields(base_url, plan)
    headers = {"Cookie": cookie, "Origin": base_url, "Referer": base_url + REPORT_PATH}
    began = time.perf_counter()
    answer = fetch(base_url, REPORT_PATH, body=report_body(plan, hidden), headers=headers)
    post_ms = (time.perf_counter() - began) * 1000
    match = CONFIRMATION_RE.match(answer.header("Location"))
    if answer.status != 302 or not match:
        raise SubmitError(f"report POST: HTTP {answer.status}, not a redirect to a confirmation")
    began = time.perf_counter()
    page = fetch(base_url, match.group(1), headers={"Cookie": cookie})
    confirmation_ms = (time.perf_counter() - began) * 1000
    tracking = TRACKING_RE.search(page.body)
    if page.status != 200 or not tracking:
        raise SubmitError(f"confirmation: HTTP {page.status}, no tracking number")
    return Submission(post_ms, confirmation_ms, match.group(2), tracking.group(1))


def submit_sequential(base_url: str, plan: ReportPlan, budget: Budget) -> SubmitRun:
    """One client, one report after another, bounded like a page's 1-client run."""
    run = SubmitRun()
    started = time.monotonic()
    while len(run.submissions) < budget.sequential:
        elapsed = time.monotonic() - started
        if elapsed > budget.seconds and (
            len(run.submissions) >= MIN_SAMPLES or elapsed > 3 * budget.seconds
        ):
            break
        try:
            run.submissions.append(report_submit(base_url, plan))
        except (SubmitError, OSError) as exc:
            run.errors.append(str(exc))
            break
    run.seconds = time.monotonic() - started
    return run


def submit_concurrent(base_url: str, plan: ReportPlan, budget: Budget) -> SubmitRun:
    """`budget.clients` threads each sending reports one after another until `budget.seconds`
    or `budget.concurrent` reports in all; every error is kept."""
    run = SubmitRun()
    lock = threading.Lock()
    deadline = time.monotonic() + budget.seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if len(run.submissions) + len(run.errors) >= budget.concurrent:
                    return
            try:
                done = report_submit(base_url, plan)
            except (SubmitError, OSError) as exc:
                with lock:
                    run.errors.append(str(exc))
                continue
            with lock:
                run.submissions.append(done)

    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(budget.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=budget.seconds + 60)
    run.seconds = time.monotonic() - started
    return run


def report_post_sql(plan: ReportPlan) -> tuple[int | None, float | None, str]:
    """(statements, median ms, error) of one report POST's own SQL (demo.bench_sql: captured
    in a transaction rolled back, replayed likewise)."""
    hidden = {
        "csrfmiddlewaretoken": "",  # the test client does not check CSRF
        "idempotency_key": str(uuid.uuid4()),
        "started": form_started_token(at=time.time() - 60),
    }
    data = report_fields(plan, hidden)
    try:
        queries = page_queries(path=REPORT_PATH, data=data, expect=302)
    except Exception as exc:  # shown in the table, never stops the bench
        return None, None, f"capture failed: {exc}"[:200]
    timing = queries_replay(queries)
    return timing.queries, timing.p50, timing.error


def _fill(result: PageResult, samples: list[float]) -> None:
    if samples:
        result.samples = len(samples)
        result.p50, result.p95, result.p99 = (percentile(samples, p) for p in (50, 95, 99))


POST_PAGE = Page("report POST (submit, no photo)", REPORT_PATH, kind="submit", expect=302)


def confirmation_page(token: str) -> Page:
    return Page("confirmation page", f"/requests/submitted/{token}/")


def submit_measure(
    base_url: str, plan: ReportPlan, budget: Budget
) -> tuple[PageResult, list[Submission]]:
    """The POST's row: 1 client p50/p95/p99, then `budget.clients` clients (submissions/s, each
    client also fetching the form and the confirmation; the POST's p95 under that load in
    `loaded_p95`); and every submission made, so the caller can check each is in the database
    and time a confirmation page."""
    warm = Budget(sequential=min(5, budget.sequential), seconds=budget.seconds)
    made = submit_sequential(base_url, plan, warm).submissions
    single = submit_sequential(base_url, plan, budget)
    made += single.submissions
    post = PageResult(POST_PAGE)
    _fill(post, [s.post_ms for s in single.submissions])
    if single.errors:
        post.error = single.errors[0]
        return post, made
    loaded = submit_concurrent(base_url, plan, budget)
    made += loaded.submissions
    post.concurrent = len(loaded.submissions)
    if loaded.seconds:
        post.rps = len(loaded.submissions) / loaded.seconds
    if loaded.submissions:
        post.loaded_p95 = percentile([s.post_ms for s in loaded.submissions], 95)
    if loaded.errors:
        post.error = f"{len(loaded.errors)} failed under load, e.g. {loaded.errors[0]}"
    return post, made
