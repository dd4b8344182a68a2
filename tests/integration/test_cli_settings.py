"""A bad WHOKNOWS_* setting stops every command with exit 2 and one line naming the variable (never a pydantic
dump, never a secret's value)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.clirun import cli as _cli
from tests.integration.clirun import made_store
from tests.integration.clirun import one_error_line as _one_error_line


@pytest.fixture
def store(tmp_path: Path) -> str:
    return made_store(tmp_path)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("WHOKNOWS_ENV", "bogus", "'development', 'test' or 'production'"),
        ("WHOKNOWS_MIN_GROUP_SIZE", "0", "greater than or equal to 1"),
        ("WHOKNOWS_MIN_GROUP_SIZE", "-1", "greater than or equal to 1"),
        ("WHOKNOWS_MIN_GROUP_SIZE", "abc", "valid integer"),
        ("WHOKNOWS_REQUEST_TIMEOUT_S", "nan", "finite number"),
        ("WHOKNOWS_LOG_LEVEL", "loud", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("WHOKNOWS_CORS_ORIGINS", "not-json", "JSON"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(store: str, variable: str, value: str, says: str) -> None:
    result = _cli("stats", "--store", store, env={variable: value})
    assert result.returncode == 2, result.stderr
    line = _one_error_line(result)
    assert variable in line
    assert says in line
    assert "errors.pydantic.dev" not in line


def test_a_bad_secret_is_named_but_never_echoed(store: str) -> None:
    result = _cli("token", "--role", "analyst", "--sub", "x", env={"WHOKNOWS_ENV": "production",
                                                                     "WHOKNOWS_JWT_SECRET": "short-secret"})
    assert result.returncode == 2
    line = _one_error_line(result)
    assert "WHOKNOWS_JWT_SECRET" in line
    assert "short-secret" not in line
