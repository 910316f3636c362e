#!/usr/bin/env bash
# Set everything up (scripts/setup.sh), seed the demo city if the database is empty, then serve:
# a django-q2 worker in the background and gunicorn in the foreground. Ctrl-C stops both.
#
# Honours: DATABASE_URL, REDIS_URL (see scripts/setup.sh), HOST (default 127.0.0.1), PORT (8000),
#          CITY_PACK (default the demo city; another pack is loaded instead of the demo seed),
#          DEV_MAILBOX (default true), SECURE_HTTPS (default false). Secrets: .env (setup.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

export DATABASE_URL=${DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/civic311}
# The demo: messages land in the development mailbox (/dev/mailbox/) instead of being sent.
export DEV_MAILBOX=${DEV_MAILBOX:-true}
# Served over plain HTTP on this machine: no HTTPS redirect, HSTS or Secure-only cookies. Behind a
# TLS proxy, run with SECURE_HTTPS=true.
export SECURE_HTTPS=${SECURE_HTTPS:-false}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# Links in emails and texts point here (the worker has no request to read the host from).
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}

bash scripts/setup.sh

case ${CITY_PACK:-data/cities/san-francisco} in
  data/cities/san-francisco | data/cities/san-francisco/ | "$ROOT"/data/cities/san-francisco*)
    # The demo city: its pack, a year of simulated requests and the routing set-up.
    echo "::: seed_demo --if-empty"
    .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py seed_routing_demo
    ;;
  *)
    # Another city's pack: load it (idempotent by code); no demo requests or logins.
    echo "::: load_city $CITY_PACK --commit"
    .venv/bin/python manage.py load_city "$CITY_PACK" --commit
    ;;
esac
.venv/bin/python manage.py setup_schedules

worker_pid=''
stop_worker() {
  if [[ -n $worker_pid ]] && kill -0 "$worker_pid" 2>/dev/null; then
    echo "::: stopping the django-q2 worker (pid $worker_pid)"
    kill -TERM "$worker_pid" 2>/dev/null || true
    wait "$worker_pid" 2>/dev/null || true
  fi
  worker_pid=''
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "::: starting the django-q2 worker (qcluster)"
.venv/bin/python manage.py qcluster &
worker_pid=$!

case $HOST in 0.0.0.0 | '::' | '[::]') shown=127.0.0.1 ;; *) shown=$HOST ;; esac
logins="See the demo logins printed above."
[[ -n ${CITY_PACK:-} && $CITY_PACK != *san-francisco* ]] &&
  logins="Create a city admin with: .venv/bin/python manage.py createsuperuser"
cat <<MSG

  civic311 is starting at   http://$shown:$PORT/
  Django admin:             http://$shown:$PORT/admin/
  $logins  Stop with Ctrl-C.

MSG

# Not exec: the EXIT trap must run after gunicorn stops, to stop the worker.
.venv/bin/gunicorn civic311.wsgi:application -b "$HOST:$PORT" -w 3 --access-logfile -
