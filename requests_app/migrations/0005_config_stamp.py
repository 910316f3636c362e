"""The config stamp (requests_app.configcache): one row whose value changes, from a sequence that
never goes back, on any write to a table that processes keep a copy of. Triggers here cover the
core's tables; routing and notifications add theirs."""

from django.db import migrations

from requests_app.configcache import config_stamp_trigger_sql as trigger_sql

# Table -> columns whose change matters ("" = any write). A team's last_assigned moves on every
# automatic assignment and no copy holds it, so it does not change the stamp.
TABLES = {
    "requests_app_intakesettings": "",
    "requests_app_category": "",
    "requests_app_categorygroup": "",
    "requests_app_department": "",
    "requests_app_area": "",
    "requests_app_areaset": "",
    # Resident pages' snapshot (requests_app.reference) also holds these.
    "requests_app_question": "",
    "requests_app_questionchoice": "",
    "requests_app_closurereason": "",
    "requests_app_team": "id, department_id, name, assignment_strategy",
}

CREATE = """
CREATE SEQUENCE requests_app_configstamp_seq;
CREATE TABLE requests_app_configstamp (id smallint PRIMARY KEY, value bigint NOT NULL);
INSERT INTO requests_app_configstamp (id, value) VALUES (1, nextval('requests_app_configstamp_seq'));
CREATE FUNCTION requests_app_configstamp_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO requests_app_configstamp (id, value)
    VALUES (1, nextval('requests_app_configstamp_seq'))
    ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END $$;
"""

DROP = """
DROP FUNCTION requests_app_configstamp_touch() CASCADE;
DROP TABLE requests_app_configstamp;
DROP SEQUENCE requests_app_configstamp_seq;
"""



class Migration(migrations.Migration):
    dependencies = [("requests_app", "0004_drop_unused_request_indexes")]

    operations = [
        migrations.RunSQL(CREATE, reverse_sql=DROP),
        *(migrations.RunSQL(*trigger_sql(t, c)) for t, c in TABLES.items()),
    ]
