"""Shared column helpers for the exercise models."""

from __future__ import annotations

from collections.abc import Iterable


def one_of(column: str, values: Iterable[str]) -> str:
    """SQL for a CHECK constraint: ``column in ('a', 'b')``."""
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def nullable_one_of(column: str, values: Iterable[str]) -> str:
    return f"{column} is null or {one_of(column, values)}"
