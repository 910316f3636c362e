#!/usr/bin/env bash
# Bring this checkout to a runnable state on Debian 12 (as root), idempotently:
# Debian packages, PostgreSQL + PostGIS database, optional Redis, virtualenv,
# static files, translations and migrations. A second run only checks and is fast.
#
# Honours: DATABASE_URL (default postgis://postgres:postgres@127.0.0.1:5432/civic311),
#          REDIS_URL (optional; Redis is started only when it is set and not answering).
# See docs/setup.md.
set -euo pipefail

PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin  # runuser, pg_* tools, redis-server
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

t0=$SECONDS
step() { echo "::: [$((SECONDS - t0))s] $*"; }
die() { echo "setup.sh: error: $*" >&2; exit 1; }
warn() { echo "setup.sh: warning: $*" >&2; }

DATABASE_URL=${DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/civic311}
export DATABASE_URL
PG_VERSION=15
PG_CLUSTER=main

# --------------------------------------------------------------------------------------------
# 1. Debian packages (skipped entirely when everything is installed)
# --------------------------------------------------------------------------------------------
PKGS=(postgresql-15 postgresql-15-postgis-3 libgdal32 libgeos-c1v5 libproj25 chromium gettext
  redis-server apache2-utils)  # apache2-utils: ab, for make bench

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_knows() { apt-cache show "$1" >/dev/null 2>&1; }

missing=()
for p in "${PKGS[@]}"; do is_installed "$p" || missing+=("$p"); done
# postgresql-contrib is only a metapackage on PostgreSQL >= 10 (pg_trgm ships with the server);
# install it when the package index knows it, never refresh the index just for it.
contrib_missing=0
if ! is_installed postgresql-contrib; then
  contrib_missing=1
  if apt_knows postgresql-contrib; then missing+=(postgresql-contrib); contrib_missing=0; fi
fi

