"""A person overriding the priority on the staff request page: a reason is required, the score
stops changing it, the score panel explains the parts and the override, and "Let the score decide
again" hands the priority back to the score."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_app.models import Priority, RequestEvent, ServiceRequest
from requests_app.services import request_priority_change, request_route
from routing.models import ScoreKeyword
from routing.scoring import request_score
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(city):
    city.pothole.base_severity = 20
    city.pothole.save()
    ScoreKeyword.objects.create(word="bus stop", points=10)
    sr = submit(city)  # "Big hole by the bus stop"
    request_route(request=sr, department=city.streets)
    request_score(request_id=sr.pk, reason="created")
    sr.refresh_from_db()
    return sr


def url(sr) -> str:
    return reverse("staff:detail", args=[sr.tracking_number])


def post(client, sr, action: str, **data):
    data.setdefault("version", ServiceRequest.objects.get(pk=sr.pk).version)
    return client.post(reverse("staff:action", args=[sr.tracking_number, action]), data)


def test_the_score_panel_lists_each_part_the_total_and_the_bands(client, staff, scored):
    client.force_login(staff.agent)
    html = client.get(url(scored)).content.decode()
    assert '<h2 id="h-score">Priority score</h2>' in html
    assert "<caption>Score 30, made of:</caption>" in html
    assert '<td>Category Pothole base severity</td><td class="num">+20</td>' in html
    assert '<td>Keyword “bus stop”</td><td class="num">+10</td>' in html
    assert "Urgent from 80 · High from 50 · Normal from 0 · Low below that" in html
    assert "Follows the score" in html


def test_changing_the_priority_needs_a_reason_and_keeps_what_was_typed(client, staff, scored):
    client.force_login(staff.agent)
    response = post(client, scored, "priority", priority="urgent", reason="  ")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say why you are changing the priority." in html
    assert '<option value="urgent" selected>' in html  # the choice is kept
    assert '<details class="action" id="action-priority" open>' in html
    scored.refresh_from_db()
    assert scored.priority == Priority.NORMAL and not scored.priority_overridden


def test_a_persons_priority_overrides_the_score_and_the_panel_says_who_and_why(
    client, staff, scored
):
    client.force_login(staff.agent)
    response = post(client, scored, "priority", priority="urgent", reason="Next to a school")
    assert response.status_code == 303
    scored.refresh_from_db()
    assert scored.priority == Priority.URGENT and scored.priority_overridden
    event = scored.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED).latest("id")
    assert (event.actor, event.message, event.data) == (
        staff.agent,
        "Next to a school",
        {"override": True},
    )

    # A new score no longer changes the priority a person chose.
    ServiceRequest.objects.filter(pk=scored.pk).update(supporter_count=1)
    request_score(request_id=scored.pk, reason="supporter_added")
    scored.refresh_from_db()
    assert scored.score == 35 and scored.priority == Priority.URGENT

    html = client.get(url(scored)).content.decode()
    assert "Set by a person: the score does not change it." in html
    assert "Overridden by Alex on" in html
    assert "Reason: Next to a school" in html
    assert 'id="action-priority_automatic"' in html


def test_letting_the_score_decide_again_clears_the_override_with_an_event(
    client, staff, scored, django_capture_on_commit_callbacks
):
    request_priority_change(
        request=scored, actor=staff.agent, priority="urgent", reason="School", override=True
    )
    client.force_login(staff.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, scored, "priority_automatic")
    assert response.status_code == 303
    scored.refresh_from_db()
    assert not scored.priority_overridden
    assert scored.priority == Priority.NORMAL  # the score of 30 decides again
    cleared = scored.events.get(data__override_cleared=True)
    assert cleared.actor == staff.supervisor and not cleared.public
    html = client.get(url(scored)).content.decode()
    assert "The priority score decides the priority again." in html
    assert "Priority left to the score again" in html
    assert 'id="action-priority_automatic"' not in html


def test_letting_the_score_decide_is_refused_when_it_already_does(client, staff, scored):
    client.force_login(staff.agent)
    response = post(client, scored, "priority_automatic")
    assert response.status_code == 422
    assert "The priority score already decides this request&#x27;s priority." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("priority", {"priority": "urgent", "reason": "Mine now"}),
        ("priority_automatic", {}),
    ],
)
def test_staff_of_another_department_cannot_override_or_reset(client, staff, scored, action, data):
    request_priority_change(
        request=scored, actor=staff.agent, priority="high", reason="School", override=True
    )
    version = ServiceRequest.objects.get(pk=scored.pk).version
    client.force_login(staff.parks_agent)
    assert post(client, scored, action, **data).status_code == 403
    scored.refresh_from_db()
    assert scored.version == version and scored.priority == Priority.HIGH
    assert scored.priority_overridden
