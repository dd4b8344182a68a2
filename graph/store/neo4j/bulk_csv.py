"""CSV files as ``neo4j-admin database import full`` reads them: typed headers from the record models, and values
encoded so the importer stores exactly what the online write path stores (pure functions, no I/O).

Why our own encoder and not :mod:`csv`: the importer reads an unquoted empty field as "no property" and a quoted one
(``""``) as the empty string, and :mod:`csv` writes both the same way. Every string is quoted here; ``None`` is an
empty field. The importer never stores an empty array (it drops the property), so the store keeps no empty lists
on the online path either (graph/store/neo4j/values.py).
"""

from __future__ import annotations

import math
import operator
import types
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

from schema.errors import StoreError

ARRAY_DELIMITER = ";"
Encoder = Callable[[Any], str]


def _string(v: Any) -> str:
    s = v.value if isinstance(v, Enum) else str(v)
    return '"' + s.replace('"', '""') + '"'


def _long(v: Any) -> str:
    return str(int(v))


def _double(v: Any) -> str:
    f = float(v)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return repr(f)


def _boolean(v: Any) -> str:
    return "true" if v else "false"


def _date(v: Any) -> str:
    return str(v.isoformat())


def _datetime(v: Any) -> str:
    """In UTC, as the online path sends it (graph/store/neo4j/values.py ``to_param``)."""
    return (v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)).isoformat()  # type: ignore[no-any-return]


def _string_array(v: Any) -> str:
    for item in v:
        if ARRAY_DELIMITER in item:
            raise StoreError(f"the value {item!r} holds {ARRAY_DELIMITER!r}, the importer's array delimiter; "
                             "load it with the online path (whoknows ingest without --bulk-dir)")
    return _string(ARRAY_DELIMITER.join(v))


# importer type name -> encoder of a non-None value
ENCODERS: dict[str, Encoder] = {
    "string": _string, "long": _long, "double": _double, "boolean": _boolean, "date": _date,
    "datetime": _datetime, "string[]": _string_array,
}


def importer_type(annotation: Any) -> str:
    """The importer's column type of a model field's annotation (Optional and Annotated unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return importer_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return importer_type(inner[0])
    if origin is tuple:
        args = typing.get_args(annotation)
        if args and importer_type(args[0]) == "string":
            return "string[]"
    if isinstance(annotation, type):
        for py, name in ((bool, "boolean"), (int, "long"), (float, "double"), (datetime, "datetime"),
                         (date, "date"), (str, "string"), (Enum, "string")):
            if issubclass(annotation, py):
                return name
    raise TypeError(f"no importer column type for {annotation!r}")


def model_columns(model: type[BaseModel], exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(property, importer type) of every field of ``model`` but ``exclude``, in declaration order."""
    skip = set(exclude)
    return [(name, importer_type(f.annotation)) for name, f in model.model_fields.items() if name not in skip]


class Table:
    """One CSV file: its header line and an encoder of property rows (dicts; an absent key or None = no
    property). ``id_space`` makes the first column the node id of that id space; ``ends`` names the id spaces of a
    relationship's start and end, whose ids lead each line."""

    def __init__(self, columns: list[tuple[str, str]], *, id_space: str | None = None,
                 ends: tuple[str, str] | None = None) -> None:
        self.columns = columns
        self.ends = ends
        head = [f":START_ID({ends[0]})", f":END_ID({ends[1]})"] if ends else []
        for i, (name, kind) in enumerate(columns):
            head.append(f"{name}:ID({id_space})" if i == 0 and id_space else f"{name}:{kind}")
        self.header = ",".join(head) + "\n"
        self._encoders = [(name, ENCODERS[kind]) for name, kind in columns]
        self._fields = operator.attrgetter(*(name for name, _ in columns)) if len(columns) > 1 else None
        self.multiline = False  # a string holds a line break: the import then needs --multiline-fields=true

    def line(self, props: dict[str, Any], start: str | None = None, end: str | None = None) -> str:
        cells = [] if self.ends is None else [_string(start), _string(end)]
        for name, enc in self._encoders:
            v = props.get(name)
            cells.append("" if v is None else enc(v))
        return self._end(",".join(cells))

    def edge(self, start: str, end: str) -> str:
        """A relationship line with no properties (ids and skill names hold no line break: no multiline check)."""
        return '"' + start.replace('"', '""') + '","' + end.replace('"', '""') + '"\n'

    def record_line(self, record: BaseModel) -> str:
        """A node line straight from a record of the table's model (its fields are the columns): what
        :meth:`line` makes of the record's property row, without building the row (posts: millions of them)."""
        assert self._fields is not None
        return self._end(",".join(["" if v is None else enc(v)
                                   for v, (_, enc) in zip(self._fields(record), self._encoders, strict=True)]))

    def _end(self, out: str) -> str:
        if "\n" in out or "\r" in out:
            self.multiline = True
        return out + "\n"


__all__ = ["ARRAY_DELIMITER", "ENCODERS", "Table", "importer_type", "model_columns"]
