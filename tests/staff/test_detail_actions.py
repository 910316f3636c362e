"""The request page's action forms are built in Python (staff/views/detail_actions.py) instead
of the template's loop and its `action-form` and `action-field` partials, which were some 900
template nodes a page at 1M requests. The markup must stay what the template made: the loop and
the partials are kept here verbatim (as they were before the change) and both are compared,
byte for byte (but for the whitespace around the panel), on every action form, unbound and bound, with field, hidden and form errors,
reply templates (with markup in them), staged photos and photo errors, in English and Spanish."""

# ruff: noqa: E501 - the old template, kept verbatim
from __future__ import annotations

from uuid import uuid4

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from requests_app.models import ResponseTemplate, Status
from requests_app.services import photo_stage
from staff import detail_selectors as selectors
from staff.forms import ACTION_FORMS
from staff.views.detail_actions import actions_html
from tests.images import upload
from tests.requests_app.helpers import routed, with_fields

pytestmark = pytest.mark.django_db
CSRF = "t0k3n&<>"

OLD = Template(
    """{% load i18n %}
          {% for f in forms %}
            {% if f.visible %}
            <details class="action" id="action-{{ f.action }}"{% if open_action == f.action %} open{% endif %}>
              <summary>{{ f.title }}</summary>
              {% partial action-form %}
            </details>
            {% else %}
            <div class="action quick" id="action-{{ f.action }}">{% partial action-form %}</div>
            {% endif %}
          {% endfor %}
{% partialdef action-form %}
<form method="post" action="{% url 'staff:action' sr.tracking_number f.action %}" class="action-form" novalidate
      hx-post="{% url 'staff:action' sr.tracking_number f.action %}" hx-target="#detail" hx-swap="outerHTML"
      {% if f.action == "onsite" %}enctype="multipart/form-data" hx-encoding="multipart/form-data"{% endif %}>
  {% csrf_token %}
  {% for hidden in f.hidden_fields %}{{ hidden }}{% if hidden.errors %}<p class="error-message" role="alert">{% translate "The form was incomplete. Reload the page and try again." %}</p>{% endif %}{% endfor %}
  {% for e in f.non_field_errors %}<p class="error-message" role="alert">{{ e }}</p>{% endfor %}
  {% if f.templates %}
  <div class="field template-picker">
    <label for="{{ f.action }}-template">{% translate "Response template" %}</label>
    <div class="address-row">
      <select name="template" id="{{ f.action }}-template" data-insert-into="{{ f.action }}-message"{% if f.action == "resolve" %} data-reason-select="resolve-closure_reason"{% endif %}>
        <option value="">{% translate "Choose a reply…" %}</option>
        {% for t in f.templates %}<option value="{{ t.id }}" data-body="{{ t.body }}"{% if t.closure_reason_id %} data-reason="{{ t.closure_reason_id }}"{% endif %}{% if f.template.value|stringformat:"s" == t.id|stringformat:"s" %} selected{% endif %}>{{ t.name }}</option>{% endfor %}
      </select>
      <button type="submit" name="use_template" value="1" class="button secondary use-template" formnovalidate>{% translate "Use template" %}</button>
    </div>
    <p class="help template-status" role="status" data-inserted="{% translate 'Template inserted in the message. Edit it before sending.' %}"></p>
  </div>
  {% endif %}
  {% for field in f.visible %}{% partial action-field %}{% endfor %}
  {% if f.action == "onsite" %}
  <div class="field{% if photo_errors %} has-error{% endif %}">
    <label for="onsite-photos">{% blocktranslate with n=max_photos %}Photos (up to {{ n }}){% endblocktranslate %}</label>
    {% for e in photo_errors %}<p class="error-message" role="alert">{{ e }}</p>{% endfor %}
    {% if onsite_photos %}
    <ul class="photo-list">{% for p in onsite_photos %}<li><input type="hidden" name="photo_id" value="{{ p.uuid }}"><img src="{% url 'requests_app:photo' p.uuid 'thumb' %}" alt="{% translate 'A photo waiting to be saved with this visit' %}" width="120"></li>{% endfor %}</ul>
    {% endif %}
    <input type="file" name="photos" id="onsite-photos" accept="image/*,.heic,.heif" multiple>
  </div>
  {% endif %}
  <button type="submit" class="button {% if f.visible %}primary{% else %}secondary{% endif %}">{{ f.button }}</button>
</form>
{% endpartialdef %}

{# One field of an action form; ids carry the action ("comment-message"), as several forms share the page. #}
{% partialdef action-field %}
<div class="field{% if field.errors %} has-error{% endif %}" id="field-{{ field.auto_id }}">
  <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span class="req">({% translate "required" %})</span>{% endif %}</label>
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}<p class="error-message" id="{{ field.auto_id }}_error">{% for e in field.errors %}<span class="visually-hidden">{% translate "Error:" %}</span> {{ e }} {% endfor %}</p>{% endif %}
  {{ field }}
</div>
{% endpartialdef %}
"""
)


