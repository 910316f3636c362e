"""Every admin page civic311 customises passes axe-core with no critical or serious violation, in
English and in Spanish, and the escalation policy and category pages fit a 360 px screen (wide
inline tables scroll in their own box). Issue 12."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from playwright.sync_api import expect

from notifications.models import InboundMessage, MessageTemplate, Survey
from requests_app.models import BlockedContact, ResponseTemplate, Supporter
from routing.models import (
    BusinessCalendar,
    CalendarClosure,
    Clock,
    CrewZone,
    EscalationFired,
    EscalationPolicy,
    EscalationStep,
    RoutingRule,
    ScoreKeyword,
    SensitivePlace,
    SlaTarget,
    WorkingHours,
)
from tests.browser.conftest import PHONE, axe_violations, format_violations
from tests.factories import AssetFactory
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.browser

CIVIC311_APPS = ("requests_app", "routing", "notifications", "staff")
PASSWORD = "pw-root-admin"
# Content that overflows the screen outside a box of its own that scrolls: what the issue saw.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("#content *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let up = el.parentElement, scrolls = false;
    while (up && up !== document.body) {
      const style = getComputedStyle(up);
      const inside = up.getBoundingClientRect().right <= width + 1;
      if (["auto", "scroll"].includes(style.overflowX) && inside) {
        scrolls = true;
        break;
      }
      up = up.parentElement;
    }
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    if (!scrolls) out.push(name + " ends at " + Math.round(box.right));
  }
  return out;
}"""


@pytest.fixture
def admin_rows(city, staff, django_user_model):
    """A row of each model whose change page is worth a look, and a superuser."""
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    request = routed(city)
    offices = BusinessCalendar.objects.create(name="City offices", time_zone="America/Los_Angeles")
    WorkingHours.objects.create(calendar=offices, weekday=0, start=time(8), end=time(17))
    CalendarClosure.objects.create(calendar=offices, date=date(2026, 12, 24), name="Christmas Eve")
    SlaTarget.objects.create(
        category=city.pothole, response_hours=8, resolution_hours=72, calendar=offices
    )
    SlaTarget.objects.create(
        category=city.pothole,
        priority="urgent",
        response_hours=2,
        resolution_hours=24,
        clock=Clock.AROUND_THE_CLOCK,
    )
    rule = RoutingRule.objects.create(name="Potholes to Streets", department=city.streets)
    rule.categories.set([city.pothole])
    policy = EscalationPolicy.objects.create(name="Streets", department=city.streets)
    step = EscalationStep.objects.create(
        policy=policy,
        name="Supervisors told at 75% of the time to resolve",
        trigger=EscalationStep.Trigger.TARGET_PERCENT,
        target=EscalationStep.Target.RESOLUTION,
        value=75,
        notify=EscalationStep.Notify.SUPERVISORS,
    )
    EscalationStep.objects.create(
        policy=policy,
        name="Breach: priority up and the team of supervisors",
        trigger=EscalationStep.Trigger.TARGET_PERCENT,
        target=EscalationStep.Target.RESOLUTION,
        value=100,
        raise_priority=True,
        reassign_team=staff.potholes_team,
    )
    EscalationFired.objects.create(request=request, step=step, occurrence=1)
    CrewZone.objects.create(
        team=staff.potholes_team, area=city.mission, member=staff.potholes_team.members.first()
    )
    ScoreKeyword.objects.create(word="exposed wires", points=20)
    SensitivePlace.objects.create(
        kind="school", name="Lincoln Elementary", location=city.address.location
    )
    AssetFactory()
    Supporter.objects.create(request=request, name="Neighbour")
    ResponseTemplate.objects.create(name="Fixed", body="We fixed it.", category=city.pothole)
    BlockedContact.objects.create(kind="email", value="spam@example.org", reason="spam")
    MessageTemplate.objects.create(
        kind="received", channel="email", language="en", subject="Got it", body_text="Thanks."
    )
    InboundMessage.objects.create(
        channel="email", sender="r@example.org", outcome="attached", request=request
    )
    Survey.objects.create(request=request, token="t" * 40)
    LogEntry.objects.log_actions(root.pk, [city.pothole], CHANGE, change_message="Changed name.")
    ContentType.objects.clear_cache()
    return root


def customised_pages() -> dict[str, list[str]]:
    """Per app: the changelist, add form and change form (of the first row) of every model whose
    admin civic311 wrote (Django's User too: its admin is civic311's)."""
    pages: dict[str, list[str]] = {}
    for model, model_admin in admin.site._registry.items():
        app = type(model_admin).__module__.split(".")[0]
        if app not in CIVIC311_APPS:
            continue
        opts = model._meta
        urls = pages.setdefault(app, [])
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
    return pages


def sign_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("app", CIVIC311_APPS)
def test_every_customised_admin_page_passes_axe(browser, live_server, admin_rows, app, language):
    context = browser.new_context(locale=language)
    context.set_default_timeout(10000)
    page = context.new_page()
    sign_in(page, live_server)
    checked, problems = 0, []
    for url in customised_pages()[app]:
        response = page.goto(live_server.url + url)
        if response.status == 403:  # an add form the admin refuses (logs, one-row settings)
            continue
        assert response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language, url
        add_row = page.locator(".add-row a:visible")
        if url.endswith("/change/") and add_row.count():
            add_row.first.click()  # a row added by the script is named too
        page.wait_for_load_state("load")
        page.wait_for_timeout(50)  # the widget repairs run just after load
        found = [v for v in axe_violations(page) if v["impact"] in ("critical", "serious")]
        if found:
            problems.append(f"{url}:\n{format_violations(found)}")
        checked += 1
    context.close()
    assert checked >= 2  # every app has at least a list and a form
    assert problems == [], "\n".join(problems)


def test_the_escalation_policy_and_category_pages_fit_a_phone(
    browser, live_server, admin_rows, city
):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10000)
    page = context.new_page()
    sign_in(page, live_server)
    policy = EscalationPolicy.objects.get(name="Streets")
    for url in [
        reverse("admin:routing_escalationpolicy_change", args=[policy.pk]),
        reverse("admin:routing_escalationpolicy_add"),
        reverse("admin:requests_app_category_change", args=[city.pothole.pk]),
        reverse("admin:routing_businesscalendar_change", args=[BusinessCalendar.objects.get().pk]),
    ]:
        page.goto(live_server.url + url)
        assert page.evaluate(OVERFLOW) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    # The steps table is wider than the phone: it scrolls inside its own box, which a person
    # can scroll to reach the last column.
    page.goto(live_server.url + reverse("admin:routing_escalationpolicy_change", args=[policy.pk]))
    wrapper = page.locator("#steps-group .wrapper")
    assert wrapper.evaluate("box => box.scrollWidth > box.clientWidth")
    page.locator("#id_steps-0-reassign_team").scroll_into_view_if_needed()
    expect(page.locator("#id_steps-0-reassign_team")).to_be_in_viewport()
    context.close()


def test_the_category_page_shows_the_target_in_effect_in_spanish(
    browser, live_server, admin_rows, city
):
    context = browser.new_context(locale="es")
    page = context.new_page()
    sign_in(page, live_server)
    page.goto(
        live_server.url + reverse("admin:requests_app_category_change", args=[city.pothole.pk])
    )
    table = page.locator("table.effective-targets")
    expect(table.get_by_role("row", name="Normal")).to_contain_text("72 horas hábiles")
    expect(table.get_by_role("row", name="Urgente")).to_contain_text("24 horas corridas")
    expect(page.get_by_text("Horas de respaldo hasta la resolución")).to_be_visible()
    context.close()
