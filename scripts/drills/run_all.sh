#!/usr/bin/env bash
# Every fault drill in turn; each prints one PASS/FAIL line and writes it, dated, into
# docs/operations.md. Uses PostgreSQL on 127.0.0.1:5432 (database civic311_drill) and a private
# cluster on 5499 for the outage drill. About 3 minutes in all.
set -u
cd "$(dirname "$0")/../.."
export PGPASSWORD=${PGPASSWORD:-postgres}
rc=0
for drill in worker_kill two_workers postgres_down dst; do
  .venv/bin/python "scripts/drills/$drill.py" || rc=1
done
exit $rc
