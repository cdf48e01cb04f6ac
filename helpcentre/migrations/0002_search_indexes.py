"""PostgreSQL only: GIN indexes on the help centre's tsvectors (articles, and the resolved
tickets suggestions search). Built CONCURRENTLY, so that adding them to a live index of
many resolved tickets does not block its writes."""

from django.db import migrations

INDEXES = {
    "article_search_gin": "helpcentre_article",
    "resolvedticket_search_gin": "helpcentre_resolvedticket",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin (search_vector)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("helpcentre", "0001_help_centre")]

    operations = [migrations.RunPython(create, drop)]
