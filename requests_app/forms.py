from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from civic311.bounds import BoundedDateTimeField
from requests_app.assets import asset_type_name
from requests_app.models import Asset, Category, ContactMethod, Photo, Question
from requests_app.selectors import address_resolve, asset_for_pick, boundary_contains
from requests_app.services import OUTSIDE_AREA, Reporter, Submission
from requests_app.services.intake import ASSET_NOT_NEARBY
from requests_app.when import LONG, when_datetime

QUESTION_PREFIX = "q_"
STARTED_SALT = "requests_app.report.started"


def form_started_token(*, at: float | None = None) -> str:
    """When the form was handed out, signed so it cannot be back-dated."""
    return signing.dumps(time.time() if at is None else at, salt=STARTED_SALT)


class FirstOptionFocus:
    """Radio/checkbox groups: `autofocus` belongs on the first option only, not on each."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if index:
            option["attrs"].pop("autofocus", None)
        return option


class RadioSelect(FirstOptionFocus, forms.RadioSelect):
    pass


class CheckboxSelectMultiple(FirstOptionFocus, forms.CheckboxSelectMultiple):
    pass


class KnownChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField given the object its value most likely names (``known``, checked by
    the caller against the same queryset's conditions): that value costs no query."""

    known = None

    def to_python(self, value):
        known = self.known
        if known is not None and value not in self.empty_values and str(value) == str(known.pk):
            return known
        return super().to_python(value)


# Issue 12: the count typed and the count allowed, in plain words, instead of Django's generic
# wording. The browser no longer cuts a long text silently (no maxlength): a counter under the
# box (static/js/common.js, from data-max-chars) says how many are left or over as one types.
TEXT_TOO_LONG = gettext_lazy(
    "This text is %(show_value)d characters long and the limit is %(limit_value)d. "
    "Please shorten it, then send it again."
)


# No plural forms in a script: the number stands after a colon.
CHARS_LEFT = gettext_lazy("Characters left: %s")
CHARS_OVER = gettext_lazy("Characters over the limit: %s")


class LimitedTextField(forms.CharField):
    """A text box with a limit that is shown, never enforced by cutting what was typed."""

    default_error_messages = {"max_length": TEXT_TOO_LONG}

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        if "maxlength" in attrs:
            attrs["data-max-chars"] = attrs.pop("maxlength")
            # The counter's words, in the page's language (lazy: rendered per request).
            attrs["data-chars-left"] = CHARS_LEFT
            attrs["data-chars-over"] = CHARS_OVER
        return attrs


def question_field(question: Question) -> forms.Field:
    """A form field for one Open311 attribute, validating its datatype."""
    common = {
        "label": question.tr("prompt"),
        "help_text": question.tr("help_text"),
        "required": question.required,
    }
    dt = question.datatype
    if dt == Question.Datatype.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=4, **common)
    if dt == Question.Datatype.DATETIME:
        return BoundedDateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
            **common,
        )
    if dt == Question.Datatype.TEXT:
        return LimitedTextField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    choices = [(c.key, c.tr("name")) for c in question.choices.all()]
    if dt == Question.Datatype.SINGLE:
        return forms.ChoiceField(choices=choices, widget=RadioSelect, **common)
    if dt == Question.Datatype.MULTI:
        return forms.MultipleChoiceField(choices=choices, widget=CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=300, **common)


