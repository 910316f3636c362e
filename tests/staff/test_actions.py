"""Every action on the staff request page, through the view: what it changes when allowed, that
a refusal changes nothing, who may act at all, stale edits, response templates and on-site
photos."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from requests_app.models import (
    ClosureReason,
    Photo,
    RequestEvent,
    ResponseTemplate,
    ServiceRequest,
    Status,
)
from requests_app.services import request_resolve
from tests.images import upload
from tests.requests_app.helpers import TYPED_TRACKING_NUMBERS, submit, typed

pytestmark = pytest.mark.django_db

ACTIONS = (
    "acknowledge",
    "assign",
    "priority",
    "comment",
    "note",
    "onsite",
    "hold",
    "resume",
    "resolve",
    "duplicate",
    "reopen",
    "recategorise",
    "transfer",
)


@pytest.fixture
def resolved(city, staff, queued):
    request_resolve(request=queued, actor=staff.agent, closure_reason=city.repaired)
    queued.refresh_from_db()
    return queued


def post(client, sr, action: str, **data):
    data.setdefault("version", sr.version)
    return client.post(reverse("staff:action", args=[sr.tracking_number, action]), data)


def snapshot(sr) -> tuple:
    fresh = ServiceRequest.objects.get(pk=sr.pk)
    return fresh.version, fresh.status, fresh.events.count()


def assert_refused(client, sr, action: str, expected: str, /, **data) -> None:
    """The action is refused with `expected` on the page it re-renders (422) and changes nothing.
    Positional-only, so that the form's own fields (`message`...) can go in `data`."""
    before = snapshot(sr)
    response = post(client, sr, action, **data)
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert snapshot(sr) == before


def valid_data(action: str, city, staff, other) -> dict:
    """Input that the form accepts for each action."""
    return {
        "acknowledge": {},
        "assign": {"assignee": staff.crew.pk, "team": staff.potholes_team.pk},
        "priority": {"priority": "high", "reason": "Near a school"},
        "comment": {"message": "A crew is booked for Tuesday."},
        "note": {"message": "Vendor code 44"},
        "onsite": {
            "public_message": "Visited",
            "draft_key": "5d3f3c0e-4c59-4b53-9d2b-2c1c1f0e0a11",
        },
        "hold": {"message": "Please send a photo of the hole."},
        "resume": {},
        "resolve": {"closure_reason": city.repaired.pk},
        "duplicate": {"original": other.tracking_number},
        "reopen": {"reason": "Still there"},
        "recategorise": {"category": city.graffiti.pk, "reason": "It is paint"},
        "transfer": {"department": city.parks.pk, "reason": "Park land"},
    }[action]


# --- Allowed ------------------------------------------------------------------------------------


def test_acknowledge(client, staff, queued):
    client.force_login(staff.agent)
    response = post(client, queued, "acknowledge")
    assert response.status_code == 303
    assert response["Location"] == reverse("staff:detail", args=[queued.tracking_number])
    queued.refresh_from_db()
    assert queued.acknowledged_at is not None
    assert queued.events.filter(type=RequestEvent.Type.ACKNOWLEDGED, actor=staff.agent).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Acknowledged. The resident sees that staff have reviewed the request." in page


def test_assign_to_a_person_and_team(client, staff, queued):
    client.force_login(staff.supervisor)
    response = post(client, queued, "assign", assignee=staff.crew.pk, team=staff.potholes_team.pk)
    assert response.status_code == 303
    queued.refresh_from_db()
    assert queued.assignee == staff.crew and queued.team == staff.potholes_team
    event = queued.events.get(type=RequestEvent.Type.ASSIGNED)
    assert not event.public and event.actor == staff.supervisor


def test_assign_offers_only_the_departments_staff(client, staff, queued):
    client.force_login(staff.agent)
    response = post(client, queued, "assign", assignee=staff.parks_agent.pk)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_priority_change(client, staff, queued):
    client.force_login(staff.agent)
    assert post(client, queued, "priority", priority="urgent", reason="School").status_code == 303
    queued.refresh_from_db()
    assert queued.priority == "urgent"
    assert queued.events.get(type=RequestEvent.Type.PRIORITY_CHANGED).message == "School"


def test_public_comment_reaches_the_tracker(client, staff, queued):
    client.force_login(staff.agent)
    assert post(client, queued, "comment", message="Crew booked for Tuesday").status_code == 303
    assert queued.events.get(type=RequestEvent.Type.COMMENT).public
    client.logout()
    assert "Crew booked for Tuesday" in client.get(queued.get_absolute_url()).content.decode()


