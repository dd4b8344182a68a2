"""CSV records that know when a quote was never closed.

Python's ``csv.reader`` (lenient mode) reads a ``"`` that opens a cell and is never closed as a cell running to the
end of the file: every later row silently becomes part of one name or department, and the run says nothing. Here
the physical lines of each record are kept, so such a record is told apart (it asked for a line past the end) and
the lines after its first one are read again as rows of their own.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator


class _Lines:
    """The physical lines handed to ``csv.reader``: those of the record being read, and whether they ran out."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._it = iter(lines)
        self.kept: list[str] = []
        self.ended = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._it)
        except StopIteration:
            self.ended = True
            raise
        self.kept.append(line)
        return line


def unterminated(after: int) -> str:
    """The reason given for a row whose quote is never closed.

    >>> unterminated(2)
    'unterminated quote: a " opens a cell on this row and is never closed; the 2 line(s) after it are read again'
    """
    rest = f"; the {after} line(s) after it are read again" if after else ""
    return f'unterminated quote: a " opens a cell on this row and is never closed{rest}'


def stopped_reason(reason: str) -> str:
    """A :class:`Records` problem said by a reader that stops at it (nothing after it is read again).

    >>> stopped_reason(unterminated(3)), stopped_reason("unreadable CSV row: line contains NUL")
    ('unterminated quote: a " opens a cell on this row and is never closed', 'unreadable CSV: line contains NUL')
    """
    if reason.startswith("unterminated quote"):
        return unterminated(0)
    return reason.replace("unreadable CSV row: ", "unreadable CSV: ")


class Records:
    """``(line, fields)`` per CSV record (``line`` the record's first physical line: a record whose quoted cell
    holds line breaks is named where it starts, where a text editor shows it; ``csv.reader.line_num`` names its
    last, which a spreadsheet shows as a later person's row);
    ``(line, reason)`` for a record that cannot be read: a ``csv.Error`` (the reader goes on with the next line)
    or an unterminated quote (``line`` the row it opens on; the lines after it are read again). ``ok`` is False
    after a problem, for callers that stop at the first one.

    >>> list(Records(['id,name\\n', 'E1,"Ann\\n', 'E2,Bob\\n'], ","))  # doctest: +NORMALIZE_WHITESPACE
    [(1, ['id', 'name']),
     (2, 'unterminated quote: a " opens a cell on this row and is never closed; the 1 line(s) after it are read again'),
     (3, ['E2', 'Bob'])]
    >>> [n for n, _ in Records(['id,note\\n', '1,"a\\n', 'b"\\n', '2,c\\n'], ",")]
    [1, 2, 4]
    """

    def __init__(self, lines: Iterable[str], delimiter: str = ",") -> None:
        self._delimiter = delimiter
        self._lines = _Lines(lines)
        self._reader = csv.reader(self._lines, delimiter=delimiter)
        self._base = 0  # lines before the current reader's first one
        self.line_num = 0

    def __iter__(self) -> Iterator[tuple[int, list[str] | str]]:
        while True:
            self._lines.kept.clear()
            start = self._base + self._reader.line_num + 1
            try:
                fields = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.line_num = self._base + self._reader.line_num
                yield self.line_num, f"unreadable CSV row: {exc}"
                continue
            if self._lines.ended and self._lines.kept:  # still inside a quoted cell when the file ended
                rest = self._lines.kept[1:]
                self.line_num = start
                self._lines, self._base = _Lines(rest), start
                self._reader = csv.reader(self._lines, delimiter=self._delimiter)
                yield start, unterminated(len(rest))
                continue
            self.line_num = self._base + self._reader.line_num
            yield start, fields


__all__ = ["Records", "stopped_reason", "unterminated"]
