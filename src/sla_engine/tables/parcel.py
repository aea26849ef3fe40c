"""A policy packed for another process: plain text, a content hash and the calendar data
versions, opened (and checked) on the worker.

Dask workers and Spark executors receive a :class:`PolicyParcel`, never the compiled policy
(compiled calendars hold caches that do not pickle). On the worker :meth:`PolicyParcel.open`
rebuilds the policy from its mapping, checks that the rebuilt policy has the same content hash,
and that the worker reads the same calendar data (holidays package, time-zone database) as the
process that packed it: the same policy and data give the same rows, so a worker that would
answer differently refuses instead.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from typing import Any

from sla_engine.clocks.sla import SLA
from sla_engine.data_versions import data_versions
from sla_engine.errors import SLAEngineError, SLAEngineWarning, TicketError

__all__ = ["PolicyParcel"]

# parcels opened in this process, by content hash (a worker opens each policy once)
_OPENED: dict[str, SLA] = {}


def _canonical(mapping: Any) -> str:
    # keys keep their order: the order of metrics (and so of rows) is part of a policy
    return json.dumps(mapping, separators=(",", ":"), ensure_ascii=False, default=str)


def _data() -> dict[str, str | None]:
    versions = data_versions()
    return {"holidays": versions.holidays, "tzdb": versions.tzdb}


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyParcel:
    """A policy (``kind="policy"``) or an SLA (``kind="sla"``) as canonical JSON text."""

    kind: str
    text: str
    sha256: str
    data: tuple[tuple[str, str | None], ...]

    def __post_init__(self) -> None:
        if self.kind not in ("policy", "sla"):
            raise TicketError(f"a policy parcel holds a policy or an SLA, not {self.kind!r}")
        if hashlib.sha256(self.text.encode("utf-8")).hexdigest() != self.sha256:
            raise SLAEngineError(
                "the policy parcel's text does not match its content hash; it was changed "
                "on the way"
            )

    @classmethod
    def of(cls, policy: object) -> PolicyParcel:
        """Pack a loaded ``Policy`` or an ``SLA`` (or pass a parcel through)."""
        if isinstance(policy, PolicyParcel):
            return policy
        if isinstance(policy, SLA):
            kind, mapping = "sla", policy.to_mapping()
        elif hasattr(policy, "to_mapping") and isinstance(getattr(policy, "sla", None), SLA):
            kind, mapping = "policy", policy.to_mapping()
        else:
            raise TicketError(
                f"expected a Policy with metrics or an SLA, got {type(policy).__name__}"
            )
        text = _canonical(mapping)
        return cls(
            kind=kind,
            text=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            data=tuple(sorted(_data().items())),
        )

    def open(self) -> SLA:
        """The SLA, rebuilt and checked in this process (once per process and policy)."""
        here = _data()
        if dict(self.data) != here:
            raise SLAEngineError(
                f"this worker reads other calendar data ({here}) than the process that sent the "
                f"policy ({dict(self.data)}); install the same holidays and tzdata versions "
                "everywhere, or freeze the policy's holidays"
            )
        found = _OPENED.get(self.sha256)
        if found is not None:
            return found
        mapping = json.loads(self.text)
        with warnings.catch_warnings():
            # the policy's warnings were shown where it was loaded
            warnings.simplefilter("ignore", SLAEngineWarning)
            if self.kind == "sla":
                sla = SLA.from_mapping(mapping)
                rebuilt = sla.to_mapping()
            else:
                from sla_engine.policy import load_policy

                policy = load_policy(mapping)
                assert policy.sla is not None
                sla = policy.sla
                rebuilt = policy.to_mapping()
        if hashlib.sha256(_canonical(rebuilt).encode("utf-8")).hexdigest() != self.sha256:
            raise SLAEngineError(
                f"the policy rebuilt on this worker differs from the one sent (content hash "
                f"{self.sha256[:12]}); the sla_engine versions differ"
            )
        _OPENED[self.sha256] = sla
        return sla