def answer_value(value: object) -> object:
    """Store answers as JSON: numbers as numbers, datetimes as ISO 8601 in UTC."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo("UTC")).isoformat()
    return value


class ReportForm(forms.Form):
    """Everything a resident sends. Question fields are added for the chosen category."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    # Against robots (issue 10): `website` is a field people never see (the page hides it) and
    # robots fill in; `started` is when the form was handed out (form_started_token).
    website = forms.CharField(
        required=False,
        label=gettext_lazy("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    category = KnownChoiceField(
        queryset=Category.objects.filter(active=True),
        widget=forms.RadioSelect,
        label=gettext_lazy("What is the problem?"),
        error_messages={"required": gettext_lazy("Choose the kind of problem.")},
    )
    address = forms.CharField(
        max_length=200,
        required=False,
        label=gettext_lazy("Address or intersection"),
        help_text=gettext_lazy("For example “1 Dr Carlton B Goodlett Pl” or “Market St & 5th St”."),
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    # The id of the asset picked from the nearest ones ("" for "not sure"). Rendered by the
    # asset picker fragment, not as a field of its own.
    asset = forms.CharField(max_length=60, required=False, widget=forms.HiddenInput)
    description = LimitedTextField(
        max_length=settings.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Describe the problem"),
        help_text=gettext_lazy(
            "What do you see, and exactly where? Don't include personal details."
        ),
        error_messages={"required": gettext_lazy("Tell us briefly what the problem is.")},
    )
    anonymous = forms.BooleanField(
        required=False, label=gettext_lazy("Report anonymously (we won't be able to update you)")
    )
    name = forms.CharField(max_length=120, required=False, label=gettext_lazy("Your name"))
    email = forms.EmailField(required=False, label=gettext_lazy("Email"))
    phone = PhoneNumberField(
        required=False,
        region=settings.PHONENUMBER_DEFAULT_REGION,
        label=gettext_lazy("Phone"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    # Nothing chosen until the resident chooses (issue 12): a pre-selected "Email" made the
    # "(optional)" section required. Left alone, what they typed decides (_clean_contact).
    contact_method = forms.ChoiceField(
        choices=ContactMethod.choices,
        required=False,
        widget=RadioSelect,
        label=gettext_lazy("How should we contact you?"),
        help_text=gettext_lazy(
            "If you choose none, we use the email address you gave, else the phone number."
        ),
    )
    language = forms.ChoiceField(
        choices=settings.LANGUAGES, label=gettext_lazy("Preferred language")
    )

    def __init__(self, *args, category: Category | None = None, photos=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category_obj = category
        if category is not None and category.active:
            # The view's category comes from the reference snapshot: no query to find it again.
            self.fields["category"].known = category
        self.staged_photos = list(photos or [])
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.question_notes: list[Question] = []
        if category is not None:
            for q in category.questions.all():
                if q.variable:
                    self.fields[QUESTION_PREFIX + q.code] = question_field(q)
                else:
                    self.question_notes.append(q)
        self.point: Point | None = None
        self.location_source = ""
        self.picked_asset: Asset | None = None

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(QUESTION_PREFIX)]

    def clean_category(self) -> Category:
        category: Category = self.cleaned_data["category"]
        if not category.online_submission_allowed:
            raise ValidationError(
                category.tr("offline_message") or _("This problem can't be reported online.")
            )
        return category

    def clean(self) -> dict:
        data = super().clean()
        self._clean_location(data)
        self._clean_asset(data)
        self._clean_contact(data)
        return data

    def _clean_asset(self, data: dict) -> None:
        """The picked asset must be an active one of the category's type near the point: a
        stale or forged id is refused rather than silently dropped."""
        ref = (data.get("asset") or "").strip()
        category = data.get("category")
        if not ref or category is None or not category.asset_type:
            # A pick made for another category no longer applies.
            data["asset"] = ""
            return
        if self.point is None:
            return  # the location's own error says what to fix first
        asset = asset_for_pick(asset_type=category.asset_type, asset_id=ref, point=self.point)
        if asset is None:
            self.add_error(
                "asset",
                _(ASSET_NOT_NEARBY)
                % {"type": asset_type_name(category.asset_type), "asset_id": ref[:60]},
            )
            return
        data["asset"] = asset.asset_id
        self.picked_asset = asset

    def _clean_location(self, data: dict) -> None:
        """Resolve where the problem is: a pin or 'my location' (coordinates), else the typed
        address, else the GPS position of an attached photo."""
        lat, lng = data.get("latitude"), data.get("longitude")
        address = (data.get("address") or "").strip()
        point = None
        if lat is not None and lng is not None:
            if -90 <= lat <= 90 and -180 <= lng <= 180:
                point = Point(lng, lat, srid=4326)
                self.location_source = "pin"
        elif address:
            found = address_resolve(query=address)
            if found is None:
                self.add_error(
                    "address",
                    _(
                        "We couldn't find “%(address)s”. Choose one of the suggestions, "
                        "check the spelling, or place a pin on the map."
                    )
                    % {"address": address},
                )
                return
            point = found.location
            data["address"] = found.label
            self.location_source = "address"
        else:
            with_gps = [p for p in self.staged_photos if p.gps]
            if with_gps:
                point = with_gps[0].gps
                self.location_source = "photo"
        if point is None:
            self.add_error(
                "address",
                _(
                    "Tell us where the problem is: type an address, use your location, "
                    "or place a pin."
                ),
            )
            return
        # with_areas: the submission asks for this point's areas next (one query for both).
        if not boundary_contains(point=point, with_areas=True):
            self.add_error("address", _(OUTSIDE_AREA) % {"city": settings.CITY_NAME})
            return
        self.point = point
        data["latitude"], data["longitude"] = point.y, point.x

    # Wording a subclass (the operator's intake form) may change.
    EMAIL_NEEDED = gettext_lazy("Enter your email address, or choose another way to hear from us.")
    PHONE_NEEDED = gettext_lazy("Enter your phone number, or choose another way to hear from us.")
    # requests_app.when's style for a date-and-time answer on the review page.
    ANSWER_DATETIME_STYLE = LONG

    # How to reach someone who typed a phone number but chose no way: the resident's form says
    # the details are for updates (texts); the operator's caller gets a call back.
    PHONE_DEFAULT = ContactMethod.SMS

    def _clean_contact(self, data: dict) -> None:
        """A way chosen needs its detail; no way chosen is decided by what was typed (an email,
        else a phone, else none), so leaving the optional section alone files anonymously."""
        if data.get("anonymous"):
            return
        method = data.get("contact_method") or ""
        if not method:
            if data.get("email"):
                method = ContactMethod.EMAIL
            elif data.get("phone"):
                method = self.PHONE_DEFAULT
            else:
                method = ContactMethod.NONE
            data["contact_method"] = method
        if method == ContactMethod.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", self.EMAIL_NEEDED)
        phone_method = method in (ContactMethod.SMS, ContactMethod.PHONE)
        if phone_method and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", self.PHONE_NEEDED)

    def answer_summary(self) -> list[tuple[str, str]]:
        """The answers as (question, answer in words), for review pages."""
        summary = []
        for bound in self.question_fields:
            value = self.cleaned_data.get(bound.name)
            if value in (None, "", []):
                continue
            choices = dict(getattr(bound.field, "choices", []) or [])
            if isinstance(value, datetime):
                text = when_datetime(value, style=self.ANSWER_DATETIME_STYLE)
            elif isinstance(value, list):
                text = ", ".join(str(choices.get(v, v)) for v in value)
            else:
                text = str(choices.get(value, value))
            summary.append((bound.label, text))
        return summary

    # The order fields appear on the page, so focus goes to the first error a resident meets.
    PAGE_ORDER = (
        "category",
        QUESTION_PREFIX,
        "address",
        "asset",
        "description",
        "anonymous",
        "name",
        "email",
        "phone",
        "contact_method",
        "language",
    )

    @property
    def first_error_field(self) -> str:
        if not self.is_bound or not self.errors:
            return ""
        for key in self.PAGE_ORDER:
            for name in self.fields:
                if (
                    name == key or (key == QUESTION_PREFIX and name.startswith(key))
                ) and name in self.errors:
                    return name
        return ""

    def mark_errors(self) -> None:
        """Tie each error to its field for screen readers and focus the first one."""
        first = self.first_error_field
        for name, field in self.fields.items():
            if name not in self.errors:
                continue
            auto_id = self[name].auto_id
            described = [f"{auto_id}_helptext"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join([*described, f"{auto_id}_error"])
            field.widget.attrs["aria-invalid"] = "true"
            if name == first:
                field.widget.attrs["autofocus"] = True

    def answers(self) -> dict:
        return {
            name.removeprefix(QUESTION_PREFIX): answer_value(value)
            for name, value in self.cleaned_data.items()
            if name.startswith(QUESTION_PREFIX) and value not in (None, "", [])
        }

    def submission(self, *, channel: str, photos: Sequence[Photo] = ()) -> Submission:
        """The valid form as what request_submit files: the resident's report and the operator's
        intake (a subclass of this form) build it here, so the two cannot drift apart."""
        data = self.cleaned_data
        return Submission(
            category=data["category"],
            description=data["description"],
            location=self.point or Point(data["longitude"], data["latitude"], srid=4326),
            address=data.get("address") or "",
            answers=self.answers(),
            photos=list(photos),
            reporter=Reporter(
                name=data.get("name") or "",
                email=data.get("email") or "",
                phone=str(data["phone"]) if data.get("phone") else "",
                contact_method=data.get("contact_method") or ContactMethod.NONE,
                language=data["language"],
                anonymous=bool(data.get("anonymous")),
            ),
            channel=channel,
            idempotency_key=data["idempotency_key"],
            asset=self.picked_asset,
        )

    def looks_automated(self, *, min_seconds: int) -> bool:
        """A robot's tell: the hidden field filled in, or the form sent back faster than a
        person could (or with its start time missing or forged). Reads the raw data, so it
        answers whatever else is wrong with the form."""
        if (self.data.get("website") or "").strip():
            return True
        try:
            started = float(signing.loads(self.data.get("started") or "", salt=STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return time.time() - started < min_seconds

    def add_submit_errors(self, error: ValidationError) -> None:
        """Show what request_submit refused on the form. A refused location goes on the address,
        the field a person can change; errors of no field go above the form."""
        for name, messages in error.message_dict.items():
            target = "address" if name == "location" else name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


def new_idempotency_key() -> uuid.UUID:
    return uuid.uuid4()


class CommentForm(forms.Form):
    """A resident's follow-up through their private link."""

    message = LimitedTextField(
        max_length=settings.DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Add a comment"),
    )
    draft_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, has_photos: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_photos = has_photos

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("message") or "").strip() and not self.has_photos:
            raise ValidationError(_("Write a comment or attach a photo."))
        return data
