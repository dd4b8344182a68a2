"""What a later HR export takes back: reporting lines its rows now leave blank, declared skills they no longer list.

Why: the store's writes are upserts, which add and overwrite but never remove, so a manager removed in the HR system
or a skill removed from a profile stayed in the graph for good (in introduction paths, analytics and the expert
directory). Only what this file affirmatively says is taken back:

- a reporting line, for a loaded row that names no manager at all, in a file that has a manager column; a row whose
  manager is given but could not be linked (unresolved, ambiguous, a cycle: reported as problems) keeps its line;
- declared skills of the HR source, for every loaded row, when the file has a skills column: the ones the row no
  longer lists (compared after the alias table, as the loader stores them). Skills of other sources stay.

People absent from the file are left alone (``--full`` marks them inactive; it never edits what they said), and so
are rows the reader or parser rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ingest.hris import HrParse

MANAGER_FIELDS = ("manager_id", "manager_email", "manager_name", "manager_code")


class Retracting(Protocol):
    """The two store calls this step makes (a GraphStore, the dry run's store, a bulk load)."""

    def remove_reports_to(self, person_ids: Iterable[str], *, dry_run: bool = False) -> list[str]: ...
    def remove_skill_claims(
        self, source: str, keep: Mapping[str, Iterable[str]], *, dry_run: bool = False
    ) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class Retracted:
    """What was (on a dry run: would be) removed: person ids, and (person id, skill) pairs."""

    reports_to: list[str]
    skill_claims: list[tuple[str, str]]


def blank_managers(parsed: HrParse) -> list[str]:
    """Loaded people whose row names no manager, in a file with a manager column (without one, it says nothing)."""
    if not any(f in parsed.columns for f in MANAGER_FIELDS):
        return []
    return sorted(parsed.links.blank)


def declared_skills(parsed: HrParse) -> dict[str, list[str]] | None:
    """Each loaded person's canonical declared skills, or None when the file has no skills column."""
    if "skills" not in parsed.columns:
        return None
    return {r.person.id: [hs.skill for hs in r.skills] for r in parsed.rows}


def retract(store: Retracting, parsed: HrParse, source: str = "hr", struck: Iterable[str] = ()) -> Retracted:
    """Remove what this export no longer says (see the module docstring), and the ``struck`` stored lines that
    would close a reporting cycle (:mod:`ingest.hr.lines`); call it after the file is loaded."""
    blank = sorted({*blank_managers(parsed), *struck})
    reports = store.remove_reports_to(blank) if blank else []
    keep = declared_skills(parsed)
    skills = store.remove_skill_claims(source, keep) if keep else []
    return Retracted(reports, skills)


__all__ = ["MANAGER_FIELDS", "Retracted", "Retracting", "blank_managers", "declared_skills", "retract"]
