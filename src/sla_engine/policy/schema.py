"""The policy format, version 1, as pydantic models: strict, no unknown keys, frozen.

These models check the shape of a policy at the edge; the core's own objects are compiled from
them (``BusinessCalendar``; the clocks' ``SLA`` from states, metrics, rules, tier targets,
warnings and escalation; the credits' ``CreditSchedule``), through the core's own
``from_mapping`` readers, so the file's words are the core's words. Durations, dates, money and
percentages are read from text (or TOML's native dates) into exact values and written back in
their canonical text form, so ``to_mapping`` round-trips.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import MAX_PREC, Context, Decimal
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
    field_validator,
    model_validator,
)

from sla_engine._time import BusinessDays, format_duration, parse_duration

__all__ = [
    "CREDIT_RULE_KINDS",
    "FORMAT_VERSION",
    "METRIC_KINDS",
    "NONE_TARGET",
    "BandSpec",
    "BillingSpec",
    "CalendarSpec",
    "CapSpec",
    "ChannelSpec",
    "ClaimSpec",
    "ClosedSpec",
    "ComposedCalendarSpec",
    "CreditPlanSpec",
    "CreditsSpec",
    "EscalationLevelSpec",
    "EscalationSpec",
    "HolidaySpec",
    "IssueClassSpec",
    "LifecycleSpec",
    "MetricSpec",
    "PolicySpec",
    "PriceSpec",
    "RuleSpec",
    "SeveritySpec",
    "StateSpec",
    "StrategiesSpec",
    "TierSpec",
    "WarningSpec",
    "WhenSpec",
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


def _horizon_date(value: object) -> date:
    day = _date(value)
    if not 1900 <= day.year <= 2199:
        raise ValueError(
            f"{day.isoformat()} is outside the dates sla_engine takes, 1900-01-01 to 2199-12-31"
        )
    return day


HorizonDate = Annotated[
    date,
    PlainValidator(_horizon_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""A date inside the horizon of instants (effective dates, billing anchors)."""


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


def _share(value: object) -> Decimal:
    if isinstance(value, str):
        m = _PERCENT.fullmatch(value)
        if m:
            result = Context(prec=MAX_PREC).divide(Decimal(m.group(1)), 100)  # exact
        elif _DECIMAL.fullmatch(value.strip()):
            result = Decimal(value.strip())
        else:
            raise ValueError(f"{_show(value)} is not a share; write 5 % as 0.05 or '5%'")
    elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        result = Decimal(value)
    else:
        raise ValueError(f"{_show(value)} is not a share; write 5 % as 0.05 or '5%'")
    if not result.is_finite() or not 0 <= result <= 1:
        raise ValueError(
            f"{_show(value)} is not a share between 0 and 1; write 5 % as 0.05 or '5%'"
        )
    return result


Share = Annotated[
    Decimal,
    PlainValidator(_share),
    PlainSerializer(lambda d: f"{Context(prec=MAX_PREC).multiply(d, 100):f}%", return_type=str),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?%$"},
                {"type": "number", "minimum": 0, "maximum": 1},
            ]
        }
    ),
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
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


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
    frozen: Annotated[
        str | None,
        Field(
            description="the years whose holidays are written out under 'dates', e.g. "
            "'2026-2030' (sla-engine holidays freeze); no holiday data is read for them",
            pattern=r"^\d{4}(-\d{4})?$",
        ),
    ] = None
    dates: Annotated[
        dict[Date, Text] | None,
        Field(description="the frozen holidays: each date with its name"),
    ] = None

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


_STATE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(?: [A-Za-z0-9_\-]+)*")


def _state_name(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a state name, got {_show(value)}")
    if not _STATE_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a state name: use words of letters, digits, '_' and '-' "
            "separated by single spaces, starting with a letter (e.g. 'Waiting on Customer')"
        )
    return value


StateName = Annotated[
    str,
    PlainValidator(_state_name),
    WithJsonSchema({"type": "string", "pattern": _STATE_NAME.pattern}),
]


class StateSpec(_Model):
    """A lifecycle state: its name, the metrics it pauses, and whether it ends the ticket."""

    name: StateName
    label: Text | None = None
    description: Text | None = None
    pauses: Annotated[
        list[Ident] | None, Field(description="metrics whose clocks stop while in this state")
    ] = None
    terminal: Annotated[
        bool, Field(description="the ticket's work is done (resolved, verified, closed)")
    ] = False


