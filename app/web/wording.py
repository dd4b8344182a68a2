"""The API's bad-input messages said for a person on a page.

The API's messages are written for a developer ("a string variable of 3000 characters; at most 1024 are allowed",
"invalid cursor 'x'"), and the pages showed them as they were. A page shows the same facts in a person's words;
the API keeps its own messages (a client may match on them). A message not listed here is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.graphql.analysis import LONE_SURROGATE

_Words = Callable[[re.Match[str]], str]


def _n(text: str) -> str:
    return f"{int(text):,}" if text.isdigit() else text


_SAID: list[tuple[re.Pattern[str], _Words]] = [
    (re.compile(r"a string (?:variable|argument) of (\d+) characters; at most (\d+) are allowed"),
     lambda m: f"The text is too long: at most {_n(m[2])} characters (this one has {_n(m[1])})."),
    (re.compile(re.escape(LONE_SURROGATE)),
     lambda m: "The text holds a character that cannot be read (half of a character pair); type it again."),
    (re.compile(r"the variables hold more than (\d+) values"),
     lambda m: f"The request holds too many values: at most {_n(m[1])}."),
    (re.compile(r"variables nested more than (\d+) levels deep"),
     lambda m: "The request is nested too deeply to read."),
    (re.compile(r"invalid cursor .*", re.S),
     lambda m: "The link's place in the list is not valid (it was changed or cut short); start again from the "
               "first page."),
    (re.compile(r"the query's cost is (\S+) \(.*\); the limit is (\d+).*", re.S),
     lambda m: f"This page asks for too much at once: a cost of {_n(m[1])}, over the limit of {_n(m[2])}."),
]


def for_a_person(message: str) -> str:
    """``message`` (an API BAD_USER_INPUT message) in a person's words, or as it is when not listed.

    >>> for_a_person("a string variable of 3000 characters; at most 1024 are allowed")
    'The text is too long: at most 1,024 characters (this one has 3,000).'
    >>> for_a_person("id 'x' is not a valid id (expected 'namespace:local')")
    "id 'x' is not a valid id (expected 'namespace:local')"
    """
    for pattern, words in _SAID:
        if (found := pattern.fullmatch(message)) is not None:
            return words(found)
    return message


__all__ = ["for_a_person"]
