"""Serializer pieces every API shares."""

import copy

from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, working its fields out from the model once per class rather
    than for every instance.

    ModelSerializer.get_fields() introspects the model and builds each field anew every
    time a serializer is made (twice per ticket created: the input and the answer). What
    it builds depends on the class alone (its Meta and declared fields), so it is kept on
    the class, and each instance gets a deep copy, as DRF gives each instance a deep copy
    of a plain Serializer's declared fields: instances share nothing."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("fields_from_model")
        if built is None:
            built = super().get_fields()
            cls.fields_from_model = built
        return copy.deepcopy(built)


def per_language(
    name: str, prefix: str, *, max_length: int, validators=()
) -> type[serializers.Serializer]:
    """A serializer class for text kept in one model field per language (settings.
    LANGUAGES): `{"en": …, "zh-hans": …}` <-> `<prefix>_en`, `<prefix>_zh_hans`. Use it as
    a field with source="*"; a language left out of a write keeps its text."""
    from django.conf import settings

    fields = {
        code: serializers.CharField(
            source=f"{prefix}_{code.replace('-', '_')}",
            max_length=max_length,
            allow_blank=True,
            required=False,
            trim_whitespace=False,
            validators=list(validators),
        )
        for code, _name in settings.LANGUAGES
    }
    # `name`: the schema's component name, one per use (drf-spectacular names them by class).
    return type(name, (serializers.Serializer,), fields)
