"""The staff member's notification settings page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notifications.forms_staff import MODE_FIELDS, StaffPreferenceForm
from notifications.staff import staff_preference_get, staff_preference_update
from staff.access import staff_required


@staff_required
@require_http_methods(["GET", "POST"])
def staff_preferences(request: HttpRequest) -> HttpResponse:
    preference = staff_preference_get(user=request.user)
    status = 200
    if request.method == "POST":
        form = StaffPreferenceForm(request.POST)
        if form.is_valid():
            staff_preference_update(preference=preference, **form.cleaned_data)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:staff_preferences")
        status = 422
    else:
        form = StaffPreferenceForm(
            initial={
                **{name: getattr(preference, name) for name in MODE_FIELDS},
                "digest_times": preference.digest_times.replace(",", ", "),
                "language": preference.language,
            }
        )
    return render(
        request,
        "notifications/staff_preferences.html",
        {"form": form, "preference": preference, "has_email": bool(request.user.email)},
        status=status,
    )
