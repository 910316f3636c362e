"""An index for the receipt's check of the day's receipts to one address (see the model).

Built CONCURRENTLY: the outbox keeps a row per message sent, so on a running city it is large
and written by every worker; a plain CREATE INDEX would hold their inserts for the build."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0002_config_stamp"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="outboxmessage",
            index=models.Index(
                fields=["recipient", "template", "created_at"], name="outbox_recipient_sent"
            ),
        ),
    ]