class LifecycleSpec(_Model):
    """Which states the lifecycle events enter; each defaults as ``states`` documents."""

    initial: StateName | None = None
    resolved: StateName | None = None
    verified: StateName | None = None
    closed: StateName | None = None
    reopen: StateName | None = None


class ChannelSpec(_Model):
    """A support channel (phone, chat, e-mail...)."""

    label: Text | None = None
    description: Text | None = None
    calendar: Ident | None = None


class IssueClassSpec(_Model):
    """A class of issue (Tier 1: password, onboarding...), that targets may depend on."""

    label: Text | None = None
    description: Text | None = None


PRICE_UNITS: Final = ("month", "year", "user-month", "user-year", "incident", "once")


class PriceSpec(_Model):
    """What a tier costs: an exact amount in the policy's currency (or its own)."""

    amount: Money
    currency: CurrencyCode | None = None
    per: Literal["month", "year", "user-month", "user-year", "incident", "once"] = "month"
    note: Text | None = None


NONE_TARGET: Final = "none"
"""A target written ``none``: the metric does not apply to the tickets it matches."""

TargetValue = timedelta | BusinessDays | str


def _target(value: object) -> TargetValue:
    if value == NONE_TARGET:
        return NONE_TARGET
    parsed = _duration(value)
    if parsed == timedelta(0) or parsed == BusinessDays(days=0):
        raise ValueError(
            f"{_show(value)} is not a target: a target is longer than zero; write e.g. '30s', "
            "'2h' or '1bd', or 'none' when the metric does not apply"
        )
    return parsed


def _format_target(value: TargetValue) -> str:
    return value if isinstance(value, str) else _format_duration(value)


Target = Annotated[
    TargetValue,
    PlainValidator(_target),
    PlainSerializer(_format_target, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "a duration (30s, 2h, 1h30m, 1bd, PT2H), or 'none' when the metric "
            "does not apply",
            "examples": ["2h", "1bd", "none"],
        }
    ),
]

TierTarget = Annotated[
    Annotated[Target, Tag("target-all")] | Annotated[dict[Ident, Target], Tag("target-by")],
    Discriminator(_pick("target-by", "target-all")),
]


class TierSpec(_Model):
    """A support tier: its price, its calendar and its targets.

    ``warnings`` are this tier's own (besides the policy's); ``escalation`` is the chain a
    breach of this tier's tickets escalates through, instead of the policy's.

    With ``customer_zone: true`` the tier's calendar (for its calendar rule and its targets)
    is read in the ticket's own time zone, the ``timezone`` a ticket carries; a ticket without
    one keeps the calendar's zone.

    ``targets`` maps a metric to one duration for the whole tier, or to durations by severity,
    channel or issue class name (``{sev1: 2h, phone: 30s, tier1: 24h}``), tried in the order
    written.
    """

    label: Text | None = None
    description: Text | None = None
    price: PriceSpec | None = None
    calendar: Ident
    channels: list[Ident] | None = None
    features: list[Text] | None = None
    targets: dict[Ident, TierTarget] | None = None
    customer_zone: Annotated[
        bool | None,
        Field(
            description="read the tier's calendar in the ticket's own time zone (its "
            "'timezone'), when it has one"
        ),
    ] = None
    warnings: Annotated[
        list[WarningSpec] | None,
        Field(description="warnings for this tier's tickets only, besides the policy's"),
    ] = None
    escalation: Annotated[
        EscalationSpec | None,
        Field(description="this tier's own escalation chain, instead of the policy's"),
    ] = None


def _trigger(value: object) -> str:
    from sla_engine.clocks.metrics import Trigger
    from sla_engine.errors import TicketError

    try:
        return str(Trigger.parse(value))
    except TicketError as exc:
        raise ValueError(exc.message) from None


TriggerText = Annotated[
    str,
    PlainValidator(_trigger),
    WithJsonSchema(
        {
            "type": "string",
            "examples": ["created", "agent_reply", "enter:In Progress", "custom:major_incident"],
        }
    ),
]

MetricKindName = Literal[
    "first_response",
    "next_response",
    "periodic_update",
    "workaround",
    "resolution",
    "root_cause_plan",
    "time_in_state",
    "custom",
]
METRIC_KINDS: Final[tuple[str, ...]] = typing.get_args(MetricKindName)


