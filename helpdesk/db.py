"""Queries run very often with other values each time, turned into SQL once."""

import threading
from collections.abc import Callable

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

_PLACEHOLDER = -987_654_321
# For text columns: with LIKE's and escaping's special characters, so that a lookup that
# rewrites its value (escaping, wildcards) shows, and is refused, at compile time.
_TEXT_PLACEHOLDER = "%_\\-987654321"


class CompiledQuery:
    """`make(value)` -> a QuerySet, compiled to SQL once per thread and then run with
    other values, its rows made into model instances (select_related included) as Django
    makes them. Django compiles a QuerySet on every run: for the delivery worker's
    lock-and-load of five joined tables, compiling was a third of the query's cost.

    For querysets that filter on exactly one value, passed to the database as given (an
    exact lookup), and have no annotations."""

    def __init__(self, make: Callable[[object], QuerySet]):
        self.make = make
        self._local = threading.local()

    def _compiled(self):
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            for placeholder in (_PLACEHOLDER, _TEXT_PLACEHOLDER):
                try:
                    queryset = self.make(placeholder)
                    compiler = queryset.query.get_compiler(using=queryset.db)
                    sql, params = compiler.as_sql()
                except (TypeError, ValueError):  # a number column given the text one
                    continue
                if list(params) == [placeholder] and not compiler.annotation_col_map:
                    break
            else:
                raise ValueError("CompiledQuery takes a query on exactly one value, as given")
            klass_info, select = compiler.klass_info, compiler.select
            fields = klass_info["select_fields"]
            compiled = self._local.compiled = (
                queryset.db,
                sql,
                compiler,
                klass_info["model"],
                slice(fields[0], fields[-1] + 1),
                [column[0].target.attname for column in select[fields[0] : fields[-1] + 1]],
                klass_info,
                select,
            )
        return compiled

    def all(self, value) -> list[Model]:
        db, sql, compiler, model, own, attnames, klass_info, select = self._compiled()
        with connections[db].cursor() as cursor:
            cursor.execute(sql, [value])
            rows = cursor.fetchall()
        populators = get_related_populators(klass_info, select, db)
        objects = []
        for row in compiler.results_iter([rows]):
            obj = model.from_db(db, attnames, row[own])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, value) -> Model | None:
        objects = self.all(value)
        return objects[0] if objects else None


def _values(fields, instance: Model, add: bool, connection) -> list:
    """What save() would write for `fields`: auto_now(_add) applied, values prepared."""
    return [field.get_db_prep_save(field.pre_save(instance, add), connection) for field in fields]


class RowUpdate:
    """Write `fields` of a model instance to its row, by primary key, as
    `instance.save(update_fields=fields)` would (auto_now fields are set), with the UPDATE
    statement built once. Model.save() builds and compiles it on every call: for the
    delivery worker's write-back that was a tenth of its time per delivery (py-spy).

    No pre_save/post_save signals are sent: for models nothing listens to."""

    def __init__(self, model: type[Model], fields: list[str]):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self._sql: dict[str, str] = {}

    def save(self, instance: Model) -> int:
        db = router.db_for_write(self.model, instance=instance)
        connection = connections[db]
        sql = self._sql.get(db)
        if sql is None:
            quote = connection.ops.quote_name
            columns = ", ".join(f"{quote(field.column)} = %s" for field in self.fields)
            sql = self._sql[db] = (
                f"UPDATE {quote(self.model._meta.db_table)} SET {columns} "
                f"WHERE {quote(self.model._meta.pk.column)} = %s"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*_values(self.fields, instance, False, connection), instance.pk])
            return cursor.rowcount


class RowInsert:
    """Insert model instances as `Model.objects.create()` / `bulk_create()` would (defaults
    and auto_now_add applied, primary keys set on the instances), with the INSERT statement
    built once per row count. Django builds and compiles it on every call: the four inserts
    of a ticket creation were a fifth of its CPU (bench/README.md, issue #6).

    No pre_save/post_save signals are sent: for models nothing listens to. Models with
    database defaults or generated fields are refused (their columns need Django's care).
    For the few rows of one change (a statement per row count is kept; no batching), on
    databases that return inserted keys (PostgreSQL; SQLite 3.35 or later)."""

    def __init__(self, model: type[Model]):
        meta = model._meta
        fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        if any(field.generated or field.has_db_default() for field in fields):
            raise ValueError(f"RowInsert does not handle {meta.label}'s database defaults")
        self.model, self.fields = model, fields
        self._sql: dict[tuple[str, int], str] = {}

    def _statement(self, connection, rows: int) -> str:
        sql = self._sql.get((connection.alias, rows))
        if sql is None:
            quote, meta = connection.ops.quote_name, self.model._meta
            columns = ", ".join(quote(field.column) for field in self.fields)
            row = f"({', '.join(['%s'] * len(self.fields))})"
            sql = self._sql[(connection.alias, rows)] = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                f"VALUES {', '.join([row] * rows)} RETURNING {quote(meta.pk.column)}"
            )
        return sql

    def save(self, *instances: Model) -> None:
        if not instances:
            return
        db = router.db_for_write(self.model, instance=instances[0])
        connection = connections[db]
        for instance in instances:
            instance._prepare_related_fields_for_save(operation_name="save")  # as save()
        params = [
            value
            for instance in instances
            for value in _values(self.fields, instance, True, connection)
        ]
        with connection.cursor() as cursor:
            cursor.execute(self._statement(connection, len(instances)), params)
            keys = cursor.fetchall()
        for instance, (key,) in zip(instances, keys, strict=True):
            instance.pk = key
            instance._state.adding, instance._state.db = False, db
