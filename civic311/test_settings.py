"""Tiny overrides for the test suite; everything else is the real settings module."""

from __future__ import annotations

import os
import secrets
import tempfile

# The settings refuse to start without a strong secret (DEBUG is off in tests, as in production).
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
# The test client and the browser tests' live server speak plain HTTP (tests/test_security.py
# checks the HTTPS defaults in a production-like subprocess).
os.environ.setdefault("SECURE_HTTPS", "false")

from civic311.settings import *  # noqa: F403
from civic311.settings import Q_CLUSTER, STORAGES

# django-q2 reads Q_CLUSTER once at import: run tasks inline so tests see their effects.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="civic311-test-media-")
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = "http://testserver"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SMS_TRANSPORT = "locmem"
INBOUND_SECRET = "test-inbound-secret"  # noqa: S105 - tests only
DEV_MAILBOX = True
# As in the demo (DEV_MAILBOX on): two-factor reported, not enforced; its own tests turn it on.
TWO_FACTOR_REQUIRED = False
