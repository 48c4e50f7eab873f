from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Newest first; stable under inserts (no page drift), `?limit=` up to 200."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
