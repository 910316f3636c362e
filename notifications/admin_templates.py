"""Admin for message templates (with a live preview on a sample request) and request
subscriptions."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import Context, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_POST

from notifications.models import Channel, MessageTemplate, RequestSubscription
from notifications.rendering import message_render
from notifications.resident import message_context, sms_fit, sms_segments
from requests_app.models import Category, ClosureReason, ServiceRequest, Status

MESSAGES_DIR = Path(settings.BASE_DIR) / "templates" / "notifications" / "messages"


def default_kinds() -> list[str]:
    """Every kind with a default file template (resident, staff, survey... whichever part
    shipped it)."""
    return sorted(
        {p.name.split(".")[0] for p in MESSAGES_DIR.glob("*.txt") if not p.name.startswith("_")}
    )


def default_source(*, kind: str, channel: str) -> dict[str, str]:
    """The source text of the default file templates, to start an admin template from."""

    def source(part: str) -> str:
        try:
            return get_template(f"notifications/messages/{kind}.{channel}.{part}").template.source
        except TemplateDoesNotExist:
            return ""

    if channel == Channel.EMAIL:
        return {
            "subject": source("subject.txt").strip(),
            "body_text": source("txt"),
            "body_html": source("html"),
        }
    return {"subject": "", "body_text": source("txt"), "body_html": ""}


def sample_request() -> ServiceRequest:
    """The latest request, or a made-up one when the database has none (nothing is saved)."""
    latest = (
        ServiceRequest.objects.select_related("category", "department", "duplicate_of")
        .order_by("-created_at")
        .first()
    )
    if latest is not None:
        return latest
    category = Category.objects.first() or Category(name="Pothole", name_es="Bache")
    return ServiceRequest(
        tracking_number="2501-1234",
        category=category,
        address="1 Market St",
        status=Status.IN_PROGRESS,
        private_token="sample-private-token-" + "0" * 20,
        language="en",
        created_at=timezone.now(),
    )


def sample_context(*, kind: str, channel: str, language: str) -> dict:
    request = sample_request()
    subscription = RequestSubscription(
        request=request,
        role=RequestSubscription.Role.REPORTER,
        channel=channel,
        address="resident@example.com" if channel == Channel.EMAIL else "+14155550134",
        language=language,
        token="sample-unsubscribe-token",  # noqa: S106 - a made-up row, never saved
    )
    with translation.override(language):
        context = message_context(request=request, subscription=subscription, kind=kind)
        reason = ClosureReason.objects.filter(active=True).first()
        context.update(
            message=translation.gettext("The crew will be back on Tuesday to finish the job."),
            closure_text=reason.tr("public_text") if reason else "",
            status_label=str(Status.RESOLVED.label) if kind == "resolved" else "",
            original_number=request.tracking_number,
            original_url=context["tracker_url"],
            confirm_url=context["tracker_url"] + "follow/confirm/sample/",
        )
        if not context["status_label"]:
            context["status_label"] = str(Status(request.status).label)
    return context


def preview_render(
    *, kind: str, channel: str, language: str, subject: str, body_text: str, body_html: str
) -> dict:
    """Render unsaved template text (or the default files when it is empty) on the sample
    request. Returns subject/text/html, SMS segment count, or the template error."""
    context = sample_context(kind=kind, channel=channel, language=language)
    result: dict = {"error": ""}
    try:
        with translation.override(language):
            if body_text.strip():
                plain = Context(context, autoescape=False)
                result["subject"] = Template(subject).render(plain).strip() if subject else ""
                result["text"] = Template(body_text).render(plain)
                result["html"] = Template(body_html).render(Context(context)) if body_html else ""
            else:
                rendered = message_render(
                    kind=kind, channel=channel, language=language, context=context
                )
                result.update(subject=rendered.subject, text=rendered.text, html=rendered.html)
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        return {"error": str(exc)}
    if channel == Channel.SMS:
        result["text"] = sms_fit(result["text"], keep=context["tracker_url"])
        result["segments"], result["encoding"] = sms_segments(result["text"])
    return result


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "language", "active", "subject", "body_text", "body_html"]
        widgets = {
            "kind": forms.TextInput(attrs={"list": "message-kinds"}),
            "body_text": forms.Textarea(attrs={"rows": 12, "cols": 90}),
            "body_html": forms.Textarea(attrs={"rows": 16, "cols": 90}),
        }


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["kind", "channel", "language", "active", "updated_at"]
    list_filter = ["channel", "language", "active", "kind"]
    search_fields = ["kind", "subject", "body_text"]
    change_form_template = "admin/notifications/messagetemplate/change_form.html"

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, *args, **kwargs):
        context["message_kinds"] = default_kinds()
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self):
        custom = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="notifications_messagetemplate_preview",
            ),
            path(
                "default/",
                self.admin_site.admin_view(self.default_view),
                name="notifications_messagetemplate_default",
            ),
        ]
        return custom + super().get_urls()

    def _check(self, request: HttpRequest) -> None:
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._preview)(request)

    def _preview(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        data = request.POST
        channel = data.get("channel") or Channel.EMAIL
        language = data.get("language") or "en"
        if language not in dict(settings.LANGUAGES):
            language = "en"
        kind = data.get("kind", "").strip()
        preview = preview_render(
            kind=kind,
            channel=channel,
            language=language,
            subject=data.get("subject", ""),
            body_text=data.get("body_text", ""),
            body_html=data.get("body_html", ""),
        )
        return TemplateResponse(
            request,
            "admin/notifications/messagetemplate/preview.html",
            {"preview": preview, "channel": channel, "sample": sample_request()},
        )

    def default_view(self, request: HttpRequest) -> HttpResponse:
        return require_GET(self._default)(request)

    def _default(self, request: HttpRequest) -> JsonResponse:
        self._check(request)
        return JsonResponse(
            default_source(
                kind=request.GET.get("kind", "").strip(),
                channel=request.GET.get("channel") or Channel.EMAIL,
            )
        )


@admin.register(RequestSubscription)
class RequestSubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_number",
        "role",
        "channel",
        "address",
        "language",
        "confirmed_at",
        "unsubscribed_at",
    ]
    list_filter = ["role", "channel", "language"]
    search_fields = ["request__tracking_number", "address"]
    raw_id_fields = ["request"]
    readonly_fields = ["token", "created_at"]
    list_select_related = ["request"]

    @admin.display(description="Request", ordering="request__tracking_number")
    def tracking_number(self, obj: RequestSubscription) -> str:
        return obj.request.tracking_number