def test_internal_note_stays_off_the_tracker(client, staff, queued):
    client.force_login(staff.agent)
    assert post(client, queued, "note", message="Gate code 1234").status_code == 303
    note = queued.events.get(type=RequestEvent.Type.NOTE)
    assert not note.public
    assert (
        "Gate code 1234"
        in client.get(reverse("staff:detail", args=[queued.tracking_number])).content.decode()
    )
    client.logout()
    assert "Gate code 1234" not in client.get(queued.get_absolute_url()).content.decode()


def test_onsite_photo_becomes_staff_evidence_on_the_public_tracker(client, staff, queued):
    client.force_login(staff.crew)
    response = client.post(
        reverse("staff:action", args=[queued.tracking_number, "onsite"]),
        {
            "version": queued.version,
            "draft_key": "9a7e7d8a-3d0b-4a55-8f1b-0c3a4c5d6e7f",
            "public_message": "Crew visited; cones placed.",
            "internal_notes": "Needs the big patch truck",
            "photos": [upload("crew.jpg")],
        },
    )
    assert response.status_code == 303
    queued.refresh_from_db()
    assert queued.status == Status.IN_PROGRESS
    photo = Photo.objects.get(request=queued)
    assert photo.source == Photo.Source.STAFF and photo.public and photo.draft_key is None
    onsite = queued.events.get(type=RequestEvent.Type.ONSITE_ATTEMPT)
    assert onsite.public and onsite.data["photos"] == [str(photo.uuid)]
    assert not queued.events.get(type=RequestEvent.Type.NOTE).public

    client.logout()
    tracker = client.get(queued.get_absolute_url()).content.decode()
    assert str(photo.uuid) in tracker and "Photo from the city crew" in tracker
    assert "Crew visited; cones placed." in tracker and "big patch truck" not in tracker
    assert client.get(reverse("requests_app:photo", args=[photo.uuid, "thumb"])).status_code == 200


def test_an_unreadable_photo_keeps_the_visit_unsaved_and_the_notes_typed(client, staff, queued):
    client.force_login(staff.crew)
    before = snapshot(queued)
    response = client.post(
        reverse("staff:action", args=[queued.tracking_number, "onsite"]),
        {
            "version": queued.version,
            "draft_key": "9a7e7d8a-3d0b-4a55-8f1b-0c3a4c5d6e7f",
            "internal_notes": "Needs the big patch truck",
            "photos": [upload("broken.jpg", b"not an image")],
        },
    )
    assert response.status_code == 422
    assert "Needs the big patch truck" in response.content.decode()
    assert snapshot(queued) == before


def test_hold_then_resume(client, staff, queued):
    client.force_login(staff.agent)
    assert post(client, queued, "hold", message="Please send a photo").status_code == 303
    queued.refresh_from_db()
    assert queued.status == Status.WAITING_ON_RESIDENT
    assert post(client, queued, "resume").status_code == 303
    queued.refresh_from_db()
    assert queued.status == Status.IN_PROGRESS


def test_resolve_with_a_closure_reason(client, city, staff, queued):
    client.force_login(staff.agent)
    assert post(client, queued, "resolve", closure_reason=city.repaired.pk).status_code == 303
    queued.refresh_from_db()
    assert queued.status == Status.RESOLVED and queued.closure_reason == city.repaired
    client.logout()
    assert "The crew repaired it." in client.get(queued.get_absolute_url()).content.decode()


def test_mark_duplicate(client, city, staff, queued):
    original = submit(city)
    client.force_login(staff.agent)
    assert post(client, queued, "duplicate", original=original.tracking_number).status_code == 303
    queued.refresh_from_db()
    assert queued.status == Status.CLOSED_DUPLICATE and queued.duplicate_of == original


@pytest.mark.parametrize("form", TYPED_TRACKING_NUMBERS[1:])
def test_mark_duplicate_takes_the_original_number_typed_any_way(client, city, staff, queued, form):
    original = submit(city)
    client.force_login(staff.agent)
    response = post(client, queued, "duplicate", original=typed(original, form))
    assert response.status_code == 303
    queued.refresh_from_db()
    assert queued.status == Status.CLOSED_DUPLICATE and queued.duplicate_of == original


def test_mark_duplicate_of_words_is_a_field_error_not_a_500(client, staff, queued):
    client.force_login(staff.agent)
    response = post(client, queued, "duplicate", original="the one on Market St yesterday")
    assert response.status_code == 422
    assert "There is no request numbered" in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == Status.IN_QUEUE


def test_reopen(client, staff, resolved):
    client.force_login(staff.agent)
    assert post(client, resolved, "reopen", reason="Still there").status_code == 303
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_QUEUE


def test_recategorise_moves_the_request(client, city, staff, queued):
    client.force_login(staff.agent)
    response = post(client, queued, "recategorise", category=city.graffiti.pk, reason="Paint")
    assert response.status_code == 303
    queued.refresh_from_db()
    assert queued.category == city.graffiti and queued.department == city.parks


