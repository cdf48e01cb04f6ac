"""PostgreSQL-only: a trigram index on the description, for the API's `q` search
(tickets.selectors.ticket_search), which tests `subject__icontains`, `description__icontains`
and transaction-id containment. Django writes the first two as `UPPER(col) LIKE UPPER('%...%')`;
with `ticket_subject_trgm` (0003), this index and `ticket_txids_gin` (0002) every arm of the
OR has an index, so PostgreSQL combines three bitmap scans instead of reading every row.
bench/api_reads.py measures it.

Chinese: pg_trgm takes its "words" from the characters the database's locale calls
alphanumeric; under C.UTF-8 (glibc) and the usual UTF-8 locales CJK characters are, so
`提现未到账` gives trigrams and is indexed. A search term of one or two characters gives no
trigram at all: PostgreSQL then reads the whole index (or table), as it would without it.

Built CONCURRENTLY (so the migration is not atomic), and skipped where pg_trgm is missing
(0003 logs that it could not create it).
"""

from django.db import migrations

DESCRIPTION_TRGM = """CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_description_trgm
    ON tickets_ticket USING gin (UPPER(description) gin_trgm_ops)"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute(DESCRIPTION_TRGM)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS ticket_description_trgm")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0003_desk_indexes")]

    operations = [migrations.RunPython(create_index, drop_index)]
