"""Opening an input file without hanging on what is not one.

``open()`` of a FIFO waits for a writer (forever, for a named pipe left in an export folder or given as
``--identities``), and a character device such as /dev/zero never ends. Every input is opened non-blocking, then
checked to be a regular file on the open descriptor (no window between a check and the open), then read as usual.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any, BinaryIO

NOT_REGULAR = "not a regular file ({kind}): give a file saved on disk"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


class NotRegularFile(OSError):
    """The path is a directory, FIFO, socket or device. An OSError, so callers' existing handlers report it; its
    ``strerror`` is the reason."""


def open_regular(path: str | Path) -> BinaryIO:
    """``open(path, "rb")`` for a regular file; NotRegularFile (an OSError) for anything else, at once."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            reason = NOT_REGULAR.format(kind=_kind(mode))
            raise NotRegularFile(0, reason, str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | Path) -> bytes:
    """The bytes of a regular file (see :func:`open_regular`)."""
    with open_regular(path) as fh:
        return fh.read()


def special_reason(path: str | Path) -> str | None:
    """Why ``path`` cannot be read as an input, when it exists and is neither a regular file nor a directory
    (a FIFO, socket or device); else None."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return NOT_REGULAR.format(kind=_kind(mode))


def toml_loads(text: str) -> dict[str, Any]:
    """``tomllib.loads`` whose every failure is a ``tomllib.TOMLDecodeError``: it raises RecursionError on arrays
    nested 10,000 deep and ValueError on a 5,000-digit integer (Python's int() digit limit), which its callers'
    handlers (written for TOMLDecodeError) let through as a traceback.

    >>> toml_loads("a = " + "[" * 5000 + "]" * 5000)
    Traceback (most recent call last):
    tomllib.TOMLDecodeError: nested too deeply
    """
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("nested too deeply") from None
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:  # int() past 4,300 digits
        raise tomllib.TOMLDecodeError(str(exc).split(";")[0]) from None


__all__ = ["NOT_REGULAR", "NotRegularFile", "open_regular", "read_regular", "special_reason", "toml_loads"]
