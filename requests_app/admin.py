from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from requests_app.addresses import address_normalize, address_query_parse
from requests_app.admin_labels import LabelledTabularInline
from requests_app.models import (
    AddressPoint,
    Area,
    AreaSet,
    Asset,
    BlockedContact,
    Category,
    CategoryGroup,
    ClosureReason,
    ConfirmedContact,
    Department,
    IntakeAttempt,
    IntakeSettings,
    Photo,
    Question,
    QuestionChoice,
    RequestEvent,
    ResponseTemplate,
    ServiceRequest,
    StaffProfile,
    Supporter,
    Team,
)
from requests_app.tracking_numbers import tracking_number_normalise


def _valid_keys(field, values: list) -> list:
    """The values that are valid keys for the relation `field` points along."""
    kept = []
    for value in values:
        try:
            field.target_field.to_python(value)
        except ValidationError:
            continue
        kept.append(value)
    return kept


class _SafeAutocomplete:
    """Django's autocomplete widget looks up the selected values while rendering, and a value
    that is not a valid key (a forged `?team=abc` or POST) is a ValueError there: a 500."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _valid_keys(self.field, list(value)), attr)


class SafeAutocompleteMixin:
    """For a ModelAdmin with autocomplete_fields: junk in the add form's query string (its
    initial values) or in a refused POST is dropped instead of failing the page."""

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation and getattr(field, "target_field", None) is not None:
                values = value if isinstance(value, list) else [value]
                if len(_valid_keys(field, values)) != len(values):
                    del initial[name]
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        inner = getattr(widget, "widget", widget)  # inside the related-object wrapper
        if isinstance(inner, AutocompleteMixin) and not isinstance(inner, _SafeAutocomplete):
            inner.__class__ = type(
                f"Safe{type(inner).__name__}", (_SafeAutocomplete, type(inner)), {}
            )
        return formfield


def admin_page_urls(model_admin: admin.ModelAdmin, pages: dict[str, Callable]) -> list[URLPattern]:
    """Extra pages of a ModelAdmin (its `get_urls` puts them before its own, whose catch-all
    would take them), behind the admin's sign-in. `pages` maps a URL part ("dry-run") to its
    view; the URL is named like the admin's own, `<app>_<model>_<part>` ("..._dry_run")."""
    opts = model_admin.model._meta
    return [
        path(
            f"{part}/",
            model_admin.admin_site.admin_view(view),
            name=f"{opts.app_label}_{opts.model_name}_{part.replace('-', '_')}",
        )
        for part, view in pages.items()
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit log in the admin: its rows are written by the code alone, so admins may read them
    but neither add, change nor delete one. For the other apps' logs too."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "email", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["name", "name_es"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "icon", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("code", "datatype", "variable", "required", "order"),
        ("prompt", "prompt_es"),
        ("help_text", "help_text_es"),
    ]
    show_change_link = True


class AssetTypeFilter(admin.SimpleListFilter):
    """Django's filter by value listed the categories without an asset layer as a link with no
    text (axe: link-name); here they are "No asset layer"."""

    title = _("asset type")
    parameter_name = "asset_type"
    NONE = "(none)"  # not a slug, so no asset type can be called that

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        types = (
            Category.objects.exclude(asset_type="")
            .order_by("asset_type")
            .values_list("asset_type", flat=True)
            .distinct()
        )
        return [(self.NONE, _("No asset layer")), *((kind, kind) for kind in types)]

    def queryset(self, request: HttpRequest, queryset):
        if self.value() == self.NONE:
            return queryset.filter(asset_type="")
        if self.value():
            return queryset.filter(asset_type=self.value())
        return queryset


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "group",
        "default_department",
        "response_target_hours",
        "resolution_target_hours",
        "online_submission_allowed",
        "asset_type",
        "active",
    ]
    list_filter = [
        "group",
        "default_department",
        "active",
        "online_submission_allowed",
        AssetTypeFilter,
    ]
    search_fields = ["name", "name_es", "code", "keywords", "keywords_es"]
    list_select_related = ["group", "default_department"]
    inlines = [QuestionInline]
    fieldsets = [
        (None, {"fields": ["group", "code", "icon", "order", "active"]}),
        (
            _("Wording"),
            {
                "fields": [
                    ("name", "name_es"),
                    ("description", "description_es"),
                    ("keywords", "keywords_es"),
                ],
                # The category search (requests_app.category_search) ranks a word found in the
                # name above one in the synonyms, and both above the description.
                "description": (
                    "Residents find a category by its name, its synonyms (keywords) and its "
                    "description, in English and Spanish."
                ),
            },
        ),
        (
            _("Routing and service level"),
            {
                "fields": [
                    "default_department",
                    ("response_target_hours", "resolution_target_hours"),
                    "base_severity",
                    "asset_type",
                ]
            },
        ),
        (
            _("Notices"),
            {
                "fields": [
                    ("notice", "notice_es"),
                    "online_submission_allowed",
                    ("offline_message", "offline_message_es"),
                ]
            },
        ),
    ]