def old_html(forms, sr, *, open_action="", onsite_photos=(), photo_errors=(), max_photos=5):
    context = {
        "forms": forms,
        "sr": sr,
        "open_action": open_action,
        "onsite_photos": list(onsite_photos),
        "photo_errors": list(photo_errors),
        "max_photos": max_photos,
        "csrf_token": CSRF,
    }
    # Only the whitespace before the first form and after the partials' definitions is left out.
    return OLD.render(Context(context)).strip()


def new_html(forms, sr, *, open_action="", onsite_photos=(), photo_errors=(), max_photos=5):
    html = actions_html(
        forms,
        tracking_number=sr.tracking_number,
        csrf_token=CSRF,
        open_action=open_action,
        onsite_photos=onsite_photos,
        photo_errors=photo_errors,
        max_photos=max_photos,
    )
    return html.strip()


def unbound(sr) -> list:
    return [ACTION_FORMS[n](service_request=sr) for n in selectors.actions_available(request=sr)]


@pytest.fixture
def replies(city):
    ResponseTemplate.objects.create(
        name="Crew <scheduled> & “soon”",
        category=city.pothole,
        body='A crew is "scheduled" to fix this <b>pothole</b> & more.',
        body_es="Un equipo arreglará este bache.",
    )
    ResponseTemplate.objects.create(
        name="Patched", closure_reason=city.repaired, body="We patched the pothole today."
    )


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "state",
    [
        {},
        {"status": Status.WAITING_ON_RESIDENT, "acknowledged": True},
        {"status": Status.IN_PROGRESS, "priority_overridden": True, "acknowledged": True},
        {"status": Status.RESOLVED},
    ],
)
def test_every_unbound_form_is_what_the_template_made(city, staff, replies, language, state):
    sr = routed(city)
    fields = {k: v for k, v in state.items() if k != "acknowledged"}
    if state.get("acknowledged"):
        fields["acknowledged_at"] = timezone.now()
    if fields:
        sr = with_fields(sr, **fields)
    sr = selectors.request_get_for_staff(tracking_number=sr.tracking_number)
    with translation.override(language):
        forms = unbound(sr)
        assert forms
        for open_action in ("", forms[-1].action):
            assert new_html(forms, sr, open_action=open_action) == old_html(
                forms, sr, open_action=open_action
            )


@pytest.mark.parametrize("language", ["en", "es"])
def test_bound_forms_with_errors_are_what_the_template_made(city, staff, replies, language):
    sr = selectors.request_get_for_staff(tracking_number=routed(city).tracking_number)
    with translation.override(language):
        forms = []
        for name in selectors.actions_available(request=sr):
            form = ACTION_FORMS[name]({"template": "", "priority": "nonsense"}, service_request=sr)
            form.is_valid()  # every required field missing, the version too (a hidden error)
            form.mark_errors()
            form.add_error(None, "Someone <else> changed it & more")
            forms.append(form)
        assert any(f.errors for f in forms)
        assert new_html(forms, sr, open_action="resolve") == old_html(
            forms, sr, open_action="resolve"
        )


def test_a_chosen_template_and_typed_text_are_kept(city, staff, replies):
    sr = selectors.request_get_for_staff(tracking_number=routed(city).tracking_number)
    chosen = ResponseTemplate.objects.get(name="Patched")
    forms = [
        ACTION_FORMS["resolve"](
            {"version": sr.version, "template": str(chosen.pk), "message": 'Fixed <now> & "ok"'},
            service_request=sr,
        ),
        ACTION_FORMS["comment"](
            {"version": sr.version, "template": "x", "message": "  spaced  \n text "},
            service_request=sr,
        ),
    ]
    for form in forms:
        form.is_valid()
    assert "selected>Patched<" in new_html(forms, sr)
    assert new_html(forms, sr) == old_html(forms, sr)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_site_visit_with_staged_photos_and_photo_errors_is_what_the_template_made(
    city, staff, language
):
    sr = selectors.request_get_for_staff(tracking_number=routed(city).tracking_number)
    key = uuid4()
    photos = [photo_stage(upload=upload(), draft_key=key) for _ in range(2)]
    with translation.override(language):
        forms = [
            ACTION_FORMS["onsite"](
                {"version": sr.version, "draft_key": str(key)}, service_request=sr
            )
        ]
        forms[0].is_valid()
        errors = ["Too <big> & wrong", "Another"]
        for staged, problems in ((photos, errors), ([], []), (photos, [])):
            assert new_html(
                forms, sr, onsite_photos=staged, photo_errors=problems, max_photos=3
            ) == old_html(forms, sr, onsite_photos=staged, photo_errors=problems, max_photos=3)


def test_no_forms_is_no_markup(city, staff):
    sr = routed(city)
    assert new_html([], sr) == old_html([], sr)
