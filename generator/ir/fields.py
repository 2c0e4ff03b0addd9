"""Strict JSON -> dataclass decoding shared by layers, inputs and boards.

Unknown keys, missing keys and wrongly typed values are errors that name the item and the
field, so a typo in a network file never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, TypeVar

from generator.errors import AccelgenError

T = TypeVar("T")


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def check_value(where: str, field: str, hint: Any, value: Any, error: type[AccelgenError]) -> Any:
    """Return `value` converted to `hint` (int, bool, float, str, tuple[int, ...]) or raise."""
    origin = typing.get_origin(hint)
    if hint is bool:
        if not isinstance(value, bool):
            raise error(f"{where}: field '{field}' must be true/false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise error(f"{where}: field '{field}' must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise error(f"{where}: field '{field}' must be a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise error(f"{where}: field '{field}' must be a string, got {type_name(value)}")
        return value
    if origin is tuple:
        (item,) = {a for a in typing.get_args(hint) if a is not Ellipsis}
        if not isinstance(value, (list, tuple)):
            raise error(f"{where}: field '{field}' must be a list, got {type_name(value)}")
        return tuple(check_value(where, f"{field}[{i}]", item, v, error) for i, v in enumerate(value))
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return check_value(where, field, args[0], value, error)
    raise TypeError(f"unsupported field type {hint!r}")  # programming error, not user input


def decode_fields(
    cls: type[T],
    data: dict[str, Any],
    where: str,
    error: type[AccelgenError],
    skip: frozenset[str] = frozenset(),
    extra: dict[str, Any] | None = None,
) -> T:
    """Build dataclass `cls` from `data`, rejecting unknown and missing keys.

    `skip` names keys of `data` handled by the caller; `extra` gives values for fields that are
    not read from `data` (e.g. the layer name).
    """
    hints = typing.get_type_hints(cls)
    extra = dict(extra or {})
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    allowed = set(fields) - set(extra)
    unknown = sorted(set(data) - allowed - set(skip))
    if unknown:
        raise error(
            f"{where}: unknown field '{unknown[0]}' (allowed: {', '.join(sorted(allowed | skip))})"
        )
    kwargs: dict[str, Any] = dict(extra)
    for name, f in fields.items():
        if name in extra:
            continue
        if name in data:
            kwargs[name] = check_value(where, name, hints[name], data[name], error)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise error(f"{where}: missing field '{name}'")
    return cls(**kwargs)


def encode_fields(obj: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Dataclass -> JSON-ready dict (tuples become lists), in field order."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name in skip:
            continue
        value = getattr(obj, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out
