"""civic311 settings: one module, driven by the environment.

Everything that differs between cities (name, time zone, phone region, map, languages) comes from
the city pack's city.toml (CITY_PACK), and the environment overrides it; never code.
"""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from civic311.security import secrets_problems

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No public fallback: with DEBUG off a missing, published or weak key stops the process (see the
# Security section below); development gets a random key per process. `make setup` writes a
# random DJANGO_SECRET_KEY and INBOUND_SECRET to .env.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or (secrets.token_urlsafe(50) if DEBUG else "")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django_htmx",
    "django_q",
    "phonenumber_field",
    "requests_app",
    "routing",
    "notifications",
    "reports",
    "staff",
    "demo",
]

MIDDLEWARE = [
    # Input hygiene (issue 10): NUL/control characters out of every string before anything reads it.
    "civic311.sanitize.SanitizeInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civic311.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A 405 gets the branded page; an unknown method is refused before the CSRF check.
    "civic311.faults.MethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "civic311.middleware.CityTimeZoneMiddleware",
]

ROOT_URLCONF = "civic311.urls"
WSGI_APPLICATION = "civic311.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civic311.context_processors.city",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgis://postgres:postgres@127.0.0.1:5432/civic311")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # staff passphrases (docs/security-accounts.md)
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # the database and the code work in UTC; CITY_TIME_ZONE is for the edges

# --- The city: data, not code --------------------------------------------------------------------
# The city pack's city.toml gives the defaults (docs/city-pack.md); environment variables override.
CITY_PACK = Path(env("CITY_PACK", default=str(BASE_DIR / "data" / "cities" / "san-francisco")))
if not CITY_PACK.is_absolute():
    CITY_PACK = BASE_DIR / CITY_PACK
with (CITY_PACK / "city.toml").open("rb") as _f:
    _city = tomllib.load(_f)
CITY_NAME = env("CITY_NAME", default=_city["name"])
CITY_TIME_ZONE = env("CITY_TIME_ZONE", default=_city["time_zone"])
CITY_PHONE = env("CITY_PHONE", default=_city.get("phone", "311"))
CITY_EMERGENCY_PHONE = env("CITY_EMERGENCY_PHONE", default=_city.get("emergency_phone", "911"))
PHONENUMBER_DEFAULT_REGION = env("CITY_PHONE_REGION", default=_city.get("phone_region", "US"))
LANGUAGES = [lang for lang in LANGUAGES if lang[0] in _city.get("languages", ["en"])]
# Map centre and zoom used before a pin is placed; tiles are optional decoration.
MAP_CENTER = env.list("MAP_CENTER", cast=float, default=_city["map"]["center"])
MAP_ZOOM = env.int("MAP_ZOOM", default=_city["map"]["zoom"])
MAP_TILE_URL = env("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)

# --- Uploads ----------------------------------------------------------------------------------
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_COUNT = 5
PHOTO_MAX_DIMENSION = 2048
PHOTO_THUMB_DIMENSION = 400
# Issue 10 (intake abuse): the most pixels a photo may claim in its header (40 MP, a big phone
# camera); anything larger is refused before it is decoded.
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DESCRIPTION_MAX_LENGTH = 4000

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Media is never served directly: photos go through a view that checks they are public.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Email (Django 6.1 MAILERS) ---------------------------------------------------------------
# Development writes each message to var/mail/ (the "dev mailbox"); set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend (and EMAIL_HOST etc.) or an ESP backend in production.
_email_backend = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
_email_options: dict = {}
if _email_backend.endswith("filebased.EmailBackend"):
    _email_options = {"file_path": env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))}
elif _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env("EMAIL_HOST", default="localhost"),
        "port": env.int("EMAIL_PORT", default=25),
        "username": env("EMAIL_HOST_USER", default=""),
        "password": env("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=False),
        "timeout": 20,
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="311 <no-reply@civic311.example>")

# --- Messaging (notifications app) -------------------------------------------------------------
# SMS: "file" writes to var/sms/ (development), "console" prints, "twilio" sends through Twilio's
# REST API with the TWILIO_* settings; tests use "locmem".
SMS_TRANSPORT = env("SMS_TRANSPORT", default="file")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms"))
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE = env("TWILIO_API_BASE", default="https://api.twilio.com")
# Replies to update emails come back to reply+<signed id>@INBOUND_EMAIL_DOMAIN; the inbound
# endpoints require INBOUND_SECRET (HTTP basic auth password or ?token=); with it empty they
# accept posts only when DEBUG or DEV_MAILBOX is on (development), and refuse them otherwise.
INBOUND_EMAIL_DOMAIN = env("INBOUND_EMAIL_DOMAIN", default="reply.civic311.example")
INBOUND_SECRET = env("INBOUND_SECRET", default="")
# The development mailbox (/dev/mailbox/): every outbox message, with a reply form.
DEV_MAILBOX = env.bool("DEV_MAILBOX", default=DEBUG)
# ESPs through django-anymail (not installed by default: pip install "django-anymail[mailgun]"):
# EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend and the ESP's keys as JSON, e.g.
# ANYMAIL='{"MAILGUN_API_KEY": "...", "MAILGUN_SENDER_DOMAIN": "mg.example.org"}'.
ANYMAIL = env.json("ANYMAIL", default={})
if _email_backend.startswith("anymail."):
    INSTALLED_APPS = [*INSTALLED_APPS, "anymail"]

