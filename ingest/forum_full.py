"""A forum export that is the whole of its source takes back what it no longer holds (graph/store/source_facts.py).

A Stack Exchange dump is always the whole site as it is now, so it is full by default; other formats are full with
``--full`` (a Slack or Teams export of a date range is not: a message outside the range was not deleted). The guard
is HR's (:func:`ingest.hr.leavers.too_many_leavers`): a "full" export that would remove more than half of the
source's stored posts, and more than ten of them, or any post while it holds none, looks cut short (a truncated
download, the wrong site's dump under the same name) and takes nothing back unless ``allow`` says so. Endorsements
are judged the same way, apart from posts: an export of kudos alone has no posts, and one cut short before its
endorsement lines would otherwise take back every endorsement of the source.
"""

from __future__ import annotations

from typing import Any

from graph.store.source_facts import SourceKeep, SourceRetraction
from ingest.hr.leavers import too_many_leavers
from schema.errors import UnreadableInput
from schema.models import Endorsement, Engagement, MemberOf, Post

FULL_BY_DEFAULT = frozenset({"stackexchange"})
ALLOW_FLAG = "--allow-mass-removal"


def is_full(fmt: str, full: bool | None) -> bool:
    """``full`` as given, else the format's default.

    >>> is_full("stackexchange", None), is_full("slack", None), is_full("stackexchange", False)
    (True, False, False)
    """
    return fmt in FULL_BY_DEFAULT if full is None else full


def kept(keep: SourceKeep, item: Any) -> None:
    """Note the key of a record the run writes."""
    t = type(item)
    if t is Post:
        keep.posts.add(item.id)
    elif t is MemberOf:
        keep.memberships.add((item.person_id, item.community_id))
    elif t is Engagement:
        keep.engagements.add((item.person_id, item.post_id, str(item.kind)))
    elif t is Endorsement:
        keep.endorsements.add((item.from_id, item.to_id, item.skill))


def cut_short(would: SourceRetraction, keep: SourceKeep) -> tuple[str, int, int] | None:
    """(kind, would remove, stored) of the first kind of record a full run would remove so much of that the export
    looks cut short (posts, then endorsements), or None.

    >>> cut_short(SourceRetraction(posts=["a"]), SourceKeep())
    ('posts', 1, 1)
    >>> gone = [("a", "b", str(i)) for i in range(11)]
    >>> cut_short(SourceRetraction(endorsements=gone), SourceKeep(posts={"p"}, endorsements={("a", "b", "x")}))
    ('endorsements', 11, 12)
    >>> cut_short(SourceRetraction(endorsements=gone[:3]), SourceKeep(endorsements={("a", "b", "x")})) is None
    True
    """
    for kind, removed, listed in (("posts", len(would.posts), len(keep.posts)),
                                  ("endorsements", len(would.endorsements), len(keep.endorsements))):
        if too_many_leavers(removed, listed + removed, listed):
            return kind, removed, listed + removed
    return None


def retract_missing(store: Any, source: str, keep: SourceKeep, file: str, *, allow: bool,
                    dry_run: bool = False) -> SourceRetraction:
    """Take back what ``source`` holds and ``keep`` does not, or refuse (``UnreadableInput``, nothing taken back)
    when that is most of the source's posts or endorsements (:func:`cut_short`) and ``allow`` is false."""
    would = store.retract_source(source, keep, dry_run=True)
    short = None if allow else cut_short(would, keep)
    if short is not None:
        kind, removed, stored = short
        raise UnreadableInput(
            file,
            f"as the whole of {source}, this export would remove {removed:,} of its {stored:,} stored {kind}: it "
            f"looks cut short (a truncated download, another site's dump?). Nothing was taken back; what it holds "
            f"is loaded. If so many {kind} really went, run it again with {ALLOW_FLAG}",
        )
    if dry_run or would.empty:
        return would
    result: SourceRetraction = store.retract_source(source, keep)
    return result


def retracted_counts(r: SourceRetraction | None) -> dict[str, int]:
    """The summary's counts of what a full export took back (none when it was not full)."""
    if r is None:
        return {}
    return {"posts_removed": len(r.posts), "memberships_removed": len(r.memberships),
            "engagements_removed": len(r.engagements), "endorsements_removed": len(r.endorsements),
            "people_removed": len(r.people)}


__all__ = ["ALLOW_FLAG", "FULL_BY_DEFAULT", "cut_short", "is_full", "kept", "retract_missing", "retracted_counts"]
