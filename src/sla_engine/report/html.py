"""The report as one self-contained HTML page: charts drawn by matplotlib as inline SVG, and the
tables behind each chart. Nothing is fetched when the page opens (no script, no style sheet, no
font from elsewhere), so it works offline and as an e-mail attachment.

The charts are made with matplotlib's object API (no ``pyplot``, no global state), with a fixed
SVG hash salt and no date in the metadata, so the same report gives the same bytes.
"""

from __future__ import annotations

import html
import io
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sla_engine.report.document import cell_text

if TYPE_CHECKING:
    from sla_engine.report.document import Report
    from sla_engine.report.replay import Replay

__all__ = ["replay_html", "report_html", "svg"]

_RC = {
    "svg.fonttype": "none",  # text stays text: smaller files, searchable, sharp
    "svg.hashsalt": "sla-engine",
    "font.size": 9,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
}
_WINDOW_COLOURS = {7: "#9ecae1", 30: "#3182bd", 90: "#08306b"}
_GOOD, _BAD = "#2b8a3e", "#c92a2a"

_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#212529}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;
border-bottom:1px solid #dee2e6;padding-bottom:.3rem}
.meta{color:#6c757d;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #dee2e6;border-radius:.5rem;padding:.7rem 1rem;min-width:11rem}
.card .name{font-size:.85rem;color:#495057}.card .value{font-size:1.8rem;font-weight:600}
.card .sub{font-size:.8rem;color:#6c757d}.ok .value{color:#2b8a3e}.miss .value{color:#c92a2a}
.chart svg{max-width:100%;height:auto}
details{margin:.6rem 0 1rem}summary{cursor:pointer;color:#1c7ed6}
table{border-collapse:collapse;font-size:.8rem;margin-top:.5rem}
th,td{border:1px solid #dee2e6;padding:.2rem .5rem;text-align:right}
th{background:#f1f3f5}td:first-child,th:first-child{text-align:left}
table.diff td,table.diff th{text-align:left}
"""


def _matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        from sla_engine.errors import ReportError

        raise ReportError(
            "HTML reports need matplotlib; install it with pip install 'sla-engine[report]'"
        ) from None
    return matplotlib, Figure


def svg(draw: Any, *, width: float = 9.0, height: float = 3.2) -> str:
    """An ``<svg>`` element drawn by ``draw(figure)`` on a new matplotlib figure."""
    matplotlib, figure_class = _matplotlib()
    with matplotlib.rc_context(_RC):
        figure = figure_class(figsize=(width, height), layout="constrained")
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _percent(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --------------------------------------------------------------------------- charts


def _headline_chart(report: Report) -> str:
    rows = [r for r in report.tables["headline"].to_pylist() if r.get("attainment_30d") is not None]
    if not rows:
        return ""

    def draw(figure: Any) -> None:
        ax = figure.add_subplot()
        names = [r["metric"] for r in rows]
        values = [float(r["attainment_30d"]) for r in rows]
        goals = [float(r["target"]) for r in rows]
        colours = [_GOOD if v >= g else _BAD for v, g in zip(values, goals, strict=True)]
        ax.barh(names, values, color=colours)
        ax.scatter(goals, names, marker="|", s=400, color="#212529", zorder=3, label="target")
        for y, v in enumerate(values):
            ax.text(min(v, 100) + 0.5, y, f"{v:.1f} %", va="center")
        ax.set_xlim(0, 110)
        ax.set_xlabel("met / (met + breached), last 30 days, %")
        ax.invert_yaxis()
        ax.legend(loc="lower right")

    return svg(draw, height=0.45 * len(rows) + 1.2)


def _trend_chart(report: Report) -> str:
    series: dict[str, dict[int, list[tuple[date, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    goals: dict[str, float] = {}
    for row in report.tables["trend"].to_pylist():
        series[row["metric"]][row["window"]].append((row["day"], _percent(row["attainment"])))
        goals[row["metric"]] = float(row["target"])
    metrics = [
        m for m in sorted(series) if any(v is not None for w in series[m].values() for _, v in w)
    ]
    if not metrics:
        return ""
    columns = 2 if len(metrics) > 1 else 1
    rows = -(-len(metrics) // columns)

    def draw(figure: Any) -> None:
        axes = figure.subplots(rows, columns, squeeze=False, sharex=True)
        for index, metric in enumerate(metrics):
            ax = axes[index // columns][index % columns]
            for window, points in sorted(series[metric].items()):
                # a day without decided cycles is a gap in the line, not a zero
                days = [d for d, _ in points]
                values = [float("nan") if v is None else v for _, v in points]
                ax.plot(days, values, color=_WINDOW_COLOURS.get(window), label=f"{window}-day")
            ax.axhline(goals[metric], color=_BAD, linestyle="--", linewidth=1, label="target")
            ax.set_title(metric, fontsize=9, loc="left")
            ax.set_ylim(-2, 102)
            ax.tick_params(axis="x", labelrotation=30)
        for index in range(len(metrics), rows * columns):
            axes[index // columns][index % columns].set_visible(False)
        axes[0][0].legend(loc="lower left", fontsize=7)

    return svg(draw, height=2.2 * rows + 0.6)


def _heatmap_chart(report: Report) -> str:
    attribute = report.attribute
    counts: dict[tuple[str, date], int] = defaultdict(int)
    for row in report.tables["heatmap"].to_pylist():
        counts[(row[attribute] or "(none)", row["period_start"])] += row["breaches"]
    if not counts:
        return ""
    labels = sorted({k[0] for k in counts})
    weeks = sorted({k[1] for k in counts})
    grid = [[counts.get((label, week), 0) for week in weeks] for label in labels]

    def draw(figure: Any) -> None:
        ax = figure.add_subplot()
        ax.grid(False)
        image = ax.imshow(grid, aspect="auto", cmap="Reds", vmin=0)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xticks(range(len(weeks)), [w.isoformat() for w in weeks], rotation=45, ha="right")
        peak = max(max(line) for line in grid) or 1
        for y, line in enumerate(grid):
            for x, value in enumerate(line):
                ax.text(
                    x,
                    y,
                    str(value),
                    ha="center",
                    va="center",
                    color="white" if value > peak / 2 else "#212529",
                    fontsize=7,
                )
        ax.set_xlabel("week starting")
        figure.colorbar(image, ax=ax, label="breaches (all metrics)")

    return svg(draw, height=0.4 * len(labels) + 1.8)


def _backlog_chart(report: Report) -> str:
    rows = report.tables["backlog"].to_pylist()
    if not rows:
        return ""

    def draw(figure: Any) -> None:
        ax = figure.add_subplot()
        names = [r["severity"] or "(none)" for r in rows]
        values = [r["open"] for r in rows]
        ax.bar(names, values, color="#5c7cfa")
        for x, v in enumerate(values):
            ax.text(x, v, str(v), ha="center", va="bottom")
        ax.set_ylabel("open tickets")
        ax.set_xlabel("priority (severity)")

    return svg(draw, width=6.0, height=2.8)


# --------------------------------------------------------------------------- the page


#: Rows of a table shown on the page; the JSON view and the Parquet files have them all.
ROWS_SHOWN = 1000


def _table_html(table: Any) -> str:
    if table.num_rows == 0:
        return "<p>(nothing to report)</p>"
    names = [n for n in table.column_names if n != "period"]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell_text(row[n]))}</td>" for n in names) + "</tr>"
        for row in table.slice(0, ROWS_SHOWN).to_pylist()
    )
    more = table.num_rows - ROWS_SHOWN
    note = (
        f"<p>The first {ROWS_SHOWN} rows of {table.num_rows}; the JSON format and the Parquet "
        "tables have them all.</p>"
        if more > 0
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def _cards(report: Report) -> str:
    cards = []
    for row in report.tables["headline"].to_pylist():
        value = row.get("attainment_30d")
        goal: Decimal = row["target"]
        status = "" if value is None else ("ok" if value >= goal else "miss")
        shown = "–" if value is None else f"{cell_text(value)} %"
        others = ", ".join(
            f"{w}d: {cell_text(row.get(f'attainment_{w}d')) or '–'}" for w in (7, 90)
        )
        cards.append(
            f'<div class="card {status}"><div class="name">{html.escape(row["metric"])}</div>'
            f'<div class="value">{html.escape(shown)}</div>'
            f'<div class="sub">target {html.escape(cell_text(goal))} % · 30 days</div>'
            f'<div class="sub">{html.escape(others)}</div></div>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def _section(report: Report | Replay, name: str, chart: str, intro: str) -> str:
    table = report.tables[name]
    figure = f'<div class="chart" data-chart="{name}">{chart}</div>' if chart else ""
    return (
        f'<section id="{name}"><h2>{html.escape(report.title(name))}</h2>'
        f"<p>{html.escape(intro)}</p>{figure}"
        f"<details><summary>The table ({table.num_rows} rows)</summary>"
        f"{_table_html(table)}</details></section>"
    )


_INTROS: Mapping[str, str] = {
    "headline": "Met cycles as a share of met and breached ones, counted on the local days of "
    "each window up to the report's day; the bar is the last 30 days, the mark the target.",
    "trend": "For each day, the attainment over the 7, 30 and 90 days ending with it.",
    "weekly": "Each cycle counts in the week it was met or breached; cycles still running "
    "are counted apart and cancelled ones nowhere.",
    "monthly": "Month-over-month: each month's attainment and its change, in percentage "
    "points, from the month before.",
    "heatmap": "Breaches of every metric, in the week the target was passed.",
    "response_times": "Mean and percentiles of the time to the first response (MTTA) and to "
    "resolution (MTTR), over the cycles that stopped, in business and in wall time.",
    "first_contact": "Of the tickets resolved each week, those resolved on the first contact: "
    "one agent reply, no customer reply after it, never reopened.",
    "backlog": "Tickets created by the report's instant and not in a terminal state at it.",
    "time_in_state": "Wall time of each completed stay in a lifecycle state; stays still "
    "going on at the report's instant are counted apart.",
    "attainment": "Per month and every combination of ticket attributes, for a BI tool.",
}


def report_html(report: Report) -> str:
    """The whole page."""
    charts = {
        "headline": _headline_chart(report),
        "trend": _trend_chart(report),
        "heatmap": _heatmap_chart(report),
        "backlog": _backlog_chart(report),
    }
    sections = [
        _section(report, name, charts.get(name, ""), _INTROS[name]) for name in report.tables
    ]
    meta = (
        f"At {cell_text(report.as_of)}; periods in {report.timezone}; weekly tables over the "
        f"last {report.days} days. Calendar data: {_versions(report.data_versions)}."
    )
    return _page(f"SLA report: {report.policy}", meta, _cards(report) + "".join(sections))


def _versions(versions: Mapping[str, str | None]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(versions.items()) if v)


def _page(title: str, meta: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="meta">{html.escape(meta)}</p>'
        f"{body}</body></html>\n"
    )


# --------------------------------------------------------------------------- replay


def _replay_chart(replay: Replay) -> str:
    rows = [
        r
        for r in replay.tables["attainment"].to_pylist()
        if r["old_attainment"] is not None or r["new_attainment"] is not None
    ]
    if not rows:
        return ""

    def draw(figure: Any) -> None:
        ax = figure.add_subplot()
        names = [r["metric"] for r in rows]
        positions = list(range(len(rows)))
        before = [_percent(r["old_attainment"]) or 0.0 for r in rows]
        after = [_percent(r["new_attainment"]) or 0.0 for r in rows]
        ax.barh([p - 0.2 for p in positions], before, height=0.4, color="#adb5bd", label="old")
        ax.barh([p + 0.2 for p in positions], after, height=0.4, color="#3182bd", label="new")
        goals = [float(r["target"]) for r in rows]
        ax.scatter(goals, positions, marker="|", s=400, color="#212529", zorder=3, label="target")
        ax.set_yticks(positions, names)
        ax.set_xlim(0, 110)
        ax.set_xlabel("met / (met + breached), %")
        ax.invert_yaxis()
        ax.legend(loc="lower right")

    return svg(draw, height=0.55 * len(rows) + 1.2)


def _due_chart(replay: Replay) -> str:
    from sla_engine.report.replay import DUE_BUCKETS

    totals: dict[str, int] = defaultdict(int)
    for row in replay.tables["due_changes"].to_pylist():
        totals[row["bucket"]] += row["cycles"]
    if not totals:
        return ""
    names = [b[0] for b in DUE_BUCKETS]

    def draw(figure: Any) -> None:
        ax = figure.add_subplot()
        values = [totals.get(n, 0) for n in names]
        colours = ["#c92a2a"] * 3 + ["#adb5bd"] + ["#2b8a3e"] * 3
        ax.bar(range(len(names)), values, color=colours)
        ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
        for x, v in enumerate(values):
            ax.text(x, v, str(v), ha="center", va="bottom")
        ax.set_ylabel("cycles (all metrics)")

    return svg(draw, height=3.0)


_REPLAY_INTROS: Mapping[str, str] = {
    "attainment": "Each metric's attainment over the replayed cycles under the old and the new "
    "policy, with the cycles that flip each way.",
    "flips": "Cycles met under one policy and breached under the other.",
    "due_changes": "How far each cycle's due instant moves (new minus old); earlier is stricter.",
    "outcomes": "Every ticket, metric and cycle with its outcome, rule, target and due instant "
    "under both policies.",
}


def _diff_html(replay: Replay) -> str:
    changes = replay.diff.changes
    if not changes:
        body = "<p>The policies are the same in every term the diff compares.</p>"
    else:
        head = "".join(f"<th>{n}</th>" for n in ("kind", "where", "old", "new", "note"))
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(v or '')}</td>" for v in (c.kind, c.path, c.old, c.new, c.detail)
            )
            + "</tr>"
            for c in changes
        )
        body = f'<table class="diff"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    return f'<section id="diff"><h2>What changed in the policy</h2>{body}</section>'


def replay_html(replay: Replay) -> str:
    """The what-if page: the diff first, then the comparison's charts and tables."""
    charts = {"attainment": _replay_chart(replay), "due_changes": _due_chart(replay)}
    sections = [
        _section(replay, name, charts.get(name, ""), _REPLAY_INTROS[name]) for name in replay.tables
    ]
    meta = (
        f"The same tickets at {cell_text(replay.as_of)} under both policies. Calendar data: "
        f"{_versions(replay.data_versions)}."
    )
    title = f"What-if replay: {replay.old} → {replay.new}"
    return _page(title, meta, _diff_html(replay) + "".join(sections))
