"""Two lines of the tracker written in Python: its title and its "expected by" line.

Each was a `{% blocktranslate %}` (and the expected line a `|when_date` besides), whose nodes
cost more than the text they make. The same catalogue entries, the same escaping (a value in a
`{% blocktranslate %}` is escaped; the translation is not), the same date formatting
(requests_app.when); tests compare them with the template tags in both languages."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from requests_app.when import when_date

register = template.Library()


@register.filter
def request_title(tracking_number: str) -> SafeString:
    """`{% blocktranslate with n=tracking_number %}Request {{ n }}{% endblocktranslate %}`."""
    return mark_safe(gettext("Request %(n)s") % {"n": conditional_escape(tracking_number)})  # noqa: S308


@register.filter
def expected_by(value: datetime) -> SafeString:
    """`{% blocktranslate with date=value|when_date %}Expected to be resolved by
    <strong>{{ date }}</strong>.{% endblocktranslate %}`: the day on the city's clock, in words
    (requests_app.when), as the confirmation page, email and text message give it."""
    return mark_safe(  # noqa: S308 (the date is escaped; the sentence is the catalogue's)
        gettext("Expected to be resolved by <strong>%(date)s</strong>.")
        % {"date": conditional_escape(when_date(value))}
    )
