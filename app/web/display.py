"""What every value a template prints goes through (the Jinja environment's ``finalize``), before it is escaped.

Names, titles, departments, locations and community names come from HR and forum exports, which anyone who can
type a display name writes. Escaping keeps their markup inert; this keeps their *direction* inert: an explicit
bidirectional override or embedding (U+202A..U+202E) or isolate (U+2066..U+2069) left open in a title reversed the
rest of its line ("T\u202e" · "Sales · Berlin" showed "nilreB · selaS"), so one person's profile text could make
another's read differently (the "Trojan Source" class, CVE-2021-42574). They are dropped from what is shown. Names
written in Arabic or Hebrew need none of them: their letters carry their direction, and the templates isolate
names with ``<bdi>``. The marks U+200E/U+200F, which only nudge neutral characters, are kept.
"""

from __future__ import annotations

from markupsafe import Markup

BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def shown(value: object) -> object:
    """``value`` with its bidirectional controls dropped; markup stays markup, other values are left alone.

    >>> shown("P4 \u202eevil\u202c"), shown(3)
    ('P4 evil', 3)
    >>> shown(Markup("<b>\u2067x</b>"))
    Markup('<b>x</b>')
    >>> shown("\u05e9\u05dc\u05d5\u05dd \u200f")  # Hebrew letters and a right-to-left mark stay
    'שלום \u200f'
    """
    if isinstance(value, Markup):
        return Markup(str(value).translate(BIDI_CONTROLS))
    if isinstance(value, str):
        return value.translate(BIDI_CONTROLS)
    return value


__all__ = ["BIDI_CONTROLS", "shown"]
