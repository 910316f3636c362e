#!/usr/bin/env bash
# `make bench`: the benchmarks on a database of their own per size, seeded once and then reused.
#   make bench                                 1,000,000 requests in civic311_bench
#   make bench ARGS='--requests 100000'        civic311_bench_100k
#   make bench ARGS='--requests 10000000'      civic311_bench_10m
# BENCH_DATABASE_URL overrides the database. Every argument goes to `manage.py bench --http`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

requests=1000000
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --requests=*) requests=${args[i]#--requests=} ;;
    --requests) requests=${args[i + 1]:-} ;;
  esac
done
[[ $requests =~ ^[0-9]+$ ]] || { echo "bench.sh: --requests wants a number" >&2; exit 2; }

# 1000000 -> civic311_bench (the default size keeps its historical name); 100000 -> _100k,
# 10000000 -> _10m, anything else -> _<number>.
if ((requests == 1000000)); then
  name=civic311_bench
elif ((requests % 1000000 == 0)); then
  name=civic311_bench_$((requests / 1000000))m
elif ((requests % 1000 == 0)); then
  name=civic311_bench_$((requests / 1000))k
else
  name=civic311_bench_$requests
fi
export DATABASE_URL=${BENCH_DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/$name}
# The bench process and the gunicorn it starts run with production settings (DEBUG off) on
# plain HTTP; production refuses to start without a strong secret, so one is made per run.
export DJANGO_DEBUG=${DJANGO_DEBUG:-false} SECURE_HTTPS=${SECURE_HTTPS:-false}
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' 2>/dev/null || head -c 48 /dev/urandom | base64 | tr -d '\n/+=')}
echo "::: bench database: ${DATABASE_URL##*/} (${requests} requests)"
bash scripts/setup.sh
exec .venv/bin/python manage.py bench --http "$@"
