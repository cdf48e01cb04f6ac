"""Roles (groups Agents and Supervisors with their permissions), a default queue per
category, and the PostgreSQL-only index for transaction-id lookups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

QUEUES = [
    ("Account", "account", "account"),
    ("Trading", "trading", "trading"),
    ("Deposits and withdrawals", "deposits-withdrawals", "deposit_withdrawal"),
    ("Security", "security", "security"),
    ("API", "api", "api"),
    ("General", "general", "other"),
]

AGENT_PERMISSIONS = [
    "tickets.view_ticket",
    "tickets.change_ticket",
    "tickets.transition_ticket",
    "tickets.view_message",
    "tickets.add_message",
    "tickets.view_attachment",
    "tickets.add_attachment",
    "tickets.view_statuschange",
    "tickets.view_queue",
]
SUPERVISOR_PERMISSIONS = [
    *AGENT_PERMISSIONS,
    "tickets.add_queue",
    "tickets.change_queue",
    "tickets.delete_queue",
]


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def create_roles_and_queues(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for group_name, names in (
        ("Agents", AGENT_PERMISSIONS),
        ("Supervisors", SUPERVISOR_PERMISSIONS),
    ):
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*_permissions(apps, names))

    Queue = apps.get_model("tickets", "Queue")
    for name, slug, category in QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name": name, "default_for": category})


def remove_roles_and_queues(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Agents", "Supervisors"]).delete()
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
        migrations.RunPython(create_roles_and_queues, remove_roles_and_queues),
        migrations.RunPython(create_txid_index, drop_txid_index),
    ]
