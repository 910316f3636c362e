"""The reference-data version row and the triggers that change it (requests_app.reference).

A statement-level trigger on each small admin-edited table sets the row to the next value of a
sequence on every INSERT, UPDATE, DELETE or TRUNCATE. The row is written in the same transaction
as the change, so no process can see the new number before the new data; the sequence never
hands out a number twice (not even after a rollback), so a number always means one state of the
tables. The sequence is not owned by the table, so a TRUNCATE ... RESTART IDENTITY of the table
(a test flush) does not restart it."""

from django.db import migrations, models

TABLES = (
    "requests_app_category",
    "requests_app_categorygroup",
    "requests_app_question",
    "requests_app_questionchoice",
    "requests_app_department",
    "requests_app_area",
    "requests_app_areaset",
    "requests_app_closurereason",
)

FUNCTION = """
CREATE SEQUENCE requests_app_reference_version_seq;
CREATE FUNCTION requests_app_reference_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO requests_app_referenceversion (id, version)
    VALUES (1, nextval('requests_app_reference_version_seq'))
    ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$;
INSERT INTO requests_app_referenceversion (id, version)
VALUES (1, nextval('requests_app_reference_version_seq'));
"""
DROP_FUNCTION = """
DROP FUNCTION requests_app_reference_bump();
DROP SEQUENCE requests_app_reference_version_seq;
"""
TRIGGER = (
    "CREATE TRIGGER {table}_reference_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON {table} FOR EACH STATEMENT EXECUTE FUNCTION requests_app_reference_bump();"
)
DROP_TRIGGER = "DROP TRIGGER {table}_reference_bump ON {table};"


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0004_drop_unused_request_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferenceVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(FUNCTION, reverse_sql=DROP_FUNCTION),
        *(
            migrations.RunSQL(
                TRIGGER.format(table=table), reverse_sql=DROP_TRIGGER.format(table=table)
            )
            for table in TABLES
        ),
    ]
