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
_row_sql: dict[tuple[str, type[models.Model], str], tuple[str, int, _Converters]] = {}


def _columns(model: type[models.Model], alias: str, quote: Any) -> str:
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def _converters(fields: list[Any], connection: Any) -> _Converters:
    out = []
    for field in fields:
        col = field.get_col(field.model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


M = TypeVar("M", bound=models.Model)


def get_by_pk(model: type[M], pk: int) -> M | None:
    """``model.objects.filter(pk=pk).first()`` with SQL built once per process."""
    db = router.db_for_read(model)
    connection = connections[db]
    key = (db, model, "")
    if key not in _row_sql:
        q = connection.ops.quote_name
        sql = (
            f"SELECT {_columns(model, 'a', q)} FROM {q(model._meta.db_table)} a "  # noqa: S608
            f"WHERE a.{q(model._meta.pk.column)} = %s"
        )
        fields = list(model._meta.concrete_fields)
        _row_sql[key] = (sql, len(fields), _converters(fields, connection))
    sql, _split, converters = _row_sql[key]
    values = _fetch_one(connection, sql, pk, converters)
    if values is None:
        return None
    return model.from_db(db, [f.attname for f in model._meta.concrete_fields], values)


def _fetch_one(connection: Any, sql: str, pk: int, converters: _Converters) -> list[Any] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for raw, (col, funcs) in zip(row, converters, strict=True):
        value = raw
        for func in funcs:
            value = func(value, col, connection)
        values.append(value)
    return values


def get_with_related(model: type[M], pk: int, related: str) -> M | None:
    """``model.objects.select_related(related).filter(pk=pk).first()`` in one query whose SQL
    is built once per process (``related`` names a non-null foreign key of ``model``)."""
    field = model._meta.get_field(related)
    if not isinstance(field, models.ForeignKey) or not isinstance(field.related_model, type):
        raise TypeError(f"{related} is not a foreign key of {model.__name__}")
    other = field.related_model
    db = router.db_for_read(model)
    connection = connections[db]
    key = (db, model, related)
    if key not in _row_sql:
        q = connection.ops.quote_name
        # Only names from the models' metadata go into the text; the key is a parameter.
        sql = (
            f"SELECT {_columns(model, 'a', q)}, {_columns(other, 'b', q)} "  # noqa: S608
            f"FROM {q(model._meta.db_table)} a JOIN {q(other._meta.db_table)} b "
            f"ON b.{q(other._meta.pk.column)} = a.{q(field.column)} "
            f"WHERE a.{q(model._meta.pk.column)} = %s"
        )
        fields = [*model._meta.concrete_fields, *other._meta.concrete_fields]
        _row_sql[key] = (sql, len(model._meta.concrete_fields), _converters(fields, connection))
    sql, split, converters = _row_sql[key]
    values = _fetch_one(connection, sql, pk, converters)
    if values is None:
        return None
    instance = model.from_db(db, [f.attname for f in model._meta.concrete_fields], values[:split])
    related_instance = other.from_db(
        db, [f.attname for f in other._meta.concrete_fields], values[split:]
    )
    field.set_cached_value(instance, related_instance)
    return instance
