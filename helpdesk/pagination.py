"""Cursor pages for every API list: stable at any depth, no OFFSET, no COUNT."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class CursorPagination(pagination.CursorPagination):
    """Newest first by default. A cursor that is not one this API gave out (forged,
    garbled, or naming a position that is not a value of the ordering field) is a 400
    `validation_error` on `cursor`, never a 404 or a 500."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_cursor_message = _("Invalid cursor.")
    cursor_query_description = _(
        "Where to continue: the `cursor` of the `next` or `previous` link of the page before, "
        "sent with the same filters and ordering."
    )

    def get_page_size(self, request):
        # A page size that is not a whole number from 1 to max_page_size is a 400, not the
        # default size (DRF's choice), so that a client learns of its mistake.
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdecimal() or not 1 <= int(value) <= self.max_page_size:
            message = _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(value)

    def get_paginated_response_schema(self, schema):
        # Both links are always there (null at either end): required, so that generated
        # clients type them `str | None`, not "maybe unset".
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["next", "previous", "results"]
        for name in ("next", "previous"):
            page["properties"][name].pop("example", None)
        page["properties"]["next"]["description"] = "The next page's URL; null on the last."
        page["properties"]["previous"]["description"] = "The page before; null on the first."
        return page

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = (
                    f"Items per page, 1 to {self.max_page_size} (default {self.page_size})."
                )
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model  # decode_cursor checks the position against it
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self.invalid() from None
        if cursor is not None and cursor.position is not None:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                field.to_python(cursor.position)
            except (DjangoValidationError, OverflowError, ValueError):
                raise self.invalid() from None
        return cursor

    def invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


class ChronologicalPagination(CursorPagination):
    """Oldest first, whatever `?ordering=` the ticket list takes (conversation, history)."""

    ordering = ("created_at", "id")

    def get_ordering(self, request, queryset, view):
        return self.ordering
