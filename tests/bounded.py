"""A bound on the time one input may take, for fuzz and regression tests.

``bounded`` is a fixture giving a context manager: code that runs past the limit inside it fails
the test (a hang is a failure, never a wait). It bounds; it does not measure speed.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

#: Seconds one input may take: generous, so that a slow machine never trips it.
LIMIT = 10.0


@contextmanager
def _limit(seconds: float = LIMIT) -> Iterator[None]:
    def _expired(signum: int, frame: Any) -> None:
        pytest.fail(f"one input ran past the {seconds:g} s bound (a hang or a blow-up)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def bounded() -> Callable[..., AbstractContextManager[None]]:
    """``with bounded(): ...`` fails the test if the block runs past ``LIMIT`` seconds;
    ``bounded(60)`` for a larger input."""
    return _limit
