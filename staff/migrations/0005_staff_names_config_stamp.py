"""Staff names and department memberships change the config stamp (requests_app.configcache), so
the queue's "assign to" choices (people and teams of each department) can be kept per process
and reloaded after an edit instead of read on every queue page.

Only the columns the choices show or filter on: a login (last_login), a password change, a
staff member going on or off duty or changing role leave the stamp alone, so they do not make
every process reload its copies."""

from django.db import migrations

from requests_app.configcache import config_stamp_trigger_sql as trigger_sql

TABLES = {
    "auth_user": "id, username, first_name, last_name, is_active",
    "requests_app_staffprofile": "id, user_id",
    "requests_app_staffprofile_departments": "",
}


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_queue_tally_hour_slots"),
        ("requests_app", "0005_config_stamp"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunSQL(*trigger_sql(t, c)) for t, c in TABLES.items()]
