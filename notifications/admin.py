"""Messaging admin: the outbox and the opt-out register, message templates (with a live preview on
a sample request) and request subscriptions, staff notification settings, closure survey results
and the messaging settings, and the inbound log (every received email and text message with what
became of it, text-message reports in progress; read-only, they are records)."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import Context, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from notifications.forms import BAD_TIME
from notifications.models import (
    Channel,
    ContactPreference,
    InboundMessage,
    MessageTemplate,
    MessagingSettings,
    OptOutLog,
    OutboxMessage,
    RequestSubscription,
    SmsConversation,
    StaffPreference,
    Survey,
    SurveyDue,
)
from notifications.outbox import contact_preference_set
from notifications.rendering import message_render
from notifications.resident import message_context, sms_fit, sms_segments
from notifications.sending import ResendError, message_resend
from notifications.staff_alerts import digest_times_format, digest_times_parse
from requests_app.admin import SafeAutocompleteMixin, admin_page_urls
from requests_app.models import Category, ClosureReason, ServiceRequest, Status


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: shown, never added or edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AnswersAdmin(ReadOnlyAdmin):
    """Residents' own answers: not deleted either."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Outbox and opt-outs --------------------------------------------------------------------------


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: rows change only through the sender (and Resend), so the log stays true."""

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "template",
        "language",
        "status",
        "attempts",
        "permanent_failure",
        "short_error",
        "request_link",
    ]
    list_filter = ["status", "channel", "template", "permanent_failure", "language"]
    search_fields = ["request__tracking_number", "recipient", "provider_message_id"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["resend"]
    fieldsets = [
        (None, {"fields": ["request", "channel", "recipient", "template", "language"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "last_error",
                    "permanent_failure",
                    "provider_message_id",
                    "created_at",
                    "claimed_at",
                    "sent_at",
                ]
            },
        ),
        (_("Content"), {"fields": ["subject", "body_text", "body_html"]}),
        (_("Source"), {"fields": ["event", "user", "subscription", "digest", "dedupe_key"]}),
    ]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("Error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description=_("Request"), ordering="request__tracking_number")
    def request_link(self, obj: OutboxMessage) -> str:
        if obj.request is None:
            return "—"
        url = reverse("staff:detail", args=[obj.request.tracking_number])
        return format_html('<a href="{}">{}</a>', url, obj.request.tracking_number)

    @admin.action(description=_("Resend the selected failed messages"))
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        done, refused = 0, []
        for message_id in queryset.values_list("pk", flat=True):
            try:
                message_resend(message_id=message_id, actor=request.user)
                done += 1
            except ResendError as exc:
                refused.append(f"#{message_id}: {gettext(str(exc))}")
        if done:
            self.message_user(
                request,
                ngettext("%(n)d message queued again.", "%(n)d messages queued again.", done)
                % {"n": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    """Changed only through the actions, so that every opt-out and opt-in is logged."""

    list_display = ["address", "channel", "opted_out", "language", "updated_at"]
    list_filter = ["channel", "opted_out"]
    search_fields = ["address"]
    actions = ["opt_out", "opt_in"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def _set(self, request: HttpRequest, queryset, *, opted_out: bool) -> None:
        for pref in queryset:
            contact_preference_set(
                channel=pref.channel, address=pref.address, opted_out=opted_out, source="staff"
            )
        self.message_user(request, _("Recorded."), messages.SUCCESS)

    @admin.action(description=_("Opt out (at the resident's request; logged)"))
    def opt_out(self, request: HttpRequest, queryset) -> None:
        self._set(request, queryset, opted_out=True)

    @admin.action(description=_("Opt back in (at the resident's request; logged)"))
    def opt_in(self, request: HttpRequest, queryset) -> None:
        self._set(request, queryset, opted_out=False)


@admin.register(OptOutLog)
class OptOutLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "address", "channel", "action", "source", "request"]
    list_filter = ["channel", "action", "source"]
    search_fields = ["address", "request__tracking_number"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Message templates and subscriptions ----------------------------------------------------------


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
        pages = {"preview": self.preview_view, "default": self.default_view}
        return admin_page_urls(self, pages) + super().get_urls()

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


# --- Staff settings, surveys, messaging settings --------------------------------------------------


class StaffPreferenceAdminForm(forms.ModelForm):
    class Meta:
        model = StaffPreference
        fields = "__all__"  # noqa: DJ007 - every field is an admin setting

    def clean_digest_times(self) -> str:
        # The same check and normal form ("08:00,17:30") as the staff settings page.
        try:
            times = digest_times_parse(self.cleaned_data["digest_times"])
        except ValueError as exc:
            raise forms.ValidationError(BAD_TIME, params={"value": str(exc)}) from exc
        return digest_times_format(times)


@admin.register(StaffPreference)
class StaffPreferenceAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = StaffPreferenceAdminForm
    list_display = [
        "user",
        "new_in_department",
        "assigned_to_me",
        "resident_replied",
        "escalations",
        "digest_times",
        "language",
        "last_digest_at",
    ]
    list_filter = ["new_in_department", "assigned_to_me", "escalations", "language"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["last_digest_at"]


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("Answered")), ("no", _("Not answered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        return queryset


@admin.register(Survey)
class SurveyAdmin(AnswersAdmin):
    """Read-only: answers come from residents and feed reporting."""

    list_display = ["request", "sent_at", "answered_at", "fixed", "satisfaction", "language"]
    list_filter = [
        AnsweredFilter,
        "fixed",
        "satisfaction",
        "language",
        "request__department",
        "request__category",
        "sent_at",
    ]
    search_fields = ["request__tracking_number"]
    list_select_related = ["request"]
    date_hierarchy = "sent_at"
    # The token is the resident's secret link: not shown.
    fields = [
        "request",
        "language",
        "sent_at",
        "answered_at",
        "fixed",
        "satisfaction",
        "comment",
    ]
    readonly_fields = fields


@admin.register(SurveyDue)
class SurveyDueAdmin(AnswersAdmin):
    """Read-only: each resolution's survey until its delay has passed, and what became of it."""

    list_display = ["request", "due_at", "done_at", "outcome"]
    list_filter = ["outcome", "due_at"]
    search_fields = ["request__tracking_number"]
    list_select_related = ["request"]
    fields = ["request", "due_at", "done_at", "outcome"]
    readonly_fields = fields


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(admin.ModelAdmin):
    """One row of city-wide messaging rules: added once, never deleted."""

    list_display = [
        "__str__",
        "survey_delay_hours",
        "survey_reopen_days",
        "no_problem_reply_days",
        "max_attempts",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not MessagingSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Inbound log ----------------------------------------------------------------------------------


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "channel", "sender", "outcome", "request", "reason")
    list_filter = ("channel", "outcome")
    search_fields = ("sender", "recipient", "request__tracking_number", "provider_id")
    date_hierarchy = "received_at"
    list_select_related = ("request",)
    raw_id_fields = ("request",)


@admin.register(SmsConversation)
class SmsConversationAdmin(ReadOnlyAdmin):
    list_display = ("phone", "step", "category", "address", "request", "updated_at")
    list_filter = ("step",)
    search_fields = ("phone", "request__tracking_number")
    list_select_related = ("category", "request")
    raw_id_fields = ("category", "request")
