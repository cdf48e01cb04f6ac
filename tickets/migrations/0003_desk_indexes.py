"""PostgreSQL-only indexes for the agents' desk (the admin ticket list) at a million tickets.
bench/admin_changelist.py measures what they buy.

- `ticket_desk_order`: the desk's default ordering (tickets.selectors.DESK_ORDERING), so a
  page is read off the index in order instead of sorting every row. The expressions must
  stay the ones Django writes for STATUS_RANK and PRIORITY_RANK, or the planner stops
  matching them (tests/tickets/admin/test_changelist.py checks that it does).
- `ticket_status_rank`: extended statistics (PostgreSQL 14+). The status filter also filters
  on the status's rank, so that the desk index can jump to the status's group
  (tickets.selectors.tickets_in_status); told that the rank follows from the status, the
  planner stops multiplying the two selectivities into a tiny estimate and a bad plan.
- `ticket_subject_trgm`: a trigram index for the search's last resort, `subject__icontains`
  (`UPPER(subject::text) LIKE UPPER('%...%')`), which would otherwise read every row. It
  needs the pg_trgm extension (trusted since PostgreSQL 13: the database owner may create
  it); where it cannot be created the index is skipped, and that search scans.
- upper(email) and upper(username) on the user table: the desk's search finds requesters
  with `email__istartswith` / `username__iexact`, which Django writes as
  `UPPER(col::text) LIKE UPPER(...)` / `UPPER(col::text) = UPPER(...)`; and a partial index
  of the superusers, for tickets.selectors.agents() (the assignee choices).

Built CONCURRENTLY (so the migration is not atomic): on a live table of a million rows a
plain CREATE INDEX would block writes for as long as the build takes.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, migrations

logger = logging.getLogger(__name__)

STATUS_RANK = """(CASE WHEN status IN ('new', 'open') THEN 0
          WHEN status IN ('pending', 'on_hold') THEN 1
          WHEN status = 'resolved' THEN 2
          ELSE 3 END)"""
PRIORITY_RANK = """(CASE WHEN priority = 'urgent' THEN 0
          WHEN priority = 'high' THEN 1
          WHEN priority = 'normal' THEN 2
          ELSE 3 END)"""
DESK_ORDER = f"""CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_desk_order
    ON tickets_ticket ({STATUS_RANK}, {PRIORITY_RANK}, updated_at, id)"""
STATUS_RANK_STATISTICS = f"""CREATE STATISTICS IF NOT EXISTS ticket_status_rank (dependencies)
    ON status, {STATUS_RANK} FROM tickets_ticket"""
SUBJECT_TRGM = """CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_subject_trgm
    ON tickets_ticket USING gin (UPPER(subject::text) gin_trgm_ops)"""
USER_INDEXES = {
    "helpdesk_user_email_upper": "(UPPER(email::text) text_pattern_ops)",
    "helpdesk_user_username_upper": "(UPPER(username::text) text_pattern_ops)",
    "helpdesk_user_superuser": "(id) WHERE is_superuser",
}
TICKET_INDEXES = ["ticket_desk_order", "ticket_subject_trgm"]


def _create_trigram_index(schema_editor) -> None:
    try:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:  # not atomic: the failed statement aborts nothing else
        logger.warning("pg_trgm unavailable (%s); subject search will scan the table.", error)
        return
    schema_editor.execute(SUBJECT_TRGM)


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    schema_editor.execute(DESK_ORDER)
    if connection.pg_version >= 140000:  # statistics on expressions
        schema_editor.execute(STATUS_RANK_STATISTICS)
    _create_trigram_index(schema_editor)
    users = schema_editor.quote_name(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)
    for name, definition in USER_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {users} {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS ticket_status_rank")
    for name in [*TICKET_INDEXES, *USER_INDEXES]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0002_roles_and_queues"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
