"""The staff request page's body (the `#detail` fragment) written in Python.

Why not the template: after the timeline, the nearby list and the action panel were written in
Python, the rest of the fragment was still about 300 template nodes (some 60 `{% translate %}`,
ten `|date`, a `{% url %}` per photo, a variable lookup per value): about 3 ms of a page's 12 ms
of CPU at 1M requests. Here it costs a fraction of that. Every value goes through `_v` (what
`{{ value }}` writes: localized, then escaped unless safe); translated words are written as
`{% translate %}` and `{% blocktranslate %}` write them (not escaped; the values in a
blocktranslate are). tests/staff/test_detail_body.py keeps the old template fragment verbatim
and compares both byte for byte on requests in many states, for the three roles, in English and
Spanish; the comparison is the spec."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.template.defaultfilters import floatformat, truncatechars
from django.urls import reverse
from django.utils import formats
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from requests_app.templatetags.assets import request_asset
from requests_app.templatetags.user_text import bdi
from requests_app.when import when_datetime, when_iso
from staff.form_html import esc


def _v(value) -> str:
    """`{{ value }}`: localized (numbers), then escaped unless already safe."""
    if not isinstance(value, str):
        value = formats.localize(value)
    return esc(value)


def _positive(points) -> bool:
    # `{% if points > 0 %}`: a comparison that fails (a missing or odd value) is false.
    try:
        return points > 0
    except TypeError:
        return False


def iso(at) -> str:
    """`<time datetime>`'s text, on the city's clock (requests_app.when)."""
    return when_iso(at)


def day_time(at, *, year: bool = True) -> str:
    """ "6 Dec 2026, 14:05" (or "6 Dec, 14:05" without the year) on the city's clock, in the
    reader's language (requests_app.when)."""
    return when_datetime(at, year=year)


def _time(at) -> str:
    return f'<time datetime="{iso(at)}">{esc(day_time(at))}</time>'