class MetricSpec(_Model):
    """One clock (sla_engine.clocks.Metric): what starts, stops and pauses it.

    ``kind`` defaults to the metric's name when that names a built-in kind, else ``custom``; a
    built-in kind supplies its triggers and the keys given replace them. ``default`` is the
    target for tickets no rule or tier target matches (``none``: the metric does not apply to
    them), counted on ``calendar``. ``severity_change`` and ``reopen`` override the policy's
    strategies for this metric. ``compliance`` is the share of cycles that must meet their
    target (e.g. ``95%``), which reports hold the metric's attainment against.
    """

    kind: MetricKindName | None = None
    label: Text | None = None
    description: Text | None = None
    start: list[TriggerText] | None = None
    stop: list[TriggerText] | None = None
    pause: list[TriggerText] | None = None
    resume: list[TriggerText] | None = None
    reset: list[TriggerText] | None = None
    cancel: list[TriggerText] | None = None
    once: bool | None = None
    repeat: bool | None = None
    stop_on_terminal: bool | None = None
    state: StateName | None = None
    default: Target | None = None
    calendar: Ident | None = None
    severity_change: Annotated[
        Literal["recompute", "restart", "carry"] | None,
        Field(description="this metric's own severity_change strategy (the policy's)"),
    ] = None
    reopen: Annotated[
        Literal["resume", "new_cycle"] | None,
        Field(description="this metric's own reopen strategy (the policy's)"),
    ] = None
    compliance: Percent | None = None

    @field_validator("compliance")
    @classmethod
    def _compliance_is_a_share(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and not 0 < value <= 100:
            raise ValueError(
                f"'{value}%' is not a share of cycles; write a percentage above 0% and at most "
                "100%, e.g. '95%'"
            )
        return value

    def kind_for(self, name: str) -> str:
        """The metric's kind, given its name."""
        if self.kind is not None:
            return self.kind
        return name if name in METRIC_KINDS else "custom"


def _names_or_one(value: object) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError(f"expected a name or a non-empty list of names, got {_show(value)}")
    return [_ident(item) for item in items]


NameSet = Annotated[
    list[str],
    PlainValidator(_names_or_one),
    PlainSerializer(lambda v: v[0] if len(v) == 1 else list(v)),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "pattern": _IDENT.pattern},
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": _IDENT.pattern},
                    "minItems": 1,
                },
            ]
        }
    ),
]


class WhenSpec(_Model):
    """Conditions on a ticket's attributes; each names one value or a list of accepted ones.

    Beside tier, severity, channel and issue class, a rule may name any attribute the policy
    declares in ``attributes`` (``region: emea``); lint reports an undeclared one.
    """

    model_config = ConfigDict(strict=True, extra="allow", frozen=True, defer_build=True)
    __pydantic_extra__: dict[str, NameSet]

    tier: NameSet | None = None
    severity: NameSet | None = None
    channel: NameSet | None = None
    issue_class: NameSet | None = None

    def others(self) -> dict[str, list[str]]:
        """The conditions on attributes beyond the named four, by name."""
        return dict(self.__pydantic_extra__ or {})


class RuleSpec(_Model):
    """A target rule (sla_engine.clocks.TargetRule): ``when`` a ticket matches, ``target``."""

    name: Text | None = None
    when: WhenSpec | None = None
    target: Target
    calendar: Ident | None = None
    customer_zone: Annotated[
        bool | None,
        Field(description="read the rule's calendar in the ticket's own time zone"),
    ] = None


ClockName = Literal["business", "wall"]


class WarningSpec(_Model):
    """Warn before a breach: at a share of the target, or a lead time before it."""

    name: Text | None = None
    at: Percent | None = None
    before: Duration | None = None
    clock: Annotated[
        ClockName | None, Field(description="the clock 'before' is measured on (business)")
    ] = None
    metrics: list[Ident] | None = None
    notify_calendar: Ident | None = None
    notify: list[Text] | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> WarningSpec:
        if (self.at is None) == (self.before is None):
            raise ValueError(
                "a warning needs exactly one of 'at' (e.g. '75%') or 'before' (e.g. '30m')"
            )
        if self.clock is not None and self.before is None:
            raise ValueError("'clock' goes with 'before' only")
        return self


class EscalationLevelSpec(_Model):
    """A level of the escalation chain, reached ``after`` the one before it (the first: the
    breach). ``after`` defaults to the previous level's ``responds_within``, else 0s."""

    name: Text
    after: Duration | None = None
    responds_within: Duration | None = None
    contact: Text | None = None


class EscalationSpec(_Model):
    """The escalation chain (sla_engine.clocks.EscalationChain) after a breach."""

    levels: Annotated[list[EscalationLevelSpec], Field(min_length=1)]
    clock: Annotated[ClockName | None, Field(description="the clock delays run on (wall)")] = None
    metrics: list[Ident] | None = None
    notify_calendar: Ident | None = None


