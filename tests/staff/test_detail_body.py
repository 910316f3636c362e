"""The request page's body (the `#detail` fragment) is written in Python
(staff/views/detail_body.py) instead of the template, which was about 300 template nodes a page
at 1M requests. The markup must stay what the template made: the fragment and its photo-list
partial are kept here verbatim, as they were, and both are rendered with the context the view
builds and compared byte for byte: a bare request and one with everything (an asset, answers,
photos public and not, supporters, failed and digest messages, a score with parts, an
overridden priority, an assignee and a team, markup in every text a person typed), resolved,
a duplicate, unrouted and anonymous; for the owning department's agent, another department's
agent and an operator; in English and Spanish; the full page and the HTMX fragment with a
message waiting, and the 409 conflict page."""

# ruff: noqa: E501 - the old template, kept verbatim
from __future__ import annotations

import pytest
from django.template import RequestContext, Template
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import OutboxMessage
from requests_app.models import ContactMethod, Photo, Priority, Status
from requests_app.services import (
    Reporter,
    request_assign,
    request_comment,
    request_mark_duplicate,
    request_priority_change,
    request_resolve,
    request_supporter_add,
)
from staff.views import detail as detail_view
from tests.requests_app.helpers import routed, submit, with_fields

pytestmark = pytest.mark.django_db

