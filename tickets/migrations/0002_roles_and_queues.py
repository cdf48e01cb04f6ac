"""A default queue per category, and the PostgreSQL-only index for transaction-id lookups.
(The groups Agents and Supervisors were made here too; accounts/apps.py keeps them since,
from accounts.roles.PERMISSIONS.)"""

from django.db import migrations

QUEUES = [
    ("Account", "account", "account"),
    ("Trading", "trading", "trading"),
    ("Deposits and withdrawals", "deposits-withdrawals", "deposit_withdrawal"),
    ("Security", "security", "security"),
    ("API", "api", "api"),
    ("General", "general", "other"),
]


def create_queues(apps, schema_editor):
    Queue = apps.get_model("tickets", "Queue")
    for name, slug, category in QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name": name, "default_for": category})


def remove_queues(apps, schema_editor):
    apps.get_model("tickets", "Queue").objects.filter(slug__in=[q[1] for q in QUEUES]).delete()


def create_txid_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS ticket_txids_gin "
            "ON tickets_ticket USING gin (transaction_ids jsonb_path_ops)"
        )


def drop_txid_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_txids_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_queues, remove_queues),
        migrations.RunPython(create_txid_index, drop_txid_index),
    ]