class StrategiesSpec(_Model):
    """The named choices where SLA engines differ (sla_engine.clocks.Strategies)."""

    severity_change: Literal["recompute", "restart", "carry"] | None = None
    reopen: Literal["resume", "new_cycle"] | None = None
    first_response_pauses: bool | None = None
    retroactive_start: bool | None = None


# ---------------------------------------------------------------------------------- credits


class BandSpec(_Model):
    """A credit band: ``credit`` of the fee when the measure is in ``range``, e.g. '[1h, 4h)'."""

    bounds: Annotated[Text, Field(alias="range", description="'[1h, 4h)', '[99%, 99.9%)'")]
    credit: Percent


Bands = Annotated[list[BandSpec], Field(min_length=1)]


Gaps = Annotated[
    Literal["allowed", "refused"] | None,
    Field(description="'allowed': bands may leave a gap in which no credit is owed"),
]


class DowntimeBandsSpec(_Model):
    """A percentage of the period fee by band of downtime."""

    kind: Literal["downtime_bands"]
    bands: Bands
    gaps: Gaps = None


class UptimeBandsSpec(_Model):
    """A percentage of the period fee by band of uptime share."""

    kind: Literal["uptime_bands"]
    bands: Bands
    gaps: Gaps = None


class FlatStepSpec(_Model):
    """One percentage once downtime reaches a threshold."""

    kind: Literal["flat_step"]
    threshold: Duration
    inclusive: bool
    credit: Percent


class LostTimeSpec(_Model):
    """Downtime paid back at the prorated fee or an hourly rate, times a multiple."""

    kind: Literal["lost_time"]
    rate: Literal["prorated", "hourly"]
    multiple: Money | None = None
    proration: Annotated[
        Literal["period", "calendar_month"] | None,
        Field(description="calendar_month: each minute at its own month's fee"),
    ] = None


class HourlyStepSpec(_Model):
    """A percentage per complete step of downtime beyond an allowance, up to a maximum."""

    kind: Literal["hourly_step"]
    allowance: Annotated[
        Duration | Percent,
        Field(description="a duration ('4h') or a share of the period ('0.5%')"),
    ]
    credit_per_step: Percent
    step: Duration | None = None
    max_credit: Percent | None = None


CREDIT_RULE_KINDS: Final = (
    "downtime_bands",
    "uptime_bands",
    "flat_step",
    "lost_time",
    "hourly_step",
)


def _rule_kind(value: object) -> str:
    if isinstance(value, BaseModel):
        return f"rule-{getattr(value, 'kind', '')}"
    if isinstance(value, dict):
        return f"rule-{value.get('kind')}"
    return "rule-none"


CreditRuleSpec = Annotated[
    Annotated[DowntimeBandsSpec, Tag("rule-downtime_bands")]
    | Annotated[UptimeBandsSpec, Tag("rule-uptime_bands")]
    | Annotated[FlatStepSpec, Tag("rule-flat_step")]
    | Annotated[LostTimeSpec, Tag("rule-lost_time")]
    | Annotated[HourlyStepSpec, Tag("rule-hourly_step")],
    Discriminator(_rule_kind),
]


class CapSpec(_Model):
    """An upper limit on a credit: a percentage, an amount, or days of service."""

    percent: Percent | None = None
    amount: Money | None = None
    days_of_service: Money | None = None
    of: Annotated[
        Ident | None,
        Field(description="what a percentage is of: period_fee, or charges passed in by name"),
    ] = None

    @model_validator(mode="after")
    def _one_limit(self) -> CapSpec:
        given = [
            k for k in ("percent", "amount", "days_of_service") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "a cap needs exactly one of percent, amount or days_of_service, e.g. "
                "{amount: '500.00'} (or write a percentage alone: '50%')"
            )
        return self


CapEntry = Annotated[
    Annotated[Percent, Tag("cap-percent")] | Annotated[CapSpec, Tag("cap-mapping")],
    Discriminator(_pick("cap-mapping", "cap-percent")),
]


class MinimumPayoutSpec(_Model):
    """A credit is paid only above (or at) this amount."""

    amount: Money
    comparison: Literal[">", ">="] = ">"


