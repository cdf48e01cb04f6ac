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


# Fields that hold other fields (or serializers) bound to themselves: copied whole.
_HOLDERS = (
    serializers.BaseSerializer,
    serializers.ListField,
    serializers.DictField,
    serializers.HStoreField,
    serializers.ManyRelatedField,
)


def copy_fields(fields: dict) -> dict:
    """Fresh fields for one serializer instance. DRF deep-copies each field, which builds
    it anew from its arguments: a sixth of a ticket create's CPU (py-spy, issue #6). What a
    field keeps of its serializer is set on the copy by `bind()`, and the rest (options,
    validators, messages) is only read, so a shallow copy does; a field that holds other
    fields is deep-copied as before, or the copies would share their children."""
    return {
        name: copy.deepcopy(field) if isinstance(field, _HOLDERS) else copy.copy(field)
        for name, field in fields.items()
    }


class Serializer(serializers.Serializer):
    """A plain Serializer whose fields are copied by copy_fields()."""

    def get_fields(self):
        return copy_fields(self._declared_fields)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer works its fields out from the model for every instance (a
    fifth of a ticket create's time under cProfile); this one once per class, then copies
    them for each instance with copy_fields()."""

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy_fields(built)
