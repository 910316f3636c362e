"""The on-duty switch in the staff header: auto-assignment only picks people on duty.

A plain POST form: without JavaScript it redirects back to the page it was on (303) with a
message; with HTMX it returns the switch itself, re-rendered in its new state."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civic311.http import HtmxHttpRequest, local_url, see_other
from requests_app.permissions import staff_required
from staff.services import staff_duty_set


class DutyForm(forms.Form):
    on_duty = forms.TypedChoiceField(
        choices=[("1", "on"), ("0", "off")], coerce=lambda value: value == "1"
    )
    next = forms.CharField(required=False)


@staff_required
@require_POST
def duty(request: HtmxHttpRequest) -> HttpResponse:
    form = DutyForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    on_duty = form.cleaned_data["on_duty"]
    profile = staff_duty_set(user=request.user, on_duty=on_duty)
    if profile is None:
        raise PermissionDenied
    request.staff = profile
    if request.htmx:
        return render(request, "staff/duty_switch.html", {"duty_next": form.cleaned_data["next"]})
    messages.success(
        request,
        _("You are on duty: new work can be assigned to you.")
        if on_duty
        else _("You are off duty: no new work will be assigned to you automatically."),
    )
    return see_other(local_url(request, form.cleaned_data["next"], default=reverse("staff:queue")))
