"""Resend a failed message from the staff request page's "Messages" panel."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civic311.http import see_other
from notifications.models import OutboxMessage
from notifications.sending import ResendError, message_resend
from requests_app.permissions import request_for_work, staff_required
from staff import detail_selectors as selectors


@staff_required
@require_POST
def resend(request: HttpRequest, tracking_number: str, message_id: int) -> HttpResponse:
    sr = request_for_work(request, selectors.request_get_for_staff(tracking_number=tracking_number))
    if not OutboxMessage.objects.filter(pk=message_id, request=sr).exists():
        raise Http404
    try:
        message_resend(message_id=message_id, actor=request.user)
    except ResendError as exc:
        messages.error(request, _(str(exc)))
    else:
        messages.success(request, _("The message will be sent again."))
    return see_other(reverse("staff:detail", args=[sr.tracking_number]) + "#messages")
