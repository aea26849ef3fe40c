"""What the installed `holidays` package says, so tests never hard-code its data.

Holiday names and subdivision aliases change between releases of the package; a test that
checks how sla_engine shows a holiday asks the package for the name it must show.
"""

from __future__ import annotations

from datetime import date

import holidays


def holiday_name(
    country: str, day: date, *, subdivision: str | None = None, language: str | None = None
) -> str:
    """The name the installed package gives `day` in `country` (default: its own language)."""
    names = holidays.country_holidays(
        country, subdiv=subdivision, years=day.year, language=language
    )
    name = names.get(day)
    assert name is not None, f"{day} is no holiday in {country} for this holidays release"
    return str(name)
