"""Degree as a share: of the other people, how many has each person interacted with.

The stored ``degree`` score is read as "has talked with N % of colleagues" (influencer explanations) and "share of
all other people this person has interacted with" (person page), so it is the normalised degree centrality
(Freeman 1978: distinct contacts / (n - 1)) over the interaction ties only (answers, replies, comments, endorsements,
engagements). The weighted strength of the combined graph, which also counts shared memberships and reporting lines
and adds up repeated ties with recency decay, is not a share: it read as "1235 % of colleagues" on a real forum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable


def contact_share(ties: Iterable[tuple[str, str]], people: Collection[str]) -> dict[str, float]:
    """Each person's distinct interaction partners (either direction, self-ties ignored) over ``len(people) - 1``.

    Ties with someone outside ``people`` (left out of the analysis) are not counted; everyone in ``people`` gets a
    value, 0.0 when they interacted with no one.

    >>> contact_share([("a", "b"), ("b", "a"), ("c", "a"), ("a", "a"), ("a", "x")], ["a", "b", "c", "d", "e"])
    {'a': 0.5, 'b': 0.25, 'c': 0.25, 'd': 0.0, 'e': 0.0}
    """
    known = set(people)
    partners: dict[str, set[str]] = defaultdict(set)
    for a, b in ties:
        if a != b and a in known and b in known:
            partners[a].add(b)
            partners[b].add(a)
    others = len(known) - 1
    return {p: (len(partners[p]) / others if others > 0 else 0.0) for p in people}


__all__ = ["contact_share"]
