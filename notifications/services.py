"""Writes to notification data."""

from django.db import transaction

from .models import Preferences


def preferences_for(user) -> Preferences:
    """The user's preferences, created with the defaults on first use (cached on the user)."""
    try:
        return user.preferences
    except Preferences.DoesNotExist:
        preferences, _created = Preferences.objects.get_or_create(user=user)
        user.preferences = preferences
        return preferences


@transaction.atomic
def preferences_update(*, user, data: dict) -> Preferences:
    preferences = Preferences.objects.select_for_update().get_or_create(user=user)[0]
    for name, value in data.items():
        setattr(preferences, name, value)
    preferences.save()
    user.preferences = preferences
    return preferences
