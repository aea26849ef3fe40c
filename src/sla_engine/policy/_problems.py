"""Pydantic's validation errors as located, readable ``PolicyProblem`` values."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sla_engine.errors import PolicyProblem
from sla_engine.policy.schema import TAGS, PolicySpec
from sla_engine.policy.source import Path, SourceDocument, path_key

__all__ = ["describe", "from_validation", "sort_problems", "suggest"]

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "decimal_type": "a number",
    "none_required": "nothing (null)",
}
_MISSING_HINTS = {
    "format_version": "add 'format_version: 1' at the top of the file",
    "calendars": "add at least one calendar, e.g. calendars: {support: {timezone: UTC, "
    "hours: 24x7}}",
    "timezone": "add an IANA zone name, e.g. timezone: America/New_York",
    "hours": "add the opening hours, e.g. hours: {mon-fri: ['09:00-17:00']} or hours: 24x7",
    "calendar": "name the calendar the targets run on, one of the policy's calendars",
}


def describe(value: object) -> str:
    """A short phrase naming a value and its kind: ``the number 5``, ``the text 'x'``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 50 else value[:47] + "..."
        return f"the text {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close, else nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _tag_of(tp: Any) -> str | None:
    if typing.get_origin(tp) is typing.Annotated:
        for meta in typing.get_args(tp)[1:]:
            tag = getattr(meta, "tag", None)
            if isinstance(tag, str):
                return tag
    return None


def _resolve(tp: Any) -> Any:
    if isinstance(tp, typing.ForwardRef):
        tp = tp.__forward_arg__
    if isinstance(tp, str):
        from sla_engine.policy import schema

        tp = getattr(schema, tp)
    return tp


def _step(tp: Any, elem: str | int) -> tuple[Any, bool]:
    """The type one step down ``elem``; the flag says whether ``elem`` was a union tag."""
    tp = _unwrap(_resolve(tp))
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [_resolve(m) for m in typing.get_args(tp)]
        for m in members:
            if _tag_of(m) == elem:
                return m, True
        real = [m for m in members if m is not type(None)]
        if len(real) == 1:
            return _step(real[0], elem)
        return None, False
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            if elem in (name, info.alias):
                return info.annotation, False
        return None, False
    if origin is list and isinstance(elem, int):
        return typing.get_args(tp)[0], False
    if origin is dict:
        return typing.get_args(tp)[1], False
    return None, False


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model whose keys ``loc`` (a pydantic location, tags included) points into."""
    tp: Any = PolicySpec
    for elem in loc:
        tp, _ = _step(tp, elem)
        if tp is None:
            return None
    tp = _unwrap(_resolve(tp))
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        real = [_unwrap(_resolve(m)) for m in typing.get_args(tp) if m is not type(None)]
        models = [m for m in real if isinstance(m, type) and issubclass(m, BaseModel)]
        tp = models[0] if len(models) == 1 else None
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _policy_path(
    loc: tuple[str | int, ...], data: Any, index: dict[int, dict[str, Any]] | None = None
) -> tuple[Path, Any, bool]:
    """The policy path for a pydantic location, the raw value there, and whether it exists."""
    if index is None:
        index = {}
    path: list[str | int] = []
    value = data
    exists = True
    for elem in loc:
        if elem == "[key]":
            continue
        if isinstance(elem, str) and elem in TAGS:
            continue
        if isinstance(value, dict):
            match = _key_in(value, elem, index)
            if match is _NOTHING:
                path.append(elem if isinstance(elem, str) else path_key(elem))
                exists, value = False, None
                continue
            path.append(path_key(match))
            value = value[match]
        elif isinstance(value, list) and isinstance(elem, int) and 0 <= elem < len(value):
            path.append(elem)
            value = value[elem]
        else:
            path.append(elem)
            exists, value = False, None
    return tuple(path), value, exists


_NOTHING: Any = object()


def _key_in(mapping: dict[Any, Any], elem: str | int, index: dict[int, dict[str, Any]]) -> Any:
    """The key of ``mapping`` that ``elem`` names (itself, or how it is written). A direct
    look-up first, then an index of the mapping's keys built once per mapping, so that
    locating every problem of a large mapping stays linear."""
    if elem in mapping:
        return elem
    keys = index.get(id(mapping))
    if keys is None:
        keys = {}
        for k in mapping:
            keys.setdefault(path_key(k), k)
        index[id(mapping)] = keys
    return keys.get(elem if isinstance(elem, str) else path_key(elem), _NOTHING)


def _message(err: ErrorDetails, path: Path, value: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    if kind == "missing":
        key = str(path[-1]) if path else "?"
        hint = _MISSING_HINTS.get(key)
        return f"the required key {key!r} is missing" + (f"; {hint}" if hint else "")
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        model = _model_at(tuple(err["loc"][:-1]))
        if model is None:
            return f"unknown key {key!r}"
        allowed = _keys_of(model)
        return f"unknown key {key!r}{suggest(key, allowed)}; expected one of " + ", ".join(allowed)
    if kind == "value_error":
        error = ctx.get("error")
        return str(error) if error is not None else err["msg"]
    if kind == "literal_error":
        if path == ("format_version",):
            return (
                f"format_version must be 1, got {describe(given)}: this version of sla_engine "
                "reads policy format 1"
            )
        return f"{describe(given)} is not allowed; expected {ctx.get('expected', '?')}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {describe(given)}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = str(ctx.get("tag", ""))
        if tag.startswith("rule-"):
            from sla_engine.policy.schema import CREDIT_RULE_KINDS

            kinds = ", ".join(CREDIT_RULE_KINDS)
            if isinstance(given, dict) and "kind" in given:
                return f"{describe(given['kind'])} is not a kind of credit rule; expected {kinds}"
            return f"a credit rule needs 'kind', one of {kinds}"
        return f"{describe(given)} is not allowed here"
    return f"{err['msg']}, got {describe(given)}"


def from_validation(exc: ValidationError, doc: SourceDocument) -> list[PolicyProblem]:
    """Every problem pydantic found, located in the document."""
    out: list[PolicyProblem] = []
    seen: set[tuple[str, str]] = set()
    index: dict[int, dict[str, Any]] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path, value, _ = _policy_path(loc, doc.data, index)
        message = _message(err, path, value)
        if err["type"] == "missing":
            problem = doc.problem(path[:-1], message, at="key")
            problem = PolicyProblem(
                path=_fmt(path),
                message=message,
                source=problem.source,
                line=problem.line,
                column=problem.column,
            )
        elif err["type"] == "extra_forbidden":
            problem = doc.problem(path, message, at="key")
        else:
            problem = doc.problem(path, message)
        key = (problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def _fmt(path: Path) -> str:
    from sla_engine.policy.source import format_path

    return format_path(path)


def sort_problems(problems: Iterable[PolicyProblem]) -> list[PolicyProblem]:
    """By position, then path; problems without a position last."""
    return sorted(
        problems,
        key=lambda p: (
            p.source or "",
            p.line is None,
            p.line or 0,
            p.column or 0,
            p.path,
            p.message,
        ),
    )
