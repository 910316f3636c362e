# civic311 image: the web app (gunicorn) and the django-q2 worker share it. See docs/setup.md.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# GeoDjango's C libraries (found through ldconfig) and gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgdal32 libgeos-c1v5 libproj25 gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The same lock as scripts/setup.sh, runtime part only: pyproject.toml lists the runtime packages,
# and the lock pins them (and what they pull in) to the versions the tests ran with.
COPY pyproject.toml requirements.lock ./
RUN pip install "$(grep '^uv==' requirements.lock)" \
    && uv pip compile pyproject.toml --python-version 3.12 --no-header --no-annotate -q \
       --constraints requirements.lock -o /tmp/runtime.txt \
    && pip install -r /tmp/runtime.txt \
    && pip uninstall -y uv && rm /tmp/runtime.txt

COPY . .
# Translations and static files are baked into the image; the key is only for these commands (a
# random one: the settings refuse a known key) and is not kept in the image.
RUN export DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    && python manage.py compilemessages -v0 \
    && python manage.py collectstatic --noinput -v0 \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin civic311 \
    && mkdir -p media var \
    && chown -R civic311:civic311 media var staticfiles

USER civic311
EXPOSE 8000
CMD ["gunicorn", "civic311.wsgi:application", "-b", "0.0.0.0:8000", "-w", "3", "--access-logfile", "-"]
