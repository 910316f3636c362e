"""Staff pages in Spanish show the Spanish names admins entered (categories, groups,
departments), not only the Spanish fixed text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_app.services import request_route
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def test_intake_and_the_request_page_use_the_spanish_names(client, city, staff):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    client.force_login(staff.agent)
    client.cookies.load({"django_language": "es"})
    intake = client.get(reverse("staff:intake")).content.decode()
    assert "Calles y aceras" in intake and "Streets &amp; sidewalks" not in intake
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert "Bache" in detail and "<dd>Calles</dd>" in detail


def test_the_request_pages_selects_and_the_queues_bulk_form_name_things_in_spanish(
    client, city, staff
):
    # What staff pick from: closure reasons, departments to transfer to, categories to
    # reclassify as; in the reader's language, in the order of the names they read.
    from requests_app.models import ClosureReason

    ClosureReason.objects.create(code="private", name="Private property", name_es="Ajeno")
    ClosureReason.objects.create(code="other", name="Zzz other")  # no Spanish: the English
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    client.force_login(staff.supervisor)
    client.cookies.load({"django_language": "es"})
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    reasons = detail[detail.index('name="closure_reason"') :]
    reasons = reasons[: reasons.index("</select>")]
    assert [w for w in ("Ajeno", "Reparado", "Zzz other") if w in reasons] == [
        "Ajeno",
        "Reparado",
        "Zzz other",
    ]
    assert reasons.index(">Ajeno<") < reasons.index(">Reparado<") < reasons.index(">Zzz other<")
    assert "Repaired" not in reasons and "Private property" not in reasons
    assert ">Parques</option>" in detail and ">Parks</option>" not in detail
    assert ">Grafiti</option>" in detail and ">Graffiti</option>" not in detail
    queue = client.get(reverse("staff:queue")).content.decode()
    bulk = queue[queue.index('id="b-reason"') :]
    bulk = bulk[: bulk.index("</select>")]
    assert ">Ajeno<" in bulk and ">Reparado<" in bulk and "Repaired" not in bulk
    # The same pages in English name them in English.
    client.cookies.load({"django_language": "en"})
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert ">Repaired</option>" in detail and ">Parks</option>" in detail
    assert ">Reparado<" not in detail


def test_a_resolved_requests_reason_shows_in_the_staff_readers_language(client, city, staff):
    from requests_app.services import request_resolve

    sr = submit(city)
    request_route(request=sr, department=city.streets)
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    client.force_login(staff.agent)
    client.cookies.load({"django_language": "es"})
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert " · Reparado</dd>" in detail


def test_the_timeline_gives_a_closures_wording_in_the_staff_readers_language(client, city, staff):
    # A newcomer's walk: the Spanish page's timeline read "The crew repaired it." (the event
    # keeps the wording it was written with); the tracker and the email were in Spanish.
    from requests_app.services import request_resolve

    sr = submit(city)
    request_route(request=sr, department=city.streets)
    request_resolve(
        request=sr, actor=staff.agent, closure_reason=city.repaired, message="Filled with asphalt."
    )
    client.force_login(staff.agent)
    client.cookies.load({"django_language": "es"})
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert "El equipo lo reparó." in detail and "The crew repaired it." not in detail
    assert "Filled with asphalt." in detail  # the staff's own words, as written
    client.cookies.load({"django_language": "en"})
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert "The crew repaired it." in detail
