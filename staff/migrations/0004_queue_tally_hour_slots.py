"""The queue tally keys due dates by UTC hour instead of UTC day.

Why: "overdue", "due today" and "first action overdue" move with the clock. With day keys the
tally covered only whole UTC days before today, and the up to 48 hours from today's UTC midnight
to the end of the city's day were counted from the request table on every queue load: at 10M
requests a department has ten times the open requests due in those hours, and that count was
what made the queue page grow (p95 38 -> 67 ms from 1M to 10M). With hour keys the tally covers
every whole hour, and what is left to count exactly is the current hour (plus, in a city whose
midnight is not on the hour, the part hour before it): about 1/24 of a day's due requests.

Hour keys would multiply the tally's rows for the past (a department's overdue backlog spreads
over months of hours), so folding (staff.queue_tally.tally_compact) turns hours more than a week
old into their UTC day: no counter asks where inside a day more than a week ago something fell
due. The slots are timestamps, so a counter is right on any day, across midnight, without a
rebuild.

The request table is locked (against writes, not reads) for the whole migration, so no write
slips between the old trigger and the new one or between the recount and the triggers."""

import importlib

from django.db import migrations, models

OLD = importlib.import_module("staff.migrations.0003_queue_tally")
OPEN, NEW = OLD.OPEN, OLD.NEW

LOCK_SQL = "LOCK TABLE requests_app_servicerequest IN SHARE ROW EXCLUSIVE MODE"

# What staff.queue_tally.tally_compact runs (written out here: a migration must not change when
# the app's code does). Slots of hours whose UTC day began more than seven days before today's
# become that day.
FOLD_SQL = """
WITH gone AS (DELETE FROM staff_queuetally RETURNING *),
cut AS (SELECT date_trunc('day', now(), 'UTC') - interval '7 days' AS before)
INSERT INTO staff_queuetally
    (department_id, is_open, unassigned, new, unacknowledged, due_slot, response_slot, n)
SELECT department_id, is_open, unassigned, new, unacknowledged, due_slot, response_slot, sum(n)
FROM (
    SELECT department_id, is_open, unassigned, new, unacknowledged,
           CASE WHEN due_slot < cut.before THEN date_trunc('day', due_slot, 'UTC')
                ELSE due_slot END AS due_slot,
           CASE WHEN response_slot < cut.before THEN date_trunc('day', response_slot, 'UTC')
                ELSE response_slot END AS response_slot,
           n
    FROM gone, cut
) g
GROUP BY 1, 2, 3, 4, 5, 6, 7
HAVING sum(n) <> 0
ORDER BY 1, 2, 3, 4, 5, 6, 7
"""

# As in 0003, with the hour (start of the UTC hour) in place of the day.
TALLY_SQL = f"""
DROP FUNCTION staff_queue_tally_sql(text);
CREATE FUNCTION staff_queue_tally_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT 'INSERT INTO staff_queuetally
        (department_id, is_open, unassigned, new, unacknowledged, due_slot, response_slot, n)
    SELECT department_id, is_open, unassigned, new, unacknowledged, due_slot, response_slot,
           sum(d)
    FROM (
        SELECT department_id, o AS is_open,
               CASE WHEN o THEN assignee_id IS NULL AND team_id IS NULL END AS unassigned,
               CASE WHEN o THEN status IN ({NEW}) AND acknowledged_at IS NULL END AS new,
               CASE WHEN o THEN acknowledged_at IS NULL END AS unacknowledged,
               CASE WHEN o THEN date_trunc(''hour'', expected_at, ''UTC'') END AS due_slot,
               CASE WHEN o AND acknowledged_at IS NULL
                    THEN date_trunc(''hour'', response_due_at, ''UTC'') END AS response_slot,
               d
        FROM (SELECT *, status IN ({OPEN}) AS o FROM (' || src || ') s) c
    ) k
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7'
$fn$;

-- The same three trigger functions (same names, so the triggers keep them), rewritten with the
-- new text: see 0003 for why each is a static INSERT.
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
            'CREATE OR REPLACE FUNCTION staff_queue_tally_%s() RETURNS trigger '
            'LANGUAGE plpgsql AS %L',
            op,
            E'#variable_conflict use_column\nBEGIN\n' || staff_queue_tally_sql(src)
                || E';\nRETURN NULL;\nEND'
        );
    END LOOP;
END
$do$;

-- Recount with the new keys, then fold the old hours into days.
DELETE FROM staff_queuetally;
DO $do$ BEGIN
    EXECUTE staff_queue_tally_sql(
        'SELECT department_id, status, assignee_id, team_id, acknowledged_at, expected_at, '
        'response_due_at, 1 AS d FROM requests_app_servicerequest');
END $do$;
{FOLD_SQL};
"""


class Migration(migrations.Migration):
    dependencies = [("staff", "0003_queue_tally")]

    operations = [
        # Backwards this runs last, once the day columns are back: 0003's triggers and count.
        migrations.RunSQL(LOCK_SQL, reverse_sql=["DELETE FROM staff_queuetally", OLD.TALLY_SQL]),
        migrations.RemoveField(model_name="queuetally", name="due_day"),
        migrations.RemoveField(model_name="queuetally", name="response_day"),
        migrations.AddField(
            model_name="queuetally", name="due_slot", field=models.DateTimeField(null=True)
        ),
        migrations.AddField(
            model_name="queuetally", name="response_slot", field=models.DateTimeField(null=True)
        ),
        migrations.RunSQL(TALLY_SQL, reverse_sql=OLD.UNDO_SQL),
    ]
