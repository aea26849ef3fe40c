"""What-if replay: a history of tickets evaluated under two policies, side by side.

:func:`replay` evaluates the same tickets at the same instant under an old and a new policy and
returns a :class:`Replay`: the semantic diff of the two policies (:func:`sla_engine.diff.
diff_policies`), then per ticket, metric and cycle the outcome under each, the cycles whose
outcome flips (met → breached and back), the distribution of the changes of due instants, and
the attainment per metric before and after. Every part is an Arrow table; ``to_markdown``,
``to_json`` and ``to_html`` are views of them in the style of the report.

Cycles are matched by ticket, metric and cycle number: the triggers that start and stop cycles
do not depend on targets, so the same events give the same cycles unless the new policy changes
the metrics themselves; a cycle present under one policy only is ``absent`` under the other.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sla_engine._time import td_to_us, us_to_td
from sla_engine.clocks import Ticket
from sla_engine.data_versions import data_versions
from sla_engine.diff import PolicyDiff, diff_policies
from sla_engine.errors import ReportError
from sla_engine.policy import Policy
from sla_engine.report._source import ATTRIBUTES, arrow, result_table
from sla_engine.report.document import cell_text, markdown_table
from sla_engine.report.kpis import (
    DEFAULT_COMPLIANCE,
    compliance_targets,
    outcome,
    percentile,
    share,
)

__all__ = ["DUE_BUCKETS", "Replay", "replay"]

#: The buckets of the due-time change distribution: (name, lower bound, upper bound) with
#: ``lower <= change < upper`` (``None``: unbounded); "unchanged" is exactly zero.
DUE_BUCKETS: tuple[tuple[str, timedelta | None, timedelta | None], ...] = (
    ("earlier by a day or more", None, timedelta(days=-1) + timedelta(microseconds=1)),
    (
        "earlier by 1 h to 1 day",
        timedelta(days=-1) + timedelta(microseconds=1),
        timedelta(hours=-1) + timedelta(microseconds=1),
    ),
    ("earlier by under 1 h", timedelta(hours=-1) + timedelta(microseconds=1), timedelta(0)),
    ("unchanged", timedelta(0), timedelta(microseconds=1)),
    ("later by under 1 h", timedelta(microseconds=1), timedelta(hours=1)),
    ("later by 1 h to 1 day", timedelta(hours=1), timedelta(days=1)),
    ("later by a day or more", timedelta(days=1), None),
)

_SECTIONS = {
    "attainment": "Attainment per metric, before and after",
    "flips": "Cycles whose outcome flips",
    "due_changes": "How due instants move",
    "outcomes": "Every cycle under both policies",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Replay:
    """Tickets replayed under two policies at ``as_of``.

    ``diff`` is the semantic diff; ``tables`` maps ``attainment``, ``flips``, ``due_changes``
    and ``outcomes`` to Arrow tables.
    """

    old: str
    new: str
    as_of: datetime
    diff: PolicyDiff
    tables: Mapping[str, Any]
    data_versions: Mapping[str, str | None] = field(default_factory=dict)

    def title(self, name: str) -> str:
        """The title of a section."""
        return _SECTIONS[name]

    def to_mapping(self) -> dict[str, Any]:
        """The diff and every table as plain JSON data."""
        return {
            "old": self.old,
            "new": self.new,
            "as_of": cell_text(self.as_of.astimezone(UTC)),
            "diff": self.diff.to_mapping(),
            "data_versions": dict(self.data_versions),
            "tables": {
                name: [
                    {
                        key: value
                        if value is None or isinstance(value, (bool, int, str))
                        else str(value)
                        if isinstance(value, Decimal)
                        else cell_text(value)
                        for key, value in row.items()
                    }
                    for row in table.to_pylist()
                ]
                for name, table in self.tables.items()
            },
        }

    def to_json(self) -> str:
        """:meth:`to_mapping` as JSON text."""
        return json.dumps(self.to_mapping(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """The diff, then every table but the per-cycle one (too long for an e-mail)."""
        lines = [
            f"# What-if replay: {self.old} → {self.new}",
            "",
            f"Tickets replayed at {cell_text(self.as_of.astimezone(UTC))}.",
            "",
            "## What changed in the policy",
            "",
            "```text",
            self.diff.to_text().rstrip("\n"),
            "```",
            "",
        ]
        for name, table in self.tables.items():
            if name == "outcomes":
                continue
            lines += [f"## {self.title(name)}", "", *markdown_table(table), ""]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """One self-contained page: the diff, charts as inline SVG and the tables."""
        from sla_engine.report.html import replay_html

        return replay_html(self)


def _label(policy: Policy) -> str:
    return f"{policy.name} {policy.version}"


def _kind(row: Mapping[str, Any] | None, as_of: datetime) -> str:
    if row is None:
        return "absent"
    found = outcome(row["state"], row["stop"], row["breached_at"], row["start"], as_of)
    return "pending" if found is None else found[0]


def replay(
    old: Policy,
    new: Policy,
    tickets: Iterable[Ticket],
    *,
    as_of: datetime,
) -> Replay:
    """Evaluate ``tickets`` under ``old`` and ``new`` at ``as_of`` and compare the outcomes."""
    for which, policy in (("old", old), ("new", new)):
        if not isinstance(policy, Policy) or policy.sla is None:
            raise ReportError(
                f"the {which} policy must be a checked policy with metrics (load_policy(...))"
            )
    assert old.sla is not None and new.sla is not None
    ticket_list = list(tickets)
    before = result_table(old.sla, ticket_list, as_of=as_of).to_pylist()
    after = result_table(new.sla, ticket_list, as_of=as_of).to_pylist()
    keyed_old = {(r["ticket_id"], r["metric"], r["cycle"]): r for r in before}
    keyed_new = {(r["ticket_id"], r["metric"], r["cycle"]): r for r in after}
    order = {t.id: i for i, t in enumerate(ticket_list)}
    keys = sorted(set(keyed_old) | set(keyed_new), key=lambda k: (order[k[0]], k[1], k[2]))
    outcomes: dict[str, list[Any]] = defaultdict(list)
    for key in keys:
        a, b = keyed_old.get(key), keyed_new.get(key)
        either = a or b
        assert either is not None
        kind_a, kind_b = _kind(a, as_of), _kind(b, as_of)
        outcomes["ticket_id"].append(key[0])
        outcomes["metric"].append(key[1])
        outcomes["cycle"].append(key[2])
        for name in ATTRIBUTES:
            outcomes[name].append(either[name])
        outcomes["old_outcome"].append(kind_a)
        outcomes["new_outcome"].append(kind_b)
        outcomes["flip"].append(
            f"{kind_a} → {kind_b}" if {kind_a, kind_b} == {"met", "breached"} else None
        )
        for side, row in (("old", a), ("new", b)):
            outcomes[f"{side}_rule"].append(row["rule"] if row else None)
            outcomes[f"{side}_target"].append(row["target"] if row else None)
            outcomes[f"{side}_due"].append(row["due"] if row else None)
        old_due, new_due = (a or {}).get("due"), (b or {}).get("due")
        outcomes["due_change"].append(
            new_due - old_due if old_due is not None and new_due is not None else None
        )
    pa = arrow()
    ts, dur = pa.timestamp("us", tz="UTC"), pa.duration("us")
    schema = pa.schema(
        [
            ("ticket_id", pa.string()),
            ("metric", pa.string()),
            ("cycle", pa.int32()),
            *((name, pa.string()) for name in ATTRIBUTES),
            ("old_outcome", pa.string()),
            ("new_outcome", pa.string()),
            ("flip", pa.string()),
            ("old_rule", pa.string()),
            ("old_target", dur),
            ("old_due", ts),
            ("new_rule", pa.string()),
            ("new_target", dur),
            ("new_due", ts),
            ("due_change", dur),
        ]
    )
    table = pa.table({f.name: outcomes[f.name] for f in schema}, schema=schema)
    import pyarrow.compute as pc

    flips = table.filter(pc.is_valid(table.column("flip")))
    return Replay(
        old=_label(old),
        new=_label(new),
        as_of=as_of,
        diff=diff_policies(old, new),
        tables={
            "attainment": _before_after(table, new),
            "flips": flips.select(
                [
                    "ticket_id",
                    "metric",
                    "cycle",
                    *ATTRIBUTES,
                    "flip",
                    "old_rule",
                    "new_rule",
                    "old_target",
                    "new_target",
                    "old_due",
                    "new_due",
                ]
            ),
            "due_changes": _due_changes(table),
            "outcomes": table,
        },
        data_versions=data_versions().to_mapping(),
    )


def _share(met: int, breached: int) -> Decimal | None:
    return share(met, met + breached)


def _before_after(table: Any, new: Policy) -> Any:
    goals = compliance_targets(new)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for metric, a, b in zip(
        table.column("metric").to_pylist(),
        table.column("old_outcome").to_pylist(),
        table.column("new_outcome").to_pylist(),
        strict=True,
    ):
        counts[metric][f"old_{a}"] += 1
        counts[metric][f"new_{b}"] += 1
        if {a, b} == {"met", "breached"}:
            counts[metric][f"{a}_to_{b}"] += 1
        if a != b:
            counts[metric]["changed"] += 1
    rows: dict[str, list[Any]] = defaultdict(list)
    for metric in sorted(counts):
        c = counts[metric]
        rows["metric"].append(metric)
        for side in ("old", "new"):
            rows[f"{side}_met"].append(c[f"{side}_met"])
            rows[f"{side}_breached"].append(c[f"{side}_breached"])
            rows[f"{side}_attainment"].append(_share(c[f"{side}_met"], c[f"{side}_breached"]))
        old_a, new_a = rows["old_attainment"][-1], rows["new_attainment"][-1]
        rows["change"].append(None if old_a is None or new_a is None else new_a - old_a)
        rows["met_to_breached"].append(c["met_to_breached"])
        rows["breached_to_met"].append(c["breached_to_met"])
        rows["outcome_changed"].append(c["changed"])
        rows["target"].append(goals.get(metric, DEFAULT_COMPLIANCE))
    pa = arrow()
    pct = pa.decimal128(9, 4)
    schema = pa.schema(
        [
            ("metric", pa.string()),
            ("old_met", pa.int64()),
            ("old_breached", pa.int64()),
            ("old_attainment", pct),
            ("new_met", pa.int64()),
            ("new_breached", pa.int64()),
            ("new_attainment", pct),
            ("change", pct),
            ("met_to_breached", pa.int64()),
            ("breached_to_met", pa.int64()),
            ("outcome_changed", pa.int64()),
            ("target", pct),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)


def _bucket(change: timedelta) -> str:
    for name, low, high in DUE_BUCKETS:
        if (low is None or change >= low) and (high is None or change < high):
            return name
    raise AssertionError(change)  # pragma: no cover - the buckets cover every duration


def _due_changes(table: Any) -> Any:
    """Per metric and bucket, how many cycles' due instants moved by that much, with the
    smallest, median and largest change among them."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    names = [b[0] for b in DUE_BUCKETS]
    for metric, change in zip(
        table.column("metric").to_pylist(), table.column("due_change").to_pylist(), strict=True
    ):
        if change is not None:
            groups[(metric, names.index(_bucket(change)))].append(td_to_us(change))
    rows: dict[str, list[Any]] = defaultdict(list)
    for metric, index in sorted(groups):
        values = sorted(groups[(metric, index)])
        rows["metric"].append(metric)
        rows["bucket"].append(names[index])
        rows["cycles"].append(len(values))
        rows["min"].append(us_to_td(values[0]))
        rows["p50"].append(us_to_td(percentile(values, 50)))
        rows["max"].append(us_to_td(values[-1]))
    pa = arrow()
    dur = pa.duration("us")
    schema = pa.schema(
        [
            ("metric", pa.string()),
            ("bucket", pa.string()),
            ("cycles", pa.int64()),
            ("min", dur),
            ("p50", dur),
            ("max", dur),
        ]
    )
    return pa.table({f.name: rows[f.name] for f in schema}, schema=schema)