class ClaimSpec(_Model):
    """The claim must be filed within ``days`` (or billing ``cycles``, calendar ``months``,
    ``business_days`` on a ``calendar``) after ``anchor``."""

    days: int | None = None
    cycles: int | None = None
    months: int | None = None
    business_days: int | None = None
    calendar: Annotated[
        Ident | None, Field(description="the policy calendar business_days are counted on")
    ] = None
    anchor: Literal["incident_start", "incident_end", "period_end"]

    @model_validator(mode="after")
    def _one_length(self) -> ClaimSpec:
        given = [self.days, self.cycles, self.months, self.business_days]
        if sum(v is not None for v in given) != 1:
            if self.months is None and self.business_days is None:
                raise ValueError("a claim window needs exactly one of 'days' (e.g. 30) or 'cycles'")
            raise ValueError(
                "a claim window needs exactly one of 'days', 'cycles', 'months' or 'business_days'"
            )
        if (self.business_days is None) != (self.calendar is None):
            raise ValueError(
                "'business_days' needs the 'calendar' they are counted on, and 'calendar' is "
                "only for 'business_days'"
            )
        return self


class BillingSpec(_Model):
    """The billing cycle credits are computed over (sla_engine.credits.BillingCycle)."""

    every: Literal["month", "quarter", "half_year", "year"] | None = None
    months: int | None = None
    anchor: HorizonDate | None = None
    timezone: Text | None = None


def _choice_of(options: tuple[str, ...], what: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError(f"{_show(value)} is not {what}; expected one of {', '.join(options)}")
        return value

    return check


_CAUSE_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")


def _exclusion(value: object) -> str:
    from sla_engine.credits.incident import EXCLUSION_REASONS

    if isinstance(value, str) and _CAUSE_NAME.fullmatch(value):
        return value  # built in, or declared under causes (checked with the schedule)
    return _choice_of(EXCLUSION_REASONS, "an exclusion")(value)


def _rounding(value: object) -> str:
    from sla_engine.credits.money import ROUNDING_MODES

    return _choice_of(ROUNDING_MODES, "a rounding mode")(value)


Exclusion = Annotated[
    str,
    PlainValidator(_exclusion),
    WithJsonSchema(
        {
            "type": "string",
            "examples": ["scheduled_maintenance", "third_party", "customer_misconfiguration"],
        }
    ),
]
Rounding = Annotated[
    str,
    PlainValidator(_rounding),
    WithJsonSchema({"type": "string", "examples": ["half_even", "half_up"]}),
]


class CreditPlanSpec(_Model):
    """What differs for the customers of one plan or edition; the rest is the credits'."""

    basis: Literal["incident", "period"] | None = None
    rule: CreditRuleSpec | None = None
    exclusions: list[Exclusion] | None = None
    services: list[Text] | None = None
    min_error_rate: Share | None = None
    min_affected_share: Share | None = None
    strict: Annotated[
        list[Literal["minimum_downtime", "min_error_rate", "min_affected_share"]] | None,
        Field(description="thresholds whose bound is excluded ('greater than 5 %')"),
    ] = None
    weight: Annotated[
        Literal["error_rate", "affected_share"] | None,
        Field(description="count each instant of downtime at this share of itself"),
    ] = None
    commitment: Annotated[
        Percent | None,
        Field(description="the uptime promised; credit is owed only when uptime is below it"),
    ] = None
    count_from: Literal["start", "reported_at"] | None = None
    minutes: Annotated[
        Literal["touched", "full"] | None,
        Field(description="count every clock minute touched, or only the fully unavailable"),
    ] = None
    causes: Annotated[
        list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] | None,
        Field(description="incident causes declared beyond the built-in ones"),
    ] = None
    minimum_downtime: Duration | None = None
    whole: Duration | None = None
    maintenance_notice: Annotated[
        Duration | Literal["none"] | None,
        Field(description="how long ahead maintenance must be announced; 'none': no notice"),
    ] = None
    planned_downtime: Literal["excluded", "out_of_period"] | None = None
    cap_per_incident: CapEntry | None = None
    cap_per_period: CapEntry | None = None
    cap_per_12_months: Annotated[
        CapEntry | None,
        Field(description="the most the credits of any 12 months add up to"),
    ] = None
    minimum_payout: MinimumPayoutSpec | None = None
    claim: ClaimSpec | None = None
    rounding: Rounding | None = None
    fee_basis: Annotated[
        Literal["month", "period", "hour"] | None,
        Field(
            description="what the fee passed with each call is: a monthly fee, the period's "
            "charges or an hourly rate; a call with another fee is refused"
        ),
    ] = None


