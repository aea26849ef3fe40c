"""The ``sla-engine`` command: validate, schema, render, diff, evaluate and credit.

- ``validate FILE...``: check policy files (text or ``--format json``);
- ``schema``: the JSON Schema of the policy format;
- ``render POLICY --format markdown|html``: the public support, pricing and SLA table;
- ``diff OLD NEW``: what got stricter or looser between two versions (text or JSON);
- ``evaluate --policy P --tickets FILE.jsonl --as-of T``: ticket clocks, one JSON line per ticket;
  with ``--output-format jsonl|csv|parquet`` one row per ticket × metric × cycle, in batches;
- ``credit --policy P --incidents FILE --period 2026-03 --fee 2000.00``: a credit decision (JSON);
- ``report --policy P --tickets FILE.jsonl --as-of T --format html|markdown|json``: SLA KPIs;
- ``replay OLD NEW --tickets FILE.jsonl --as-of T``: what a policy change would have done.

Exit codes: 0 success (for ``validate``: valid), 1 invalid input (a policy, ticket or incident
with a problem; the message says where), 2 usage (bad arguments, a file that cannot be read),
130 interrupted (Ctrl-C), 141 the output was closed early (``| head``), both without a message.
A user's mistake never shows a traceback: it is one ``error: ...`` line (or block) on stderr.
Each command imports only what it needs, so that ``sla-engine validate`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, Final, TextIO

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_PIPE_CLOSED = 141

_SURROGATE: Final = (
    "a string holds a lone surrogate escape such as \\ud800, which is not a character; "
    "write the character itself, or a valid pair of escapes"
)

MAX_INPUT: Final = 512 * 1024 * 1024
"""The most bytes read from a tickets or incidents file (or standard input)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by raising, so ``main`` can return 2."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        raise _UsageError(message)


class _UsageError(Exception):
    pass