OLD = Template(
    r"""{% load i18n static assets user_text times %}{% partialdef detail inline %}
<div id="detail" class="staff-detail">
  {% if request.htmx and messages %}<div class="messages" role="status" tabindex="-1" data-focus-after-swap>{% for m in messages %}<p class="message {{ m.tags }}">{{ m }}</p>{% endfor %}</div>{% endif %}
  {% if conflict %}
  <div class="conflict" role="alert" id="conflict" tabindex="-1" data-focus-after-swap>
    <h2>{% translate "Someone else changed this request" %}</h2>
    <p data-testid="conflict">{{ conflict }}</p>
    <p>{% translate "The page now shows the request as it is. What you typed is kept in the form below: check it against the changes, then send it again." %}
      {% if open_action %}<a href="#action-{{ open_action }}">{% translate "Go to your unsent form" %}</a>{% endif %}</p>
  </div>
  {% endif %}

  <p class="eyebrow">{% translate "Request" %} <span class="tracking-number small">{{ sr.tracking_number }}</span>
    · <a href="{{ sr.get_absolute_url }}">{% translate "Public tracker" %}</a></p>
  <h1><span aria-hidden="true">{{ sr.category.icon }}</span> {{ sr.category.tr_name }}{% if sr.address %} · {{ sr.address|bdi }}{% endif %}</h1>

  <dl class="facts" aria-label="{% translate 'Current state' %}">
    <div><dt>{% translate "Status" %}</dt><dd><span class="status status-{{ sr.status }}" data-testid="status">{{ sr.labels.status }}</span></dd></div>
    <div><dt>{% translate "Priority" %}</dt><dd><span class="priority priority-{{ sr.priority }}" data-testid="priority">{{ sr.labels.priority }}</span></dd></div>
    <div><dt>{% translate "Department" %}</dt><dd>{{ sr.department.tr_name|default:_("Not routed yet") }}</dd></div>
    <div><dt>{% translate "Assignee" %}</dt><dd data-testid="assignee">{% if sr.assignee %}{{ sr.assignee.get_full_name|default:sr.assignee.get_username }}{% else %}{% translate "Unassigned" %}{% endif %}</dd></div>
    <div><dt>{% translate "Team" %}</dt><dd>{{ sr.team.name|default:"—" }}</dd></div>
    <div><dt>{% translate "Expected by" %}</dt><dd>{% if sr.expected_at %}<time datetime="{{ sr.expected_at|date:'Y-m-d\TH:i:sO' }}">{{ sr.expected_at|when_datetime }}</time>{% else %}—{% endif %}</dd></div>
    <div><dt>{% translate "Supporters" %}</dt><dd data-testid="supporter-count">{{ sr.supporter_count }}</dd></div>
    <div><dt>{% translate "Version" %}</dt><dd>{{ sr.version }}</dd></div>
  </dl>
  {% if sr.resident_replied_at %}<p class="badge replied">{% blocktranslate with at=sr.resident_replied_at|when_datetime:"brief" %}The resident added something on {{ at }}{% endblocktranslate %}</p>{% endif %}

  <div class="detail-grid">
    <div class="detail-main">
      <section aria-labelledby="h-report">
        <h2 id="h-report">{% translate "What the resident sent" %}</h2>
        <dl class="summary">
          <div><dt>{% translate "Category" %}</dt><dd>{{ sr.category.tr_name }}</dd></div>
          <div><dt>{% translate "Description" %}</dt><dd class="prewrap" data-testid="description">{{ sr.description|bdi }}</dd></div>
          {% for a in answers %}<div><dt>{{ a.prompt }}</dt><dd>{{ a.value }}</dd></div>{% endfor %}
          <div><dt>{% translate "Address" %}</dt><dd>{{ sr.address|bdi|default:_("A point on the map") }}</dd></div>
          {% with asset=sr|request_asset %}{% if asset %}<div><dt>{% translate "Asset" %}</dt><dd data-testid="asset">{{ asset }}{% if sr.asset %}{% if sr.asset.name %} · {{ sr.asset.name }}{% endif %}{% if sr.asset.department %} · {% blocktranslate with department=sr.asset.department.tr_name %}owned by {{ department }}{% endblocktranslate %}{% endif %}{% if not sr.asset.active %} <span class="muted">({% translate "no longer active" %})</span>{% endif %}{% else %} <span class="muted">({% translate "no longer in the asset layer" %})</span>{% endif %}</dd></div>{% endif %}{% endwith %}
          <div><dt>{% translate "Neighbourhood / ward" %}</dt><dd>{{ sr.neighbourhood.name|default:"—" }} / {{ sr.ward.name|default:"—" }}</dd></div>
          <div><dt>{% translate "Channel" %}</dt><dd>{{ sr.labels.channel }}</dd></div>
          <div><dt>{% translate "Language" %}</dt><dd>{{ sr.labels.language }}</dd></div>
          <div><dt>{% translate "Received" %}</dt><dd><time datetime="{{ sr.created_at|date:'Y-m-d\TH:i:sO' }}">{{ sr.created_at|when_datetime }}</time></dd></div>
          {% if sr.acknowledged_at %}<div><dt>{% translate "Acknowledged" %}</dt><dd><time datetime="{{ sr.acknowledged_at|date:'Y-m-d\TH:i:sO' }}">{{ sr.acknowledged_at|when_datetime }}</time></dd></div>{% endif %}
          {% if sr.resolved_at %}<div><dt>{% translate "Resolved" %}</dt><dd><time datetime="{{ sr.resolved_at|date:'Y-m-d\TH:i:sO' }}">{{ sr.resolved_at|when_datetime }}</time>{% if sr.closure_reason %} · {{ sr.closure_reason.tr_name }}{% endif %}</dd></div>{% endif %}
          {% if sr.duplicate_of %}<div><dt>{% translate "Duplicate of" %}</dt><dd><a href="{% url 'staff:detail' sr.duplicate_of.tracking_number %}">{{ sr.duplicate_of.tracking_number }}</a></dd></div>{% endif %}
        </dl>
      </section>

      <section aria-labelledby="h-score" class="score-panel" data-testid="score-panel">
        <h2 id="h-score">{% translate "Priority score" %}</h2>
        {% if not score.enabled %}<p class="help">{% translate "Priority scoring is turned off: the score does not change priorities." %}</p>{% endif %}
        {% if score.total is None %}
          <p class="help">{% translate "Not scored yet." %}</p>
        {% else %}
        <table class="score-parts">
          <caption>{% blocktranslate with total=score.total %}Score {{ total }}, made of:{% endblocktranslate %}</caption>
          <thead><tr><th scope="col">{% translate "Part" %}</th><th scope="col" class="num">{% translate "Points" %}</th></tr></thead>
          <tbody>
            {% for label, points in score.parts %}<tr><td>{{ label }}</td><td class="num">{% if points > 0 %}+{% endif %}{{ points }}</td></tr>
            {% empty %}<tr><td colspan="2">{% translate "Nothing scored points." %}</td></tr>{% endfor %}
          </tbody>
          <tfoot><tr><th scope="row">{% translate "Total" %}</th><td class="num" data-testid="score-total">{{ score.total }}</td></tr></tfoot>
        </table>
        {% endif %}
        <dl class="summary">
          <div><dt>{% translate "Bands" %}</dt><dd>{% for label, at in score.bands %}{% blocktranslate with band=label at=at %}{{ band }} from {{ at }}{% endblocktranslate %}{% if not forloop.last %} · {% endif %}{% endfor %} · {% translate "Low below that" %}</dd></div>
          <div><dt>{% translate "Priority" %}</dt><dd data-testid="score-override">
            {% if score.overridden %}
              {% translate "Set by a person: the score does not change it." %}
              {% if score.override_by %}<br>{% blocktranslate with who=score.override_by at=score.override_at|when_datetime %}Overridden by {{ who }} on {{ at }}{% endblocktranslate %}{% endif %}
              {% if score.override_reason %}<br>{% blocktranslate with reason=score.override_reason %}Reason: {{ reason }}{% endblocktranslate %}{% endif %}
            {% else %}
              {% translate "Follows the score (a routing rule's priority is kept as a minimum)." %}
            {% endif %}
          </dd></div>
        </dl>
      </section>

      <section aria-labelledby="h-photos">
        <h2 id="h-photos">{% translate "Photos" %}</h2>
        <h3>{% translate "From the resident" %}</h3>
        {% with photos=resident_photos who="resident" %}{% partial photo-list %}{% endwith %}
        <h3>{% translate "Staff evidence" %}</h3>
        {% with photos=staff_photos who="staff" %}{% partial photo-list %}{% endwith %}
      </section>

      <section aria-labelledby="h-timeline">
        <h2 id="h-timeline">{% translate "Timeline" %}</h2>
        {% if not can_work %}<p class="help">{% translate "Internal notes are shown to the department's staff only." %}</p>{% endif %}
        <ol class="timeline staff-timeline" data-testid="timeline">
          {{ timeline_html }}
        </ol>
      </section>
    </div>

    <div class="detail-side">
      <section aria-labelledby="h-actions" class="actions-panel">
        <h2 id="h-actions">{% translate "Actions" %}</h2>
        {% if not can_work %}
          <p class="help">{% blocktranslate with d=sr.department.tr_name|default:_("the owning department") %}Only {{ d }} staff, their supervisors and city admins can act on this request.{% endblocktranslate %}</p>
        {% else %}
          {% comment %}Each action form (<details> with the form, or a one-button block) is built in
          Python: staff/views/detail_actions.py.{% endcomment %}{{ actions_html }}
        {% endif %}
      </section>

      <section aria-labelledby="h-contact">
        <h2 id="h-contact">{% translate "Contact" %}</h2>
        {% if not can_contact %}
          <p class="help" data-testid="contact-hidden">{% translate "The resident's contact details are shown to the owning department's staff only." %}</p>
        {% elif sr.anonymous %}
          <p data-testid="contact">{% translate "Anonymous: the resident left no contact details." %}</p>
        {% else %}
          <dl class="summary" data-testid="contact">
            {% if sr.reporter_name %}<div><dt>{% translate "Name" %}</dt><dd>{{ sr.reporter_name }}</dd></div>{% endif %}
            {% if sr.reporter_email %}<div><dt>{% translate "Email" %}</dt><dd><a href="mailto:{{ sr.reporter_email }}">{{ sr.reporter_email }}</a></dd></div>{% endif %}
            {% if sr.reporter_phone %}<div><dt>{% translate "Phone" %}</dt><dd><a href="tel:{{ sr.reporter_phone }}">{{ sr.reporter_phone.as_national }}</a></dd></div>{% endif %}
            <div><dt>{% translate "Prefers" %}</dt><dd>{{ sr.labels.contact_method }}</dd></div>
          </dl>
        {% endif %}
      </section>

      {% if can_contact %}
      <section aria-labelledby="h-messages" id="messages">
        <h2 id="h-messages">{% translate "Messages" %}</h2>
        {% if message_log %}
        <ul class="plain-list message-log" data-testid="message-log">
          {% for m in message_log %}
          <li class="message-{{ m.status }}">
            <time datetime="{{ m.at|date:'Y-m-d\TH:i:sO' }}">{{ m.at|when_datetime:"brief" }}</time> · {{ m.channel }} · {{ m.recipient }} · {{ m.template }}
            · <strong>{{ m.status_label }}</strong>
            {% if m.error %}<span class="muted">· {{ m.error|truncatechars:160 }}</span>{% endif %}
            {% if m.can_resend and can_work %}
            <form method="post" action="{% url 'staff:message_resend' sr.tracking_number m.id %}" class="inline-form">
              {% csrf_token %}
              <button type="submit" class="button secondary small">{% translate "Send again" %}</button>
            </form>
            {% endif %}
          </li>
          {% endfor %}
        </ul>
        {% else %}
        <p class="help">{% translate "No messages about this request yet." %}</p>
        {% endif %}
      </section>
      {% endif %}

      <section aria-labelledby="h-supporters">
        <h2 id="h-supporters">{% blocktranslate count n=sr.supporter_count %}{{ n }} other resident reported it{% plural %}{{ n }} other residents reported it{% endblocktranslate %}</h2>
        {% if can_contact and supporters %}
        <ul class="plain-list">
          {% for s in supporters %}
          <li>{{ s.name|default:_("Unnamed caller") }}{% if s.phone %} · <a href="tel:{{ s.phone }}">{{ s.phone.as_national }}</a>{% endif %}{% if s.email %} · <a href="mailto:{{ s.email }}">{{ s.email }}</a>{% endif %}
            <span class="muted">· {{ s.channel_label }} · <time datetime="{{ s.created_at|date:'Y-m-d\TH:i:sO' }}">{{ s.created_at|when_datetime:"brief" }}</time></span></li>
          {% endfor %}
        </ul>
        {% endif %}
      </section>

      <section aria-labelledby="h-map">
        <h2 id="h-map">{% translate "Location and nearby requests" %}</h2>
        {{ map_config|json_script:"map-config" }}
        <div id="detail-map" class="map small" role="region" aria-label="{% translate 'Map of this request and open requests nearby' %}"
             data-lat="{{ sr.location.y|stringformat:'.6f' }}" data-lng="{{ sr.location.x|stringformat:'.6f' }}" data-pin="{{ sr.tracking_number }}"></div>
        <p class="help">{{ sr.location.y|floatformat:5 }}, {{ sr.location.x|floatformat:5 }}</p>
        <h3>{% blocktranslate with m=nearby_m %}Open requests within {{ m }} m{% endblocktranslate %}</h3>
        {% if nearby %}
        <ul class="nearby-list" data-testid="nearby">
          {{ nearby_html }}
        </ul>
        {% else %}
        <p class="help">{% translate "None." %}</p>
        {% endif %}
      </section>
    </div>
  </div>
</div>
{% endpartialdef %}{% partialdef photo-list %}
{% if photos %}
<ul class="photo-list">
  {% for p in photos %}
  <li><a href="{% url 'requests_app:photo' p.uuid 'full' %}"><img src="{% url 'requests_app:photo' p.uuid 'thumb' %}" width="160"
       alt="{% if who == 'staff' %}{% translate 'Staff evidence photo' %}{% else %}{% translate 'Photo from the resident' %}{% endif %}, {{ p.created_at|when_datetime }}"></a>
    {% if not p.public %}<span class="badge internal-badge">{% translate "Not public" %}</span>{% endif %}</li>
  {% endfor %}
</ul>
{% else %}<p class="help">{% translate "None." %}</p>{% endif %}
{% endpartialdef %}"""
)

