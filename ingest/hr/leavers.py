"""``--full``: the HR people an export no longer lists become leavers, unless the export looks cut short.

A full export that a failed or filtered report left short (a header and no rows, one department instead of the
company) would make leavers of nearly everyone, and every ranking and figure would lose them at the next analysis.
Directory sync tools guard against the same accident with a deletion threshold (Microsoft Entra ID's "prevent
accidental deletions"); here a full import that would deactivate more than half of the active HR people, and more
than ``MASS_MIN`` of them, or anyone at all when the export lists no one, marks no one and says why. The rows the
file does list are loaded either way.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.store.base import GraphStore
from schema.errors import UnreadableInput

MASS_SHARE = 0.5  # more than this share of the active HR people leaving at once: the export looks cut short
MASS_MIN = 10  # ...and more than this many (a team of twelve may lose seven)
ALLOW_FLAG = "--allow-mass-leave"


def too_many_leavers(leaving: int, active: int, listed: int) -> bool:
    """Whether a full import that would make ``leaving`` of ``active`` HR people leavers, from an export listing
    ``listed`` people, is more likely a cut-short export than a real wave of leavers.

    >>> too_many_leavers(3, 3, 0), too_many_leavers(11, 20, 9), too_many_leavers(10, 12, 2)
    (True, True, False)
    >>> too_many_leavers(40, 1000, 960), too_many_leavers(0, 0, 0)
    (False, False)
    """
    if listed == 0:
        return leaving > 0
    return leaving > MASS_MIN and leaving > MASS_SHARE * active


def deactivate_missing(store: GraphStore, keep: Iterable[str], listed: int, file: str, *, allow: bool) -> list[str]:
    """Make leavers of the active HR people not in ``keep`` (the file's people, loaded or rejected), or refuse with
    ``UnreadableInput`` when :func:`too_many_leavers` says the export looks cut short and ``allow`` is false."""
    kept = set(keep)
    stored = store.stored_people(sorted(store.person_ids("hr")))
    active = [pid for pid, p in stored.items() if p.active or pid in kept]
    leaving = sum(1 for pid in active if pid not in kept)
    if not allow and too_many_leavers(leaving, len(active), listed):
        raise UnreadableInput(
            file,
            f"--full would make leavers of {leaving:,} of the {len(active):,} active HR people, as the file lists "
            f"{listed:,}: it looks cut short (a failed or filtered report?). No one was marked as a leaver; the rows "
            f"it lists are loaded. If so many people really left, run it again with --full {ALLOW_FLAG}",
        )
    return store.deactivate_missing("hr", kept)


__all__ = ["ALLOW_FLAG", "MASS_MIN", "MASS_SHARE", "deactivate_missing", "too_many_leavers"]
