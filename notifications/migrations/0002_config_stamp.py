"""Message templates and messaging settings change the config stamp (requests_app.configcache),
so every process's copy is reloaded after an admin edits them."""

from django.db import migrations

TABLES = ["notifications_messagetemplate", "notifications_messagingsettings"]


def trigger_sql(table: str) -> tuple[str, str]:
    name = f"{table}_configstamp"
    create = (
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION requests_app_configstamp_touch();"
    )
    return create, f"DROP TRIGGER IF EXISTS {name} ON {table};"


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_squashed_0002_messaging"),
        ("requests_app", "0005_config_stamp"),
    ]

    operations = [migrations.RunSQL(*trigger_sql(t)) for t in TABLES]
