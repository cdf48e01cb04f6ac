"""Serializer pieces every API shares: strict input, and model fields worked out once.

Every serializer that reads a request body derives from `Serializer` or `ModelSerializer`
here (docs/api.md, "How an endpoint is described"): a body may carry only the fields the
serializer can write, or the answer is a 400 `validation_error` naming the others, and a
partial update (PATCH) must name at least one of them. A client whose body the server does
not understand learns it at once instead of getting a 200 with nothing changed.
"""

import copy
from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.settings import api_settings


class StrictInput:
    # {field name: message} for names a body might plausibly send that are refused with a
    # more useful message than "Unknown field." (e.g. `status` on a ticket's PATCH).
    refused_fields: dict = {}

    def writable_field_names(self) -> list[str]:
        return [name for name, field in self.fields.items() if not field.read_only]

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = self.writable_field_names()
            unknown = sorted(str(name) for name in data if name not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [self.refused_fields.get(name, _("Unknown field."))] for name in unknown}
                )
            if self.partial and not self.parent and not any(name in data for name in writable):
                raise serializers.ValidationError(
                    {
                        api_settings.NON_FIELD_ERRORS_KEY: [
                            _("Give at least one of these fields: %(fields)s.")
                            % {"fields": ", ".join(writable)}
                        ]
                    }
                )
        return super().to_internal_value(data)


class Serializer(StrictInput, serializers.Serializer):
    pass


class ModelSerializer(StrictInput, serializers.ModelSerializer):
    # DRF's ModelSerializer.get_fields() introspects the model and builds each field anew for
    # every instance (twice per ticket created: the input and the answer). What it builds
    # depends on the class alone, so it is kept on the class and each instance gets a deep
    # copy, as DRF does for a plain Serializer's declared fields: instances share nothing.
    # (A comment, not a docstring: the OpenAPI schema must not quote it.)

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("fields_from_model")
        if built is None:
            built = super().get_fields()
            cls.fields_from_model = built
        return copy.deepcopy(built)


def per_language(
    name: str, prefix: str, *, max_length: int, description: str, validators=()
) -> type[Serializer]:
    """A serializer class for text kept in one model field per language (settings.
    LANGUAGES): `{"en": …, "zh-hans": …}` <-> `<prefix>_en`, `<prefix>_zh_hans`. Use it as
    a field with source="*"; a language left out of a write keeps its text, and a key that
    is no language is refused (StrictInput). `name` and `description` are what the schema
    calls and says of it (drf-spectacular names components by class: one class per use)."""
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
    languages = ", ".join(f"`{code}`" for code, _name in settings.LANGUAGES)
    cls = type(name, (Serializer,), fields)
    text = f"{description} One text per language ({languages}); either may be empty."
    return extend_schema_serializer(component_name=name, description=text)(cls)
