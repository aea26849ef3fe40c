"""Fuzzing: any text or structured document gives a Policy or a PolicyError, nothing else."""

from __future__ import annotations

import json
import warnings
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_engine.errors import PolicyError
from sla_engine.policy import Policy, load_policy
from strategies import policy_mappings

KEYS = [
    "format_version",
    "name",
    "version",
    "effective_from",
    "effective_until",
    "currency",
    "calendars",
    "timezone",
    "hours",
    "holidays",
    "country",
    "subdivision",
    "closed",
    "special",
    "union",
    "severities",
    "channels",
    "tiers",
    "calendar",
    "targets",
    "price",
    "amount",
    "warnings",
    "at",
    "before",
    "mon-fri",
    "sev1",
    "<<",
    "metrics",
    "rules",
    "when",
    "target",
    "default",
    "kind",
    "start",
    "states",
    "pauses",
    "terminal",
    "lifecycle",
    "issue_classes",
    "escalation",
    "levels",
    "after",
    "strategies",
    "credits",
    "basis",
    "rule",
    "bands",
    "range",
    "credit",
    "claim",
    "cap_per_period",
    "first_response",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from(
        [
            "24x7",
            "UTC",
            "2h",
            "1d",
            "1bd",
            "09:00-17:00",
            "2026-01-01",
            "US",
            "75%",
            "x",
            "",
            "none",
            "first_response",
            "time_in_state",
            "enter:New",
            "downtime_bands",
            "[1h, 4h)",
            "(4h, 1h]",
            "incident",
        ]
    ),
    st.text(max_size=12),
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5),
    ),
    max_leaves=25,
)


def _load(*args: Any, **kwargs: Any) -> Policy | PolicyError:
    """The policy, or the PolicyError refusing it; any other exception fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return load_policy(*args, **kwargs)
        except PolicyError as exc:
            return exc


def _check(result: Policy | PolicyError) -> None:
    """A refusal names at least one error and says what is wrong with it."""
    if isinstance(result, PolicyError):
        assert any(p.severity == "error" and p.message.strip() for p in result.problems), result


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["yaml", "json", "toml"]))
def test_fuzz_arbitrary_text(text: str, fmt: str) -> None:
    """Arbitrary text in any syntax loads or raises PolicyError."""
    _check(_load(text=text, format=fmt))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCS)
def test_fuzz_structured_documents(doc: Any) -> None:
    """YAML-ish documents of policy words, as YAML text and as JSON, load or raise PolicyError."""
    _check(_load(text=yaml.safe_dump(doc, allow_unicode=True)))
    envelope = {"format_version": 1, "name": "x", "version": "1", "effective_from": "2026-01-01"}
    mapping = envelope | (doc if isinstance(doc, dict) else {"calendars": doc})
    _check(_load(text=json.dumps(mapping), format="json"))


@settings(max_examples=100, deadline=None)
@given(policy_mappings(), st.data())
def test_fuzz_mutated_valid_policies(mapping: dict[str, Any], data: st.DataObject) -> None:
    """A valid policy's text with one character changed loads or raises PolicyError."""
    text = yaml.safe_dump(mapping)
    i = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    c = data.draw(st.sampled_from(["", ":", "-", "[", "{", "&a", "*a", " ", "\n", "'", "0"]))
    _check(_load(text=text[:i] + c + text[i + 1 :]))


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*here, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*here, i)))
    return out


@settings(max_examples=150, deadline=None)
@given(policy_mappings(), st.data())
def test_fuzz_damaged_sections(mapping: dict[str, Any], data: st.DataObject) -> None:
    """A valid policy with values replaced or keys removed anywhere loads or raises PolicyError,
    linting the sections that are still well formed."""
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        where = data.draw(st.sampled_from([p for p in _paths(mapping) if p]))
        parent: Any = mapping
        for key in where[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[where[-1]]
        else:
            parent[where[-1]] = data.draw(SCALARS)
    _check(_load(mapping))
