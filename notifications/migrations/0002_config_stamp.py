"""Message templates and messaging settings change the config stamp (requests_app.configcache),
so every process's copy is reloaded after an admin edits them."""

from django.db import migrations

from requests_app.configcache import config_stamp_trigger_sql as trigger_sql

TABLES = ["notifications_messagetemplate", "notifications_messagingsettings"]



class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_squashed_0002_messaging"),
        ("requests_app", "0005_config_stamp"),
    ]

    operations = [migrations.RunSQL(*trigger_sql(t)) for t in TABLES]
