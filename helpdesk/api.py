"""Pieces every API view shares."""

from django.utils import translation

from notifications.services import preferences_for


class UserLanguageMixin:
    """Answer in the caller's chosen language once we know who the caller is."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            translation.activate(preferences_for(request.user).language)
            request.LANGUAGE_CODE = translation.get_language()
