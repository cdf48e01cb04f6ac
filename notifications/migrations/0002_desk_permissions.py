"""The notification permissions of the desk's roles (groups made by tickets/0002):
agents see a ticket's events and deliveries on the ticket page; supervisors also manage
webhook endpoints and read the delivery log (where failed deliveries show)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT_PERMISSIONS = ["view_event"]
SUPERVISOR_PERMISSIONS = [
    *AGENT_PERMISSIONS,
    "view_delivery",
    "view_webhookendpoint",
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
]
ROLES = {"Agents": AGENT_PERMISSIONS, "Supervisors": SUPERVISOR_PERMISSIONS}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="notifications", codename__in=codenames)
    )
    missing = set(codenames) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Permissions not found: {sorted(missing)}")
    return permissions


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so groups can hold them.
    app_config = apps.get_app_config("notifications")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("tickets", "0002_roles_and_queues"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
