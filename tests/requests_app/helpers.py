from __future__ import annotations

import uuid

from django.contrib.gis.geos import Point

from requests_app.models import ServiceRequest, Status
from requests_app.services import (
    Reporter,
    Submission,
    request_route,
    request_status_change,
    request_submit,
)
from tests.conftest import INSIDE
from tests.factories import ReporterFactory

# The contact part of a report form for a resident who stays anonymous and wants no reply.
ANONYMOUS = {"anonymous": "on", "contact_method": "none", "language": "en"}


def submit(city, *, category=None, reporter: Reporter | None = None, photos=None, **kwargs):
    """File a request the way the web form does, through the service."""
    submission = Submission(
        category=category or city.pothole,
        description=kwargs.pop("description", "Big hole by the bus stop"),
        location=kwargs.pop("location", Point(INSIDE[1], INSIDE[0], srid=4326)),
        address=kwargs.pop("address", "1 Market St"),
        answers=kwargs.pop("answers", {"size": 10, "lane": "traffic"}),
        photos=photos or [],
        reporter=reporter or ReporterFactory(),
        idempotency_key=kwargs.pop("idempotency_key", uuid.uuid4()),
        **kwargs,
    )
    request, _created = request_submit(submission=submission)
    return request


def routed(city, department=None, **kwargs):
    """A request filed through the service and routed into a department's queue (Streets unless
    told otherwise)."""
    sr = submit(city, **kwargs)
    request_route(request=sr, department=department or city.streets)
    sr.refresh_from_db()
    return sr


def resolve(city, sr, *, message: str = "") -> None:
    """Staff take the request in hand, then resolve it as repaired (the tracker's outcome)."""
    request_status_change(request=sr, to_status=Status.IN_PROGRESS)
    request_status_change(
        request=sr, to_status=Status.RESOLVED, message=message, closure_reason=city.repaired
    )


def with_fields(sr, **fields):
    """The request with these fields written straight to the database (no event, no check), as
    if it had got there some other way, and reloaded."""
    ServiceRequest.objects.filter(pk=sr.pk).update(**fields)
    sr.refresh_from_db()
    return sr


# How people type a tracking number (issue 12): each is ``str.format``-ed with the year-month
# and the rest of the number, e.g. "{ym}{n}" -> "26124827" for "2612-4827".
TYPED_TRACKING_NUMBERS = (
    "{ym}-{n}",
    "{ym}{n}",
    "{ym} {n}",
    "{ym}\u2013{n}",  # an en dash, as word processors and phones' smart punctuation write it
    "#{ym}-{n}",
    " {ym}.{n} ",
)


def typed(sr, form: str) -> str:
    """``sr``'s tracking number written the way ``form`` (one of TYPED_TRACKING_NUMBERS) says."""
    ym, _sep, n = sr.tracking_number.partition("-")
    return form.format(ym=ym, n=n)


def public_list_seeded(city, *, address_of=None):
    """45 requests three to an hour (ties in creation time test the cursor's tie-break on id),
    every fourth closed (``address_of(i)``: the i-th one's address). Returns a cursor at the
    middle one and the first one's neighbourhood."""
    from datetime import timedelta

    from django.utils import timezone

    from requests_app.models import ServiceRequest, Status
    from requests_app.selectors import ListCursor

    now = timezone.now()
    made = [submit(city, address=address_of(i)) if address_of else submit(city) for i in range(45)]
    for i, sr in enumerate(made):
        ServiceRequest.objects.filter(pk=sr.pk).update(
            created_at=now - timedelta(hours=i // 3),
            status=Status.CLOSED if i % 4 == 0 else sr.status,
        )
    middle = ServiceRequest.objects.get(pk=made[22].pk)
    return ListCursor(middle.created_at, middle.id), made[0].neighbourhood_id
