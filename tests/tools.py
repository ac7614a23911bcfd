"""External programs some tests need (Debian's chromium, poppler's pdftoppm): found on the PATH, else the test
is skipped with the reason — or fails when ``KAKEHASHI_REQUIRE_BROWSER=1`` (CI installs them)."""

from __future__ import annotations

import os
import shutil

import pytest


def required_program(name: str, reason: str) -> str:
    """The program's path; skip (or, with ``KAKEHASHI_REQUIRE_BROWSER=1``, fail) with ``reason`` without it."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("KAKEHASHI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KAKEHASHI_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return path
