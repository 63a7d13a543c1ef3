"""No-op stand-ins for the old watch cache's calls, until every stage has dropped them (then this file goes)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def stable(key: Any, value: T) -> T:
    """The value itself."""
    return value


def derived(key: Any, sources: tuple[Any, ...], compute: Callable[[], T], depth: int = 3) -> T:
    """compute()."""
    return compute()


def while_equal(key: Any, inputs: Any, compute: Callable[[], T]) -> T:
    """compute()."""
    return compute()


def cached(name: str, inputs: Any, compute: Callable[[], T]) -> T:
    """compute()."""
    return compute()


def fingerprint(value: Any) -> None:
    """Nothing: no cache listens."""
    return None
