"""Routing's admin-edited tables change the config stamp (requests_app.configcache), so every
process's copy of service levels, calendars, escalation policies, routing rules and scoring
weights is reloaded after an edit."""

from django.db import migrations

from requests_app.configcache import config_stamp_trigger_sql as trigger_sql

TABLES = [
    "routing_slatarget",
    "routing_businesscalendar",
    "routing_workinghours",
    "routing_calendarclosure",
    "routing_escalationpolicy",
    "routing_escalationpolicy_categories",
    "routing_escalationstep",
    "routing_routingrule",
    "routing_routingrule_areas",
    "routing_routingrule_categories",
    "routing_routingrule_category_groups",
    "routing_scoringsettings",
    "routing_scorekeyword",
]



class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0001_squashed_0004_scoring_normal_default"),
        ("requests_app", "0005_config_stamp"),
    ]

    operations = [migrations.RunSQL(*trigger_sql(t)) for t in TABLES]
