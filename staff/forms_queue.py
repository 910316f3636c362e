"""The queue's query string and its bulk-action form.

A queue URL is typed, bookmarked and shared, so its filter form never fails: a value that does
not parse is dropped and the rest of the filters still apply."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civic311.bounds import PAGE_MAX, BoundedDateField, IdField
from requests_app.forms import LimitedTextField
from requests_app.models import Channel, Priority, Status
from staff import selectors as s

STATUS_CHOICES = [
    (s.STATUS_OPEN, _("Open")),
    (s.STATUS_NEW, _("New (not yet acknowledged)")),
    *Status.choices,
    (s.STATUS_CLOSED, _("Closed (any outcome)")),
    (s.STATUS_ANY, _("Open and closed")),
]
SORT_CHOICES = [
    (s.SORT_DUE, _("Due date, soonest first")),
    (s.SORT_RESPONSE, _("First action due, soonest first")),
    (s.SORT_PRIORITY, _("Priority, urgent first")),
    (s.SORT_NEWEST, _("Newest first")),
    (s.SORT_OLDEST, _("Oldest first")),
]
DUE_CHOICES = [
    ("", _("Any due date")),
    (s.DUE_OVERDUE, _("Overdue")),
    (s.DUE_AT_RISK, _("At risk (75% of the time used)")),
    (s.DUE_RESPONSE_OVERDUE, _("First action overdue")),
    (s.DUE_TODAY, _("Due today")),
]
SCOPE_CHOICES = [(v, v) for v in s.SCOPES]
VIEW_CHOICES = [("list", _("List")), ("map", _("Map"))]


class QueueFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=SCOPE_CHOICES, required=False)
    department = IdField(required=False)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    category = IdField(required=False)
    area = IdField(required=False)
    assignee = forms.RegexField(regex=r"^(user|team):\d{1,12}$", required=False)
    priority = forms.ChoiceField(choices=[("", ""), *Priority.choices], required=False)
    channel = forms.ChoiceField(choices=[("", ""), *Channel.choices], required=False)
    created_from = BoundedDateField(required=False)
    created_to = BoundedDateField(required=False)
    due = forms.ChoiceField(choices=DUE_CHOICES, required=False)
    # "Overdue only" as a plain checkbox, for links and bookmarks that say overdue=1.
    overdue = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=100, strip=True)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)
    view = forms.ChoiceField(choices=VIEW_CHOICES, required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=PAGE_MAX)

    def filters(self) -> s.QueueFilters:
        """The filters the query string asks for; values that do not parse are left out."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        overdue = data.pop("overdue", False)
        if overdue and not data.get("due"):
            data["due"] = s.DUE_OVERDUE
        return s.QueueFilters(**data)

    # Dropped values a person typed (the rest come from links and are just dropped).
    SHOWN_ERRORS = ("created_from", "created_to")

    def shown_errors(self) -> dict[str, str]:
        """The first error of each date the user typed, to show next to its field."""
        self.is_valid()
        return {n: self.errors[n][0] for n in self.SHOWN_ERRORS if n in self.errors}


class BulkForm(forms.Form):
    """One action on the rows ticked in the queue. Each row's checkbox says `<id>:<version>`,
    the version the user saw, so a row someone changed meanwhile is skipped, not overwritten."""

    ASSIGN, PRIORITY, STATUS, COMMENT = "assign", "priority", "status", "comment"
    MAX_ROWS = 200

    action = forms.ChoiceField(
        choices=[
            (ASSIGN, _("Assign")),
            (PRIORITY, _("Change priority")),
            (STATUS, _("Move status")),
            (COMMENT, _("Add a public comment")),
        ]
    )
    assign_to = forms.RegexField(regex=r"^(none|(user|team):\d{1,12})$", required=False)
    priority = forms.ChoiceField(choices=[("", ""), *Priority.choices], required=False)
    status = forms.ChoiceField(choices=[("", ""), *Status.choices], required=False)
    closure_reason = IdField(required=False)
    # Shown with a live count, never cut by the browser (issue 12), like every other text box.
    message = LimitedTextField(required=False, max_length=4000, strip=True)
    # The queue's query string to go back to.
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.selected: dict[int, int | None] = {}
        if data is not None:
            for raw in data.getlist("ids")[: self.MAX_ROWS]:
                pk, _sep, version = raw.partition(":")
                if pk.isdigit():
                    self.selected[int(pk)] = int(version) if version.isdigit() else None

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if not self.selected:
            raise forms.ValidationError(_("Select at least one request first."))
        required = {
            self.ASSIGN: ("assign_to", _("Choose who to assign them to.")),
            self.PRIORITY: ("priority", _("Choose a priority.")),
            self.STATUS: ("status", _("Choose a status.")),
            self.COMMENT: ("message", _("Write the comment first.")),
        }
        if action in required:
            name, error = required[action]
            if not data.get(name):
                self.add_error(name, error)
        return data
