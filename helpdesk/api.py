"""Pieces every API view shares."""

import copy

from django.utils import translation
from rest_framework import serializers

from notifications.services import preferences_for


class UserLanguageMixin:
    """Answer in the caller's chosen language once we know who the caller is."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            translation.activate(preferences_for(request.user).language)
            request.LANGUAGE_CODE = translation.get_language()


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer works its fields out from the model for every instance (a
    fifth of a ticket create's time under cProfile); this one once per class, then copies
    them for each instance as a plain Serializer copies its declared fields."""

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)
