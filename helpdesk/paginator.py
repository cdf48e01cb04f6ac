"""A paginator for admin lists of a million rows: it never counts them all.

Django's admin counts the filtered list on every page view (`paginator.count`). Here that
count stops at CAP + 1 rows (`SELECT COUNT(*) FROM (SELECT id ... LIMIT CAP + 1)`), which is
exact and cheap for the lists people actually page through; past the cap, an unfiltered
list shows PostgreSQL's own estimate of the table's size (`pg_class.reltuples`, kept by
autovacuum), and a filtered one "more than CAP". Pair it with show_full_result_count = False.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    CAP = 10_000

    # Set by `count`: True when the count is an estimate or a lower bound, not exact.
    approximate = False

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not hasattr(qs, "query"):
            return len(qs)
        capped = qs.order_by().values("pk")[: self.CAP + 1].count()
        if capped <= self.CAP:
            return capped
        self.approximate = True
        if not qs.query.where:
            estimate = self._table_estimate(qs)
            if estimate > self.CAP:
                return estimate
        return self.CAP + 1

    @staticmethod
    def _table_estimate(qs) -> int:
        connection = connections[qs.db]
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(qs.model._meta.db_table)],
            )
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] > 0 else 0
