"""Typed settings from environment variables, on the standard library alone.

Every command reads its settings first, so what this module imports is paid by every command,
`peloton trino status` as much as a full run. Dataclasses, a handful of field types and a
reader of `PREFIX_PART__FIELD` variables (and a `.env` file) cost nothing to import, where a
settings library built on a validation framework costs a third of a second per command.

A settings class is a dataclass of *parts* (each a dataclass too), whose fields carry their
description (`setting(..., "what it is")`). Values are checked and converted on construction:
`str`, `int` (with an optional lower bound), `bool`, `Path`, `Secret`, a `Literal` of choices
and `X | None`; a wrong value raises `SettingsError` naming the field (and the variable it was
read from) and what was expected.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from lakehouse.errors import ConfigurationError


class SettingsError(ConfigurationError, ValueError):
    """A setting's value does not have the type or one of the values the field accepts."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")


class Secret:
    """A secret string: its value only through `get_secret_value()`, masked when printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def setting(
    default: Any = dataclasses.MISSING,
    description: str = "",
    *,
    factory: Any = dataclasses.MISSING,
    ge: float | None = None,
    gt: float | None = None,
) -> Any:
    """A described field: its default (or a factory for a part), what it is for, and the
    bound of a number (`ge`: at least, `gt`: more than)."""
    metadata = {"description": description, "ge": ge, "gt": gt}
    if factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def description(field: dataclasses.Field[Any]) -> str:
    """A field's description, as given to `setting`."""
    return str(field.metadata.get("description", ""))


def _hints(cls: type) -> dict[str, Any]:
    hints: dict[str, Any] = typing.get_type_hints(cls)
    return hints


def _expected(hint: Any) -> str:
    """What a type accepts, in words."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join("unset" if a is type(None) else _expected(a) for a in args)
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    names[Path] = "a path"
    return names.get(hint, "a secret string" if hint is Secret else getattr(hint, "__name__", ""))


def _convert(value: Any, hint: Any, where: str) -> Any:
    """`value` as the field's type, or SettingsError saying where and what was expected."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(value, inner, where)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if isinstance(value, hint):
            return value
        if isinstance(value, Mapping):
            return build(hint, value, where)
    elif origin is Literal:
        if value in args:
            return value
    elif hint is Secret:
        if isinstance(value, Secret):
            return value
        if isinstance(value, str):
            return Secret(value)
    elif hint is Path:
        if isinstance(value, str | os.PathLike):
            return Path(value)
    elif hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _BOOLS:
            return _BOOLS[value.strip().lower()]
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            return int(value)
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif hint is str and isinstance(value, str):
        return value
    raise SettingsError(where, f"expected {_expected(hint)}, got {_shown(value, hint)}")


_BOOLS = {"1": True, "true": True, "yes": True, "on": True}
_BOOLS |= {"0": False, "false": False, "no": False, "off": False}


def _shown(value: Any, hint: Any) -> str:
    """A rejected value as an error may show it: never a secret's."""
    secret = hint is Secret or Secret in typing.get_args(hint)
    return "a value that is not a string" if secret else repr(value)


def _field_value(field: dataclasses.Field[Any], value: Any, hint: Any, where: str) -> Any:
    """A field's value converted to its type and checked against its lower bound."""
    value = _convert(value, hint, where)
    at_least, above = field.metadata.get("ge"), field.metadata.get("gt")
    if at_least is not None and value < at_least:
        raise SettingsError(where, f"expected {_expected(hint)} >= {at_least}, got {value!r}")
    if above is not None and value <= above:
        raise SettingsError(where, f"expected {_expected(hint)} > {above}, got {value!r}")
    return value


def check(instance: Any) -> None:
    """Convert and check every field of a dataclass instance in place (its `__post_init__`)."""
    hints = _hints(type(instance))
    for field in dataclasses.fields(instance):
        value = _field_value(field, getattr(instance, field.name), hints[field.name], field.name)
        object.__setattr__(instance, field.name, value)


def convert_fields(cls: type, values: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """`values` converted to the types of the dataclass `cls`, every key a field of it."""
    known = {f.name: f for f in dataclasses.fields(cls)}
    names = set(known)
    prefix = f"{where}." if where else ""
    unknown = sorted(set(values) - names)
    if unknown:
        raise SettingsError(
            f"{prefix}{unknown[0]}", "no such setting; there are " + ", ".join(sorted(names))
        )
    hints = _hints(cls)
    return {
        key: _field_value(known[key], value, hints[key], f"{prefix}{key}")
        for key, value in values.items()
    }


def build(cls: type, values: Mapping[str, Any], where: str = "") -> Any:
    """An instance of the dataclass `cls` from a mapping, every key a field of it."""
    return cls(**convert_fields(cls, values, where))


def read_dotenv(path: Path) -> dict[str, str]:
    """`KEY=value` lines of a `.env` file (comments, blank lines and `export ` allowed)."""
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[key.strip()] = value
    return found


def environment_values(
    cls: type, prefix: str, environ: Mapping[str, str], dotenv: Path
) -> dict[str, Any]:
    """The values that `PREFIX_FIELD` and `PREFIX_PART__FIELD` variables give the settings `cls`.

    Names are matched without regard to case; the environment wins over the `.env` file;
    variables that name no setting are left alone (other tools share the prefix).
    """
    variables = {k.upper(): v for k, v in read_dotenv(dotenv).items()}
    variables |= {k.upper(): v for k, v in environ.items()}
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        top = f"{prefix}{field.name.upper()}"
        part = hints[field.name]
        if dataclasses.is_dataclass(part):
            nested = {
                sub.name: variables[f"{top}__{sub.name.upper()}"]
                for sub in dataclasses.fields(part)
                if f"{top}__{sub.name.upper()}" in variables
            }
            if nested:
                values[field.name] = nested
        elif top in variables:
            values[field.name] = variables[top]
    return values


def variable_name(prefix: str, where: str) -> str:
    """The variable that sets the field at `where` (`catalog.kind` -> PELOTON_CATALOG__KIND)."""
    return prefix + "__".join(part.upper() for part in where.split("."))


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` laid on `base`, mappings merged key by key (explicit values win)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