MARKUP = '<b>O\'Neil</b> & "co"'


def compare(client, url, *, method="get", data=None, headers=None) -> str:
    """Fetch the page; while the view runs (its language and time zone active), render the old
    fragment with the context the view gave the new one: both must be the same text."""
    seen = []
    real = detail_view.detail_body

    def both(context, request, *, csrf_token):
        old_context = RequestContext(request, context)
        old_context.update({"csrf_token": csrf_token})  # over the context processor's
        old = OLD.render(old_context)
        new = real(context, request, csrf_token=csrf_token)
        seen.append((old, new))
        return new

    detail_view.detail_body = both
    try:
        response = getattr(client, method)(url, data or {}, headers=headers or {})
    finally:
        detail_view.detail_body = real
    assert response.status_code in (200, 409, 422)
    [(old, new)] = seen
    assert str(new) == old
    assert str(new) in response.content.decode()
    return str(new)


@pytest.fixture
def everything(city, staff):
    """A request with something in every part of the page, and markup in every typed text."""
    reporter = Reporter(
        name=f"Rosa {MARKUP}",
        email="rosa@example.com",
        phone="+14155550134",
        contact_method=ContactMethod.EMAIL,
        anonymous=False,
    )
    sr = routed(city, reporter=reporter, description=f"Hole <here>\n& {MARKUP}")
    request_supporter_add(request=sr, actor=staff.operator, name=f"Second {MARKUP}")
    request_supporter_add(request=sr, actor=staff.operator, name="")
    sr.refresh_from_db()
    request_assign(
        request=sr, actor=staff.supervisor, assignee=staff.crew, team=staff.potholes_team
    )
    sr.refresh_from_db()
    request_priority_change(
        request=sr,
        actor=staff.supervisor,
        priority=Priority.HIGH,
        reason=f"Bus {MARKUP}",
        override=True,
    )
    sr.refresh_from_db()
    request_comment(request=sr, actor=staff.agent, message=f"Note {MARKUP}", public=False)
    Photo.objects.create(request=sr, image="a.jpg", thumbnail="a_t.jpg")
    Photo.objects.create(request=sr, image="c.jpg", thumbnail="c_t.jpg", public=False)
    Photo.objects.create(request=sr, image="b.jpg", thumbnail="b_t.jpg", source=Photo.Source.STAFF)
    for status, digest in (("failed", False), ("queued", True), ("sent", False)):
        OutboxMessage.objects.create(
            request=sr,
            channel="email",
            recipient=f"rosa+{MARKUP}@example.com",
            template="comment",
            language="en",
            body_text="x",
            dedupe_key=f"test-{status}",
            status=status,
            digest=digest,
            last_error=("Refused <550> & " + "long " * 60) if status == "failed" else "",
        )
    sr.refresh_from_db()
    return with_fields(
        sr,
        score=42,
        score_parts=[
            {"key": "age", "points": 30},
            {"key": "supporters", "points": 12},
            {"key": "x", "points": -3},
        ],
        resident_replied_at=timezone.now(),
        asset_ref=f"SL-{MARKUP}",
    )


