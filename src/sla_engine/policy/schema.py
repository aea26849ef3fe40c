"""The policy format, version 1, as pydantic models: strict, no unknown keys, frozen.

These models check the shape of a policy at the edge; the core's own objects
(``BusinessCalendar`` and, in later rounds, the clock and credit rules) are compiled from them.
Durations, dates, money and percentages are read from text (or TOML's native dates) into exact
values and written back in their canonical text form, so ``to_mapping`` round-trips.

Sections that later rounds will finalise (``metrics``, ``rules``, ``escalation``, ``credits``)
are accepted here as plain data and kept as given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)

from sla_engine._time import BusinessDays, format_duration, parse_duration

__all__ = [
    "FORMAT_VERSION",
    "CalendarSpec",
    "ChannelSpec",
    "ClosedSpec",
    "ComposedCalendarSpec",
    "HolidaySpec",
    "PolicySpec",
    "PriceSpec",
    "SeveritySpec",
    "StateSpec",
    "TierSpec",
    "WarningSpec",
]

FORMAT_VERSION: Final = 1
"""The policy format this version of sla_engine reads and writes."""

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/)\s*(\d{4}-\d{2}-\d{2})")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_PERCENT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*")
_ISO_CURRENCY = re.compile(r"[A-Z]{3}")


def _show(value: object) -> str:
    text = repr(value)
    if isinstance(value, Decimal):
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------------- scalar types


def _ident(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a name, got {_show(value)}")
    if not _IDENT.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a name: use letters, digits, '_' and '-', starting with a letter "
            "(e.g. 'premium', 'sev1', 'first_response')"
        )
    return value


Ident = Annotated[
    str,
    PlainValidator(_ident),
    WithJsonSchema({"type": "string", "pattern": _IDENT.pattern}),
]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {_show(value)}; put it in quotes")
    if not value.strip():
        raise ValueError("expected text, got an empty string")
    return value


Text = Annotated[str, PlainValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]


def _version(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(f"expected a version such as '2026.1', got {_show(value)}")
    text = str(value)
    if not text.strip():
        raise ValueError("expected a version such as '2026.1', got an empty string")
    return text


VersionText = Annotated[
    str,
    PlainValidator(_version),
    WithJsonSchema({"type": ["string", "integer", "number"], "examples": ["2026.1"]}),
]


def _date(value: object) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"{_show(value)} is a date and time; write the date only, YYYY-MM-DD")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{_show(value)} is not a date (expected YYYY-MM-DD, e.g. '2026-01-01')")


Date = Annotated[
    date,
    PlainValidator(_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def _date_key(value: object) -> str:
    return _date(value).isoformat()


DateKey = Annotated[
    str, PlainValidator(_date_key), WithJsonSchema({"type": "string", "format": "date"})
]


def _duration(value: object) -> timedelta | BusinessDays:
    if isinstance(value, (timedelta, BusinessDays)):
        return value
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        raise ValueError(
            f"{_show(value)} is a bare number, not a duration; write it with a unit, "
            f"e.g. '{value}h', '{value}m' or '{value}bd'"
        )
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as '2h', got {_show(value)}")
    return parse_duration(value)


def _format_duration(value: timedelta | BusinessDays) -> str:
    return str(value) if isinstance(value, BusinessDays) else format_duration(value)


Duration = Annotated[
    timedelta | BusinessDays,
    PlainValidator(_duration),
    PlainSerializer(_format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "30s, 2h, 1h30m, 1bd (business days) or ISO 8601 PT2H",
            "examples": ["30s", "2h", "1h30m", "1bd", "PT2H"],
        }
    ),
]


def _money(value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ValueError(
            f"{_show(value)} is not an amount; write it as text or a Decimal, e.g. '49.00'"
        )
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = Decimal(value.strip())
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{_show(value)} is not an amount (expected e.g. '49.00' or 2000)")
    if value < 0:
        raise ValueError(f"{value} is negative; a price is 0 or more")
    return value


Money = Annotated[
    Decimal,
    PlainValidator(_money),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": ["string", "number"], "pattern": _DECIMAL.pattern}),
]


def _percent(value: object) -> Decimal:
    if isinstance(value, str):
        m = _PERCENT.fullmatch(value)
        if m:
            return Decimal(m.group(1))
    hint = (
        f"'{value}%'"
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool)
        else "'75%'"
    )
    raise ValueError(f"{_show(value)} is not a percentage; write it with a % sign, e.g. {hint}")


Percent = Annotated[
    Decimal,
    PlainValidator(_percent),
    PlainSerializer(lambda d: f"{d}%", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?%$"}),
]


def _currency(value: object) -> str:
    if not isinstance(value, str) or not _ISO_CURRENCY.fullmatch(value):
        raise ValueError(
            f"{_show(value)} is not a currency; expected an ISO 4217 code such as 'USD', "
            "'EUR' or 'IRR'"
        )
    from iso4217 import Currency

    try:
        Currency(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO 4217 currency code; expected e.g. 'USD', 'EUR' or 'IRR'"
        ) from None
    return value


CurrencyCode = Annotated[
    str, PlainValidator(_currency), WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"})
]


def _closed_day(value: object) -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        m = _RANGE.fullmatch(value.strip())
        if m:
            first, last = _date(m.group(1)), _date(m.group(2))
            if last < first:
                raise ValueError(f"the range {value!r} ends before it starts")
            return value.strip()
        _date(value.strip())
        return value.strip()
    raise ValueError(
        f"{_show(value)} is not a closed date; expected '2026-12-24', a range "
        "'2026-12-24..2026-12-26', or a mapping with date, from/to or rrule"
    )


ClosedDay = Annotated[
    str,
    PlainValidator(_closed_day),
    WithJsonSchema({"type": "string", "examples": ["2026-12-24", "2026-12-24..2026-12-26"]}),
]


# ----------------------------------------------------------------------------------- the models


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _pick(model_tag: str, text_tag: str) -> Callable[[object], str]:
    """Tell a mapping from its text shorthand by the input's type."""

    def pick(value: object) -> str:
        return model_tag if isinstance(value, (dict, BaseModel)) else text_tag

    return pick


