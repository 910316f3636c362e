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
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Translations and static files are baked into the image; the key is only for these commands.
RUN DJANGO_SECRET_KEY=build-only-dummy-key python manage.py compilemessages -v0 \
    && DJANGO_SECRET_KEY=build-only-dummy-key python manage.py collectstatic --noinput -v0 \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin civic311 \
    && mkdir -p media var \
    && chown -R civic311:civic311 media var staticfiles

USER civic311
EXPOSE 8000
CMD ["gunicorn", "civic311.wsgi:application", "-b", "0.0.0.0:8000", "-w", "3", "--access-logfile", "-"]
