"""Two lines of the tracker written in Python: its title and its "expected by" line.

Each was a `{% blocktranslate %}` (and the expected line a `{% translate ... as %}` and a
`|date` besides), whose nodes cost more than the text they make. The same catalogue entries,
the same escaping (a value in a `{% blocktranslate %}` is escaped; the translation is not),
the same date formatting; tests compare them with the template tags in both languages."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()


@register.filter
def request_title(tracking_number: str) -> SafeString:
    """`{% blocktranslate with n=tracking_number %}Request {{ n }}{% endblocktranslate %}`."""
    return mark_safe(gettext("Request %(n)s") % {"n": conditional_escape(tracking_number)})  # noqa: S308


@register.filter(expects_localtime=True)
def expected_by(value: datetime) -> SafeString:
    """`{% translate "l j F Y" context "long date format, Django date syntax" as long_date %}`
    then `{% blocktranslate with date=value|date:long_date %}Expected to be resolved by
    <strong>{{ date }}</strong>.{% endblocktranslate %}` (the value already in the active time
    zone, as `|date` has it)."""
    long_date = pgettext("long date format, Django date syntax", "l j F Y")
    day = formats.date_format(value, long_date)
    return mark_safe(  # noqa: S308 (the date is escaped; the sentence is the catalogue's)
        gettext("Expected to be resolved by <strong>%(date)s</strong>.")
        % {"date": conditional_escape(day)}
    )
