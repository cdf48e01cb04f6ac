from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages at any depth: no OFFSET, no COUNT over the table."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100


class ChronologicalPagination(CursorPagination):
    """Oldest first, whatever `?ordering=` the ticket list takes (conversation, history)."""

    ordering = ("created_at", "id")

    def get_ordering(self, request, queryset, view):
        return self.ordering
