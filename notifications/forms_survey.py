"""The closure survey's two questions and a comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
    comment = forms.CharField(
        label=_("Anything else you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Please do not include your name, email or phone number."),
    )
