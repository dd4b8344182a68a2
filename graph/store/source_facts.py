"""What one forum source holds in the store, and what a full re-import of it takes back.

A forum export that is the whole of its source (a Stack Exchange dump is the site as it is now; any export with
``--full``) says what the source holds *now*: a post, comment or reply it no longer has was deleted, a membership it
no longer lists was left, an endorsement it no longer holds was withdrawn, and an account it now matches to an HR
person (a new ``--identities`` row, an email HR now holds) is no longer a person of the forum's own. Upserts alone
never take anything back, so a store fed month after month kept every deleted post, every old membership and
endorsement and a second, visible copy of each re-matched account (under its forum name, even when the HR person it
now matches opted out), unlike a fresh import of the same export. :class:`SourceKeep` is what the run wrote; a
store's ``retract_source`` deletes the rest of the source's posts (with their engagements), memberships of its
communities, engagements of its posts and the endorsements written with its name (``Endorsement.source``; one of
unknown source is never taken back), then the source's own people nothing refers to any more (no post, membership,
engagement, endorsement, reporting line, skill claim or choice of their own), with their analytics rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

K = TypeVar("K", str, tuple[Any, ...])


@dataclass
class SourceKeep:
    """The keys one run of a forum export wrote: post ids, (person, community) memberships, (person, post, kind)
    engagements and (from, to, skill) endorsements."""

    posts: set[str] = field(default_factory=set)
    memberships: set[tuple[str, str]] = field(default_factory=set)
    engagements: set[tuple[str, str, str]] = field(default_factory=set)
    endorsements: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class SourceRetraction:
    """What a full re-import took back (or, in a dry run, would): each list sorted."""

    posts: list[str] = field(default_factory=list)
    memberships: list[tuple[str, str]] = field(default_factory=list)
    engagements: list[tuple[str, str, str]] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    endorsements: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, skill)

    @property
    def empty(self) -> bool:
        return not (self.posts or self.memberships or self.engagements or self.people or self.endorsements)


def not_kept(stored: Iterable[K], keep: set[K]) -> list[K]:
    """The stored keys the run did not write, sorted (the order stores delete and report them in).

    >>> not_kept(["b", "a", "c"], {"c"})
    ['a', 'b']
    """
    return sorted({k for k in stored if k not in keep})


__all__ = ["SourceKeep", "SourceRetraction", "not_kept"]