def test_transfer_needs_a_reason_and_keeps_the_choice(client, city, staff, queued):
    client.force_login(staff.agent)
    before = snapshot(queued)
    response = post(client, queued, "transfer", department=city.parks.pk, reason="")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say why it is being transferred." in html
    assert re.search(rf'<option value="{city.parks.pk}" selected>', html)
    assert snapshot(queued) == before
    assert (
        post(client, queued, "transfer", department=city.parks.pk, reason="Park").status_code == 303
    )
    queued.refresh_from_db()
    assert queued.department == city.parks


# --- Refused: wrong status, nothing changes -----------------------------------------------------

REFUSED_WHEN_RESOLVED = {
    "assign": "This request is closed. Reopen it first.",
    "priority": "This request is closed. Reopen it first.",
    "onsite": "This request is closed. Reopen it first.",
    "hold": "cannot become “Waiting on resident”",
    "resume": "Only a request waiting on the resident can be resumed.",
    "resolve": "This request is closed. Reopen it first.",
    "duplicate": "This request is closed. Reopen it first.",
    "recategorise": "This request is closed. Reopen it first.",
    "transfer": "This request is closed. Reopen it first.",
    "acknowledge": "This request is closed. Reopen it first.",
}


@pytest.mark.parametrize("action", sorted(REFUSED_WHEN_RESOLVED))
def test_actions_that_do_not_apply_to_a_resolved_request_are_refused(
    client, city, staff, resolved, action
):
    other = submit(city)
    client.force_login(staff.agent)
    assert_refused(
        client,
        resolved,
        action,
        REFUSED_WHEN_RESOLVED[action],
        **valid_data(action, city, staff, other),
    )


@pytest.mark.parametrize(
    ("action", "expected", "data"),
    [
        pytest.param(
            "duplicate",
            "There is no request numbered “2601-0000”.",
            {"original": "2601-0000"},
            id="mark_duplicate_of_an_unknown_number_is_a_field_error",
        ),
        pytest.param(
            "reopen",
            "A request that is “In queue” cannot become “Reopened”.",
            {"reason": "Why not"},
            id="reopening_an_open_request_is_refused",
        ),
    ],
)
def test_an_action_that_does_not_fit_a_queued_request_is_refused(
    client, staff, queued, action, expected, data
):
    client.force_login(staff.agent)
    assert_refused(client, queued, action, expected, **data)


def test_acknowledging_twice_is_refused(client, staff, queued):
    client.force_login(staff.agent)
    post(client, queued, "acknowledge")
    queued.refresh_from_db()
    assert_refused(client, queued, "acknowledge", "This request is already acknowledged.")


@pytest.mark.parametrize("action", ["comment", "note", "hold"])
def test_an_empty_message_is_a_field_error(client, staff, queued, action):
    client.force_login(staff.agent)
    before = snapshot(queued)
    response = post(client, queued, action, message="   ")
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="{action}-message_error"' in html and 'aria-invalid="true"' in html
    assert snapshot(queued) == before


# --- Access: only the owning department, its supervisors and city admins act -------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    "who",
    [
        pytest.param("parks_agent", id="another_departments_agent"),
        pytest.param("operator", id="an_operator"),
    ],
)
def test_who_does_not_work_the_department_cannot_act(client, city, staff, queued, who, action):
    other = submit(city)
    client.force_login(getattr(staff, who))
    before = snapshot(queued)
    response = post(client, queued, action, **valid_data(action, city, staff, other))
    assert response.status_code == 403
    assert snapshot(queued) == before


@pytest.mark.parametrize("action", ["comment", "resolve"])
def test_anonymous_visitors_are_sent_to_log_in(client, city, staff, queued, action):
    before = snapshot(queued)
    response = post(client, queued, action, **valid_data(action, city, staff, queued))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
    assert snapshot(queued) == before


def test_a_user_who_is_not_staff_gets_403(client, django_user_model, queued):
    client.force_login(django_user_model.objects.create_user("resident"))
    assert post(client, queued, "comment", message="hello").status_code == 403


def test_city_admins_act_on_any_department(client, staff, queued):
    client.force_login(staff.city_admin)
    assert post(client, queued, "note", message="Checked").status_code == 303


def test_an_unknown_action_is_404_and_get_is_not_allowed(client, staff, queued):
    client.force_login(staff.agent)
    assert post(client, queued, "explode").status_code == 404
    url = reverse("staff:action", args=[queued.tracking_number, "comment"])
    assert client.get(url).status_code == 405


# --- Two people, one request -------------------------------------------------------------------


