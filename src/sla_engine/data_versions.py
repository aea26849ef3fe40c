"""Which calendar data an answer used: the ``holidays`` release and the time-zone database.

A due time or a credit depends on data that ships apart from sla_engine: public holidays from
the ``holidays`` package and zone rules from the IANA time-zone database (the system's, which
``zoneinfo`` reads first, or the ``tzdata`` package). Upgrading either can move a deadline, so
every answer that depends on a calendar records :class:`DataVersions`.
"""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

__all__ = ["DataVersions", "data_versions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DataVersions:
    """The versions of the calendar data in use.

    ``holidays``: the ``holidays`` package release (``None`` if it is not installed).
    ``tzdb``: the IANA release of the zone rules (e.g. ``'2025b'``), ``None`` if unknown.
    ``tzdb_source``: where ``zoneinfo`` reads them: ``'system'`` (a directory of the
    machine's own database, named in ``tzdb_path``) or ``'tzdata'`` (the Python package,
    whose version is ``tzdata_package``).
    """

    holidays: str | None
    tzdb: str | None
    tzdb_source: str
    tzdb_path: str | None = None
    tzdata_package: str | None = None

    def to_mapping(self) -> dict[str, str | None]:
        """The plain-data form, for JSON outputs."""
        return {
            "holidays": self.holidays,
            "tzdb": self.tzdb,
            "tzdb_source": self.tzdb_source,
            "tzdb_path": self.tzdb_path,
            "tzdata_package": self.tzdata_package,
        }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _zi_version(path: Path) -> str | None:
    """The release named on the first line of a ``tzdata.zi`` file (``# version 2025b``)."""
    try:
        with path.open(encoding="utf-8") as f:
            first = f.readline(200).split()
    except OSError:
        return None
    return first[2] if len(first) == 3 and first[:2] == ["#", "version"] else None


@functools.cache
def data_versions() -> DataVersions:
    """The calendar data this process uses (read once; the packages do not change under it)."""
    holidays = _version("holidays")
    tzdata_package = _version("tzdata")
    for directory in zoneinfo.TZPATH:
        root = Path(directory)
        if (root / "UTC").is_file() or (root / "Etc" / "UTC").is_file():
            return DataVersions(
                holidays=holidays,
                tzdb=_zi_version(root / "tzdata.zi"),
                tzdb_source="system",
                tzdb_path=str(root),
                tzdata_package=tzdata_package,
            )
    tzdb = None
    try:
        from importlib import resources

        zi = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi")
        with resources.as_file(zi) as path:
            tzdb = _zi_version(Path(path))
    except (ImportError, OSError):
        pass
    return DataVersions(
        holidays=holidays, tzdb=tzdb, tzdb_source="tzdata", tzdata_package=tzdata_package
    )
