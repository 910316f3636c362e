"""Messaging forms: following a request and choosing how to hear about it, the closure survey,
the staff member's own notification settings, and the development mailbox (a reply to one
message, a new text message to 311)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python

from notifications.models import Channel, StaffPreference
from notifications.staff_alerts import MAX_DIGEST_TIMES, digest_times_format, digest_times_parse
from requests_app.forms import LimitedTextField, RadioSelect

# --- Resident -------------------------------------------------------------------------------------


CONTACT_INVALID = gettext_lazy(
    "Enter an email address (like name@example.com) or a mobile number (like 415 555 0134)."
)
NO_EMAIL_ON_FILE = gettext_lazy(
    "We have no email address for this request. Choose text messages or none."
)
PHONE_NEEDED = gettext_lazy("Enter a mobile number to get text messages.")


def _mark_errors(form: forms.Form) -> None:
    """Tie each error to its field for screen readers (the include renders the message ids)."""
    for name in form.errors:
        if name not in form.fields:
            continue
        field = form.fields[name]
        auto_id = form[name].auto_id
        described = [f"{auto_id}_helptext"] if field.help_text else []
        field.widget.attrs["aria-describedby"] = " ".join([*described, f"{auto_id}_error"])
        field.widget.attrs["aria-invalid"] = "true"


class FollowForm(forms.Form):
    contact = forms.CharField(
        max_length=254,
        label=gettext_lazy("Email address or mobile number"),
        help_text=gettext_lazy(
            "We will send a link to confirm. You can stop the updates at any time."
        ),
        error_messages={"required": CONTACT_INVALID},
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )

    def clean_contact(self) -> tuple[str, str]:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(CONTACT_INVALID, code="invalid") from None
            return Channel.EMAIL, value.lower()
        number = to_python(value, region=settings.PHONENUMBER_DEFAULT_REGION)
        if number is None or not number.is_valid():
            raise ValidationError(CONTACT_INVALID, code="invalid")
        return Channel.SMS, str(number)

    def full_clean(self) -> None:
        super().full_clean()
        _mark_errors(self)


class PreferencesForm(forms.Form):
    """How the reporter hears about one request."""

    EMAIL, SMS, BOTH, NONE = "email", "sms", "both", "none"
    choice = forms.ChoiceField(
        choices=[
            (EMAIL, gettext_lazy("Email")),
            (SMS, gettext_lazy("Text messages")),
            (BOTH, gettext_lazy("Email and text messages")),
            (NONE, gettext_lazy("No messages (I will check the page)")),
        ],
        widget=RadioSelect,
        label=gettext_lazy("How do you want to hear about this request?"),
    )
    phone = PhoneNumberField(
        required=False,
        region=settings.PHONENUMBER_DEFAULT_REGION,
        label=gettext_lazy("Mobile number for text messages"),
        help_text=gettext_lazy("Only used for updates about this request."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, has_email: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_email = has_email

    def clean(self) -> dict:
        data = super().clean()
        choice = data.get("choice")
        if choice in (self.EMAIL, self.BOTH) and not self.has_email:
            self.add_error("choice", NO_EMAIL_ON_FILE)
        if choice in (self.SMS, self.BOTH) and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", PHONE_NEEDED)
        return data

    def full_clean(self) -> None:
        super().full_clean()
        _mark_errors(self)

    @property
    def wants_email(self) -> bool:
        return self.cleaned_data["choice"] in (self.EMAIL, self.BOTH)

    @property
    def wants_sms(self) -> bool:
        return self.cleaned_data["choice"] in (self.SMS, self.BOTH)


# --- Closure survey -------------------------------------------------------------------------------


FIXED_REQUIRED = _("Tell us whether the problem is fixed.")
SATISFACTION_REQUIRED = _("Choose how satisfied you are.")

# Words with every number, so the scale is clear when read aloud and at a glance.
SATISFACTION_CHOICES = [
    ("5", _("5 · Very satisfied")),
    ("4", _("4 · Satisfied")),
    ("3", _("3 · Neither satisfied nor dissatisfied")),
    ("2", _("2 · Dissatisfied")),
    ("1", _("1 · Very dissatisfied")),
]


class SurveyForm(forms.Form):
    fixed = forms.ChoiceField(
        label=_("Is the problem fixed?"),
        choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))],
        widget=forms.RadioSelect,
        error_messages={"required": FIXED_REQUIRED},
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with how we handled it?"),
        choices=SATISFACTION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": SATISFACTION_REQUIRED},
    )
    comment = LimitedTextField(
        label=_("Anything else you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Please do not include your name, email or phone number."),
    )


# --- Staff notification settings ------------------------------------------------------------------


BAD_TIME = _("“%(value)s” is not a time. Write times like 08:00 or 17:30.")
TOO_MANY_TIMES = _("Choose at most %(max)d digest times.")
NO_DIGEST_TIME = _("Choose at least one digest time, or do not send anything in a digest.")
MODE_FIELDS = ("new_in_department", "assigned_to_me", "resident_replied", "escalations")


def _mode_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=StaffPreference.Mode.choices, widget=forms.RadioSelect
    )


class StaffPreferenceForm(forms.Form):
    new_in_department = _mode_field(_("A new request arrives in my department"))
    assigned_to_me = _mode_field(_("A request is assigned to me"))
    resident_replied = _mode_field(_("A resident replies on a request I work on"))
    escalations = _mode_field(_("A request is escalated (reminders and overdue work)"))
    digest_times = forms.CharField(
        label=_("Digest times"),
        required=False,
        max_length=100,
        help_text=_(
            "City time, 24-hour clock, separated by commas, e.g. 08:00, 13:00. "
            "Each digest lists what arrived since the last one."
        ),
    )
    language = forms.ChoiceField(label=_("Language of my emails"), choices=settings.LANGUAGES)

    def clean_digest_times(self) -> str:
        raw = self.cleaned_data["digest_times"]
        try:
            times = digest_times_parse(raw)
        except ValueError as exc:
            raise forms.ValidationError(BAD_TIME, params={"value": str(exc)}) from exc
        if len(times) > MAX_DIGEST_TIMES:
            raise forms.ValidationError(TOO_MANY_TIMES, params={"max": MAX_DIGEST_TIMES})
        return digest_times_format(times)

    def clean(self) -> dict:
        data = super().clean()
        uses_digest = any(data.get(name) == StaffPreference.Mode.DIGEST for name in MODE_FIELDS)
        if uses_digest and "digest_times" in data and not data["digest_times"]:
            self.add_error("digest_times", NO_DIGEST_TIME)
        return data


# --- Development mailbox --------------------------------------------------------------------------


def _words_or_photo(data: dict, field: str, message) -> dict:
    """A mailbox message needs some words or a picture."""
    if not (data.get(field) or "").strip() and not data.get("photo"):
        raise ValidationError(message)
    return data


class MailboxReplyForm(forms.Form):
    text = LimitedTextField(
        label=gettext_lazy("Reply"),
        required=False,
        max_length=settings.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(label=gettext_lazy("Photo (optional)"), required=False)

    def clean(self) -> dict:
        return _words_or_photo(super().clean(), "text", _("Write a reply or attach a photo."))


class MailboxSmsForm(forms.Form):
    phone = PhoneNumberField(
        label=gettext_lazy("From phone number"),
        help_text=gettext_lazy("The resident's mobile number, e.g. +1 415 555 0134."),
    )
    body = LimitedTextField(
        label=gettext_lazy("Text message"),
        required=False,
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.FileField(label=gettext_lazy("Picture (optional)"), required=False)

    def clean(self) -> dict:
        return _words_or_photo(super().clean(), "body", _("Write a message or attach a picture."))
