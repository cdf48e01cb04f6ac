"""A query run very often with one changing parameter, compiled to SQL once."""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

_PLACEHOLDER = -987_654_321


class CompiledQuery:
    """`make(value)` -> a QuerySet, compiled to SQL once per thread and then run with
    other values, its rows made into model instances (select_related included) as Django
    makes them. Django compiles a QuerySet on every run: for the delivery worker's
    lock-and-load of five joined tables, compiling was a third of the query's cost.

    For querysets that filter on exactly one value and have no annotations."""

    def __init__(self, make: Callable[[object], QuerySet]):
        self.make = make
        self._local = threading.local()

    def _compiled(self):
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            queryset = self.make(_PLACEHOLDER)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            # str(): a text column's lookup turns the placeholder into a string
            one_value = [str(param) for param in params] == [str(_PLACEHOLDER)]
            if not one_value or compiler.annotation_col_map:
                raise ValueError("CompiledQuery takes a query on exactly one value")
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
