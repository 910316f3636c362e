"""Render a message of one kind, channel and language: an admin-edited MessageTemplate if one is
active, else the default files under templates/notifications/messages/ (whose fixed text is
translated through the Django catalogues)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import MessageTemplate
from requests_app.configcache import config_cached
from requests_app.when import city_zone


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str

    def outbox_fields(self) -> dict[str, str]:
        """The three parts as ``outbox_queue`` names them (``**rendered.outbox_fields()``)."""
        return {"subject": self.subject, "body_text": self.text, "body_html": self.html}


def absolute_url(path: str) -> str:
    """A site path as a full link for a message (workers have no request to take the host from)."""
    return settings.SITE_URL.rstrip("/") + path


def _file(kind: str, channel: str, part: str) -> str:
    return f"notifications/messages/{kind}.{channel}.{part}"


def message_templates_load() -> dict[tuple[str, str, str], MessageTemplate]:
    """The admins' active templates by (kind, channel, language): the first of each, as a
    filtered .first() would pick it."""
    found: dict[tuple[str, str, str], MessageTemplate] = {}
    for template in MessageTemplate.objects.filter(active=True):
        found.setdefault((template.kind, template.channel, template.language), template)
    return found


def message_render(*, kind: str, channel: str, language: str, context: dict) -> Rendered:
    """The message in the recipient's language and on the city's clock: workers run in UTC and
    English, so an admin's template that writes `{{ request.expected_at|date }}` would otherwise
    print the UTC day (our own templates format through requests_app.when)."""
    with translation.override(language), timezone.override(city_zone()):
        # Kept per process until an admin edits a template (requests_app.configcache).
        custom = config_cached("notifications.templates", message_templates_load).get(
            (kind, channel, language)
        )
        if custom is not None:
            ctx = Context(context, autoescape=False)
            subject = Template(custom.subject).render(ctx).strip() if custom.subject else ""
            text = Template(custom.body_text).render(ctx)
            html = Template(custom.body_html).render(Context(context)) if custom.body_html else ""
            return Rendered(subject=subject, text=text, html=html)
        subject = ""
        html = ""
        if channel == "email":
            subject = render_to_string(_file(kind, channel, "subject.txt"), context).strip()
            html = render_to_string(_file(kind, channel, "html"), context)
        text = render_to_string(_file(kind, channel, "txt"), context)
        return Rendered(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)
