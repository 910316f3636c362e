from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from requests_app.models import Photo
from requests_app.services import photo_stage, photos_purge_abandoned
from tests.images import upload
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def test_photos_from_abandoned_forms_are_purged_but_attached_ones_kept(city):
    abandoned = photo_stage(upload=upload(), draft_key=uuid.uuid4())
    kept = photo_stage(upload=upload(), draft_key=uuid.uuid4())
    submit(city, photos=[kept])
    old = timezone.now() - timedelta(days=3)
    Photo.objects.update(created_at=old)
    path = abandoned.image.path
    assert photos_purge_abandoned() == 1
    assert list(Photo.objects.all()) == [kept]
    import os

    assert not os.path.exists(path)


def test_setup_schedules_is_idempotent():
    call_command("setup_schedules")
    call_command("setup_schedules")
    assert Schedule.objects.filter(name="purge-abandoned-photos").count() == 1
