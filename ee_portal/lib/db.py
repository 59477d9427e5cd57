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


_prepared: dict[tuple[str, type[models.Model], str], _Prepared] = {}


def _columns(model: type[models.Model], alias: str, quote: Any) -> str:
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def _converters(fields: list[Any], connection: Any) -> _Converters:
    out = []
    for field in fields:
        col = field.get_col(field.model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


def _prepare(db: str, model: type[models.Model], field: Any | None) -> _Prepared:
    """The SQL of a primary-key read of ``model`` (joined through the foreign key ``field``,
    if given), its converters and attribute names: built once per process and database."""
    key = (db, model, field.name if field is not None else "")
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
        sql += f" WHERE a.{q(model._meta.pk.column)} = %s"
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


def _fetch_one(db: str, prepared: _Prepared, pk: int) -> list[Any] | None:
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for raw, (col, funcs) in zip(row, prepared.converters, strict=True):
        value = raw
        for func in funcs:
            value = func(value, col, connection)
        values.append(value)
    return values


M = TypeVar("M", bound=models.Model)


def get_by_pk(model: type[M], pk: int) -> M | None:
    """``model.objects.filter(pk=pk).first()`` with SQL built once per process."""
    db = router.db_for_read(model)
    prepared = _prepare(db, model, None)
    values = _fetch_one(db, prepared, pk)
    return None if values is None else model.from_db(db, prepared.attnames[0], values)


def get_with_related(model: type[M], pk: int, related: str) -> M | None:
    """``model.objects.select_related(related).filter(pk=pk).first()`` in one query whose SQL
    is built once per process (``related`` names a non-null foreign key of ``model``)."""
    field = model._meta.get_field(related)
    if not isinstance(field, models.ForeignKey) or not isinstance(field.related_model, type):
        raise TypeError(f"{related} is not a foreign key of {model.__name__}")
    other = field.related_model
    db = router.db_for_read(model)
    prepared = _prepare(db, model, field)
    values = _fetch_one(db, prepared, pk)
    if values is None:
        return None
    own, joined = prepared.attnames
    instance = model.from_db(db, own, values[: len(own)])
    field.set_cached_value(instance, other.from_db(db, joined, values[len(own) :]))
    return instance
