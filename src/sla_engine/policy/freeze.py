"""Freeze a policy's public holidays into the policy itself.

Live holidays come from the ``holidays`` package, whose releases correct and add dates: an
upgrade can move a contractual deadline. ``freeze_holidays`` writes the holidays of chosen years
into each calendar's ``holidays`` entry as named dates (``frozen: 2026-2030`` and ``dates:``), so
the days are part of the contract, are reviewed in ``sla-engine diff``, and no longer depend on
the package: loading and evaluating a frozen policy reads no country data, and a question past
the frozen years is an error naming them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sla_engine.closures import FROZEN_YEARS, HolidaySource
from sla_engine.errors import CalendarError, PolicyError, PolicyProblem
from sla_engine.policy.load import read_document, validate_policy
from sla_engine.policy.source import Format

__all__ = ["freeze_holidays", "freeze_policy_text"]

OutputFormat = Literal["yaml", "json"]


def freeze_holidays(data: Mapping[str, Any], first_year: int, last_year: int) -> dict[str, Any]:
    """The policy mapping ``data`` with every live holiday source of every calendar frozen for
    ``first_year``..``last_year`` (already frozen sources are frozen again for those years).

    Only ``calendars.*.holidays`` changes; everything else is returned as given.
    """
    years_ok = all(type(y) is int and abs(y) < 10**6 for y in (first_year, last_year))
    if not years_ok or not FROZEN_YEARS[0] <= first_year <= last_year <= FROZEN_YEARS[1]:
        shown_years = f"{first_year}-{last_year}" if years_ok else "given"
        raise CalendarError(
            f"years {shown_years} are not a range within "
            f"{FROZEN_YEARS[0]}-{FROZEN_YEARS[1]}; expected e.g. 2026-2030",
            path=("years",),
        )
    out = dict(data)
    calendars = data.get("calendars")
    if not isinstance(calendars, Mapping):
        return out
    frozen_calendars: dict[str, Any] = {}
    for name, entry in calendars.items():
        if isinstance(entry, Mapping) and entry.get("holidays") is not None:
            entry = dict(entry)
            try:
                entry["holidays"] = _freeze_entry(entry["holidays"], first_year, last_year)
            except CalendarError as exc:
                raise CalendarError(exc.message, path=("calendars", name, *exc.path)) from None
        frozen_calendars[name] = entry
    out["calendars"] = frozen_calendars
    return out


def _freeze_entry(value: Any, first_year: int, last_year: int, *, nested: bool = False) -> Any:
    if isinstance(value, list) and not nested:
        return [_freeze_entry(item, first_year, last_year, nested=True) for item in value]
    if not isinstance(value, (str, Mapping)):
        raise CalendarError(
            "holidays: expected a country code such as 'US-NY', a mapping such as "
            f"{{'country': 'US'}}, or a list of them, got {type(value).__name__}",
            path=("holidays",),
        )
    if isinstance(value, str):
        country, _, subdivision = value.strip().partition("-")
        source = HolidaySource(country=country, subdivision=subdivision or None)
    else:
        source = HolidaySource.from_mapping(value)
    return source.freeze(first_year, last_year).to_mapping()


def freeze_policy_text(
    path: str | os.PathLike[str],
    first_year: int,
    last_year: int,
    *,
    to: OutputFormat | None = None,
) -> str:
    """The policy file at ``path`` with its holidays frozen, as YAML or JSON text.

    The policy must be valid first. The result is written in ``to`` (default: the file's own
    syntax; a TOML policy needs ``to``), and is checked to load again. Comments of a YAML
    file are not kept: review the change with ``sla-engine diff``.
    """
    validation = validate_policy(path)
    if validation.policy is None:
        raise PolicyError(validation.problems, source=validation.source)
    doc = read_document(path)
    fmt: Format = doc.format or "yaml"
    target: OutputFormat
    if to is not None:
        target = to
    elif fmt in ("yaml", "json"):
        target = fmt
    else:
        raise PolicyError(
            [
                PolicyProblem(
                    path="",
                    message="a frozen policy is written as YAML or JSON; choose one with "
                    "--to yaml or --to json",
                    source=os.fspath(path),
                )
            ],
            source=os.fspath(path),
        )
    frozen = freeze_holidays(doc.data, first_year, last_year)
    text = _dump_yaml(frozen) if target == "yaml" else _dump_json(frozen)
    check = validate_policy(text=text, format=target, source_name=os.fspath(path))
    if check.policy is None:  # pragma: no cover - a freeze keeps a valid policy valid
        raise PolicyError(check.problems, source=check.source)
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {(k.isoformat() if isinstance(k, date) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _dump_yaml(data: Mapping[str, Any]) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))

    Dumper.add_representer(Decimal, decimal)
    return yaml.dump(_plain(data), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def _dump_json(data: Mapping[str, Any]) -> str:
    """JSON with decimals written as they were (never through float)."""

    def encode(value: Any, indent: str) -> str:
        inner = indent + "  "
        if isinstance(value, Mapping):
            if not value:
                return "{}"
            items = [
                f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {encode(v, inner)}"
                for k, v in value.items()
            ]
            return "{\n" + ",\n".join(items) + f"\n{indent}}}"
        if isinstance(value, list):
            if not value:
                return "[]"
            return "[\n" + ",\n".join(inner + encode(v, inner) for v in value) + f"\n{indent}]"
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return json.dumps(value.isoformat())
        return json.dumps(value, ensure_ascii=False)

    return encode(_plain(data), "") + "\n"
