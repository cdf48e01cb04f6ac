"""The desk's ordering index, `ticket_desk_order`, declared on the model (built from
tickets.models.DESK_RANK and the Priority choices) instead of raw SQL: a change to the
status order is then a migration `makemigrations` writes.

On PostgreSQL the raw index of 0003 is dropped and the model's built CONCURRENTLY (a live
table of a million rows keeps taking writes meanwhile), and `ticket_status_rank`, extended
statistics (PostgreSQL 14+), tells the planner that the rank follows from the status: the
status filter also filters on the rank, so that the index can jump to the status's group
(tickets.selectors.tickets_in_status), and without the statistics the planner multiplies
the two selectivities into a tiny estimate and a bad plan. The statistics take the rank's
expression from the index itself.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations import AddIndex


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain CREATE INDEX elsewhere (SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


def drop_raw_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS ticket_status_rank")
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS ticket_desk_order")


def create_statistics(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('ticket_desk_order'::regclass, 1, false)")
        (rank,) = cursor.fetchone()
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS ticket_status_rank (dependencies) "
        f"ON status, ({rank}) FROM tickets_ticket"
    )


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS ticket_status_rank")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0004_description_trgm")]

    operations = [
        migrations.RunPython(drop_raw_index, migrations.RunPython.noop),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="ticket",
            index=models.Index(
                models.Case(
                    models.When(status__in=["new", "open"], then=models.Value(0)),
                    models.When(status__in=["pending", "on_hold"], then=models.Value(1)),
                    models.When(status__in=["resolved"], then=models.Value(2)),
                    models.When(status__in=["closed"], then=models.Value(3)),
                    output_field=models.IntegerField(),
                ),
                models.Case(
                    models.When(priority="urgent", then=models.Value(0)),
                    models.When(priority="high", then=models.Value(1)),
                    models.When(priority="normal", then=models.Value(2)),
                    models.When(priority="low", then=models.Value(3)),
                    output_field=models.IntegerField(),
                ),
                models.F("updated_at"),
                models.F("id"),
                name="ticket_desk_order",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