# --- Background work (django-q2). ORM broker by default; REDIS_URL switches to Redis. ----------
Q_CLUSTER: dict = {
    "name": "civic311",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 60,
    "retry": 120,
    "max_attempts": 5,
    "orm": "default",
    "poll": 0.5,
    "catch_up": False,
    "ack_failures": True,
    # Tests set Q_SYNC=1: django-q2 reads its config once at import, so a settings override is
    # too late.
    "sync": env.bool("Q_SYNC", default=False),
}
if env("REDIS_URL", default=""):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = env("REDIS_URL")

# Shared by every web worker (login throttling must count across processes): Redis when
# configured, else files on this host.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL", default="")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
            # Signed-in sessions live here too (below): room for every staff member's, so
            # culling (a third of the files at random once the limit is reached) does not push
            # them back to the database.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    )
}

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:queue"
LOGOUT_REDIRECT_URL = "staff:login"
# Staff sessions end after 8 idle hours (a shift) and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# A used session is saved at most every SESSION_REFRESH_SECONDS (civic311.middleware
# .SessionRefreshMiddleware), not on every request: the idle timeout stays SESSION_COOKIE_AGE.
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=5 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions are read from the cache and written through to the database (issue 11): a staff page
# no longer starts with a query for the session row (0.6 ms of Python and a round trip on every
# page and every queue poll). The database stays the record: a cache miss reads it. With more
# than one web host and no REDIS_URL each host has its own file cache, so a sign-out on one host
# would leave the session cached on another: set SESSION_ENGINE to
# django.contrib.sessions.backends.db there (docs/operations.md).
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.cached_db")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Debian 12 ships GDAL 3.6; Django 6.1 wants 3.9 for some features we do not use.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-q2 logs every enqueued and processed task at INFO: thousands of lines while the
        # demo backlog is scored and scheduled. Its warnings and errors still show.
        "django-q": {"level": env("Q_LOG_LEVEL", default="WARNING")},
    },
}

# --- Security (secrets, HTTPS, cookies, Content-Security-Policy, caching) -----------------------
# A production process (DEBUG off) with a missing, published or weak secret refuses to start:
# gunicorn, qcluster and every manage.py command import this module. (A system check would not
# do: gunicorn does not run them.)
_secrets_problems = secrets_problems(
    debug=DEBUG, secret_key=SECRET_KEY, inbound_secret=INBOUND_SECRET, dev_mailbox=DEV_MAILBOX
)
if _secrets_problems:
    raise ImproperlyConfigured("\n".join(_secrets_problems))

# HTTPS is on by default in production: redirect, HSTS, Secure cookies, and trust the TLS proxy's
# X-Forwarded-Proto (the proxy must overwrite it). SECURE_HTTPS=false serves a plain-HTTP demo
# (`make run`, docker-compose on 127.0.0.1); each part also has its own switch.
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_HTTPS)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("SECURE_PROXY_SSL_HEADER", default=SECURE_HTTPS)
    else None
)
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if SECURE_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=SECURE_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SILENCED_SYSTEM_CHECKS += [
    # HSTS preload (security.W021) binds the city's whole registrable domain to HTTPS in every
    # browser, for months, past our control: a decision for the city's IT, not a default.
    "security.W021",
]

# Content-Security-Policy: scripts and styles only from our static files or a tag carrying the
# request's nonce ({{ csp_nonce }}); no 'unsafe-inline'. Map tiles come from MAP_TILE_URL's origin
# ("{s}" subdomains become a wildcard).
_tiles = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [
        CSP.SELF,
        "data:",
        *([f"{_tiles.scheme}://{_tiles.netloc}"] if _tiles.netloc else []),
    ],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Pages with a policy of their own (civic311.security.PathCspMiddleware; longest prefix wins).
