import functools
import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, models, router


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# --- hot reads: SQL built once per process ------------------------------------------------------
# The rows that decide who may see a page are read on every request (issue 12). Building the
# SQL of an ORM query costs more than running it on an indexed primary key, so these few reads
# build theirs once per process and hydrate model instances with Model.from_db(), converting
# values exactly as the ORM does (the backend's and the fields' converters).

_Converters = list[tuple[Any, list[Any]]]


@dataclass(frozen=True)
class _Prepared:
    sql: str
    converters: _Converters
    attnames: tuple[list[str], list[str]]  # the model's, then the joined model's (or none)

    @functools.cached_property
    def statement(self) -> str:
        """The name it is prepared under on PostgreSQL (from its text, worked out once)."""
        return _statement_name(self.sql)


def _statement_name(sql: str) -> str:
    return "ee_" + hashlib.sha256(sql.encode()).hexdigest()[:20]


_prepared: dict[tuple[str, type[models.Model], str], _Prepared] = {}


def _columns(model: type[models.Model], alias: str, quote: Any) -> str:
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def _converters(fields: list[Any], connection: Any) -> _Converters:
    out = []
    for field in fields:
        col = field.get_col(field.model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


def _prepare(db: str, model: type[models.Model], field: Any | None, by: str = "pk") -> _Prepared:
    """The SQL of a read of ``model`` by its primary key or the unique field ``by`` (joined
    through the foreign key ``field``, if given), its converters and attribute names: built
    once per process and database."""
    key = (db, model, (field.name if field is not None else "") + ("" if by == "pk" else f"@{by}"))
    if key not in _prepared:
        connection = connections[db]
        q = connection.ops.quote_name
        other = None
        # Only names from the models' metadata go into the text; the key is a parameter.
        sql = f"SELECT {_columns(model, 'a', q)}"  # noqa: S608
        source = f" FROM {q(model._meta.db_table)} a"
        if field is not None:
            other = field.related_model
            sql += f", {_columns(other, 'b', q)}"
            source += (
                f" JOIN {q(other._meta.db_table)} b"
                f" ON b.{q(other._meta.pk.column)} = a.{q(field.column)}"
            )
        sql += source
        where = model._meta.pk if by == "pk" else model._meta.get_field(by)
        sql += f" WHERE a.{q(where.column)} = %s"  # type: ignore[union-attr,arg-type]
        fields = [*model._meta.concrete_fields, *(other._meta.concrete_fields if other else ())]
        _prepared[key] = _Prepared(
            sql=sql,
            converters=_converters(fields, connection),
            attnames=(
                [f.attname for f in model._meta.concrete_fields],
                [f.attname for f in other._meta.concrete_fields] if other else [],
            ),
        )
    return _prepared[key]


def _convert(connection: Any, prepared: _Prepared, row: Any) -> list[Any]:
    values = []
    for raw, (col, funcs) in zip(row, prepared.converters, strict=True):
        value = raw
        for func in funcs:
            value = func(value, col, connection)
        values.append(value)
    return values


def _execute(connection: Any, cursor: Any, prepared: _Prepared, pk: Any) -> None:
    """Run one of these reads (one ``%s``, the key), prepared on PostgreSQL: see
    execute_prepared()."""
    execute_prepared(connection, cursor, prepared.sql, [pk], name=prepared.statement)


def execute_prepared(
    connection: Any, cursor: Any, sql: str, params: Sequence[Any], *, name: str = ""
) -> None:
    """``cursor.execute(sql, params)`` for a statement of a fixed shape (``%s`` placeholders
    only, always the same number). On PostgreSQL, as a statement prepared once per database
    connection: planning small joins and inserts cost the server more than running them
    (issue 12's and issue 13's benches), and a prepared statement is planned once. Statements
    live as long as the connection (not rolled back with a transaction), so a new
    connection prepares its own. Behind a pooler in transaction mode (PgBouncer's default),
    statements would be lost between transactions: use session pooling, or none."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    raw = connection.connection
    state: tuple[Any, set[str]] | None = getattr(connection, "_ee_prepared", None)
    if state is None or state[0] is not raw:
        state = connection._ee_prepared = (raw, set())
    name = name or _statement_name(sql)
    if name not in state[1]:
        numbers = itertools.count(1)
        text = re.sub(r"%s", lambda _match: f"${next(numbers)}", sql)
        # Through the driver's own cursor: setting up is not one of the page's queries.
        with connection.wrap_database_errors, raw.cursor() as setup:
            setup.execute(f"PREPARE {name} AS {text}")
        state[1].add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)


def _fetch_one(db: str, prepared: _Prepared, pk: Any) -> list[Any] | None:
    connection = connections[db]
    with connection.cursor() as cursor:
        _execute(connection, cursor, prepared, pk)
        row = cursor.fetchone()
    return None if row is None else _convert(connection, prepared, row)


M = TypeVar("M", bound=models.Model)


def get_by_pk(model: type[M], pk: int) -> M | None:
    """``model.objects.filter(pk=pk).first()`` with SQL built once per process."""
    db = router.db_for_read(model)
    prepared = _prepare(db, model, None)
    values = _fetch_one(db, prepared, pk)
    return None if values is None else model.from_db(db, prepared.attnames[0], values)


def get_with_related(model: type[M], pk: Any, related: str, *, by: str = "pk") -> M | None:
    """``model.objects.select_related(related).filter(pk=pk).first()`` in one query whose SQL
    is built once per process (``related`` names a non-null foreign key of ``model``). With
    ``by``, the row whose unique field of that name equals ``pk`` instead."""
    field = model._meta.get_field(related)
    if not isinstance(field, models.ForeignKey) or not isinstance(field.related_model, type):
        raise TypeError(f"{related} is not a foreign key of {model.__name__}")
    if by != "pk" and not getattr(model._meta.get_field(by), "unique", False):
        raise TypeError(f"{by} is not a unique field of {model.__name__}")
    other = field.related_model
    db = router.db_for_read(model)
    prepared = _prepare(db, model, field, by)
    values = _fetch_one(db, prepared, pk)
    if values is None:
        return None
    own, joined = prepared.attnames
    instance = model.from_db(db, own, values[: len(own)])
    field.set_cached_value(instance, other.from_db(db, joined, values[len(own) :]))
    return instance


@dataclass(frozen=True)
class Extra:
    """Rows of other tables read in the same round trip as a primary-key read (get_with_rows):
    ``columns`` are selected after the model's own, ``joins`` may refer to the model's row as
    ``a``, ``order_by`` orders the joined rows. Written by the app that asks, with its own
    models' names; a parameter-free SQL text, built once per process."""

    key: str
    columns: str
    joins: str
    order_by: str


def get_with_rows(model: type[M], pk: int, extra: Extra) -> tuple[M | None, list[tuple[Any, ...]]]:
    """The row of ``model`` with primary key ``pk`` and, in the same query, the rows ``extra``
    joins to it (LEFT JOINs: none gives one row of NULLs). Returns (instance or None, the
    extra columns of each joined row, unconverted)."""
    db = router.db_for_read(model)
    key = (db, model, "rows:" + extra.key)
    if key not in _prepared:
        base = _prepare(db, model, None)
        select, _, rest = base.sql.partition(" FROM ")
        table, _, where = rest.partition(" WHERE ")
        sql = f"{select}, {extra.columns} FROM {table} {extra.joins} WHERE {where}"
        _prepared[key] = _Prepared(
            sql=f"{sql} ORDER BY {extra.order_by}" if extra.order_by else sql,
            converters=base.converters,
            attnames=base.attnames,
        )
    prepared = _prepared[key]
    connection = connections[db]
    with connection.cursor() as cursor:
        _execute(connection, cursor, prepared, pk)
        rows = cursor.fetchall()
    if not rows:
        return None, []
    own = prepared.attnames[0]
    instance = model.from_db(db, own, _convert(connection, prepared, rows[0][: len(own)]))
    return instance, [tuple(row[len(own) :]) for row in rows]