class HolidaySpec(_Model):
    """Public holidays through the ``holidays`` package."""

    country: Annotated[str | None, Field(description="ISO 3166 code, e.g. 'US', 'IR'")] = None
    market: Annotated[str | None, Field(description="a financial market, e.g. 'NYSE'")] = None
    subdivision: str | None = None
    categories: list[str] | None = None
    observed: bool = True
    language: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> HolidaySpec:
        if (self.country is None) == (self.market is None):
            raise ValueError("name exactly one of 'country' (e.g. 'US') or 'market' (e.g. 'NYSE')")
        return self


class ClosedSpec(_Model):
    """A named closed date, range, or recurring closure (RFC 5545 RRULE)."""

    on: Annotated[Date | None, Field(alias="date")] = None
    first: Annotated[Date | None, Field(alias="from")] = None
    last: Annotated[Date | None, Field(alias="to")] = None
    rrule: Text | None = None
    start: Date | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ClosedSpec:
        forms = [self.on is not None, self.first is not None or self.last is not None]
        forms.append(self.rrule is not None)
        if sum(forms) != 1:
            raise ValueError(
                "a closed entry needs exactly one of 'date', 'from' and 'to', or 'rrule' "
                "(e.g. {rrule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24', name: Christmas Eve})"
            )
        if (self.first is None) != (self.last is None):
            raise ValueError("a closed range needs both 'from' and 'to'")
        if self.first is not None and self.last is not None and self.last < self.first:
            raise ValueError(f"the range {self.first}..{self.last} ends before it starts")
        if self.start is not None and self.rrule is None:
            raise ValueError("'start' goes with 'rrule' only")
        return self


Windows = list[str]
HoursDays = dict[str, Windows]
HoursEntry = Annotated[
    Annotated[str, Tag("hours-text")] | Annotated[HoursDays, Tag("hours-days")],
    Discriminator(_pick("hours-days", "hours-text")),
]
ClosedEntry = Annotated[
    Annotated[ClosedDay, Tag("closed-day")] | Annotated[ClosedSpec, Tag("closed-entry")],
    Discriminator(_pick("closed-entry", "closed-day")),
]


class CalendarSpec(_Model):
    """Weekly hours in an IANA zone, less holidays and closed dates: the core's calendar."""

    timezone: Annotated[Text, Field(description="an IANA name, e.g. 'America/New_York'")]
    hours: Annotated[
        HoursEntry, Field(description="'24x7', or days to windows: {'mon-fri': ['09:00-17:00']}")
    ]
    holidays: HolidaySpec | list[HolidaySpec] | None = None
    closed: list[ClosedEntry] | None = None
    special: dict[DateKey, Windows] | None = None
    name: Text | None = None


CalendarRef = Annotated[
    Union[  # noqa: UP007
        Annotated[Ident, Tag("calendar-name")],
        Annotated["CalendarEntry", Tag("calendar-inline")],
    ],
    Discriminator(_pick("calendar-inline", "calendar-name")),
]


