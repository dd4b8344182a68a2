"""Reporting lines of one HR export settled against the lines already stored.

Why: the parser links each row's manager and drops cycles within the file, but the store holds lines the file does
not restate: the people of earlier exports who are not in this one, and the old line of a row whose manager this
file names but could not link (unresolved, ambiguous, in a cycle: that line is kept, since the manager may be a
person whose own row was rejected this time). Two things follow, and both were wrong before:

- such a row's person record must name the kept manager, or the person page shows no manager while introduction
  paths still go through the stored line;
- a line linked here can close a cycle through stored lines (A -> B in this file, B -> A from an earlier one), which
  no check of the file alone sees.

A cycle is settled with the weakest evidence going first. A kept line in it is removed: the file names another
manager for that person, so the stored line is stale. A cycle with no kept line is settled the way the parser
settles one within the file: none of this file's lines in it is loaded (the row then keeps its stored line, unless
that closes a cycle in turn). Lines of people not in the file are never touched.
Pure functions: the stored lines come in as a mapping.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from ingest.hr.managers import LinkProblem
from ingest.hr_retract import blank_managers
from ingest.hris import HrParse, HrRow, with_manager
from ingest.rejects import Reject


@dataclass
class Settled:
    """What to load and remove: ``links`` the file's lines to load, ``kept`` the stored lines of rows that name a
    manager who could not be linked (their person record names that manager), ``struck`` kept lines that closed a
    cycle (to remove), ``refused`` file lines that closed one (not loaded), each cycle a problem."""

    links: dict[str, str]
    kept: dict[str, str]
    struck: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    problems: list[LinkProblem] = field(default_factory=list)

    def manager_of(self, person_id: str) -> str | None:
        return self.links.get(person_id) or self.kept.get(person_id)


def settle_lines(
    links: Mapping[str, str],
    rows: Mapping[str, int],
    blank: Collection[str],
    stored: Mapping[str, str],
) -> Settled:
    """Settle the file's ``links`` (person id -> manager id) for the loaded ``rows`` (person id -> file row), whose
    ``blank`` ones name no manager, against the ``stored`` lines (see the module docstring)."""
    refused: set[str] = set()
    struck: set[str] = set()
    problems: list[LinkProblem] = []
    while True:
        new = {p: m for p, m in links.items() if p not in refused}
        kept = {p: stored[p] for p in rows
                if p in stored and p not in new and p not in blank and p not in struck}
        cycles = _cycles(new, kept, rows, stored)
        if not cycles:
            break
        for cycle in cycles:
            stale = [p for p in cycle if p in kept]
            gone = stale or [p for p in cycle if p in new]
            (struck if stale else refused).update(gone)
            problems.append(_problem(cycle, new, rows, gone, bool(stale)))
    return Settled(new, kept, sorted(struck), sorted(refused), problems)


def _cycles(new: Mapping[str, str], kept: Mapping[str, str], rows: Mapping[str, int],
            stored: Mapping[str, str]) -> list[list[str]]:
    """Cycles of the combined lines (each person has at most one manager: walk up until a node seen before) that
    hold at least one line of the file's people; cycles among other people's stored lines are not this file's."""

    def up(p: str) -> str | None:
        return (new.get(p) or kept.get(p)) if p in rows else stored.get(p)

    state: dict[str, int] = {}  # 1 on the current walk, 2 done
    found: list[list[str]] = []
    for start in sorted({*new, *kept}):
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = up(node)
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node):]
            if any(p in rows for p in cycle):
                found.append(cycle)
        for p in path:
            state[p] = 2
    return found


def _with_kept(problem: LinkProblem, kept_rows: Collection[int]) -> LinkProblem:
    """A line the parser could not link, saying how many of its rows keep the manager an earlier export gave."""
    n = sum(1 for r in problem.rows or (problem.row,) if r in kept_rows)
    if not n:
        return problem
    said = "it keeps" if len(problem.rows or (problem.row,)) == 1 else f"{n} of them keep"
    return replace(problem, reason=f"{problem.reason}; {said} the manager an earlier export gave")


def _local(person_id: str) -> str:
    return person_id.partition(":")[2] or person_id


def _problem(cycle: list[str], new: Mapping[str, str], rows: Mapping[str, int], gone: list[str],
             stale: bool) -> LinkProblem:
    chain = " -> ".join(_local(p) for p in [*cycle, cycle[0]])
    olds = ", ".join(f"{_local(p)} -> {_local(cycle[(i + 1) % len(cycle)])}"
                     for i, p in enumerate(cycle) if p not in new)
    who = ", ".join(_local(p) for p in gone)
    if stale:
        said = f"the stored line of {who} is removed (this file names another manager, who could not be linked)"
    else:
        said = f"this file's line of {who} is not loaded"
    through = f" through lines already stored ({olds})" if olds else ""
    return LinkProblem(  # on the row whose line goes; every row of the file in the cycle listed
        "cycle", min(rows[p] for p in gone), f"reporting cycle {chain}{through}; {said}",
        tuple(sorted(rows[p] for p in cycle if p in rows)),
    )


def with_stored_lines(parsed: HrParse, stored: Mapping[str, str]) -> list[str]:
    """Settle ``parsed`` against the ``stored`` lines in place: its rows name the manager they will have, its links
    are the lines to load, a cycle is one more problem. Returns the people whose stored line is to be removed."""
    rows = {r.person.id: r.row for r in parsed.rows}
    lk = parsed.links
    done = settle_lines(lk.links, rows, blank_managers(parsed), stored)  # no manager column: nobody is blank
    for p in done.refused:
        del lk.links[p]
        lk.via.pop(p, None)
    lk.cycle += len(done.refused)  # struck lines are counted by the step that removes them
    kept_rows = {rows[p] for p in done.kept}
    lk.problems = [_with_kept(pr, kept_rows) for pr in lk.problems] + done.problems
    parsed.link_rejects = [Reject(parsed.file, pr.row, pr.reason, kind=f"link:{pr.kind}") for pr in lk.problems]
    parsed.rows = [_settled(r, done) for r in parsed.rows]
    return done.struck


def _settled(row: HrRow, done: Settled) -> HrRow:
    """The row with the manager its person will have (unchanged, not copied, when it already names it)."""
    manager, linked = done.manager_of(row.person.id), done.links.get(row.person.id)
    if row.person.manager_id == manager and row.manager_id == linked:
        return row
    return replace(row, person=with_manager(row.person, manager), manager_id=linked)


__all__ = ["Settled", "settle_lines", "with_stored_lines"]
