"""Programs a test starts itself (mosquitto, initdb, chromedriver): skipped when missing, failed in CI."""

from __future__ import annotations

import glob
import shutil

import pytest

from tests.conftest import IN_CI


def need_program(binary: str) -> str:
    """The program's path; a missing one skips the test on a developer's machine and fails it in CI."""
    found = shutil.which(binary) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"))[-1:]), None)
    if not found:
        message = f"{binary} is not installed"
        if IN_CI:
            pytest.fail(message + " (CI=true: nothing skips)")
        pytest.skip(message)
    return found
