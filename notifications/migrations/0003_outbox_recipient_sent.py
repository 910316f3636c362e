"""An index for the receipt's check of the day's receipts to one address (see the model)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_config_stamp"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                fields=["recipient", "template", "created_at"], name="outbox_recipient_sent"
            ),
        ),
    ]
