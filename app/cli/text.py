"""Text from inputs made safe to print on a terminal.

File names, zip member names and cell values reach the messages as written. An ESC in one (a file named
``esc\\x1b[31mred.csv``, a zip member of a hand-made archive) is a terminal control sequence: it could recolour,
move the cursor, retitle the window or hide what follows. A newline splits one message into two, and a file name
that is not UTF-8 holds lone surrogates that cannot be written at all. Such characters are shown as escapes.
"""

from __future__ import annotations

import re

_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_SURROGATE = re.compile("[\ud800-\udfff]")


def visible(text: object) -> str:
    r"""``text`` with control characters and undecodable bytes (surrogate escapes) written as ``\xNN``.

    >>> visible("esc\x1b[31mred.csv"), visible("new\nline"), visible("bad\udcff.csv"), visible("Müller")
    ('esc\\x1b[31mred.csv', 'new\\x0aline', 'bad\\xff.csv', 'Müller')
    """
    s = str(text).translate(_CONTROL)
    if s.isascii():
        return s
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}" if "\udc80" <= m.group() <= "\udcff"
                          else f"\\u{ord(m.group()):04x}", s)


__all__ = ["visible"]
