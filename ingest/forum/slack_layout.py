"""Where a Slack export keeps what: pure functions over the export's member names (POSIX paths below its root).

A workspace export holds ``users.json``, ``channels.json`` (with ``groups.json``, ``dms.json`` and ``mpims.json``
on the plans that export private conversations) and one folder of day files per conversation. An Enterprise Grid
org export holds ``org_users.json`` (no ``users.json``) and the org's lists at its root, and each workspace's own
lists and conversation folders under ``teams/<workspace>/``: every folder holding one of these lists is a
*workspace* whose sub-folders are conversations.

Private channels (``groups.json``, or a ``channels.json`` entry with ``is_private``), direct messages
(``dms.json``: a folder per DM, named by its id) and group DMs (``mpims.json``: a folder named by its ``mpdm-...``
name, which lists the people in it) are private conversations, not communities: they are not loaded, so no
directory page shows a private channel's name or members, or who messages whom, and no ranking counts what was
said there (the people in it chose an audience; whoknows' pages are read by everyone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

USER_LISTS = ("users.json", "org_users.json")
CHANNEL_LISTS = ("channels.json",)
PRIVATE_LISTS = ("groups.json", "dms.json", "mpims.json")
LISTS = frozenset((*USER_LISTS, *CHANNEL_LISTS, *PRIVATE_LISTS))
ROOT_MARKERS = ("channels.json", "users.json", "org_users.json")
GROUP_DM_PREFIX = "mpdm-"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


def workspaces(names: Iterable[str]) -> list[str]:
    """The export root ``""`` and every folder (``"teams/T1/"``) holding one of the export's lists; root first,
    then by depth and name."""
    found = {""}
    for n in names:
        folder, _, fname = n.rpartition("/")
        if folder and fname in LISTS:
            found.add(folder + "/")
    return sorted(found, key=lambda s: (s.count("/"), s))


def day_files(names: Iterable[str], spaces: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(workspace, conversation folder, member name)`` of every ``<folder>/<YYYY-MM-DD>.json`` directly inside
    a workspace, sorted."""
    known = set(spaces)
    out = []
    for n in names:
        folder, _, fname = n.rpartition("/")
        if not folder or not _DAY.match(fname):
            continue
        parent, _, conversation = folder.rpartition("/")
        space = parent + "/" if parent else ""
        if space in known:
            out.append((space, conversation, n))
    return sorted(out)


def private_folders(data: Any, flagged_only: bool = False) -> set[str]:
    """The folder names a ``groups.json``, ``dms.json`` or ``mpims.json`` list gives its conversations (each
    entry's ``id`` and ``name``), or with ``flagged_only`` those of a ``channels.json``'s entries marked
    ``is_private``; anything that is not a list of objects names none."""
    out: set[str] = set()
    for entry in data if isinstance(data, list) else ():
        if isinstance(entry, dict) and (not flagged_only or private_entry(entry)):
            for key in ("id", "name"):
                value = entry.get(key)
                if isinstance(value, str) and value.strip():
                    out.add(value.strip())
    return out


def private_entry(entry: dict[str, Any]) -> bool:
    """A ``channels.json`` entry for a private channel (``is_private`` true, as Grid and API-built exports mark it)."""
    return entry.get("is_private") is True


def is_private(folder: str, listed: set[str]) -> bool:
    """A DM or group DM: listed in dms.json/mpims.json, or named as Slack names group DMs (``mpdm-a--b-1``)."""
    return folder in listed or folder.startswith(GROUP_DM_PREFIX)


def member_name_problem(name: str, copies: int = 1) -> str | None:
    """Why a zip member may not be read, or None. Exports write plain relative names, each once; a name that is
    absolute, climbs (``..``), uses backslashes or control characters could only have been written by hand, and a
    name written twice leaves no way to tell which copy is the export's (zipfile silently reads the last).

    >>> member_name_problem("general/2024-01-01.json"), member_name_problem("../../x/2024-01-01.json")
    (None, 'not a plain relative name (absolute, climbing "..", a backslash or a control character); refused')
    >>> member_name_problem("general/2024-01-01.json", copies=2)
    "the archive holds 2 members of this name: which is the export's cannot be told; refused"
    """
    parts = name.split("/")
    if (name.startswith("/") or "\\" in name or ".." in parts or (len(name) > 1 and name[1] == ":")
            or any(ord(c) < 32 or c == "\x7f" for c in name)):
        return 'not a plain relative name (absolute, climbing "..", a backslash or a control character); refused'
    if copies > 1:
        return f"the archive holds {copies} members of this name: which is the export's cannot be told; refused"
    return None


__all__ = [
    "member_name_problem",
    "CHANNEL_LISTS",
    "LISTS",
    "PRIVATE_LISTS",
    "ROOT_MARKERS",
    "USER_LISTS",
    "day_files",
    "is_private",
    "private_entry",
    "private_folders",
    "workspaces",
]
