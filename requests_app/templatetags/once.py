"""`{% per_language %}...{% endper_language %}`: a piece of page rendered once per process and
language, then reused.

Why: the header, navigation, footer, stylesheet links and fixed headings of every resident page
are the same for every visitor who reads the same language, yet each page rendered them again:
a dozen `{% translate %}`, `{% url %}` and `{% static %}` tags cost about 0.4 ms of a 1.6 ms home
page. Kept on the template node, they cost one dictionary lookup.

What may go inside: only text that depends on nothing but the language and the city's settings.
The block is rendered with a context holding the city's names and phone numbers and nothing
else, so a per-visitor value put inside by mistake (a request, a CSRF token, a form) renders
empty in every visitor's page rather than leaking one visitor's value to the next; tests compare
the pages. `{% block %}` may not go inside (a child template's override would be ignored).
"""

from __future__ import annotations

import weakref

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Parser, Token
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Every node that holds renderings, so a settings change (tests) can drop them all.
_NODES: weakref.WeakSet[PerLanguageNode] = weakref.WeakSet()


def _city_context() -> dict:
    # The values civic311.context_processors.city gives every page.
    return {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_PHONE": settings.CITY_PHONE,
        "CITY_EMERGENCY_PHONE": settings.CITY_EMERGENCY_PHONE,
    }


class PerLanguageNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.rendered: dict[tuple[str | None, str, bool], SafeString] = {}
        _NODES.add(self)

    def render(self, context: template.Context) -> SafeString:
        # The script prefix is part of every {% url %} inside; it is fixed for a deployment.
        key = (get_language(), get_script_prefix(), context.autoescape)
        text = self.rendered.get(key)
        if text is None:
            own = template.Context(
                _city_context(),
                autoescape=context.autoescape,
                use_l10n=context.use_l10n,
                use_tz=context.use_tz,
            )
            own.template = context.template
            text = self.rendered[key] = mark_safe(self.nodelist.render(own))  # noqa: S308
        return text


@register.tag
def per_language(parser: Parser, token: Token) -> PerLanguageNode:
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            "{% block %} cannot go inside {% per_language %}: the override would be ignored."
        )
    return PerLanguageNode(nodelist)


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    for node in _NODES:
        node.rendered.clear()