def detail_body(context: dict, request, *, csrf_token: str) -> SafeString:
    """What templates/staff/detail.html's `detail` fragment wrote for `context`."""
    sr = context["sr"]
    can_work, can_contact = context["can_work"], context["can_contact"]
    out = ['\n<div id="detail" class="staff-detail">\n  ']
    if request.htmx:
        messages = get_messages(request)
        if messages:
            shown = "".join(f'<p class="message {_v(m.tags)}">{_v(str(m))}</p>' for m in messages)
            out.append(
                '<div class="messages" role="status" tabindex="-1" data-focus-after-swap>'
                f"{shown}</div>"
            )
    out.append("\n  ")
    if context["conflict"]:
        open_action = context["open_action"]
        go = (
            f'<a href="#action-{_v(open_action)}">{_("Go to your unsent form")}</a>'
            if open_action
            else ""
        )
        out.append(
            '\n  <div class="conflict" role="alert" id="conflict" tabindex="-1"'
            " data-focus-after-swap>"
            f"\n    <h2>{_('Someone else changed this request')}</h2>"
            f'\n    <p data-testid="conflict">{_v(context["conflict"])}</p>'
            "\n    <p>"
            + _(
                "The page now shows the request as it is. What you typed is kept in the form "
                "below: check it against the changes, then send it again."
            )
            + f"\n      {go}</p>\n  </div>\n  "
        )
    out.append(_head(sr))
    out.append('\n\n  <div class="detail-grid">\n    <div class="detail-main">\n      ')
    out.append(_report(sr, context["answers"]))
    out.append(_score(context["score"]))
    out.append(_photos(context["resident_photos"], context["staff_photos"]))
    internal_help = (
        ""
        if can_work
        else f'<p class="help">{_("Internal notes are shown to the department's staff only.")}</p>'
    )
    out.append(
        '\n\n      <section aria-labelledby="h-timeline">'
        f'\n        <h2 id="h-timeline">{_("Timeline")}</h2>'
        f"\n        {internal_help}"
        '\n        <ol class="timeline staff-timeline" data-testid="timeline">'
        f"\n          {context['timeline_html']}"
        "\n        </ol>\n      </section>\n    </div>\n\n    "
    )
    out.append('<div class="detail-side">\n      ')
    out.append(_actions(sr, can_work, context["actions_html"]))
    out.append(_contact(sr, can_contact))
    if can_contact:
        out.append(_messages(sr, context["message_log"], can_work, csrf_token))
    out.append("\n\n      ")
    out.append(_supporters(sr, can_contact, context["supporters"]))
    out.append(_map(sr, context))
    out.append("\n    </div>\n  </div>\n</div>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _head(sr) -> str:
    address = f" · {bdi(sr.address)}" if sr.address else ""
    department = sr.department.tr_name if sr.department is not None else ""
    if sr.assignee is not None:
        assignee = _v(sr.assignee.get_full_name() or sr.assignee.get_username())
    else:
        assignee = _("Unassigned")
    team = sr.team.name if sr.team is not None else ""
    expected = _time(sr.expected_at) if sr.expected_at else "—"
    replied = ""
    if sr.resident_replied_at:
        at = esc(day_time(sr.resident_replied_at, year=False))
        replied = (
            '<p class="badge replied">'
            + _("The resident added something on %(at)s") % {"at": at}
            + "</p>"
        )
    labels = sr.labels
    return (
        f'\n\n  <p class="eyebrow">{_("Request")} <span class="tracking-number small">'
        f"{_v(sr.tracking_number)}</span>"
        f'\n    · <a href="{_v(sr.get_absolute_url())}">{_("Public tracker")}</a></p>'
        f'\n  <h1><span aria-hidden="true">{_v(sr.category.icon)}</span> '
        f"{_v(sr.category.tr_name)}{address}</h1>"
        f'\n\n  <dl class="facts" aria-label="{_("Current state")}">'
        f'\n    <div><dt>{_("Status")}</dt><dd><span class="status status-{_v(sr.status)}"'
        f' data-testid="status">{_v(labels["status"])}</span></dd></div>'
        f'\n    <div><dt>{_("Priority")}</dt><dd><span class="priority priority-{_v(sr.priority)}"'
        f' data-testid="priority">{_v(labels["priority"])}</span></dd></div>'
        f"\n    <div><dt>{_('Department')}</dt><dd>"
        f"{_v(department) if department else _('Not routed yet')}</dd></div>"
        f'\n    <div><dt>{_("Assignee")}</dt><dd data-testid="assignee">{assignee}</dd></div>'
        f"\n    <div><dt>{_('Team')}</dt><dd>{_v(team) if team else '—'}</dd></div>"
        f"\n    <div><dt>{_('Expected by')}</dt><dd>{expected}</dd></div>"
        f'\n    <div><dt>{_("Supporters")}</dt><dd data-testid="supporter-count">'
        f"{_v(sr.supporter_count)}</dd></div>"
        f"\n    <div><dt>{_('Version')}</dt><dd>{_v(sr.version)}</dd></div>"
        f"\n  </dl>\n  {replied}"
    )


def _report(sr, answers) -> str:
    rows = "".join(f"<div><dt>{_v(a.prompt)}</dt><dd>{_v(a.value)}</dd></div>" for a in answers)
    address = bdi(sr.address) or _("A point on the map")
    asset = request_asset(sr)
    asset_row = ""
    if asset:
        if sr.asset:
            owned = ""
            if sr.asset.department:
                department = _v(sr.asset.department.tr_name)
                owned = " · " + _("owned by %(department)s") % {"department": department}
            asset_more = (
                (f" · {_v(sr.asset.name)}" if sr.asset.name else "")
                + owned
                + (
                    ""
                    if sr.asset.active
                    else f' <span class="muted">({_("no longer active")})</span>'
                )
            )
        else:
            asset_more = f' <span class="muted">({_("no longer in the asset layer")})</span>'
        asset_row = (
            f'<div><dt>{_("Asset")}</dt><dd data-testid="asset">{_v(asset)}{asset_more}</dd></div>'
        )
    neighbourhood = sr.neighbourhood.name if sr.neighbourhood is not None else ""
    ward = sr.ward.name if sr.ward is not None else ""
    labels = sr.labels
    acknowledged = (
        f"<div><dt>{_('Acknowledged')}</dt><dd>{_time(sr.acknowledged_at)}</dd></div>"
        if sr.acknowledged_at
        else ""
    )
    resolved = ""
    if sr.resolved_at:
        reason = f" · {_v(sr.closure_reason.tr_name)}" if sr.closure_reason else ""
        resolved = f"<div><dt>{_('Resolved')}</dt><dd>{_time(sr.resolved_at)}{reason}</dd></div>"
    duplicate = ""
    if sr.duplicate_of:
        number = sr.duplicate_of.tracking_number
        duplicate = (
            f"<div><dt>{_('Duplicate of')}</dt><dd>"
            f'<a href="{_v(reverse("staff:detail", args=[number]))}">{_v(number)}</a></dd></div>'
        )
    return (
        '<section aria-labelledby="h-report">'
        f'\n        <h2 id="h-report">{_("What the resident sent")}</h2>'
        '\n        <dl class="summary">'
        f"\n          <div><dt>{_('Category')}</dt><dd>{_v(sr.category.tr_name)}</dd></div>"
        f'\n          <div><dt>{_("Description")}</dt><dd class="prewrap"'
        f' data-testid="description">{bdi(sr.description)}</dd></div>'
        f"\n          {rows}"
        f"\n          <div><dt>{_('Address')}</dt><dd>{address}</dd></div>"
        f"\n          {asset_row}"
        f"\n          <div><dt>{_('Neighbourhood / ward')}</dt><dd>"
        f"{_v(neighbourhood) if neighbourhood else '—'} / {_v(ward) if ward else '—'}</dd></div>"
        f"\n          <div><dt>{_('Channel')}</dt><dd>{_v(labels['channel'])}</dd></div>"
        f"\n          <div><dt>{_('Language')}</dt><dd>{_v(labels['language'])}</dd></div>"
        f"\n          <div><dt>{_('Received')}</dt><dd>{_time(sr.created_at)}</dd></div>"
        f"\n          {acknowledged}"
        f"\n          {resolved}"
        f"\n          {duplicate}"
        "\n        </dl>\n      </section>\n\n      "
    )


def _score(score) -> str:
    disabled = (
        ""
        if score.enabled
        else (
            '<p class="help">'
            + _("Priority scoring is turned off: the score does not change priorities.")
            + "</p>"
        )
    )
    if score.total is None:
        table = f'\n          <p class="help">{_("Not scored yet.")}</p>\n        '
    else:
        parts = "".join(
            f'<tr><td>{_v(label)}</td><td class="num">{"+" if _positive(points) else ""}'
            f"{_v(points)}</td></tr>\n            "
            for label, points in score.parts
        ) or (f'<tr><td colspan="2">{_("Nothing scored points.")}</td></tr>')
        table = (
            '\n        <table class="score-parts">'
            f"\n          <caption>{_('Score %(total)s, made of:') % {'total': _v(score.total)}}"
            "</caption>"
            f'\n          <thead><tr><th scope="col">{_("Part")}</th>'
            f'<th scope="col" class="num">{_("Points")}</th></tr></thead>'
            f"\n          <tbody>\n            {parts}\n          </tbody>"
            f'\n          <tfoot><tr><th scope="row">{_("Total")}</th>'
            f'<td class="num" data-testid="score-total">{_v(score.total)}</td></tr></tfoot>'
            "\n        </table>\n        "
        )
    bands = " · ".join(
        _("%(band)s from %(at)s") % {"band": _v(label), "at": _v(at)} for label, at in score.bands
    )
    if score.overridden:
        by = ""
        if score.override_by:
            at = esc(day_time(score.override_at)) if score.override_at else ""
            by = "<br>" + _("Overridden by %(who)s on %(at)s") % {
                "who": _v(score.override_by),
                "at": at,
            }
        reason = ""
        if score.override_reason:
            reason = "<br>" + _("Reason: %(reason)s") % {"reason": _v(score.override_reason)}
        priority = (
            "\n              "
            + _("Set by a person: the score does not change it.")
            + f"\n              {by}\n              {reason}\n            "
        )
    else:
        priority = (
            "\n              "
            + _("Follows the score (a routing rule's priority is kept as a minimum).")
            + "\n            "
        )
    return (
        '<section aria-labelledby="h-score" class="score-panel" data-testid="score-panel">'
        f'\n        <h2 id="h-score">{_("Priority score")}</h2>'
        f"\n        {disabled}\n        {table}"
        '\n        <dl class="summary">'
        f"\n          <div><dt>{_('Bands')}</dt><dd>{bands} · {_('Low below that')}</dd></div>"
        f'\n          <div><dt>{_("Priority")}</dt><dd data-testid="score-override">'
        f"\n            {priority}\n          </dd></div>"
        "\n        </dl>\n      </section>\n\n      "
    )


def _photo_list(photos, *, staff: bool) -> str:
    if not photos:
        return f'\n<p class="help">{_("None.")}</p>\n'
    what = _("Staff evidence photo") if staff else _("Photo from the resident")
    not_public = _("Not public")
    items = []
    for p in photos:
        full = reverse("requests_app:photo", args=[p.uuid, "full"])
        thumb = reverse("requests_app:photo", args=[p.uuid, "thumb"])
        badge = "" if p.public else f'<span class="badge internal-badge">{not_public}</span>'
        items.append(
            f'\n  <li><a href="{_v(full)}"><img src="{_v(thumb)}" width="160"'
            f'\n       alt="{what}, {esc(day_time(p.created_at))}"></a>'
            f"\n    {badge}</li>\n  "
        )
    return '\n\n<ul class="photo-list">\n  ' + "".join(items) + "\n</ul>\n\n"


def _photos(resident, staff) -> str:
    return (
        '<section aria-labelledby="h-photos">'
        f'\n        <h2 id="h-photos">{_("Photos")}</h2>'
        f"\n        <h3>{_('From the resident')}</h3>"
        f"\n        {_photo_list(resident, staff=False)}"
        f"\n        <h3>{_('Staff evidence')}</h3>"
        f"\n        {_photo_list(staff, staff=True)}"
        "\n      </section>"
    )


def _actions(sr, can_work: bool, actions_html: str) -> str:
    if can_work:
        body = f"\n          {actions_html}\n        "
    else:
        department = sr.department.tr_name if sr.department is not None else ""
        d = _v(department) if department else _("the owning department")
        words = _(
            "Only %(d)s staff, their supervisors and city admins can act on this request."
        ) % {"d": d}
        body = f'\n          <p class="help">{words}</p>\n        '
    return (
        '<section aria-labelledby="h-actions" class="actions-panel">'
        f'\n        <h2 id="h-actions">{_("Actions")}</h2>'
        f"\n        {body}\n      </section>\n\n      "
    )


def _contact(sr, can_contact: bool) -> str:
    if not can_contact:
        body = (
            '\n          <p class="help" data-testid="contact-hidden">'
            + _("The resident's contact details are shown to the owning department's staff only.")
            + "</p>\n        "
        )
    elif sr.anonymous:
        body = (
            '\n          <p data-testid="contact">'
            + _("Anonymous: the resident left no contact details.")
            + "</p>\n        "
        )
    else:
        name = (
            f"<div><dt>{_('Name')}</dt><dd>{_v(sr.reporter_name)}</dd></div>"
            if sr.reporter_name
            else ""
        )
        email = (
            f'<div><dt>{_("Email")}</dt><dd><a href="mailto:{_v(sr.reporter_email)}">'
            f"{_v(sr.reporter_email)}</a></dd></div>"
            if sr.reporter_email
            else ""
        )
        phone = (
            f'<div><dt>{_("Phone")}</dt><dd><a href="tel:{_v(sr.reporter_phone)}">'
            f"{_v(sr.reporter_phone.as_national)}</a></dd></div>"
            if sr.reporter_phone
            else ""
        )
        body = (
            '\n          <dl class="summary" data-testid="contact">'
            f"\n            {name}\n            {email}\n            {phone}"
            f"\n            <div><dt>{_('Prefers')}</dt><dd>{_v(sr.labels['contact_method'])}"
            "</dd></div>\n          </dl>\n        "
        )
    return (
        '<section aria-labelledby="h-contact">'
        f'\n        <h2 id="h-contact">{_("Contact")}</h2>'
        f"\n        {body}\n      </section>\n\n      "
    )


def _messages(sr, message_log, can_work: bool, csrf_token) -> str:
    if message_log:
        send_again = _("Send again")
        items = []
        for m in message_log:
            error = (
                f'<span class="muted">· {_v(truncatechars(m.error, 160))}</span>' if m.error else ""
            )
            resend = ""
            if m.can_resend and can_work:
                url = reverse("staff:message_resend", args=[sr.tracking_number, m.id])
                resend = (
                    f'\n            <form method="post" action="{_v(url)}" class="inline-form">'
                    '\n              <input type="hidden" name="csrfmiddlewaretoken"'
                    f' value="{esc(csrf_token)}">'
                    '\n              <button type="submit" class="button secondary small">'
                    f"{send_again}</button>\n            </form>\n            "
                )
            items.append(
                f'\n          <li class="message-{_v(m.status)}">'
                f'\n            <time datetime="{iso(m.at)}">{esc(day_time(m.at, year=False))}'
                f"</time> · {_v(m.channel)} · {_v(m.recipient)} · {_v(m.template)}"
                f"\n            · <strong>{_v(m.status_label)}</strong>"
                f"\n            {error}\n            {resend}\n          </li>\n          "
            )
        body = (
            '\n        <ul class="plain-list message-log" data-testid="message-log">\n          '
            + "".join(items)
            + "\n        </ul>\n        "
        )
    else:
        body = f'\n        <p class="help">{_("No messages about this request yet.")}</p>\n        '
    return (
        '\n      <section aria-labelledby="h-messages" id="messages">'
        f'\n        <h2 id="h-messages">{_("Messages")}</h2>'
        f"\n        {body}\n      </section>\n      "
    )


def _supporters(sr, can_contact: bool, supporters) -> str:
    n = sr.supporter_count
    heading = ngettext(
        "%(n)s other resident reported it", "%(n)s other residents reported it", n
    ) % {"n": _v(n)}
    body = ""
    if can_contact and supporters:
        unnamed = _("Unnamed caller")
        items = []
        for s in supporters:
            phone = (
                f' · <a href="tel:{_v(s.phone)}">{_v(s.phone.as_national)}</a>' if s.phone else ""
            )
            email = f' · <a href="mailto:{_v(s.email)}">{_v(s.email)}</a>' if s.email else ""
            items.append(
                f"\n          <li>{_v(s.name) if s.name else unnamed}{phone}{email}"
                f'\n            <span class="muted">· {_v(s.channel_label)} · '
                f'<time datetime="{iso(s.created_at)}">{esc(day_time(s.created_at, year=False))}'
                "</time></span></li>\n          "
            )
        body = (
            '\n        <ul class="plain-list">\n          '
            + "".join(items)
            + "\n        </ul>\n        "
        )
    return (
        '<section aria-labelledby="h-supporters">'
        f'\n        <h2 id="h-supporters">{heading}</h2>'
        f"\n        {body}\n      </section>\n\n      "
    )


def _map(sr, context: dict) -> str:
    y, x = sr.location.y, sr.location.x
    if context["nearby"]:
        nearby = (
            '\n        <ul class="nearby-list" data-testid="nearby">'
            f"\n          {context['nearby_html']}\n        </ul>\n        "
        )
    else:
        nearby = f'\n        <p class="help">{_("None.")}</p>\n        '
    return (
        '<section aria-labelledby="h-map">'
        f'\n        <h2 id="h-map">{_("Location and nearby requests")}</h2>'
        f"\n        {json_script(context['map_config'], 'map-config')}"
        '\n        <div id="detail-map" class="map small" role="region" aria-label="'
        + _("Map of this request and open requests nearby")
        + f'"\n             data-lat="{esc(f"{y:.6f}")}" data-lng="{esc(f"{x:.6f}")}"'
        f' data-pin="{_v(sr.tracking_number)}"></div>'
        f'\n        <p class="help">{_v(floatformat(y, 5))}, {_v(floatformat(x, 5))}</p>'
        "\n        <h3>"
        + _("Open requests within %(m)s m") % {"m": _v(context["nearby_m"])}
        + f"</h3>\n        {nearby}\n      </section>"
    )
