"""The staff member's own notification settings."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import StaffPreference
from notifications.staff import MAX_DIGEST_TIMES, digest_times_format, digest_times_parse

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