class _Failure(Exception):
    """A user's mistake found by a command: printed as ``error: ...``, exit ``code``."""

    def __init__(self, message: str, code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _problem_json(problem: Any) -> dict[str, Any]:
    return {
        "severity": problem.severity,
        "file": problem.source,
        "line": problem.line,
        "column": problem.column,
        "path": problem.path,
        "message": problem.message,
    }


def _problem_text(problem: Any) -> str:
    if problem.severity == "error":
        return str(problem)
    where = f"{problem.path}: " if problem.path else ""
    return f"{problem.location()}: {problem.severity}: {where}{problem.message}"


def _validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json
    import os

    from sla_engine.data_versions import data_versions
    from sla_engine.policy.lint import lint_policy_set
    from sla_engine.policy.load import _validate as validate

    reports: list[dict[str, Any]] = []
    checked = []
    code = EXIT_OK
    for name in args.files:
        try:
            validation, pair = validate(name, text=None, format=None, name=None)
        except OSError as exc:
            print(f"error: cannot read {name}: {exc.strerror or exc}", file=err)
            reports.append({"file": name, "valid": False, "error": str(exc.strerror or exc)})
            code = max(code, EXIT_USAGE)
            continue
        problems = list(validation.problems)
        errors = [p for p in problems if p.severity == "error"]
        if strict_fail := (args.strict and problems and not errors):
            errors = problems
        valid = validation.policy is not None and not strict_fail
        if valid and pair is not None:
            checked.append((pair, len(reports)))
        reports.append(
            {
                "file": os.fspath(name),
                "valid": valid,
                "name": validation.policy.name if validation.policy else None,
                "version": validation.policy.version if validation.policy else None,
                "problems": problems,
            }
        )
        if not valid:
            code = max(code, EXIT_INVALID)
    for problem in lint_policy_set([pair for pair, _ in checked]):
        for pair, index in checked:
            if pair[1].source == problem.source:
                reports[index]["problems"].append(problem)
                reports[index]["valid"] = False
        code = max(code, EXIT_INVALID)
    if args.format == "json":
        for report in reports:
            if "problems" in report:
                report["problems"] = [_problem_json(p) for p in report["problems"]]
        doc = {
            "valid": code == EXIT_OK,
            "files": reports,
            "data_versions": data_versions().to_mapping(),
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
        return code
    for report in reports:
        if "problems" not in report:
            continue
        problems = report["problems"]
        n_errors = sum(1 for p in problems if p.severity == "error")
        n_warnings = len(problems) - n_errors
        if report["valid"]:
            extra = f", {n_warnings} warning{'s' * (n_warnings != 1)}" if n_warnings else ""
            print(
                f"{report['file']}: valid ({report['name']} {report['version']}{extra})", file=out
            )
        else:
            count = n_errors or len(problems)
            print(f"{count} error{'s' * (count != 1)} in {report['file']}", file=out)
        for problem in problems:
            print(f"  {_problem_text(problem)}", file=out)
    return code


def _schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from sla_engine.policy.schema import FORMAT_VERSION, PolicySpec

    schema = PolicySpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://sla-engine.invalid/policy-format-{FORMAT_VERSION}.schema.json"
    print(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False), file=out)
    return EXIT_OK


# --------------------------------------------------------------------------- shared input


def _show_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _DuplicateKey(ValueError):
    """A JSON object names one key twice: which value was meant is unknown."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key {key!r} appears twice in one object; keep one")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``'s ``object_pairs_hook``: a dict, refusing a key given twice (which
    Python's json would resolve silently to the last value)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _load_json(text: str, name: str, line: int | None = None) -> Any:
    """JSON text as data, or a ``_Failure`` located in file ``name`` (and at ``line`` of a
    JSON Lines file): bad syntax, a key given twice, deep nesting, a number too long to read,
    a lone surrogate."""
    import json

    where = name if line is None else f"{name}:{line}"
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        if line is None:
            raise _Failure(f"{name}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
        raise _Failure(f"{where}: not JSON: {exc.msg} (column {exc.colno})") from None
    except _DuplicateKey as exc:
        raise _Failure(f"{where}: {exc}") from None
    except RecursionError:
        raise _Failure(f"{where}: not JSON: nested too deeply") from None
    except ValueError:  # an integer too long to read
        raise _Failure(f"{where}: a number is too long to read") from None
    if _lone_surrogate(text, data):
        raise _Failure(f"{where}: {_SURROGATE}")
    return data


def _lone_surrogate(text: str, data: Any) -> bool:
    """True when JSON ``data`` (read from ``text``) holds a lone surrogate (``"\\ud800"``):
    not a character, so no output could show it."""
    if "\\u" not in text:
        return False
    import json

    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _read_text(name: str, what: str) -> str:
    """The UTF-8 text of a file (``-`` is standard input), at most ``MAX_INPUT`` bytes: the
    bound holds while reading, so a device such as /dev/zero is refused in bounded memory."""
    limit = MAX_INPUT
    data: str | bytes
    if name == "-":
        stream: Any = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read(limit + 1)
    else:
        try:
            with open(name, "rb") as file:
                data = file.read(limit + 1)
        except OSError as exc:
            raise _Failure(
                f"cannot read {what} {name}: {exc.strerror or exc}", EXIT_USAGE
            ) from None
    if len(data) > limit:
        raise _Failure(
            f"{name}: the {what} is longer than {limit:,} bytes, the most read; split it"
        )
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Failure(f"{name}:{line}: the {what} is not UTF-8 text; save it as UTF-8") from None


def _load(path: str, err: TextIO) -> Any:
    """A checked policy; its warnings go to ``err`` as ``warning: ...`` lines."""
    import warnings

    from sla_engine.errors import SLAEngineWarning
    from sla_engine.policy import load_policy

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SLAEngineWarning)
            policy = load_policy(path)
    except FileNotFoundError:
        raise _Failure(
            f"cannot read policy {path}: No such file or directory", EXIT_USAGE
        ) from None
    except IsADirectoryError:
        raise _Failure(f"cannot read policy {path}: Is a directory", EXIT_USAGE) from None
    except OSError as exc:
        raise _Failure(f"cannot read policy {path}: {exc.strerror or exc}", EXIT_USAGE) from None
    for warning in caught:
        if issubclass(warning.category, SLAEngineWarning):
            print(f"warning: {warning.message}", file=err)
    return policy


class _Versions:
    """One policy, or several versions of one (``--policy`` given more than once)."""

    def __init__(self, paths: Sequence[str], err: TextIO) -> None:
        import os

        self.label = ", ".join(paths)
        if len(paths) == 1:
            self.single: Any = _load(paths[0], err)
            self.set: Any = None
            return
        from sla_engine.policy import load_policy_set

        for path in paths:
            if not os.path.isfile(path):
                raise _Failure(f"cannot read policy {path}: No such file or directory", EXIT_USAGE)
        self.single = None
        self.set = load_policy_set(paths)

    def at(self, instant: Any) -> Any:
        """The version in force at ``instant`` (the only one, when a single file was given)."""
        if self.single is not None:
            return self.single
        return self.set.for_instant(instant)

    # -- clocks2: --governing ------------------------------------------------------------
    def governing(self, ticket: Any, as_of: Any, governs: str) -> Any:
        """The version that governs ``ticket`` at ``as_of`` (``PolicySet.governing``)."""
        if self.single is not None:
            return self.single
        return self.set.governing(ticket, as_of=as_of, governs=governs)

    # -- end clocks2 ---------------------------------------------------------------------


def _instant(text: str, what: str) -> Any:
    """An aware datetime from ISO 8601 text; ``now`` is the system clock (the CLI may read it)."""
    from datetime import UTC, datetime

    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _Failure(
            f"{what} {text!r} is not an ISO 8601 instant; write e.g. 2026-03-09T12:00:00-08:00 "
            "or 2026-03-09T20:00:00Z"
        ) from None
    if value.utcoffset() is None:
        raise _Failure(
            f"{what} {text!r} has no time zone; add an offset, e.g. {text.strip()}Z (UTC) or "
            f"{text.strip()}+03:30"
        )
    from sla_engine._time import horizon_us
    from sla_engine.errors import SLAEngineError

    try:
        horizon_us(value, what)
    except (SLAEngineError, OverflowError) as exc:
        raise _Failure(str(exc)) from None
    return value


def _utc(value: Any) -> str | None:
    """An instant as ``2026-03-09T20:00:00Z`` (microseconds only when non-zero)."""
    if value is None:
        return None
    from datetime import UTC

    dt = value.astimezone(UTC)
    text: str = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}"
    return text + "Z"


def _duration(value: Any) -> str | None:
    if value is None:
        return None
    from sla_engine._time import format_duration

    text: str = format_duration(value)
    return text


# --------------------------------------------------------------------------- render, diff


def _emit(text: str, output: str | None, out: TextIO) -> int:
    """Write a command's text to ``output`` (a file path) or, without one, to ``out``."""
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as file:
                file.write(text)
        except OSError as exc:
            raise _Failure(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE) from None
        return EXIT_OK
    out.write(text)
    return EXIT_OK


def _render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sla_engine.render import render_policy

    policy = _load(args.policy, err)
    text = render_policy(policy, format=args.format, year=args.year, years=args.years)
    return _emit(text, args.output, out)


def _diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sla_engine.diff import diff_policies
    from sla_engine.errors import PolicyError

    loaded = []
    failed: list[str] = []
    for path in (args.old, args.new):
        try:
            loaded.append(_load(path, err))
        except PolicyError as exc:
            failed.append(str(exc))
    if failed:
        raise _Failure("\n".join(failed))
    result = diff_policies(loaded[0], loaded[1])
    out.write(result.to_json() if args.format == "json" else result.to_text())
    return EXIT_OK


# --------------------------------------------------------------------------- holidays


def _holidays_help(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    args.holidays_parser.print_help(err)
    print("sla-engine: error: give an action, e.g. sla-engine holidays freeze POLICY", file=err)
    return EXIT_USAGE


def _freeze(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sla_engine.closures import parse_years
    from sla_engine.errors import CalendarError
    from sla_engine.policy.freeze import freeze_policy_text

    try:
        first, last = parse_years(args.years)
    except CalendarError as exc:
        raise _Failure(f"--years: {exc.message}", EXIT_USAGE) from None
    text = freeze_policy_text(args.policy, first, last, to=args.to)
    return _emit(text, args.output, out)


# --------------------------------------------------------------------------- evaluate


def _parse_tickets(text: str, name: str) -> list[tuple[int, Any]]:
    """Every ticket of a JSON Lines text with its line number; all problems found at once."""

    from sla_engine.clocks import Ticket
    from sla_engine.errors import SLAEngineError

    tickets: list[tuple[int, Any]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    # JSON Lines are separated by "\n" alone: U+2028, NEL or a form feed is JSON's to judge
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = _load_json(line, name, number)
        except _Failure as exc:
            problems.append(exc.message)
            continue
        if not isinstance(data, dict):
            problems.append(
                f"{name}:{number}: a ticket is a JSON object such as "
                '{"id": "T-1", "tier": "premium", "events": [{"kind": "created", "at": '
                f'"2026-03-09T09:00:00Z"}}]}}, got {type(data).__name__}'
            )
            continue
        try:
            ticket = Ticket.from_mapping(data)
        except SLAEngineError as exc:
            where = _show_path(exc.path)
            problems.append(f"{name}:{number}: {where + ': ' if where else ''}{exc.message}")
            continue
        if ticket.id in seen:
            problems.append(
                f"{name}:{number}: ticket id {ticket.id!r} is already used on line "
                f"{seen[ticket.id]}; give each ticket its own id"
            )
            continue
        seen[ticket.id] = number
        tickets.append((number, ticket))
    if problems:
        shown = problems[:20]
        more = len(problems) - len(shown)
        if more:
            shown.append(f"... and {more} more")
        count = len(problems)
        raise _Failure(
            f"{count} bad line{'s' * (count != 1)} in {name}; nothing was evaluated\n  "
            + "\n  ".join(shown)
        )
    return tickets


def _unknown_tier(policy: Any, ticket: Any) -> str | None:
    """Why the ticket names a tier the policy does not have (its own or a ``tier_changed``
    event's), or ``None``: an unknown tier is an error, never the default targets."""
    tiers = list(policy.spec.tiers or {})
    named = [("tier", ticket.tier)]
    named += [
        (f"events[{i}].value", e.value)
        for i, e in enumerate(ticket.events)
        if e.kind.value == "tier_changed"
    ]
    for where, value in named:
        if value is not None and value not in tiers:
            has = ", ".join(tiers) if tiers else "no tiers"
            return (
                f"{where}: ticket {ticket.id!r} names the tier {value!r}, which the policy "
                f"does not have (it has {has}); fix the ticket, or add the tier to the policy"
            )
    return None


def _clock_event(event: Any) -> dict[str, Any]:
    return {
        "at": _utc(event.at),
        "kind": event.kind.value,
        "metric": event.metric,
        "cycle": event.cycle,
        "detail": event.detail,
    }


def _ticket_json(policy: Any, sla: Any, ticket: Any, as_of: Any, explain: bool) -> str:
    import json

    from sla_engine.clocks import evaluate, next_deadlines

    result = evaluate(sla, ticket, as_of=as_of, explain=explain)
    upcoming = next_deadlines(sla, ticket, as_of=as_of)
    cycles = [
        {
            "metric": c.metric,
            "cycle": c.cycle,
            "state": c.state.value,
            "start": _utc(c.start),
            "stop": _utc(c.stop),
            "due": _utc(c.due),
            "breached_at": _utc(c.breached_at),
            "target": _duration(c.target),
            "calendar": c.calendar,
            "rule": c.rule,
            "elapsed": _duration(c.business_elapsed),
            "remaining": _duration(c.business_remaining),
            "wall_until_due": _duration(c.wall_until_due),
            "share_used": f"{c.share_used.numerator}/{c.share_used.denominator}",
        }
        for c in result.cycles
    ]
    doc: dict[str, Any] = {
        "id": ticket.id,
        "policy": f"{policy.name} {policy.version}",
        "as_of": _utc(as_of),
        "state": result.state,
        "cycles": cycles,
        "events": [_clock_event(e) for e in result.events],
        "next_deadlines": [_clock_event(e) for e in upcoming],
        "data_versions": result.data_versions.to_mapping(),
    }
    if explain:
        doc["trace"] = list(result.trace)
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# clocks2: what each --governing choice means, for messages
_GOVERNING_WHEN = {
    "creation": "when the ticket was created",
    "cycle_start": "when the ticket's current cycle began",
    "latest": "at --as-of",
}


def _evaluate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sla_engine.errors import SLAEngineError

    as_of = _instant(args.as_of, "--as-of")
    if args.output_format == "json" and (args.events or args.output != "-"):
        raise _Failure(
            "--events and --output go with --output-format jsonl, csv or parquet (rows per "
            "ticket, metric and cycle)",
            EXIT_USAGE,
        )
    if args.output_format != "json" and len(args.policy) > 1:
        raise _Failure(f"--output-format {args.output_format} takes one --policy", EXIT_USAGE)
    versions = _Versions(args.policy, err)
    if versions.single is not None and versions.single.sla is None:
        raise _Failure(
            f"{versions.label}: the policy has no ticket clocks; add 'metrics' (and targets) to "
            "evaluate tickets against it"
        )
    if args.output_format != "json":  # the table path (sla_engine.tables), in batches
        from sla_engine._cli_tables import CommandError, evaluate_rows

        try:
            return evaluate_rows(args, versions.single, as_of, out, err)
        except CommandError as exc:
            raise _Failure(exc.message, exc.code) from None
    tickets = _parse_tickets(_read_text(args.tickets, "tickets file"), args.tickets)
    lines: list[str] = []
    problems: list[str] = []
    for number, ticket in tickets:
        try:
            # clocks2: --governing picks the version (default: at the ticket's creation)
            governs = args.governing.replace("-", "_")
            policy = versions.governing(ticket, as_of, governs)
            if policy.sla is None:
                problems.append(
                    f"{args.tickets}:{number}: version {policy.version} of the policy, in force "
                    f"{_GOVERNING_WHEN[governs]}, has no ticket clocks"
                )
                continue
            unknown = _unknown_tier(policy, ticket)
            if unknown is not None:
                problems.append(f"{args.tickets}:{number}: {unknown}")
                continue
            lines.append(_ticket_json(policy, policy.sla, ticket, as_of, args.explain))
        except SLAEngineError as exc:
            where = _show_path(exc.path)
            problems.append(
                f"{args.tickets}:{number}: {where + ': ' if where else ''}{exc.message}"
            )
    if problems:
        count = len(problems)
        raise _Failure(
            f"{count} ticket{'s' * (count != 1)} in {args.tickets} could not be evaluated; "
            "nothing was printed\n  " + "\n  ".join(problems[:20])
        )
    for line in lines:
        print(line, file=out)
    return EXIT_OK


# --------------------------------------------------------------------------- credit


def _period(text: str, cycle: Any, timezone: str | None) -> Any:
    """The billing period ``text`` names (``BillingPeriod.parse``): a month ``2026-03``, a
    quarter ``2026-Q1`` or a day ``2026-03-15``, on the policy's billing cycle when it has one."""
    from sla_engine.credits import BillingPeriod
    from sla_engine.errors import SLAEngineError

    try:
        return BillingPeriod.parse(text, cycle=cycle, timezone=timezone)
    except SLAEngineError as exc:
        flag = "--timezone" if exc.path[:1] == ("timezone",) else "--period"
        message = exc.message.removeprefix("period: ")
        if not message.startswith(repr(text)):
            message = f"{text!r}: {message}"
        raise _Failure(f"{flag} {message}") from None
    except (OverflowError, ValueError) as exc:
        raise _Failure(f"--period {text!r} is outside the dates sla_engine takes ({exc})") from None


def _incidents(text: str, name: str, customer: str | None) -> tuple[list[Any], list[Any]]:
    """Incidents (and maintenance windows) from JSON: a list of incidents, an object with
    ``incidents`` (and ``maintenance``), or ``{"customers": [{"id": ..., "incidents": ...}]}``
    with ``--customer``."""

    from sla_engine.credits import Incident, MaintenanceWindow, RecurringMaintenance
    from sla_engine.errors import SLAEngineError

    data = _load_json(text, name)
    base: tuple[str | int, ...] = ()
    if isinstance(data, dict) and "customers" in data:
        customers = data["customers"]
        if not isinstance(customers, list):
            raise _Failure(f"{name}: customers: expected a list of customers")
        ids = [c.get("id") for c in customers if isinstance(c, dict)]
        if customer is None:
            raise _Failure(
                f"{name} holds several customers; pick one with --customer "
                f"({', '.join(map(str, ids[:10]))})",
                EXIT_USAGE,
            )
        for i, entry in enumerate(customers):
            if isinstance(entry, dict) and entry.get("id") == customer:
                data, base = entry, ("customers", i)
                break
        else:
            raise _Failure(
                f"{name}: no customer {customer!r}; the file has "
                + (", ".join(map(str, ids[:10])) or "none")
            )
    elif customer is not None:
        raise _Failure(f"{name} has no 'customers' list; leave out --customer", EXIT_USAGE)
    key: tuple[str, ...] = ()
    if isinstance(data, list):
        raw_incidents, raw_maintenance = data, []
    elif isinstance(data, dict) and "incidents" in data:
        raw_incidents, raw_maintenance = data["incidents"], data.get("maintenance", [])
        key = ("incidents",)
    else:
        raise _Failure(
            f"{name}: expected a JSON list of incidents, or an object with 'incidents' (and "
            "'maintenance'), or with 'customers'; e.g. "
            '[{"id": "INC-1", "start": "2026-03-02T10:00:00Z", "end": "2026-03-02T12:00:00Z"}]'
        )
    if not isinstance(raw_incidents, list) or not isinstance(raw_maintenance, list):
        raise _Failure(f"{name}: incidents and maintenance must be JSON lists")
    incidents: list[Incident] = []
    maintenance: list[MaintenanceWindow | RecurringMaintenance] = []
    try:
        for i, raw in enumerate(raw_incidents):
            incidents.append(Incident.from_mapping(raw, path=(*base, *key, i)))
        for i, raw in enumerate(raw_maintenance):
            where = (*base, "maintenance", i)
            kind = RecurringMaintenance if isinstance(raw, dict) and "rule" in raw else None
            if kind is not None:
                maintenance.append(kind.from_mapping(raw, path=where))
            else:
                maintenance.append(MaintenanceWindow.from_mapping(raw, path=where))
    except SLAEngineError as exc:
        where_text = _show_path(exc.path)
        raise _Failure(f"{name}: {where_text + ': ' if where_text else ''}{exc.message}") from None
    return incidents, maintenance


def _table_rows(text: str, name: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of a CSV file with a header, or of a JSON list of objects (a ``.json`` file), with
    where each row is (``file:line`` of a CSV row, ``file[i]`` of a JSON one) for messages."""
    import csv
    import io

    if name.endswith(".json"):
        data = _load_json(text, name)
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise _Failure(f"{name}: expected a JSON list of objects, one per row")
        return data, [f"{name}[{i}]" for i in range(len(data))]
    rows: list[dict[str, Any]] = []
    where: list[str] = []
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        twice = sorted({column for column in header if header.count(column) > 1})
        if twice:
            raise _Failure(
                f"{name}:1: the column {twice[0]!r} is named twice in the header; keep one"
            )
        line = reader.line_num + 1
        for row in reader:
            rows.append(row)
            where.append(f"{name}:{line}")
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _Failure(f"{name}: not CSV: {exc}") from None
    for row, at in zip(rows, where, strict=True):
        if None in row or any(v is None for v in row.values()):
            raise _Failure(f"{at}: the row does not have one value per header column")
    return rows, where


#: Suffixes of the billing run's tables read by the table layer (pyarrow); CSV and a ``.json``
#: list of rows are read without it.
_TABLE_SUFFIXES = (".parquet", ".pq", ".jsonl", ".ndjson")


def _credit_rows(name: str, what: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of ``--customers`` or ``--incidents`` and where each is, for messages: Parquet
    and JSON Lines through the table layer's reader, CSV and a ``.json`` list as text."""
    if name != "-" and name.lower().endswith(_TABLE_SUFFIXES):
        from sla_engine.errors import TableError
        from sla_engine.tables.credits import credit_rows

        try:
            rows = credit_rows(name, what)
        except TableError as exc:
            raise _Failure(exc.message) from None
        return rows, [f"{name}[{i}]" for i in range(len(rows))]
    return _table_rows(_read_text(name, f"{what} file"), name)


def _credit_table(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``credit --customers``: the billing run of a period, as CSV (or JSON lines)."""
    import json

    from sla_engine.credits import billing_run
    from sla_engine.errors import SLAEngineError

    versions = _Versions(args.policy, err)
    probe = versions.single or versions.set.versions[-1]
    period = _period(args.period, probe.billing_cycle, args.timezone)
    policy = versions.at(period.start)
    if policy.credit_schedule is None:
        raise _Failure(
            f"{policy.source or versions.label}: the policy has no credits section; add 'credits'"
        )
    if (
        args.fee is not None
        or args.customer is not None
        or args.claim_filed_at is not None
        or args.plan is not None
        or args.charges
        or args.credited_before is not None
    ):
        raise _Failure(
            "--customers reads each customer's fee, plan, claim and charges from its file; "
            "leave out --fee, --customer, --plan, --charges, --credited-before and "
            "--claim-filed-at",
            EXIT_USAGE,
        )
    from sla_engine.data_versions import data_versions

    customers, customer_rows = _credit_rows(args.customers, "customers")
    incidents, incident_rows = _credit_rows(args.incidents, "incidents")
    if args.currency is not None or args.fee_per is not None:
        for row in customers:
            if args.currency is not None:
                row.setdefault("currency", args.currency)
            if args.fee_per is not None:
                row.setdefault("fee_per", args.fee_per)
    try:
        table = billing_run(
            policy, customers=customers, incidents=incidents, period=period, trace=args.trace
        )
    except SLAEngineError as exc:  # name the file and row, as the readers do
        rows = {"customers": customer_rows, "incidents": incident_rows}.get(str(exc.path[:1][0]))
        if rows is None or len(exc.path) < 2 or not isinstance(exc.path[1], int):
            raise
        where = _show_path(exc.path[2:])
        message = exc.message.removeprefix(f"{where}: ") if where else exc.message
        raise _Failure(f"{rows[exc.path[1]]}: {where + ': ' if where else ''}{message}") from None
    if args.trace:
        for decided in table.rows():
            line = {
                **decided.to_mapping(),
                "trace": list(decided.trace or ()),
                "data_versions": data_versions().to_mapping(),
            }
            out.write(json.dumps(line, ensure_ascii=False))
            out.write("\n")
    else:
        table.write_csv(out)
    return EXIT_OK


def _amount(text: str | None, what: str) -> Any:
    """An exact amount from the command line (``None`` stays ``None``)."""
    from decimal import Decimal, InvalidOperation

    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise _Failure(f"{what} {text!r} is not an amount; write e.g. 1200.00")
    return value


def _charges(items: Sequence[str] | None) -> dict[str, Any] | None:
    """``--charges invoice=1200.00`` (repeatable) as a mapping."""
    if not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise _Failure(f"--charges {item!r}: write NAME=AMOUNT, e.g. invoice=1200.00")
        out[name.strip()] = _amount(value, f"--charges {name.strip()}")
    return out


def _credit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from decimal import Decimal, InvalidOperation

    from sla_engine.credits import Fee, compute_credit

    if args.customers is not None:
        return _credit_table(args, out, err)
    if args.fee is None:
        raise _Failure(
            "credit needs --fee (one customer) or --customers FILE (every customer of a file)",
            EXIT_USAGE,
        )
    versions = _Versions(args.policy, err)
    incidents, maintenance = _incidents(
        _read_text(args.incidents, "incidents file"), args.incidents, args.customer
    )
    policy = versions.single
    if policy is None:  # the version in force when the incidents happened
        found = {id(p): p for p in (versions.at(i.start) for i in incidents)}
        if len(found) > 1:
            names = ", ".join(sorted(p.version for p in found.values()))
            raise _Failure(
                f"the incidents fall under several versions of the policy ({names}); credit "
                "each version's incidents with its own --policy"
            )
        policy = next(iter(found.values())) if found else versions.set.versions[-1]
    schedule = policy.credit_schedule
    if schedule is None:
        raise _Failure(
            f"{policy.source or versions.label}: the policy has no credits section; add 'credits'"
        )
    currency = args.currency or policy.currency
    if not currency:
        raise _Failure("the policy names no currency; give one with --currency, e.g. USD")
    try:
        amount = Decimal(args.fee.strip())
    except InvalidOperation:
        raise _Failure(f"--fee {args.fee!r} is not an amount; write e.g. 2000.00") from None
    if not amount.is_finite():
        raise _Failure(f"--fee {args.fee!r} is not an amount; write e.g. 2000.00")
    from sla_engine.errors import CreditError

    try:
        fee = Fee(
            amount=amount, currency=currency, per=args.fee_per or schedule.fee_basis or "period"
        )
    except CreditError as exc:
        flag = "--currency" if exc.path[:1] == ("currency",) else "--fee"
        raise _Failure(f"{flag}: {exc.message}") from None
    period = _period(args.period, policy.billing_cycle, args.timezone)
    filed = (
        None if args.claim_filed_at is None else _instant(args.claim_filed_at, "--claim-filed-at")
    )
    decision = compute_credit(
        policy,
        incidents,
        period=period,
        fee=fee,
        claim_filed_at=filed,
        maintenance=maintenance,
        plan=args.plan,
        charges=_charges(args.charges),
        credited_before=_amount(args.credited_before, "--credited-before"),
    )
    out.write(decision.to_json())
    return EXIT_OK


# --------------------------------------------------------------------------- report, replay
# (the report layer, sla_engine.report; needs the 'report' extra: pyarrow and matplotlib)


def _write_output(text: str, output: str | None, out: TextIO) -> None:
    if not output:
        out.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except OSError as exc:
        raise _Failure(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE) from None


def _report_tickets(args: argparse.Namespace) -> list[Any]:
    """The tickets of --tickets, those created at or after --since when it is given."""
    tickets = [t for _, t in _parse_tickets(_read_text(args.tickets, "tickets file"), args.tickets)]
    if args.since is None:
        return tickets
    since = _instant(args.since, "--since")
    return [t for t in tickets if t.events[0].at >= since]


def _clock_policy(path: str, err: TextIO, *, loaded: Any = None) -> Any:
    policy = _load(path, err) if loaded is None else loaded
    if policy.sla is None:
        raise _Failure(
            f"{path}: the policy has no ticket clocks; add 'metrics' (and targets) to report on "
            "tickets against it"
        )
    return policy


def _report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sla_engine.report.document import build_report

    as_of = _instant(args.as_of, "--as-of")
    versions = _Versions(args.policy, err)
    if versions.single is not None:
        policy = _clock_policy(args.policy[0], err, loaded=versions.single)
    else:
        policy = versions.set
        for version in policy.versions:
            _clock_policy(version.source or version.version, err, loaded=version)
    report = build_report(
        policy,
        _report_tickets(args),
        as_of=as_of,
        days=args.days,
        timezone=args.timezone,
        attribute=args.heatmap_by,
    )
    if args.tables:
        try:
            report.write_parquet(args.tables)
        except OSError as exc:
            raise _Failure(
                f"cannot write tables to {args.tables}: {exc.strerror or exc}", EXIT_USAGE
            ) from None
    if args.format == "html":
        text = report.to_html()
    elif args.format == "json":
        text = report.to_json()
    else:
        text = report.to_markdown()
    _write_output(text, args.output, out)
    return EXIT_OK


def _replay(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sla_engine.report.replay import replay

    as_of = _instant(args.as_of, "--as-of")
    old = _clock_policy(args.old, err)
    new = _clock_policy(args.new, err)
    result = replay(old, new, _report_tickets(args), as_of=as_of)
    if args.format == "html":
        text = result.to_html()
    elif args.format == "json":
        text = result.to_json()
    else:
        text = result.to_markdown()
    _write_output(text, args.output, out)
    return EXIT_OK


def _add_report_commands(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="SLA attainment, breaches, MTTA/MTTR and backlog as a report",
        description="Evaluate tickets (JSON Lines, as for 'evaluate') under a policy at --as-of "
        "and report attainment per metric against its compliance target (last 7, 30 and 90 "
        "days, weekly, and per tier, severity, channel and issue class), breaches by week, "
        "MTTA and MTTR, backlog by priority and time in state. --format html writes one "
        "self-contained page with charts (no network needed to open it).",
    )
    report.add_argument(
        "--policy",
        required=True,
        action="append",
        metavar="POLICY",
        help="a policy file; repeat for several versions (each ticket uses the version in "
        "force when it was created; the targets are those of the version in force at --as-of)",
    )
    report.add_argument(
        "--tickets", required=True, metavar="FILE", help="tickets as JSON Lines ('-': stdin)"
    )
    report.add_argument(
        "--as-of", required=True, metavar="T", help="the report's instant, ISO 8601 (or 'now')"
    )
    report.add_argument(
        "--format", choices=("html", "markdown", "json"), default="markdown", help="output format"
    )
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    report.add_argument(
        "--days", type=int, default=90, metavar="N", help="how far back the weekly tables reach"
    )
    report.add_argument(
        "--timezone",
        help="the zone days, weeks and months are read in (default: the zone of "
        "the policy's default calendar)",
    )
    report.add_argument(
        "--heatmap-by",
        choices=("issue_class", "tier", "severity", "channel"),
        default="issue_class",
        help="the ticket attribute of the breach heatmap (default issue_class)",
    )
    report.add_argument(
        "--tables", metavar="DIR", help="also write every table as Parquet into DIR"
    )
    report.add_argument(
        "--since",
        metavar="T",
        help="only the tickets created at or after T (ISO 8601 with an offset), e.g. the first "
        "instant of last quarter",
    )
    report.set_defaults(run=_report)

    replay = commands.add_parser(
        "replay",
        help="what a policy change would have done to past tickets",
        description="Evaluate the same tickets (JSON Lines, as for 'evaluate') at --as-of under "
        "OLD and NEW: the semantic diff of the two policies, then the attainment per metric "
        "before and after, the cycles whose outcome flips (met to breached and back) and how "
        "the due instants move.",
    )
    replay.add_argument("old", metavar="OLD", help="the policy in force")
    replay.add_argument("new", metavar="NEW", help="the proposed policy")
    replay.add_argument(
        "--tickets", required=True, metavar="FILE", help="tickets as JSON Lines ('-': stdin)"
    )
    replay.add_argument(
        "--as-of", required=True, metavar="T", help="the instant to replay at, ISO 8601"
    )
    replay.add_argument(
        "--format", choices=("html", "markdown", "json"), default="markdown", help="output format"
    )
    replay.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    replay.add_argument(
        "--since",
        metavar="T",
        help="only the tickets created at or after T (ISO 8601 with an offset), e.g. the first "
        "instant of last quarter",
    )
    replay.set_defaults(run=_replay)


# --------------------------------------------------------------------------- the parser


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sla-engine",
        description="Check, publish and compare SLA policies; evaluate tickets and credits.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    validate = commands.add_parser(
        "validate",
        help="check policy files (YAML, JSON or TOML)",
        description="Check policy files; exit 0 when all are valid, 1 when any is not.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="policy files")
    validate.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format"
    )
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(run=_validate)
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the policy format",
        description="Print the JSON Schema of the policy format, for editors and CI.",
    )
    schema.set_defaults(run=_schema)

    render = commands.add_parser(
        "render",
        help="print the public support, pricing and SLA table",
        description="Print the public support, pricing and SLA table of a policy: tiers and "
        "prices, channels, targets, support hours and holidays, escalation, credits and "
        "exclusions. The output depends only on the policy and --year.",
    )
    render.add_argument("policy", metavar="POLICY", help="a policy file")
    render.add_argument(
        "--format", choices=("markdown", "html"), default="markdown", help="output format"
    )
    render.add_argument(
        "--year",
        type=int,
        default=None,
        help="first year of the holiday list (default: the year the policy takes effect)",
    )
    render.add_argument(
        "--years", type=int, default=1, metavar="N", help="how many years to list (default 1)"
    )
    render.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    render.set_defaults(run=_render)

    diff = commands.add_parser(
        "diff",
        help="what got stricter or looser between two policy versions",
        description="Compare two versions of a policy: targets, prices, hours, escalation and "
        "credits, each change marked stricter, looser, higher, lower, added, removed or "
        "changed. Exit 0 when both policies load (whatever changed), 1 when either is invalid.",
    )
    diff.add_argument("old", metavar="OLD", help="the earlier policy file")
    diff.add_argument("new", metavar="NEW", help="the later policy file")
    diff.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    diff.set_defaults(run=_diff)

    holidays = commands.add_parser(
        "holidays",
        help="freeze a policy's public holidays into the policy",
        description="Work with the public holidays a policy's calendars read from the "
        "holidays package.",
    )
    holiday_commands = holidays.add_subparsers(dest="holidays_command", metavar="ACTION")
    holidays.set_defaults(run=_holidays_help, holidays_parser=holidays)
    freeze = holiday_commands.add_parser(
        "freeze",
        help="write the holidays of some years into the policy as named dates",
        description="Write the public holidays of --years into each calendar of POLICY as "
        "named dates (holidays: {..., frozen: 2026-2030, dates: {...}}), so they no longer "
        "depend on the installed holidays package; a question past those years is an error. "
        "Prints the frozen policy (YAML or JSON; comments are not kept) unless -o is given.",
    )
    freeze.add_argument("policy", metavar="POLICY", help="a policy file")
    freeze.add_argument(
        "--years", required=True, metavar="A-B", help="the years to freeze, e.g. 2026-2030"
    )
    freeze.add_argument(
        "--to", choices=("yaml", "json"), default=None, help="output syntax (default: the file's)"
    )
    freeze.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    freeze.set_defaults(run=_freeze)

    evaluate = commands.add_parser(
        "evaluate",
        help="ticket clocks as JSON lines",
        description="Evaluate tickets (JSON Lines: one object per line with id, tier, "
        "severity, channel, issue_class and events [{kind, at, value}] with ISO 8601 aware "
        "instants) at --as-of. Prints one JSON object per ticket: each metric cycle's state, "
        "due, breached_at and remaining time, the events so far and the next deadlines. All "
        "input is checked before anything is printed: on a bad line nothing is printed, the "
        "error names every bad line, and the exit code is 1.",
    )
    evaluate.add_argument(
        "--policy",
        required=True,
        action="append",
        metavar="POLICY",
        help="a policy file; repeat for several versions (each ticket uses the version that "
        "--governing names)",
    )
    # -- clocks2: --governing --------------------------------------------------------------
    evaluate.add_argument(
        "--governing",
        choices=("creation", "cycle-start", "latest"),
        default="creation",
        help="with several versions, which governs a ticket: the one in force at its creation "
        "(default), when its current cycle began (creation or last reopen), or at --as-of",
    )
    # -- end clocks2 -----------------------------------------------------------------------
    evaluate.add_argument(
        "--tickets", required=True, metavar="FILE", help="tickets as JSON Lines ('-': stdin)"
    )
    evaluate.add_argument(
        "--as-of",
        required=True,
        metavar="T",
        help="the instant to evaluate at, ISO 8601 with an offset (or 'now')",
    )
    evaluate.add_argument(
        "--explain", action="store_true", help="add each ticket's explanation trace"
    )
    evaluate.add_argument(
        "--output-format",
        choices=("json", "jsonl", "csv", "parquet"),
        default="json",
        help="json (default): one JSON object per ticket, all checked before any is printed; "
        "jsonl, csv, parquet: one row per ticket, metric and cycle, evaluated and written in "
        "batches (needs the 'tables' extra)",
    )
    evaluate.add_argument(
        "--events",
        metavar="FILE",
        help="with --output-format: the events as a table (ticket_id, at, kind, value); "
        "--tickets is then a table of ticket rows (JSON Lines, CSV or Parquet)",
    )
    evaluate.add_argument(
        "--input-format",
        choices=("jsonl", "parquet"),
        default=None,
        help="the format of a table read from stdin ('-')",
    )
    evaluate.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="with --output-format: where to "
        "write (default '-': stdout); a file appears only once every ticket is evaluated",
    )
    evaluate.add_argument(
        "--batch-size",
        type=int,
        default=10_000,
        metavar="N",
        help="with --output-format: tickets per batch (default 10000)",
    )
    evaluate.set_defaults(run=_evaluate)

    credit = commands.add_parser(
        "credit",
        help="a service credit decision as JSON",
        description="Compute the service credit for one customer and billing period, or with "
        "--customers for every customer of a file at once. "
        "Incidents are JSON: a list of {id, start, end, cause}, an object with 'incidents' "
        "(and 'maintenance'), or {customers: [{id, incidents}]} with --customer. Prints the "
        "decision as JSON, amounts as strings.",
    )
    credit.add_argument(
        "--policy",
        required=True,
        action="append",
        metavar="POLICY",
        help="a policy file; repeat for several versions (the version in force when the "
        "incidents happened is used)",
    )
    credit.add_argument(
        "--incidents",
        required=True,
        metavar="FILE",
        help="incidents as JSON ('-': stdin); with --customers, CSV or a .json list of rows",
    )
    credit.add_argument(
        "--period", required=True, metavar="PERIOD", help="a month (2026-03) or quarter (2026-Q1)"
    )
    credit.add_argument("--fee", metavar="AMOUNT", help="the fee, e.g. 2000.00 (one customer)")
    credit.add_argument(
        "--customers",
        metavar="FILE",
        help="a billing run: customers as CSV (or a .json list) with customer, fee and "
        "optionally plan, currency, fee_per, claim_filed_at; --incidents then holds rows with "
        "customer, start, end and optionally id, cause, error_rate, affected_share, "
        "reported_at. Prints one CSV row per customer",
    )
    credit.add_argument(
        "--trace",
        action="store_true",
        help="with --customers: print JSON lines with each decision's trace instead of CSV",
    )
    credit.add_argument(
        "--fee-per",
        choices=("period", "month", "hour"),
        default=None,
        help="what --fee is: the period's fee, a monthly fee or an hourly rate (default: the "
        "policy's fee_basis, else the period's fee)",
    )
    credit.add_argument("--currency", help="ISO 4217 code (default: the policy's currency)")
    credit.add_argument(
        "--claim-filed-at", metavar="T", help="when the claim was filed (ISO 8601 with offset)"
    )
    credit.add_argument("--customer", metavar="ID", help="the customer, in a file of several")
    credit.add_argument(
        "--plan", metavar="NAME", help="the customer's plan, when the policy has plans"
    )
    credit.add_argument(
        "--charges",
        action="append",
        metavar="NAME=AMOUNT",
        help="charges a cap is a share of, e.g. invoice=1200.00 (repeatable)",
    )
    credit.add_argument(
        "--credited-before",
        metavar="AMOUNT",
        help="what the 11 billing months before credited, for a 12-month cap",
    )
    credit.add_argument(
        "--timezone",
        help="the zone billing periods start in (default: the policy's billing cycle, else UTC)",
    )
    credit.set_defaults(run=_credit)
    _add_report_commands(commands)
    return parser


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's final flush of a closed
    pipe does not print a message."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture output)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sla-engine`` with ``argv`` (default: the process's arguments); return the exit code.

    Ctrl-C at any point exits 130 and a closed output 141, both quietly."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE_CLOSED


def _main(argv: Sequence[str] | None) -> int:
    from sla_engine.errors import SLAEngineError

    out, err = sys.stdout, sys.stderr
    parser = _build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        print(f"sla-engine: error: {exc}", file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.version:
        import sla_engine

        print(f"sla-engine {sla_engine.__version__}", file=out)
        return EXIT_OK
    if args.command is None:
        parser.print_help(err)
        print("sla-engine: error: give a command, e.g. sla-engine validate FILE", file=err)
        return EXIT_USAGE
    try:
        code: int = args.run(args, out, err)
    except _Failure as exc:
        print(f"error: {exc.message}", file=err)
        return exc.code
    except SLAEngineError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_INVALID
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, as the shell expects
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    except OSError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    except (ValueError, RecursionError) as exc:  # input the readers refused without a path
        print(f"error: {exc}", file=err)
        return EXIT_INVALID
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
