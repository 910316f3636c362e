"""Forms of the development mailbox: a reply to one message, and a new text message to 311."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField


class MailboxReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Reply"),
        required=False,
        max_length=settings.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(label=gettext_lazy("Photo (optional)"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("photo"):
            raise ValidationError(_("Write a reply or attach a photo."))
        return data


class MailboxSmsForm(forms.Form):
    phone = PhoneNumberField(
        label=gettext_lazy("From phone number"),
        help_text=gettext_lazy("The resident's mobile number, e.g. +1 415 555 0134."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text message"),
        required=False,
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.FileField(label=gettext_lazy("Picture (optional)"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("photo"):
            raise ValidationError(_("Write a message or attach a picture."))
        return data
