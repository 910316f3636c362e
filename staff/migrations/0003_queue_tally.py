"""The queue counters' tally (staff.models.QueueTally) and the trigger that keeps it.

Why a trigger and not the services: requests are written by the services, by QuerySet.update()
in routing and escalations, by the admin, by Open311 imports and by the demo's bulk loads (COPY
and INSERT ... SELECT, with session_replication_role = replica, which silences ordinary
triggers: hence ENABLE ALWAYS). A counter kept by Python would miss some of them; a statement-
level trigger with transition tables sees every one, costs one small INSERT per statement, and
handles a 10,000-row load in one aggregate.

The open statuses are spelled out below; tests/staff/test_queue_tally.py checks they match
requests_app.models.OPEN_STATUSES and that every counter equals a recount."""

from django.db import migrations, models

# Quoted twice: they sit inside the string literal staff_queue_tally_sql() returns.
OPEN = "''in_progress'',''in_queue'',''received'',''reopened'',''routed'',''waiting_on_resident''"
NEW = "''in_queue'',''received'',''routed''"

# The text of an INSERT adding, for the rows `src` yields (the request columns below plus `d`,
# +1 or -1), one tally row per key with the net change. Zero is kept: that row records that the
# department's requests changed, for the queue's ETag. Sorted so concurrent statements insert in
# one order (they take no shared lock, but the habit is cheap).
TALLY_SQL = f"""
CREATE FUNCTION staff_queue_tally_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT 'INSERT INTO staff_queuetally
        (department_id, is_open, unassigned, new, unacknowledged, due_day, response_day, n)
    SELECT department_id, is_open, unassigned, new, unacknowledged, due_day, response_day, sum(d)
    FROM (
        SELECT department_id, o AS is_open,
               CASE WHEN o THEN assignee_id IS NULL AND team_id IS NULL END AS unassigned,
               CASE WHEN o THEN status IN ({NEW}) AND acknowledged_at IS NULL END AS new,
               CASE WHEN o THEN acknowledged_at IS NULL END AS unacknowledged,
               CASE WHEN o THEN (expected_at AT TIME ZONE ''UTC'')::date END AS due_day,
               CASE WHEN o AND acknowledged_at IS NULL
                    THEN (response_due_at AT TIME ZONE ''UTC'')::date END AS response_day,
               d
        FROM (SELECT *, status IN ({OPEN}) AS o FROM (' || src || ') s) c
    ) k
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7'
$fn$;

-- One trigger function per operation, each a static INSERT written out by
-- staff_queue_tally_sql(), so PL/pgSQL plans it once per connection. (One function running the
-- same text through EXECUTE re-planned it on every statement: +1 ms per UPDATE at 1M requests,
-- against +0.03 ms this way.) `use_column`: the tally's column "new" is not the trigger's NEW.
DO $do$
DECLARE
    cols text := 'department_id, status, assignee_id, team_id, acknowledged_at, expected_at, '
                 'response_due_at';
    src text;
    op text;
BEGIN
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
        src := CASE op
            WHEN 'insert' THEN 'SELECT ' || cols || ', 1 AS d FROM new_rows'
            WHEN 'delete' THEN 'SELECT ' || cols || ', -1 AS d FROM old_rows'
            ELSE 'SELECT ' || cols || ', -1 AS d FROM old_rows '
                 'UNION ALL SELECT ' || cols || ', 1 AS d FROM new_rows'
        END;
        EXECUTE format(
            'CREATE FUNCTION staff_queue_tally_%s() RETURNS trigger LANGUAGE plpgsql AS %L',
            op,
            E'#variable_conflict use_column\nBEGIN\n' || staff_queue_tally_sql(src)
                || E';\nRETURN NULL;\nEND'
        );
    END LOOP;
END
$do$;

CREATE FUNCTION staff_queue_tally_clear() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM staff_queuetally;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER staff_queue_tally_insert AFTER INSERT ON requests_app_servicerequest
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION staff_queue_tally_insert();
CREATE TRIGGER staff_queue_tally_update AFTER UPDATE ON requests_app_servicerequest
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION staff_queue_tally_update();
CREATE TRIGGER staff_queue_tally_delete AFTER DELETE ON requests_app_servicerequest
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION staff_queue_tally_delete();
CREATE TRIGGER staff_queue_tally_truncate AFTER TRUNCATE ON requests_app_servicerequest
    FOR EACH STATEMENT EXECUTE FUNCTION staff_queue_tally_clear();
ALTER TABLE requests_app_servicerequest ENABLE ALWAYS TRIGGER staff_queue_tally_insert;
ALTER TABLE requests_app_servicerequest ENABLE ALWAYS TRIGGER staff_queue_tally_update;
ALTER TABLE requests_app_servicerequest ENABLE ALWAYS TRIGGER staff_queue_tally_delete;
ALTER TABLE requests_app_servicerequest ENABLE ALWAYS TRIGGER staff_queue_tally_truncate;

-- The requests already there. Creating the triggers above locked the table against writes
-- until this migration commits, so nothing slips between the count and the triggers.
DO $do$ BEGIN
    EXECUTE staff_queue_tally_sql(
        'SELECT department_id, status, assignee_id, team_id, acknowledged_at, expected_at, '
        'response_due_at, 1 AS d FROM requests_app_servicerequest');
END $do$;
"""

UNDO_SQL = """
DROP TRIGGER IF EXISTS staff_queue_tally_insert ON requests_app_servicerequest;
DROP TRIGGER IF EXISTS staff_queue_tally_update ON requests_app_servicerequest;
DROP TRIGGER IF EXISTS staff_queue_tally_delete ON requests_app_servicerequest;
DROP TRIGGER IF EXISTS staff_queue_tally_truncate ON requests_app_servicerequest;
DROP FUNCTION IF EXISTS staff_queue_tally_insert();
DROP FUNCTION IF EXISTS staff_queue_tally_update();
DROP FUNCTION IF EXISTS staff_queue_tally_delete();
DROP FUNCTION IF EXISTS staff_queue_tally_clear();
DROP FUNCTION IF EXISTS staff_queue_tally_sql(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_audit_log"),
        ("requests_app", "0002_intake_limits_blocklist"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("department_id", models.IntegerField(null=True)),
                ("is_open", models.BooleanField()),
                ("unassigned", models.BooleanField(null=True)),
                ("new", models.BooleanField(null=True)),
                ("unacknowledged", models.BooleanField(null=True)),
                ("due_day", models.DateField(null=True)),
                ("response_day", models.DateField(null=True)),
                ("n", models.IntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["department_id"], name="queue_tally_department")],
            },
        ),
        migrations.RunSQL(TALLY_SQL, reverse_sql=UNDO_SQL),
    ]