def url(sr) -> str:
    return reverse("staff:detail", args=[sr.tracking_number])


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_fragment_is_what_the_template_made_for_every_role(
    client, city, staff, everything, language
):
    bare = routed(city)
    unrouted = submit(city)
    anonymous = submit(city, reporter=Reporter(anonymous=True))
    resolved = routed(city)
    request_resolve(request=resolved, actor=staff.agent, closure_reason=city.repaired)
    original = routed(city)
    duplicate = routed(city)
    request_mark_duplicate(request=duplicate, actor=staff.agent, original=original)
    unscored = with_fields(routed(city), score=None, score_parts=[])
    with_fields(routed(city), status=Status.WAITING_ON_RESIDENT)
    pages = []
    with translation.override(language):
        for user in (staff.agent, staff.parks_agent, staff.operator, staff.supervisor):
            client.force_login(user)
            client.cookies["django_language"] = language
            for sr in (everything, bare, unrouted, anonymous, resolved, duplicate, unscored):
                pages.append(compare(client, url(sr)))
    assert len(pages) == 28
    # Every part of the page was there to compare (the words checked in English).
    if language == "en":
        full = pages[0]
        for part in (
            'data-testid="message-log"',
            "Send again",
            "Overridden by",
            "Waiting for the next digest",
            "photo-list",
            "internal-badge",
            'data-testid="asset"',
            "score-parts",
            "<br>",
            "badge replied",
            "tel:",
            "mailto:",
            "Rosa &lt;b&gt;",
        ):
            assert part in full, part
        assert len({p for p in pages if 'data-testid="contact-hidden"' in p}) > 0
        assert any("Duplicate of" in p for p in pages)
        assert any("Not scored yet." in p for p in pages)


def test_the_htmx_fragment_with_a_message_and_the_conflict_page(client, staff, everything):
    client.force_login(staff.agent)
    client.post(
        reverse("staff:action", args=[everything.tracking_number, "note"]),
        {"version": everything.version, "message": "Done <now>"},
    )
    # The message the action left is shown in the swapped fragment.
    fragment = compare(client, url(everything), headers={"HX-Request": "true"})
    assert 'class="messages"' in fragment
    conflict = compare(
        client,
        reverse("staff:action", args=[everything.tracking_number, "note"]),
        method="post",
        data={"version": 1, "message": f"Late {MARKUP}"},
    )
    assert 'data-testid="conflict"' in conflict
