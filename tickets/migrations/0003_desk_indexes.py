"""PostgreSQL-only indexes for the agents' desk (the admin ticket list) at a million tickets.
bench/admin_changelist.py measures what they buy. (The desk's ordering index,
`ticket_desk_order`, was built here too; since 0005 it is the model's, built from
tickets.models.DESK_RANK.)

- `ticket_subject_trgm`: a trigram index for the search's last resort, `subject__icontains`
  (`UPPER(subject::text) LIKE UPPER('%...%')`), which would otherwise read every row. It
  needs the pg_trgm extension (trusted since PostgreSQL 13: the database owner may create
  it); where it cannot be created the index is skipped, and that search scans.
- upper(email) and upper(username) on the user table: the desk's search finds requesters
  with `email__istartswith` / `username__iexact`, which Django writes as
  `UPPER(col::text) LIKE UPPER(...)` / `UPPER(col::text) = UPPER(...)`; and a partial index
  of the superusers, for accounts.roles.agents() (the assignee choices).

Built CONCURRENTLY (so the migration is not atomic): on a live table of a million rows a
plain CREATE INDEX would block writes for as long as the build takes.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, migrations

logger = logging.getLogger(__name__)

SUBJECT_TRGM = """CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_subject_trgm
    ON tickets_ticket USING gin (UPPER(subject::text) gin_trgm_ops)"""
USER_INDEXES = {
    "helpdesk_user_email_upper": "(UPPER(email::text) text_pattern_ops)",
    "helpdesk_user_username_upper": "(UPPER(username::text) text_pattern_ops)",
    "helpdesk_user_superuser": "(id) WHERE is_superuser",
}
TICKET_INDEXES = ["ticket_subject_trgm"]


def _create_trigram_index(schema_editor) -> None:
    try:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:  # not atomic: the failed statement aborts nothing else
        logger.warning("pg_trgm unavailable (%s); subject search will scan the table.", error)
        return
    schema_editor.execute(SUBJECT_TRGM)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _create_trigram_index(schema_editor)
    users = schema_editor.quote_name(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)
    for name, definition in USER_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {users} {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*TICKET_INDEXES, *USER_INDEXES]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0002_roles_and_queues"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
