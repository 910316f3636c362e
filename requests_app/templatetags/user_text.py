"""Free text typed by residents and staff, shown isolated from the page around it."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter(needs_autoescape=True)
def bdi(value: object, autoescape: bool = True) -> SafeString | str:
    """`<bdi>` around a user's text: a right-to-left override in an address or a comment (or
    plain Arabic/Hebrew text) then cannot reorder the punctuation, numbers and labels around it.
    Escapes unless the value is already safe (after `linebreaksbr`, for instance)."""
    if value in (None, ""):
        return ""
    text = conditional_escape(value) if autoescape else value
    return format_html("<bdi>{}</bdi>", text)