class CreditsSpec(CreditPlanSpec):
    """Service credits (sla_engine.credits.CreditSchedule) and the billing cycle they use."""

    basis: Annotated[
        Literal["incident", "period"],
        Field(description="credit each incident alone, or the period's total downtime once"),
    ]
    rule: CreditRuleSpec
    plans: Annotated[
        dict[Ident, CreditPlanSpec] | None,
        Field(description="schedules by customer plan: what differs from the credits above"),
    ] = None
    billing: BillingSpec | None = None


SeverityEntry = Annotated[
    Annotated[Ident, Tag("severity-name")] | Annotated[SeveritySpec, Tag("severity-mapping")],
    Discriminator(_pick("severity-mapping", "severity-name")),
]
StateEntry = Annotated[
    Annotated[StateName, Tag("state-name")] | Annotated[StateSpec, Tag("state-mapping")],
    Discriminator(_pick("state-mapping", "state-name")),
]


_NEEDS_CALENDAR: Final = (
    "default_calendar",
    "channels",
    "issue_classes",
    "tiers",
    "metrics",
    "rules",
    "warnings",
    "escalation",
)


def _calendars_unless_credits_only(schema: dict[str, Any]) -> None:
    """In the JSON Schema: ``calendars`` is required unless the policy has credits and nothing
    that runs on a calendar (the rule ``PolicySpec._credits_only`` applies)."""
    required = schema.get("required", [])
    if "calendars" in required:
        required.remove("calendars")
    schema["anyOf"] = [
        {"required": ["calendars"]},
        {
            "required": ["credits"],
            "not": {"anyOf": [{"required": [key]} for key in _NEEDS_CALENDAR]},
        },
    ]


class PolicySpec(_Model):
    """A whole policy file, format version 1."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        defer_build=True,
        json_schema_extra=_calendars_unless_credits_only,
    )

    format_version: Annotated[
        Literal[1], Field(description="the policy format; this sla_engine reads format 1")
    ]
    name: Ident
    version: VersionText
    description: Text | None = None
    effective_from: Annotated[
        HorizonDate, Field(description="the first day in force, in the default calendar's zone")
    ]
    effective_until: Annotated[HorizonDate | None, Field(description="the last day in force")] = (
        None
    )
    currency: CurrencyCode | None = None
    calendars: dict[Ident, CalendarEntry]
    default_calendar: Annotated[
        Ident | None,
        Field(description="the calendar for targets no tier or rule places (default: the first)"),
    ] = None
    severities: list[SeverityEntry] | None = None
    states: Annotated[
        list[StateEntry] | None,
        Field(description="lifecycle states in order (default: New ... Closed)"),
    ] = None
    lifecycle: LifecycleSpec | None = None
    attributes: Annotated[
        list[Ident] | None,
        Field(
            description="other ticket attributes rules may name in 'when', beside tier, "
            "severity, channel and issue_class (e.g. [region, plan])"
        ),
    ] = None
    channels: dict[Ident, ChannelSpec | None] | None = None
    issue_classes: dict[Ident, IssueClassSpec | None] | None = None
    tiers: dict[Ident, TierSpec] | None = None
    metrics: dict[Ident, MetricSpec | None] | None = None
    rules: Annotated[
        dict[Ident, list[RuleSpec]] | None,
        Field(description="target rules by metric, tried before tier targets"),
    ] = None
    warnings: list[WarningSpec] | None = None
    escalation: EscalationSpec | None = None
    strategies: StrategiesSpec | None = None
    credits: CreditsSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _credits_only(cls, data: Any) -> Any:
        """A policy with credits and nothing that runs on a calendar needs no calendars."""
        if (
            isinstance(data, dict)
            and "calendars" not in data
            and data.get("credits") is not None
            and not any(data.get(k) for k in _NEEDS_CALENDAR)
        ):
            return {**data, "calendars": {}}
        return data

    def severity_names(self) -> list[str]:
        """Severity names, most severe first."""
        return [s if isinstance(s, str) else s.name for s in self.severities or []]

    def state_names(self) -> list[str]:
        """Lifecycle state names, in order."""
        return [s if isinstance(s, str) else s.name for s in self.states or []]

    def default_calendar_name(self) -> str:
        """The calendar for targets no tier, channel or rule places: named, else the first."""
        return self.default_calendar or next(iter(self.calendars), "")


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
        "target-all",
        "target-by",
        "cap-percent",
        "cap-mapping",
        *(f"rule-{kind}" for kind in CREDIT_RULE_KINDS),
    }
)
"""Union tags pydantic puts in error locations; they are not policy keys."""
