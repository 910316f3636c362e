"""Playwright fixtures for the real-browser tests: Debian's Chromium (Playwright cannot download its
own here), map tiles blocked (there is no internet, and the pages must work without them) and an
axe-core accessibility check."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Sync Playwright keeps an event loop in the main thread; live_server's DB work must be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# Full-page screenshots to look at by eye (outside the repository).
SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class Offsite:
    """Aborts every request that does not go to the live server (map tiles, mostly) and remembers
    them, so a test can show the page coped without them."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.blocked: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        if url.startswith(self.origin) or url.startswith("data:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def offsite(live_server) -> Offsite:
    return Offsite(live_server.url)


@pytest.fixture
def page(page, offsite):
    page.route("**/*", offsite)
    page.set_default_timeout(5000)
    return page


@pytest.fixture
def phone_page(browser, offsite):
    """A 360 px touch phone."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(5000)
    context.route("**/*", offsite)
    yield context.new_page()
    context.close()


def axe_violations(page, rules: list[str] | None = None) -> list[dict]:
    """axe's violations on the page as it is now: WCAG 2.1 A and AA, or only the named rules
    (a best-practice rule such as "empty-table-header" is outside those tags)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Not add_script_tag: that is an inline <script>, which the pages' CSP refuses. An
        # evaluation from the test driver is not subject to the page's policy.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    return page.evaluate(
        """async (runOnly) => {
            const result = await axe.run(document, {runOnly});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "), summary: n.failureSummary,
                })),
            }));
        }""",
        run_only,
    )


# What the staff queue's 20-second refresh does, run now: the rows' own request and swap.
POLL_QUEUE_ROWS = """() => {
    const rows = document.getElementById("queue-rows");
    htmx.ajax("GET", rows.getAttribute("hx-get"),
              {source: rows, target: rows, swap: "innerHTML show:none"});
}"""


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.fixture
def assert_accessible():
    """`assert_accessible(page, "what")` runs axe (WCAG 2.1 A and AA) on the page as it is now."""

    def check(page, where: str) -> None:
        violations = axe_violations(page)
        assert violations == [], f"axe found problems on {where}:\n{format_violations(violations)}"

    return check


@pytest.fixture
def screenshot():
    def take(page, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(autouse=True)
def people_fill_forms_slower_than_playwright(request):
    """Playwright fills in a report within a second or two, which the report form's minimum fill
    time (issue 10, tests/requests_app/test_intake_limits.py) takes for a robot: it is off in
    real-browser tests, whose subject is the person's path through the pages."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("live_server")
    from requests_app.models import IntakeSettings

    IntakeSettings.objects.update_or_create(pk=1, defaults={"min_fill_seconds": 0})
