"""Accessible names for the inputs Django's admin puts in tables (tabular inlines, editable
changelist columns), where a field's label is only a column header. No admin registrations here:
civic311's admin site (staff/admin_site.py) imports it while the site itself is being built."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import capfirst


def widgets_name(form: forms.BaseForm) -> None:
    """Give each of a form's inputs its field's label as an accessible name (aria-label). In a
    table (a tabular inline, a changelist's editable column) the label is only a column header,
    which does not name an input: screen readers announced bare "edit text" and axe-core counted
    every one as unlabelled."""
    for name, field in form.fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # inside the related-object wrapper
        if not widget.is_hidden:
            widget.attrs.setdefault("aria-label", str(capfirst(field.label or name)))


class LabelledFormSetMixin:
    """A formset whose every form's inputs are named (see widgets_name), the Delete box too."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        widgets_name(form)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs have accessible names (Django's leaves them unlabelled)."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (LabelledFormSetMixin, formset), {})


class LabelledAdminMixin:
    """A ModelAdmin whose changelist's editable columns (list_editable) have named inputs, and
    whose file inputs are named: Django 6 puts one in a fieldset whose legend names the group,
    not the input (axe: label)."""

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, forms.FileInput):
            label = formfield.label or db_field.verbose_name
            formfield.widget.attrs.setdefault("aria-label", str(capfirst(label)))
        return formfield

    def get_changelist_formset(self, request: HttpRequest, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        return type(formset.__name__, (LabelledFormSetMixin, formset), {})
