"""The notification permissions of the desk's roles were granted here; accounts/apps.py
grants every role's permissions since, from accounts.roles.PERMISSIONS."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("tickets", "0002_roles_and_queues"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = []
