from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)

        post_migrate.connect(sync_role_groups, sender=self)


def sync_role_groups(*, using: str = "default", apps=None, **kwargs) -> None:
    """Give each role's group exactly the permissions of accounts.roles.PERMISSIONS."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    from .roles import GROUPS, PERMISSIONS

    # Django makes each app's permissions as its own post_migrate signal comes; the
    # groups may hold permissions of apps signalled after this one.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, names in PERMISSIONS.items():
        wanted = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(
            Permission.objects.using(using).filter(wanted).select_related("content_type")
        )
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        if found != names:
            raise LookupError(f"Unknown permissions for {role}: {sorted(names - found)}")
        group, _created = Group.objects.using(using).get_or_create(name=GROUPS[role])
        group.permissions.set(permissions)