# The admin's map widget (GISModelAdmin) loads OpenLayers and its stylesheet from a CDN. Email
# previews (sandboxed srcdoc iframes, which inherit the page's policy) show emails as sent, with
# the inline styles email clients need: only those two pages allow inline styles, never scripts.
_OPENLAYERS_CDN = "https://cdn.jsdelivr.net"
_CSP_ADMIN = {
    **SECURE_CSP,
    "script-src": [*SECURE_CSP["script-src"], _OPENLAYERS_CDN],
    "style-src": [*SECURE_CSP["style-src"], _OPENLAYERS_CDN],
    "img-src": [*SECURE_CSP["img-src"], "https://tile.openstreetmap.org"],
}
# No nonce here: with a nonce in the directive, browsers ignore 'unsafe-inline'.
_CSP_EMAIL_PREVIEW = {**SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
SECURE_CSP_PATHS = {
    "/admin/": _CSP_ADMIN,
    "/admin/notifications/messagetemplate/": _CSP_EMAIL_PREVIEW,
    "/dev/mailbox/": _CSP_EMAIL_PREVIEW,
}
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")
MIDDLEWARE += [
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "civic311.security.PathCspMiddleware",
    # After AuthenticationMiddleware: every page a signed-in user sees is no-store too.
    "civic311.security.NoStoreMiddleware",
]

# --- Sign-in security (staff/sign_in_throttle.py, staff/two_factor.py, docs/security-accounts.md)
# The admin app with civic311's site: throttled login, two-factor, audited bulk actions.
INSTALLED_APPS = [
    "staff.admin_apps.Civic311AdminConfig" if app == "django.contrib.admin" else app
    for app in INSTALLED_APPS
]
# ModelBackend behind the throttle: it counts every sign-in attempt and refuses the ones that
# must wait before the password is checked.
AUTHENTICATION_BACKENDS = ["staff.sign_in_throttle.ThrottledModelBackend"]
# Two-factor (TOTP): optional for staff, required for city admins and superusers. Off by default
# in development and the demo (DEBUG or DEV_MAILBOX), where it is reported but not enforced.
INSTALLED_APPS = [*INSTALLED_APPS, "django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE = [
    *MIDDLEWARE,
    "django_otp.middleware.OTPMiddleware",
    "staff.two_factor.TwoFactorMiddleware",
    # After the two-factor check (which loads the user): the user itself, not two lazy proxies.
    "civic311.middleware.PlainUserMiddleware",
]
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not (DEBUG or DEV_MAILBOX))
OTP_TOTP_ISSUER = f"{CITY_NAME} 311"

# --- Operations (faults, health, logs, media storage, read replica) ---------------------------
# docs/operations.md explains each setting and the processes, scaling and drills.
# A persistent connection is tested before reuse: after a PostgreSQL restart the first request
# reconnects instead of failing on a dead socket.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Outermost first: the request log times the whole stack; the outage page catches view errors.
MIDDLEWARE = [
    "civic311.logs.RequestLogMiddleware",
    "civic311.faults.DatabaseUnavailableMiddleware",
    *MIDDLEWARE,
]
# A refused form (CSRF) gets the site's translated 403 page with a hint to reload, not Django's
# page about Referer headers. The other error pages are templates/400|403|404|500.html.
CSRF_FAILURE_VIEW = "civic311.faults.csrf_failure"
# /health/full/ turns 503 when the oldest queued task waited longer, or the last worker
# heartbeat (the worker-heartbeat schedule, every minute) is older, than these.
HEALTH_QUEUE_LAG_MAX_SECONDS = env.int("HEALTH_QUEUE_LAG_MAX_SECONDS", default=300)
HEALTH_HEARTBEAT_STALE_SECONDS = env.int("HEALTH_HEARTBEAT_STALE_SECONDS", default=300)

# Reads for reports go to a replica when one is configured (civic311/db_router.py).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # The test run reads the replica through the default connection (no second test database).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["civic311.db_router.ReplicaRouter"]

# Media on S3-compatible storage (AWS, MinIO, Ceph, R2...) when MEDIA_S3_BUCKET is set, so every
# web and worker container sees the same photos. Files stay private: photo views stream them.
if env("MEDIA_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("MEDIA_S3_BUCKET"),
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("MEDIA_S3_REGION", default="") or None,
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env("MEDIA_S3_PREFIX", default="media"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# LOG_FORMAT=json: one JSON object per line on stdout (for a log shipper); "text" for people.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING["formatters"] = {
    "json": {"()": "civic311.logs.JsonFormatter"},
    "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
}
LOGGING["filters"] = {
    "client_errors": {"()": "civic311.logs.ClientErrorFilter"},
    "database_down": {"()": "civic311.faults.DatabaseUnavailableLogFilter"},
}
LOGGING["handlers"]["console"] = {
    "class": "logging.StreamHandler",
    "stream": "ext://sys.stdout",
    "formatter": "json" if LOG_FORMAT == "json" else "text",
}
LOGGING["loggers"]["django.request"] = {"filters": ["client_errors", "database_down"]}
# The request line of runserver duplicates civic311.request's.
LOGGING["loggers"]["django.server"] = {"level": "WARNING"}

# --- The client's address behind a proxy (civic311/proxy.py) -------------------------------------
# Addresses or CIDR ranges of our own reverse proxies. Only a connection from one of them may name
# the client in X-Forwarded-For; empty (the default) means REMOTE_ADDR is the client, as when
# gunicorn faces the internet or `make run` serves 127.0.0.1. Outermost middleware, so the request
# log, the throttles and the intake limits all see the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
MIDDLEWARE = ["civic311.proxy.TrustedProxyMiddleware", *MIDDLEWARE]