class ComposedCalendarSpec(_Model):
    """A union, intersection or difference of calendars, named or written inline."""

    union: list[CalendarRef] | None = None
    intersection: list[CalendarRef] | None = None
    difference: list[CalendarRef] | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ComposedCalendarSpec:
        kinds = [k for k in ("union", "intersection", "difference") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(
                "a composed calendar takes exactly one of union, intersection, difference"
            )
        parts = getattr(self, kinds[0])
        if len(parts) < 2 or (kinds[0] == "difference" and len(parts) != 2):
            want = "exactly two" if kinds[0] == "difference" else "two or more"
            raise ValueError(f"{kinds[0]} takes {want} calendars, got {len(parts)}")
        return self

    @property
    def kind(self) -> str:
        """``union``, ``intersection`` or ``difference``."""
        return next(k for k in ("union", "intersection", "difference") if getattr(self, k))

    @property
    def parts(self) -> list[Any]:
        """The calendars combined, in order."""
        return list(getattr(self, self.kind))


def _calendar_kind(value: object) -> str:
    if isinstance(value, ComposedCalendarSpec):
        return "calendar-composed"
    if isinstance(value, dict) and any(k in value for k in ("union", "intersection", "difference")):
        return "calendar-composed"
    return "calendar-hours"


CalendarEntry = Annotated[
    Union[  # noqa: UP007
        Annotated[CalendarSpec, Tag("calendar-hours")],
        Annotated[ComposedCalendarSpec, Tag("calendar-composed")],
    ],
    Discriminator(_calendar_kind),
]
ComposedCalendarSpec.model_rebuild()


class SeveritySpec(_Model):
    """A severity level; the policy lists them most severe first."""

    name: Ident
    label: Text | None = None
    description: Text | None = None


class StateSpec(_Model):
    """A lifecycle state (round one: its name, what it pauses, whether it ends the ticket)."""

    name: Ident
    label: Text | None = None
    pauses: list[Ident] | None = None
    terminal: bool = False


class ChannelSpec(_Model):
    """A support channel (phone, chat, e-mail...)."""

    label: Text | None = None
    description: Text | None = None
    calendar: Ident | None = None


class PriceSpec(_Model):
    """What a tier costs, in the policy's currency."""

    amount: Money
    per: Literal["month", "year", "user-month", "user-year", "incident", "once"] = "month"
    note: Text | None = None


class TierSpec(_Model):
    """A support tier: its price, its calendar and its targets by metric and severity."""

    label: Text | None = None
    description: Text | None = None
    price: PriceSpec | None = None
    calendar: Ident
    channels: list[Ident] | None = None
    features: list[Text] | None = None
    targets: dict[Ident, dict[Ident, Duration]] | None = None


class WarningSpec(_Model):
    """Warn before a breach: at a share of the target, or a lead time before it."""

    at: Percent | None = None
    before: Duration | None = None
    notify: list[Text] | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> WarningSpec:
        if (self.at is None) == (self.before is None):
            raise ValueError(
                "a warning needs exactly one of 'at' (e.g. '75%') or 'before' (e.g. '30m')"
            )
        return self


def _plain(value: object) -> Any:
    """Plain policy data (text, whole numbers, Decimals, booleans, null, lists, mappings)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if not isinstance(key, str):
                    raise ValueError(f"keys must be text, got {_show(key)}")
                stack.append(sub)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float):
            raise ValueError(f"{item!r} is a float; write numbers as text or Decimal")
        elif not (item is None or isinstance(item, (str, int, Decimal, bool))):
            raise ValueError(f"{_show(item)} is not plain data")
    return value


Raw = Annotated[Any, PlainValidator(_plain), WithJsonSchema({"description": "round two"})]

SeverityEntry = Annotated[
    Annotated[Ident, Tag("severity-name")] | Annotated[SeveritySpec, Tag("severity-mapping")],
    Discriminator(_pick("severity-mapping", "severity-name")),
]
StateEntry = Annotated[
    Annotated[Ident, Tag("state-name")] | Annotated[StateSpec, Tag("state-mapping")],
    Discriminator(_pick("state-mapping", "state-name")),
]


class PolicySpec(_Model):
    """A whole policy file, format version 1."""

    format_version: Annotated[
        Literal[1], Field(description="the policy format; this sla_engine reads format 1")
    ]
    name: Ident
    version: VersionText
    description: Text | None = None
    effective_from: Date
    effective_until: Annotated[Date | None, Field(description="the last day in force")] = None
    currency: CurrencyCode | None = None
    calendars: dict[Ident, CalendarEntry]
    severities: list[SeverityEntry] | None = None
    states: list[StateEntry] | None = None
    channels: dict[Ident, ChannelSpec | None] | None = None
    tiers: dict[Ident, TierSpec] | None = None
    warnings: list[WarningSpec] | None = None
    metrics: Raw | None = None
    rules: Raw | None = None
    escalation: Raw | None = None
    credits: Raw | None = None

    def severity_names(self) -> list[str]:
        """Severity names, most severe first."""
        return [s if isinstance(s, str) else s.name for s in self.severities or []]

    def state_names(self) -> list[str]:
        """Lifecycle state names, in order."""
        return [s if isinstance(s, str) else s.name for s in self.states or []]


TAGS: Final = frozenset(
    {
        "hours-text",
        "hours-days",
        "closed-day",
        "closed-entry",
        "calendar-name",
        "calendar-inline",
        "calendar-hours",
        "calendar-composed",
        "severity-name",
        "severity-mapping",
        "state-name",
        "state-mapping",
    }
)
"""Union tags pydantic puts in error locations; they are not policy keys."""
