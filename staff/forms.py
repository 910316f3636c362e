"""Forms for the staff request page (one small form per action) and the operator intake.

Forms check what was typed; the workflow services check whether the action applies to the
request as it is now and say so with a WorkflowError/TransitionError the view shows."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from requests_app.forms import QUESTION_PREFIX, LimitedTextField, RadioSelect, ReportForm
from requests_app.models import Category, Channel, ContactMethod, Priority, ServiceRequest
from requests_app.tracking_numbers import TYPED_MAX
from requests_app.when import SHORT
from staff import detail_selectors as selectors
from staff.form_html import FastBoundField

# --- Request actions ---------------------------------------------------------------------------


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name  # the department is the request's own


def _choices_shown(field: forms.ModelChoiceField, rows: list[tuple[int, str]]) -> None:
    """The select shows these (id, label) rows, in this order, instead of running the field's
    queryset while rendering (a server-side cursor each); a POST is still checked against the
    queryset. An unbound form (the page's) is only rendered, so its querysets are not even
    built (building the five cost about 1 ms of ORM work a page): only a bound one gets them."""
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.widget.choices = [*empty, *rows]


class ActionForm(forms.Form):
    """One action on one request. `version` is the request version the user was looking at."""

    # Widgets written in Python (staff.form_html): the page has up to fourteen of these forms.
    bound_field_class = FastBoundField
    action = ""
    title = ""
    button = ""
    success = ""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        # Thirteen forms share a page: give every field an id of its own ("comment-message").
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        super().__init__(*args, **kwargs)
        self.sr = service_request
        if not self.is_bound:
            self.initial.setdefault("version", service_request.version)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_helptext"

    @property
    def visible(self) -> list[forms.BoundField]:
        return [f for f in self if not f.is_hidden and f.name != "template"]

    def mark_errors(self) -> None:
        """Tie each error to its field for screen readers and focus the first one."""
        first = True
        for name in self.fields:
            if name in self.errors:
                attrs = self.fields[name].widget.attrs
                auto_id = self[name].auto_id
                described = [f"{auto_id}_helptext"] if self.fields[name].help_text else []
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = " ".join([*described, f"{auto_id}_error"])
                if first:
                    attrs["autofocus"] = True
                    first = False


class AcknowledgeForm(ActionForm):
    action = "acknowledge"
    title = _("Acknowledge")
    button = _("Acknowledge")
    success = _("Acknowledged. The resident sees that staff have reviewed the request.")


class AssignForm(ActionForm):
    action = "assign"
    title = _("Assign")
    button = _("Assign")
    success = _("Assignment saved.")

    assignee = UserChoiceField(
        queryset=None, required=False, empty_label=_("Nobody"), label=_("Person")
    )
    team = TeamChoiceField(queryset=None, required=False, empty_label=_("No team"), label=_("Team"))

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        super().__init__(*args, service_request=service_request, **kwargs)
        department = service_request.department
        people, teams = self.fields["assignee"], self.fields["team"]
        if self.is_bound:
            people.queryset = selectors.assignable_users(department=department)
            teams.queryset = selectors.team_list(department=department)
        # The same rows as the querysets, read without building them (staff.detail_selectors).
        shown_people, shown_teams = selectors.assign_rows(request=service_request)
        _choices_shown(people, [(u.pk, people.label_from_instance(u)) for u in shown_people])
        _choices_shown(teams, [(t.pk, teams.label_from_instance(t)) for t in shown_teams])
        if not self.is_bound:
            self.initial.setdefault("assignee", service_request.assignee_id)
            self.initial.setdefault("team", service_request.team_id)


class PriorityForm(ActionForm):
    action = "priority"
    title = _("Change priority")
    button = _("Change priority")
    success = _("Priority changed.")

    priority = forms.ChoiceField(choices=Priority.choices, label=_("Priority"))
    reason = forms.CharField(
        max_length=300,
        label=_("Reason (internal)"),
        help_text=_(
            "Your choice overrides the priority score until someone lets the score decide again."
        ),
        error_messages={"required": _("Say why you are changing the priority.")},
    )

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        super().__init__(*args, service_request=service_request, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("priority", service_request.priority)


class PriorityAutomaticForm(ActionForm):
    action = "priority_automatic"
    title = _("Let the score decide again")
    button = _("Let the score decide again")
    success = _("The priority score decides the priority again.")


class TemplateMixin:
    """A select of canned replies that fills the message box (by script, or by the
    'Use template' button without it)."""

    for_resolve = False

    def add_templates(self) -> None:
        self.templates = selectors.response_templates(request=self.sr, for_resolve=self.for_resolve)
        self.fields["template"] = forms.TypedChoiceField(
            choices=[("", _("Choose a reply…")), *((t.id, t.name) for t in self.templates)],
            coerce=int,
            required=False,
            label=_("Response template"),
        )

    def template_chosen_from(self, value: str) -> selectors.TemplateOption | None:
        return next((t for t in self.templates if str(t.id) == str(value)), None)


def _message_field(label, *, required: bool, help_text="", required_message="") -> forms.Field:
    return LimitedTextField(
        max_length=settings.DESCRIPTION_MAX_LENGTH,
        required=required,
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": required_message} if required_message else {},
    )


class CommentForm(TemplateMixin, ActionForm):
    action = "comment"
    title = _("Public comment")
    button = _("Send to the resident")
    success = _("Comment sent. The resident sees it on the tracker.")

    message = _message_field(
        _("Message to the resident"),
        required=True,
        help_text=_("Shown on the public tracker, signed by the department."),
        required_message=_("Write the message first."),
    )

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        super().__init__(*args, service_request=service_request, **kwargs)
        self.add_templates()


class NoteForm(ActionForm):
    action = "note"
    title = _("Internal note")
    button = _("Add internal note")
    success = _("Internal note added.")

    message = _message_field(
        _("Note"),
        required=True,
        help_text=_("Internal: staff only, never shown to the resident."),
        required_message=_("Write the note first."),
    )


class OnsiteForm(ActionForm):
    action = "onsite"
    title = _("Record an on-site visit")
    button = _("Record visit")
    success = _("Site visit recorded.")

    public_message = _message_field(
        _("What the resident should know"),
        required=False,
        help_text=_("Public. Leave empty to show only that a crew visited."),
    )
    internal_notes = _message_field(_("Internal notes"), required=False, help_text=_("Staff only."))
    draft_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        super().__init__(*args, service_request=service_request, **kwargs)
        if not self.is_bound:
            # Photos are staged under this key as they are attached, like the resident form.
            self.initial.setdefault("draft_key", uuid.uuid4())


class HoldForm(ActionForm):
    action = "hold"
    title = _("Wait for the resident")
    button = _("Put on hold")
    success = _("On hold: waiting for the resident.")

    message = _message_field(
        _("What do you need from the resident?"),
        required=True,
        help_text=_("Public: the resident sees this."),
        required_message=_("Tell the resident what you need from them."),
    )


class ResumeForm(ActionForm):
    action = "resume"
    title = _("Resume work")
    button = _("Resume work")
    success = _("Back in progress.")


class ResolveForm(TemplateMixin, ActionForm):
    action = "resolve"
    title = _("Resolve")
    button = _("Resolve")
    success = _("Resolved. The resident sees the reason.")
    for_resolve = True

    closure_reason = forms.ModelChoiceField(
        queryset=None,
        label=_("Closure reason"),
        empty_label=_("Choose a reason…"),
        error_messages={"required": _("Choose a closure reason.")},
    )
    message = _message_field(
        _("Message to the resident"),
        required=False,
        help_text=_("Leave empty to send the reason's public wording."),
    )

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        super().__init__(*args, service_request=service_request, **kwargs)
        if self.is_bound:
            self.fields["closure_reason"].queryset = selectors.closure_reason_list()
        _choices_shown(
            self.fields["closure_reason"],
            selectors.closure_reason_choices(request=service_request),
        )
        self.add_templates()


class DuplicateForm(ActionForm):
    action = "duplicate"
    title = _("Mark as duplicate")
    button = _("Mark as duplicate")
    success = _("Closed as a duplicate.")

    original = forms.CharField(
        max_length=TYPED_MAX,
        label=_("Duplicate of request number"),
        error_messages={"required": _("Enter the number of the original request.")},
    )

    def clean_original(self) -> ServiceRequest:
        number = self.cleaned_data["original"].strip()
        original = selectors.request_get_for_staff(tracking_number=number)
        if original is None:
            raise forms.ValidationError(
                _("There is no request numbered “%(n)s”."), params={"n": number}
            )
        if original.pk == self.sr.pk:
            raise forms.ValidationError(_("A request cannot be a duplicate of itself."))
        return original


class ReopenForm(ActionForm):
    action = "reopen"
    title = _("Reopen")
    button = _("Reopen")
    success = _("Reopened and back in the queue.")

    reason = _message_field(
        _("Why reopen it?"),
        required=True,
        help_text=_("Public: the resident sees this."),
        required_message=_("Say why it is being reopened."),
    )


class RecategoriseForm(ActionForm):
    action = "recategorise"
    title = _("Change category")
    button = _("Change category")
    success = _("Category changed; the target date was recalculated.")

    category = forms.ModelChoiceField(
        queryset=None,
        label=_("New category"),
        empty_label=_("Choose a category…"),
        error_messages={"required": _("Choose the new category.")},
    )
    reason = forms.CharField(max_length=300, required=False, label=_("Reason"))

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        super().__init__(*args, service_request=service_request, **kwargs)
        if self.is_bound:
            self.fields["category"].queryset = selectors.active_categories().exclude(
                pk=service_request.category_id
            )
        _choices_shown(self.fields["category"], selectors.category_choices(request=service_request))


class TransferForm(ActionForm):
    action = "transfer"
    title = _("Transfer to another department")
    button = _("Transfer")
    success = _("Transferred.")

    department = forms.ModelChoiceField(
        queryset=None,
        label=_("Department"),
        empty_label=_("Choose a department…"),
        error_messages={"required": _("Choose the department to send it to.")},
    )
    reason = forms.CharField(
        max_length=300,
        label=_("Reason"),
        help_text=_("Public: shown on the tracker."),
        error_messages={"required": _("Say why it is being transferred.")},
    )

    def __init__(self, *args, service_request: ServiceRequest, **kwargs) -> None:
        super().__init__(*args, service_request=service_request, **kwargs)
        if self.is_bound:
            self.fields["department"].queryset = selectors.transfer_departments(
                request=service_request
            )
        _choices_shown(
            self.fields["department"],
            selectors.transfer_department_choices(request=service_request),
        )


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AcknowledgeForm,
        AssignForm,
        PriorityForm,
        PriorityAutomaticForm,
        CommentForm,
        NoteForm,
        OnsiteForm,
        HoldForm,
        ResumeForm,
        ResolveForm,
        DuplicateForm,
        ReopenForm,
        RecategoriseForm,
        TransferForm,
    )
}


# --- Operator intake -------------------------------------------------------------------------

INTAKE_CHANNELS = [
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.WALK_IN, Channel.WALK_IN.label),
    (Channel.EMAIL, Channel.EMAIL.label),
]


class IntakeForm(ReportForm):
    """The resident's report form, as an operator fills it in for a caller (same questions,
    same location rules), plus the channel the report came in by."""

    channel = forms.ChoiceField(
        choices=INTAKE_CHANNELS,
        initial=Channel.PHONE,
        widget=RadioSelect,
        label=_("How did they contact us?"),
    )

    PAGE_ORDER = (
        "channel",
        "category",
        QUESTION_PREFIX,
        "address",
        "description",
        "anonymous",
        "name",
        "phone",
        "email",
        "contact_method",
        "language",
    )

    def __init__(self, *args, category: Category | None = None, **kwargs) -> None:
        super().__init__(*args, category=category, **kwargs)
        f = self.fields
        f["category"].error_messages["required"] = _("Choose the kind of problem.")
        f["description"].label = _("Description")
        f["description"].help_text = _("What the caller sees, and exactly where.")
        f["description"].widget.attrs["rows"] = 3
        f["description"].error_messages["required"] = _("Describe the problem briefly.")
        f["anonymous"].label = _("The caller does not want to leave contact details")
        f["name"].label = _("Caller name")
        f["email"].label = _("Caller email")
        f["phone"].label = _("Caller phone")
        f["contact_method"].label = _("How should we update them?")
        f["contact_method"].help_text = _(
            "If none is chosen: by email if one is given, else a call back on the phone number."
        )
        f["language"].label = _("Caller's language")

    def clean_category(self) -> Category:
        # Operators file what residents may not file online (a gas leak reported by phone).
        return self.cleaned_data["category"]

    PHONE_DEFAULT = ContactMethod.PHONE
    EMAIL_NEEDED = _("Enter the caller's email, or choose another way to update them.")
    PHONE_NEEDED = _("Enter the caller's phone number, or choose another way to update them.")
    ANSWER_DATETIME_STYLE = SHORT


class AttachCallerForm(forms.Form):
    """Instead of a new request: the caller becomes a supporter of an open one."""

    attach_to = forms.CharField(max_length=16)
    name = forms.CharField(max_length=120, required=False)
    email = forms.EmailField(required=False)
    phone = PhoneNumberField(required=False, region=settings.PHONENUMBER_DEFAULT_REGION)
    channel = forms.ChoiceField(choices=INTAKE_CHANNELS, initial=Channel.PHONE)
    language = forms.ChoiceField(choices=settings.LANGUAGES, initial="en")
    anonymous = forms.BooleanField(required=False)

    def clean_attach_to(self) -> ServiceRequest:
        number = self.cleaned_data["attach_to"]
        found = selectors.request_get_open(tracking_number=number)
        if found is None:
            raise forms.ValidationError(
                _("Request %(n)s is no longer open. Create a new request instead."),
                params={"n": number},
            )
        return found
