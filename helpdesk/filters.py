"""Query-string filters every API list can use, strict about what they accept.

A value the server does not understand is a 400 `validation_error` naming the parameter,
never a silently different answer: an unknown choice, an unknown ordering, a list given
as repeated parameters (`?status=new&status=open`) as well as a comma list.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class CommaSeparatedSelectMultiple(forms.SelectMultiple):
    # `?status=new,open`, `?status=new&status=open` and a mix of both: every value.

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [part.strip() for value in values if value for part in value.split(",")]


class ChoiceListFilter(django_filters.MultipleChoiceFilter):
    """A list of choices: repeat the parameter, or give a comma list; any value that is
    not a choice is a 400. The schema documents it as an array of the choices (each value
    its own parameter: `explode: true`), which is how generated clients send lists."""

    repeatable = True  # helpdesk.api.StrictQueryMixin: may be given more than once

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CommaSeparatedSelectMultiple)
        super().__init__(*args, **kwargs)


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=` one of the view's `ordering_fields`, ascending or with `-` descending;
    anything else (an unknown field, a comma list) is a 400 naming the values allowed."""

    def choices(self, view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or []
        return [term for field in fields for term in (field, f"-{field}")]

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param)
        if value is None:
            return self.get_default_ordering(view)
        choices = self.choices(view)
        if value not in choices:
            message = _("Use one of: %(choices)s.") % {"choices": ", ".join(choices)}
            raise ValidationError({self.ordering_param: [message]})
        return [value]

    def get_schema_operation_parameters(self, view):
        default = ", ".join(self.get_default_ordering(view) or ())
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Sort order (default `{default}`).",
                "schema": {"type": "string", "enum": self.choices(view)},
            }
        ]
