"""The closure survey page, reached from the link in the resident's email or text message."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from notifications import survey_selectors
from notifications.forms_survey import SurveyForm
from notifications.surveys import Outcome, survey_answer


def _use_survey_language(request: HttpRequest, language: str) -> None:
    # The page opens in the language the survey was sent in, unless the resident picked one.
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(language)
        request.LANGUAGE_CODE = language


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    found = survey_selectors.survey_by_token(token=token)
    if found is None:
        raise Http404
    _use_survey_language(request, found.language)
    context = {"survey": found, "service_request": found.request}
    if found.answered_at is not None:
        # Straight after answering, the redirect says what happened; any other visit (or a
        # second submit) sees that the survey is already answered.
        try:
            outcome = Outcome(request.GET.get("outcome", ""))
        except ValueError:
            outcome = Outcome.ALREADY_ANSWERED
        if request.method == "POST":
            outcome = Outcome.ALREADY_ANSWERED
        return render(request, "notifications/survey_done.html", {**context, "outcome": outcome})
    status = 200
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            outcome = survey_answer(
                survey=found,
                fixed=form.cleaned_data["fixed"] == "yes",
                satisfaction=int(form.cleaned_data["satisfaction"]),
                comment=form.cleaned_data["comment"],
            )
            url = reverse("notifications:survey", args=[token])
            return redirect(f"{url}?outcome={outcome}")
        status = 422
    else:
        form = SurveyForm()
    return render(request, "notifications/survey.html", {**context, "form": form}, status=status)
