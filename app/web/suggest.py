"""What the skill autocomplete completes: the word being typed at the end of the text before the caret.

The search box takes sentences ("who knows kubernetes in berlin"), so a suggestion must replace only the word being
typed, not the whole text. The browser (app/web/static/web.js) sends the text up to the end of the word at the
caret; the server looks up skills for its trailing fragments and says, with each suggestion, which fragment it
completes, so the browser replaces exactly that and keeps the rest of the sentence.
"""

from __future__ import annotations

import re

MAX_TEXT = 200  # characters of the text before the caret that are read: its end is what is being typed
MAX_WORDS = 2  # a skill name of two words ("machine lea" -> machine-learning) is completed as one fragment
_WORDS = re.compile(r"\S+")


def trailing_fragments(text: str) -> list[str]:
    """The fragments at the end of ``text`` a skill suggestion may complete, longest first; none when the text
    ends in a space (no word is being typed).

    Each is the exact end of ``text``, as typed, so the browser can check it still ends the box's text.

    >>> trailing_fragments("who knows kube")
    ['knows kube', 'kube']
    >>> trailing_fragments("pyth")
    ['pyth']
    >>> trailing_fragments("who knows ")
    []
    >>> trailing_fragments("who knows machine   lea")
    ['machine   lea', 'lea']
    """
    text = text[-MAX_TEXT:]
    if not text or text[-1].isspace():
        return []
    starts = [m.start() for m in _WORDS.finditer(text)][-MAX_WORDS:]
    return [text[s:] for s in starts]


__all__ = ["MAX_TEXT", "trailing_fragments"]
