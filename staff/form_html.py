"""The request page's form widgets written out in Python, to the byte what Django's widget
templates write.

The staff request page carries up to fourteen small action forms: about 27 widgets and 150
`<option>`s a page. Django renders each widget through the template engine (select.html, then
select_option.html and attrs.html once per option): at 1M requests that was about 17 ms of the
page's ~50 ms of Python. Here the common widgets (text, hidden, textarea, single select with
flat choices) are formatted directly; anything else (a radio list, grouped choices, a localized
field, a subclass with a template of its own) goes to Django as before.
tests/staff/test_form_html.py compares both on every action form, bound and unbound, with
errors, in English and Spanish.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString, mark_safe


def esc(value) -> str:
    """What autoescaping writes for `{{ value }}` (conditional_escape), without the lazy-string
    wrapper Django's escape() checks on every call (a few hundred calls a page)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _s(value) -> str:
    # `{{ value|stringformat:'s' }}`: the filter keeps a safe value safe, else autoescape runs.
    text = "%s" % (value,)  # noqa: UP031 - the filter's own formatting
    return text if isinstance(value, SafeData) else html.escape(text)


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {esc(name)}")
        else:
            out.append(f' {esc(name)}="{_s(value)}"')
    return "".join(out)


def _input(widget: forms.Input, name: str, value, attrs: dict) -> str:
    # django/forms/widgets/input.html
    shown = widget.format_value(value)
    value_attr = "" if shown is None else f' value="{_s(shown)}"'
    return f'<input type="{esc(widget.input_type)}" name="{esc(name)}"{value_attr}{_attrs(attrs)}>'


def _textarea(widget: forms.Textarea, name: str, value, attrs: dict) -> str:
    # django/forms/widgets/textarea.html
    shown = widget.format_value(value)
    body = esc(shown) if shown else ""
    return f'<textarea name="{esc(name)}"{_attrs(attrs)}>\n{body}</textarea>'


def _select(widget: forms.Select, name: str, value, attrs: dict) -> str | None:
    # django/forms/widgets/select.html and select_option.html, for flat choices (optgroups()
    # without groups); None for grouped choices, which Django renders. The renderer strips only
    # the whole widget's output, so each included option keeps its file's final newline.
    chosen = widget.format_value(value)
    has_selected = False
    options = []
    for option_value, option_label in widget.choices:
        if isinstance(option_label, (list, tuple)):
            return None
        if option_value is None:
            option_value = ""
        selected = not has_selected and str(option_value) in chosen
        has_selected |= selected
        options.append(
            f'\n  <option value="{_s(option_value)}"{" selected" if selected else ""}>'
            f"{esc(option_label)}</option>\n"  # the included file's last line
        )
    return f'<select name="{esc(name)}"{_attrs(attrs)}>{"".join(options)}\n</select>'


_WRITERS: dict[type, Callable[..., str | None]] = {
    forms.TextInput: _input,
    forms.HiddenInput: _input,
    forms.NumberInput: _input,
    forms.EmailInput: _input,
    forms.Textarea: _textarea,
    forms.Select: _select,
}


class FastBoundField(forms.BoundField):
    """A BoundField whose widget HTML is written in Python for the widgets above (the same
    attributes: Django's own build_widget_attrs and build_attrs are used)."""

    def as_widget(self, widget=None, attrs=None, only_initial=False) -> SafeString:
        widget = widget or self.field.widget
        writer = _WRITERS.get(type(widget))
        if writer is None or only_initial or self.field.localize:
            return super().as_widget(widget, attrs, only_initial)
        attrs = self.build_widget_attrs(attrs or {}, widget)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        html = writer(widget, self.html_name, self.value(), widget.build_attrs(widget.attrs, attrs))
        if html is None:
            return super().as_widget(widget, attrs, only_initial)
        return mark_safe(html)  # noqa: S308 - every value above is escaped
