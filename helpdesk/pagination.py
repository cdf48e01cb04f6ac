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