class ChoiceInline(LabelledTabularInline):
    model = QuestionChoice
    extra = 1


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "category", "datatype", "required", "variable", "order"]
    list_filter = ["datatype", "category__group"]
    search_fields = ["code", "prompt", "category__name"]
    inlines = [ChoiceInline]


@admin.register(ClosureReason)
class ClosureReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "code", "public_text", "outcome", "active"]
    list_filter = ["active"]


@admin.register(AreaSet)
class AreaSetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active", "source", "created_at"]
    list_filter = ["kind", "active"]


@admin.register(Area)
class AreaAdmin(GISModelAdmin):
    list_display = ["name", "kind", "code", "area_set"]
    list_filter = ["kind", "area_set"]
    search_fields = ["name", "code"]


class AddressPointForm(forms.ModelForm):
    class Meta:
        model = AddressPoint
        fields = ["label", "kind", "aliases", "location", "source"]

    def clean(self) -> dict:
        """Two points may not share a label in search's spelling (the unique constraint on
        `normalized`, which is not a form field, so the form would not check it)."""
        cleaned = super().clean()
        label = cleaned.get("label") or ""
        normalized = address_normalize(label)
        if address_query_parse(label) is None:
            self.add_error("label", _("Give a label with letters or digits."))
        elif (
            AddressPoint.objects.filter(normalized=normalized).exclude(pk=self.instance.pk).exists()
        ):
            self.add_error("label", _("Another point has this label already."))
        return cleaned


@admin.register(AddressPoint)
class AddressPointAdmin(GISModelAdmin):
    """Address points, intersections and places (the city pack's addresses and places.toml).
    Add a place's other names under aliases, one a line; the search columns follow on save."""

    list_display = ["label", "kind", "source"]
    list_filter = ["kind"]
    search_fields = ["search"]
    show_full_result_count = False
    form = AddressPointForm
    fields = ["label", "kind", "aliases", "location", "source", "search", "number", "street"]
    readonly_fields = ["search", "number", "street"]

    def save_model(self, request, obj, form, change) -> None:
        obj.fields_refresh()
        super().save_model(request, obj, form, change)


@admin.register(Asset)
class AssetAdmin(GISModelAdmin):
    """Streetlights, hydrants, signs, trees: loaded with `manage.py import_assets`, corrected
    here. Deactivate rather than delete an asset that is gone: requests keep their link."""

    list_display = ["asset_id", "asset_type", "name", "department", "active", "source"]
    list_filter = ["asset_type", "department", "active"]
    search_fields = ["asset_id", "name"]
    list_select_related = ["department"]
    show_full_result_count = False
    actions = ["deactivate", "activate"]

    @admin.action(description="Deactivate (no longer offered at intake)")
    def deactivate(self, request, queryset) -> None:
        self.message_user(request, f"Deactivated {queryset.update(active=False)} assets.")

    @admin.action(description="Activate")
    def activate(self, request, queryset) -> None:
        self.message_user(request, f"Activated {queryset.update(active=True)} assets.")


