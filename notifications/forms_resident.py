"""Forms for the resident messaging pages: follow a request, choose how to hear about it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python

from notifications.models import Channel
from requests_app.forms import RadioSelect

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
