"""The queue's table rows as HTML, built in Python.

Why not a template: a page of 50 rows ran some 1,600 variable nodes, 200 `|date` filters and
2,400 node renders through Django's template engine: 60 % of the queue page's time at 1M
requests, and nearly all of the 20-second refresh's. The same markup built with
f-strings costs a small part of that. Every value goes through `html.escape` (what Django's
`escape` and autoescaping run; nothing from the database is marked safe unescaped), and the
words are translated once per page, in the active language.

The markup is what templates/staff/queue.html's `rows` partial produced before (the same
elements, attributes and text; tests/staff/test_queue_rows.py compares the two)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from requests_app.when import when_datetime, when_iso


@dataclass(frozen=True)
class RowWords:
    """The words every row repeats, translated and escaped once per page (the months are
    escaped with the date they are part of)."""

    request: str
    category: str
    location: str
    age: str
    priority: str
    status: str
    assigned: str
    due: str
    supporters: str
    replied: str
    overdue: str
    at_risk: str
    first_action: str
    late: str
    unassigned: str

    @classmethod
    def now(cls) -> RowWords:
        return cls(
            request=escape(_("Request")),
            category=escape(_("Category")),
            location=escape(_("Location")),
            age=escape(_("Age")),
            priority=escape(_("Priority")),
            status=escape(_("Status")),
            assigned=escape(_("Assigned to")),
            due=escape(_("SLA due")),
            supporters=escape(_("Supporters")),
            replied=escape(_("Resident replied")),
            overdue=escape(_("Overdue")),
            at_risk=escape(_("At risk")),
            first_action=escape(_("First action by")),
            late=escape(_("Late")),
            unassigned=escape(_("Unassigned")),
        )


def _e(value) -> str:
    return escape(str(value))


def _assigned(row, words: RowWords) -> str:
    if not row.assignee and not row.team:
        return f'<span class="muted">{words.unassigned}</span>'
    html = ""
    if row.assignee:
        html = _e(row.assignee.get_full_name() or row.assignee.get_username())
    if row.assignee and row.team:
        html += "<br>"
    if row.team:
        html += f'<span class="muted">{_e(row.team.name)}</span>'
    return html


def _due(row, words: RowWords) -> str:
    if row.expected_at:
        html = (
            f'<time datetime="{when_iso(row.expected_at)}">'
            f"{_e(when_datetime(row.expected_at, year=False))}</time>"
        )
        if row.overdue:
            html += f' <span class="badge badge-overdue">{words.overdue}</span>'
        elif row.at_risk:
            html += f' <span class="badge badge-at-risk">{words.at_risk}</span>'
        if row.time_left:
            html += f'<span class="time-left">{_e(row.time_left_label)}</span>'
    else:
        html = "—"
    if row.awaiting_response:
        late = (
            f' <span class="badge badge-overdue">{words.late}</span>'
            if row.response_overdue
            else ""
        )
        html += (
            f'<span class="response-due">{words.first_action} '
            f'<time datetime="{when_iso(row.response_due_at)}">'
            f"{_e(when_datetime(row.response_due_at, year=False))}</time>{late}</span>"
        )
    return html


def queue_row_html(row, *, words: RowWords, may_act: bool, selected: set[int]) -> SafeString:
    """One `<tr>` of the queue (a row from staff.selectors.queue_page)."""
    w = words
    picked = row.pk in selected
    css = ("is-overdue" if row.overdue else "") + (" is-selected" if picked else "")
    select = ""
    if may_act:
        box = ""
        if row.workable:
            pk = _e(row.pk)
            checked = " checked" if picked else ""
            box = (
                f'<label class="select-target" for="sel-{pk}"><input type="checkbox" '
                f'id="sel-{pk}" name="ids" value="{pk}:{_e(row.version)}" form="bulk-form"'
                f'{checked}><span class="visually-hidden">{_e(row.select_label)}</span></label>'
            )
        select = f'<td class="col-select">{box}</td>'
    replied = ""
    if row.resident_replied_at:
        replied = (
            f'<span class="badge badge-replied" '
            f'title="{_e(when_datetime(row.resident_replied_at, year=True))}">{w.replied}</span>'
        )
    location = f"<bdi>{_e(row.address)}</bdi>" if row.address else "—"
    if row.neighbourhood:
        location += f'<span class="muted"> · {_e(row.neighbourhood.name)}</span>'
    created = row.created_at
    html = (
        f'<tr class="{css}">{select}'
        f'<th scope="row" data-label="{w.request}"><a class="tn" href="{_e(row.url)}">'
        f"{_e(row.tracking_number)}</a>{replied}</th>"
        f'<td data-label="{w.category}"><span aria-hidden="true">{_e(row.category.icon)}'
        f"</span> {_e(row.category_name)}</td>"
        f'<td data-label="{w.location}" class="col-location">{location}</td>'
        f'<td data-label="{w.age}"><time datetime="{when_iso(created)}" '
        f'title="{_e(when_datetime(created, year=True))}">{_e(row.age)}</time></td>'
        f'<td data-label="{w.priority}"><span class="priority priority-{_e(row.priority)}">'
        f"{_e(row.priority_label)}</span></td>"
        f'<td data-label="{w.status}"><span class="status status-{_e(row.status)}">'
        f"{_e(row.status_label)}</span></td>"
        f'<td data-label="{w.assigned}">{_assigned(row, w)}</td>'
        f'<td data-label="{w.due}">{_due(row, w)}</td>'
        f'<td data-label="{w.supporters}" class="col-number">{_e(row.supporter_count)}</td>'
        "</tr>\n"
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above


def queue_rows_html(rows, *, may_act: bool, selected: set[int]) -> list[SafeString]:
    words = RowWords.now()
    return [queue_row_html(r, words=words, may_act=may_act, selected=selected) for r in rows]


def options_html(choices, selected=None) -> SafeString:
    """`<option>`s for (value, label) pairs, the one equal to `selected` marked: the queue's
    selects hold some 150 options, a third of the page's template time when looped there."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{_e(value)}"{" selected" if value == selected else ""}>'
            f"{_e(label)}</option>"
            for value, label in choices
        )
    )


def grouped_options_html(groups, selected=None) -> SafeString:
    """One `<optgroup>` per department (staff.selectors.AssigneeGroup) of people and teams."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<optgroup label="{_e(g.department.tr_name)}">'
            f"{options_html(g.options, selected)}</optgroup>"
            for g in groups
        )
    )