if ((${#missing[@]})); then
  ((EUID == 0)) || die "missing Debian packages (${missing[*]}); run as root or install them"
  export DEBIAN_FRONTEND=noninteractive
  step "apt-get update"
  apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null
  if ((contrib_missing)) && apt_knows postgresql-contrib; then missing+=(postgresql-contrib); fi
  step "apt-get install ${missing[*]}"
  log=$(mktemp)
  rc=0
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" \
    >/dev/null 2>"$log" || rc=$?
  grep -v '^debconf: delaying package configuration' "$log" >&2 || true
  rm -f "$log"
  ((rc == 0)) || die "apt-get install failed (rc=$rc)"
fi

# --------------------------------------------------------------------------------------------
# 2. PostgreSQL + PostGIS database
# --------------------------------------------------------------------------------------------
# scheme://[user[:password]@]host[:port]/name[?options]
re='^[a-z0-9+]+://(([^:@/]*)(:([^@/]*))?@)?(\[[^]]*\]|[^:/?]*)(:([0-9]+))?/([^?]*)'
[[ $DATABASE_URL =~ $re ]] || die "cannot parse DATABASE_URL=$DATABASE_URL"
urldecode() { printf '%b' "${1//%/\\x}"; }
DB_USER=$(urldecode "${BASH_REMATCH[2]:-postgres}")
DB_PASS=$(urldecode "${BASH_REMATCH[4]}")
DB_HOST=${BASH_REMATCH[5]:-127.0.0.1}
DB_HOST=${DB_HOST#[}; DB_HOST=${DB_HOST%]}
DB_PORT=${BASH_REMATCH[7]:-5432}
DB_NAME=$(urldecode "${BASH_REMATCH[8]}")
[[ -n $DB_NAME ]] || die "DATABASE_URL has no database name"
if [[ -n $DB_PASS ]]; then export PGPASSWORD=$DB_PASS; fi
sql_lit() { printf "'%s'" "${1//\'/\'\'}"; }  # SQL string literal
sql_id() { printf '"%s"' "${1//\"/\"\"}"; }   # SQL identifier

case $DB_HOST in 127.0.0.1 | localhost | ::1) DB_LOCAL=1 ;; *) DB_LOCAL=0 ;; esac

# psql as the cluster's superuser through the Unix socket (peer auth, works whatever
# pg_hba.conf says about TCP); only for the local cluster, run as root.
pg_super() { (cd / && runuser -u postgres -- psql -qXAtv ON_ERROR_STOP=1 -p "$DB_PORT" "$@"); }
# psql with the credentials from DATABASE_URL over TCP.
pg_url() { psql -qXAtv ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$@"; }

if ((DB_LOCAL)); then
  step "postgres ($DB_HOST:$DB_PORT)"
  if ! pg_isready -q -h "$DB_HOST" -p "$DB_PORT"; then
    ((EUID == 0)) || die "PostgreSQL is not answering on $DB_HOST:$DB_PORT; start it (as root)"
    # The cluster listening on the URL's port; create 15/main there if there is none.
    cl_ver='' cl_name=''
    read -r cl_ver cl_name < <(pg_lsclusters -h | awk -v p="$DB_PORT" '$3==p {print $1, $2; exit}') \
      || true
    if [[ -z $cl_ver ]]; then
      if pg_lsclusters -h | awk -v v=$PG_VERSION -v c=$PG_CLUSTER '$1==v && $2==c {f=1} END {exit !f}'
      then
        die "cluster $PG_VERSION/$PG_CLUSTER exists but not on port $DB_PORT (see pg_lsclusters)"
      fi
      step "pg_createcluster $PG_VERSION $PG_CLUSTER --port $DB_PORT"
      pg_createcluster --port "$DB_PORT" $PG_VERSION $PG_CLUSTER >/dev/null
      cl_ver=$PG_VERSION cl_name=$PG_CLUSTER
    fi
    step "pg_ctlcluster $cl_ver $cl_name start"
    rc=0
    pg_ctlcluster --skip-systemctl-redirect "$cl_ver" "$cl_name" start || rc=$?
    ((rc == 0 || rc == 2)) || die "pg_ctlcluster start failed (rc=$rc); see /var/log/postgresql/"
    for _ in $(seq 120); do pg_isready -q -h "$DB_HOST" -p "$DB_PORT" && break; sleep 0.5; done
    pg_isready -q -h "$DB_HOST" -p "$DB_PORT" || die "PostgreSQL did not become ready in 60 s"
  fi
  # A Debian-managed server on this port (its Unix socket exists): root can act as its superuser.
  if ((EUID == 0)) && id -u postgres >/dev/null 2>&1 \
    && [[ -S /var/run/postgresql/.s.PGSQL.$DB_PORT ]]; then
    # TCP may use scram-sha-256 (Debian's default): give the URL's role the URL's password.
    # Under trust auth the password is simply ignored. Idempotent.
    if [[ $DB_USER == postgres ]]; then
      if [[ -n $DB_PASS ]]; then
        pg_super -c "ALTER USER postgres PASSWORD $(sql_lit "$DB_PASS")"
      fi
    else
      exists=$(pg_super -c "SELECT 1 FROM pg_roles WHERE rolname = $(sql_lit "$DB_USER")")
      if [[ -z $exists ]]; then
        pg_super -c "CREATE ROLE $(sql_id "$DB_USER") LOGIN SUPERUSER PASSWORD $(sql_lit "$DB_PASS")"
      elif [[ -n $DB_PASS ]]; then
        pg_super -c "ALTER ROLE $(sql_id "$DB_USER") PASSWORD $(sql_lit "$DB_PASS")"
      fi
    fi
    admin=pg_super
  else
    admin=pg_url
  fi
else
  step "postgres: using external server $DB_HOST:$DB_PORT (not managed here)"
  pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -t 10 || die "PostgreSQL at $DB_HOST:$DB_PORT is not ready"
  admin=pg_url
fi

step "database $DB_NAME (postgis, pg_trgm, unaccent)"
db_exists=$($admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = $(sql_lit "$DB_NAME")") \
  || die "cannot query PostgreSQL at $DB_HOST:$DB_PORT as $DB_USER (check DATABASE_URL)"
if [[ -z $db_exists ]]; then
  $admin -d postgres -c "CREATE DATABASE $(sql_id "$DB_NAME") OWNER $(sql_id "$DB_USER")"
fi
$admin -d "$DB_NAME" -c "SET client_min_messages = warning" \
  -c "CREATE EXTENSION IF NOT EXISTS postgis" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" \
  -c "CREATE EXTENSION IF NOT EXISTS unaccent" \
  || die "could not create the postgis/pg_trgm/unaccent extensions in $DB_NAME (needs a superuser)"
# The URL's own credentials must work too (this is what Django will use).
pg_url -d "$DB_NAME" -c "SELECT 1" >/dev/null \
  || die "cannot connect as $DB_USER to $DB_HOST:$DB_PORT/$DB_NAME with the DATABASE_URL password"

# --------------------------------------------------------------------------------------------
# 3. Redis: optional (the default django-q2 broker is the database)
# --------------------------------------------------------------------------------------------
if [[ -n ${REDIS_URL:-} ]]; then
  rre='^rediss?://([^@/]*@)?([^:/]*)(:([0-9]+))?'
  [[ $REDIS_URL =~ $rre ]] || die "cannot parse REDIS_URL=$REDIS_URL"
  R_HOST=${BASH_REMATCH[2]:-127.0.0.1}
  R_PORT=${BASH_REMATCH[4]:-6379}
  step "redis ($R_HOST:$R_PORT)"
  if ! redis-cli -h "$R_HOST" -p "$R_PORT" ping >/dev/null 2>&1; then
    case $R_HOST in
      127.0.0.1 | localhost)
        logdir=/var/log/redis; [[ -w $logdir ]] || logdir=/tmp
        redis-server --daemonize yes --bind 127.0.0.1 --port "$R_PORT" --save '' \
          --appendonly no --dir /tmp --logfile "$logdir/civic311-redis.log" >/dev/null
        for _ in $(seq 50); do redis-cli -p "$R_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
        redis-cli -p "$R_PORT" ping >/dev/null 2>&1 || die "Redis did not start on port $R_PORT"
        ;;
      *) warn "Redis at $R_HOST:$R_PORT does not answer (not managed here)" ;;
    esac
  fi
fi

# --------------------------------------------------------------------------------------------
# 4. Virtualenv on Python >= 3.12 (Django 6 needs it)
# --------------------------------------------------------------------------------------------
py_ok() { [[ -n $1 ]] && "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }

find_python() {
  local root cand
  root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo /root/.pyenv)}
  cand=$(printf '%s\n' "$root"/versions/3.12.[0-9]* | sort -V | tail -1)
  if [[ -n $cand ]] && py_ok "$cand/bin/python"; then echo "$cand/bin/python"; return; fi
  for cand in python3.12 python3.13 python3; do
    # pyenv shims exist for versions that are not selected; py_ok runs them to be sure.
    cand=$(command -v "$cand" 2>/dev/null) || continue
    if py_ok "$cand"; then echo "$cand"; return; fi
  done
  return 1
}

# pip install, hiding this machine's harmless "Location 'file:///opt/pypi…' is ignored" warnings.
pip_install() {
  local log rc=0
  log=$(mktemp)
  .venv/bin/python -m pip install -q --disable-pip-version-check "$@" 2>"$log" || rc=$?
  grep -v "^WARNING: Location 'file:///.*' is ignored" "$log" >&2 || true
  rm -f "$log"
  return $rc
}

if ! py_ok .venv/bin/python; then
  PY=$(find_python) || die "no Python >= 3.12 found (tried pyenv's versions/3.12.*, \
python3.12, python3.13 and python3 on PATH); install Python 3.12 (e.g. pyenv install 3.12)"
  step "venv ($("$PY" -V 2>&1) at $PY)"
  rm -rf .venv
  "$PY" -m venv .venv
  pip_install --upgrade pip
fi
# requirements.lock pins everything pyproject.toml asks for (runtime + dev); it is generated by
# `make lock`. Install it only when it differs from the copy kept after the last good install.
[[ -f requirements.lock ]] || die "requirements.lock not found in $ROOT (run: make lock)"
if ! cmp -s requirements.lock .venv/.lock-installed; then
  step "pip install -r requirements.lock"
  pip_install -r requirements.lock
  cp requirements.lock .venv/.lock-installed
fi

# --------------------------------------------------------------------------------------------
# 5. Secrets: with DEBUG off the settings refuse to start without strong ones. A checkout gets
#    random ones in .env (git-ignored, read by the settings and by docker-compose) on the first
#    run; a value already in the environment or in .env is kept.
# --------------------------------------------------------------------------------------------
touch .env && chmod 600 .env
for var in DJANGO_SECRET_KEY INBOUND_SECRET; do
  if [[ -z ${!var:-} ]] && ! grep -q "^$var=" .env; then
    step "$var: a random one in .env"
    echo "$var=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" >>.env
  fi
done

# --------------------------------------------------------------------------------------------
# 6. Django: static files, translations, migrations
# --------------------------------------------------------------------------------------------
mkdir -p staticfiles media
step "collectstatic"
.venv/bin/python manage.py collectstatic --noinput -v0
if [[ -d locale ]]; then
  step "compilemessages"
  .venv/bin/python manage.py compilemessages -v0 --ignore=.venv
fi
step "migrate"
.venv/bin/python manage.py migrate --noinput -v0
step "setup done"