class EventInline(LabelledTabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "type", "actor_label", "public", "from_value", "to_value", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(GISModelAdmin):
    """Read-mostly: every change to a request goes through the services so it gets its event."""

    list_display = ["tracking_number", "category", "status", "department", "channel", "created_at"]
    list_filter = ["status", "channel", "category__group", "department"]
    search_fields = ["tracking_number", "address", "description"]
    date_hierarchy = "created_at"
    list_select_related = ["category", "department"]
    show_full_result_count = False
    inlines = [EventInline]

    def get_search_results(self, request, queryset, search_term):
        # "26124827" or "2612 4827" is that one request, as in the staff queue's search.
        number = tracking_number_normalise(text=search_term)
        if number is not None:
            return queryset.filter(tracking_number=number), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["uuid", "request", "source", "public", "created_at"]
    list_filter = ["source", "public"]
    raw_id_fields = ["request"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Crew zones for the "by zone" strategy are edited under Routing → Crew zones."""

    list_display = ["name", "department", "assignment_strategy", "last_assigned"]
    list_filter = ["department", "assignment_strategy"]
    list_select_related = ["department", "last_assigned"]
    search_fields = ["name", "department__name"]
    filter_horizontal = ["members"]
    fields = ["department", "name", "assignment_strategy", "members", "last_assigned"]
    # Round-robin's pointer: moved by the assignments, shown so admins can see whose turn it was.
    readonly_fields = ["last_assigned"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "closure_reason", "active"]
    list_filter = ["active", "category__group", "closure_reason"]
    search_fields = ["name", "body", "body_es"]


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = ["request", "channel", "created_at"]
    raw_id_fields = ["request"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["departments"]


class StaffUserAdmin(UserAdmin):
    """Roles and department memberships are edited on the user."""

    inlines = [*UserAdmin.inlines, StaffProfileInline]
    list_display = [*UserAdmin.list_display, "role", "on_duty"]
    list_filter = [*UserAdmin.list_filter, "staff_profile__on_duty", "teams"]
    list_select_related = ["staff_profile"]

    @admin.display(description="role")
    def role(self, obj) -> str:
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description="on duty", boolean=True)
    def on_duty(self, obj) -> bool | None:
        profile = getattr(obj, "staff_profile", None)
        return profile.on_duty if profile else None


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)


# --- Issue 10: intake limits, the block list, and what they count ------------------------------


@admin.register(IntakeSettings)
class IntakeSettingsAdmin(admin.ModelAdmin):
    """One row of limits for the public form: added once, never deleted."""

    list_display = [
        "__str__",
        "reports_per_address_per_hour",
        "reports_per_contact_per_day",
        "reports_per_device_per_hour",
        "photos_per_address_per_hour",
        "min_fill_seconds",
        "unconfirmed_receipts_per_day",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not IntakeSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(BlockedContact)
class BlockedContactAdmin(admin.ModelAdmin):
    """Senders refused at the public form (with a neutral message, so they are not told)."""

    list_display = ["value", "kind", "reason", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]
    fields = ["kind", "value", "reason"]


@admin.register(IntakeAttempt)
class IntakeAttemptAdmin(ReadOnlyAdmin):
    """What the limits count (kept two days): who is sending how much."""

    list_display = ["created_at", "kind", "client_address", "email", "phone", "device"]
    list_filter = ["kind"]
    search_fields = ["client_address", "email", "phone", "device"]
    date_hierarchy = "created_at"


@admin.register(ConfirmedContact)
class ConfirmedContactAdmin(admin.ModelAdmin):
    """Contacts whose owners followed a link from one of our messages. Deleting one makes its
    next report unconfirmed again; rows are added by residents only."""

    list_display = ["address", "channel", "confirmed_at"]
    list_filter = ["channel"]
    search_fields = ["address"]
    readonly_fields = ["channel", "address", "confirmed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