def test_the_second_save_on_a_stale_version_gets_a_conflict_and_nothing_is_saved(
    client, staff, queued
):
    seen = queued.version
    first, second = client, type(client)()
    first.force_login(staff.agent)
    second.force_login(staff.supervisor)
    assert (
        post(first, queued, "priority", priority="high", reason="School", version=seen).status_code
        == 303
    )
    response = post(second, queued, "note", message="My careful analysis", version=seen)

    assert response.status_code == 409
    html = response.content.decode()
    assert re.search(r"changed by Alex at \d\d:\d\d", html)
    assert "My careful analysis" in html  # the typed text is kept
    queued.refresh_from_db()
    assert f'name="version" value="{queued.version}"' in html  # ready to retry on the new state
    assert ">High<" in html  # the current state is shown
    assert not queued.events.filter(type=RequestEvent.Type.NOTE).exists()

    retry = post(second, queued, "note", message="My careful analysis")
    assert retry.status_code == 303
    assert queued.events.filter(type=RequestEvent.Type.NOTE, actor=staff.supervisor).exists()


def test_a_conflict_through_htmx_returns_the_fragment(client, staff, queued):
    seen = queued.version
    client.force_login(staff.agent)
    post(client, queued, "comment", message="First")
    response = client.post(
        reverse("staff:action", args=[queued.tracking_number, "comment"]),
        {"version": seen, "message": "Second"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="detail"') and "<html" not in html
    assert "changed by Alex at" in html


# --- Response templates ------------------------------------------------------------------------


@pytest.fixture
def templates(city):
    comment = ResponseTemplate.objects.create(
        name="Crew scheduled",
        category=city.pothole,
        body="A crew is scheduled to fix this pothole.",
        body_es="Un equipo arreglará este bache.",
    )
    closing = ResponseTemplate.objects.create(
        name="Patched",
        closure_reason=city.repaired,
        body="We patched the pothole today.",
    )
    ResponseTemplate.objects.create(
        name="Graffiti removed", category=city.graffiti, body="Paint removed."
    )
    ResponseTemplate.objects.create(
        name="Retired", category=city.pothole, body="Old text", active=False
    )
    return comment, closing


def test_the_categorys_active_templates_are_offered_with_their_text(
    client, staff, queued, templates
):
    client.force_login(staff.agent)
    html = client.get(reverse("staff:detail", args=[queued.tracking_number])).content.decode()
    comment_form = html[html.index('id="action-comment"') : html.index('id="action-note"')]
    assert 'data-body="A crew is scheduled to fix this pothole."' in comment_form
    assert "Paint removed." not in html and "Old text" not in html
    resolve_form = html[html.index('id="action-resolve"') :]
    assert 'data-body="We patched the pothole today."' in resolve_form
    assert f'data-reason="{templates[1].closure_reason_id}"' in resolve_form


def test_templates_come_in_the_residents_language(client, staff, queued, templates):
    ServiceRequest.objects.filter(pk=queued.pk).update(language="es")
    client.force_login(staff.agent)
    html = client.get(reverse("staff:detail", args=[queued.tracking_number])).content.decode()
    assert 'data-body="Un equipo arreglará este bache."' in html


def test_use_template_without_javascript_fills_the_message_to_edit(
    client, staff, queued, templates
):
    client.force_login(staff.agent)
    before = snapshot(queued)
    response = post(client, queued, "comment", template=templates[0].pk, use_template="1")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<textarea[^>]*>\s*A crew is scheduled to fix this pothole.</textarea>", html)
    assert snapshot(queued) == before

    response = post(client, queued, "resolve", template=templates[1].pk, use_template="1")
    html = response.content.decode()
    assert "We patched the pothole today.</textarea>" in html
    assert f'<option value="{templates[1].closure_reason_id}" selected>' in html


def test_resolving_with_an_edited_template_sends_the_edited_text(
    client, city, staff, queued, templates
):
    client.force_login(staff.agent)
    response = post(
        client,
        queued,
        "resolve",
        closure_reason=city.repaired.pk,
        template=templates[1].pk,
        message="We patched the pothole today. Thanks for your patience.",
    )
    assert response.status_code == 303
    event = queued.events.filter(type=RequestEvent.Type.STATUS_CHANGED).last()
    assert event.message == "We patched the pothole today. Thanks for your patience."


def test_inactive_closure_reasons_are_not_offered(client, staff, queued):
    ClosureReason.objects.create(code="old", name="Old reason", public_text="x", active=False)
    client.force_login(staff.agent)
    html = client.get(reverse("staff:detail", args=[queued.tracking_number])).content.decode()
    assert "Old reason" not in html


def test_a_post_without_the_version_changes_nothing(client, staff, queued):
    client.force_login(staff.agent)
    before = snapshot(queued)
    response = client.post(
        reverse("staff:action", args=[queued.tracking_number, "comment"]), {"message": "Hi"}
    )
    assert response.status_code == 422
    assert "The form was incomplete" in response.content.decode()
    assert snapshot(queued) == before
