"""What ``whoknows ingest`` prints: the summary of a run, and the report of a ``--dry-run``.

A dry run is how a person writes their first mapping file, so it shows what was inferred (which column feeds which
field and why, how dates are read, what each status value means), a few rows as they would be stored, and every
problem the real run would report, grouped by reason with counts and example rows.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.cli.text import visible
from ingest.pipeline import IngestSummary

EXAMPLES = 3


def _fmt(n: object) -> str:
    return f"{n:,}" if isinstance(n, int) else str(n)


def summary_table(s: IngestSummary) -> Table:
    title = f"{'dry run: ' if s.dry_run else ''}ingest {s.kind} {escape(visible(s.path))}"
    table = Table(title=title, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    verb = "would be " if s.dry_run else ""
    rows: list[tuple[str, object]]
    if s.kind == "hris":
        lk = s.links
        by = ", ".join(f"{k.removeprefix('by ')} {v:,}" for k, v in lk.items() if k.startswith("by ") and v)
        rows = [("rows read", s.rows_read)]
        if getattr(s.hr, "encoding_guessed", None):  # a wrong guess shows where the counts are read
            rows.insert(0, ("text encoding, guessed: check the names", s.hr.encoding))
        rows += [
            (f"rows {verb}loaded", s.rows_loaded),
            ("  of them leavers (loaded inactive)", s.leavers),
            ("rows rejected", s.rows_rejected),
            (f"reporting lines {verb}linked" + (f" ({by})" if by else ""), lk.get("linked", 0)),
        ]
        if lk.get("id matched by number"):  # linked, but not by an exact id: said, so the user knows
            rows.append((f"  manager ids {verb}matched by number (zeros or digit grouping differ)",
                         lk["id matched by number"]))
        rows += [
            ("reporting lines unresolved (manager matches no one)", lk.get("unresolved", 0)),
            ("reporting lines ambiguous (manager fits several people)", lk.get("ambiguous", 0)),
            ("reporting lines in a cycle (not loaded)", lk.get("cycle", 0)),
        ]
        if s.column_notes:
            rows.append(("column problems (said once each)", s.column_notes))
        rows.append(("HR people absent from the file, " + ("would be " if s.dry_run else "") + "marked inactive",
                     s.deactivated))
        rows.append((f"stored leavers {verb}active again (listed as current)", s.reactivated))
        rows.append((f"reporting lines {verb}removed (manager now blank)", s.reports_removed))
        if s.reports_struck:
            rows.append((f"stored reporting lines {verb}removed (closed a cycle)", s.reports_struck))
        rows.append((f"declared skills {verb}removed (no longer listed)", s.skills_removed))
    else:
        rows = [
            (f"records {verb}loaded", s.records),
            ("rejected", s.rejected),
            ("accounts matched by email", s.matched_email),
            ("accounts matched by --identities", s.matched_mapping),
            *([("  --identities person ids matched by number (zeros or digit grouping differ)",
                s.identity_ids_by_number)] if s.identity_ids_by_number else []),
            ("unmatched accounts (loaded as forum people)", s.unmatched),
            (f"forum people of earlier loads {verb}merged into the person now matched", s.merged),
        ]
        if s.retracted is not None:  # a full export: what its source no longer holds
            r = s.retracted
            rows += [(f"posts {verb}removed (no longer in the export)", len(r.posts)),
                     (f"memberships {verb}removed (no longer listed)", len(r.memberships)),
                     (f"reactions and mentions {verb}removed", len(r.engagements)),
                     (f"endorsements {verb}removed (no longer in the export)", len(r.endorsements)),
                     (f"forum people {verb}removed (nothing of theirs left)", len(r.people))]
    if not s.dry_run:
        rows += [("records written", s.records), ("  inserted", s.inserted), ("  updated", s.updated),
                 ("  unchanged", s.unchanged)]
    for kind in sorted(set(s.written.inserted) | set(s.written.updated)):
        ins, upd = s.written.inserted.get(kind, 0), s.written.updated.get(kind, 0)
        if ins or upd:
            label = f"  {kind}: would write" if s.dry_run else f"  {kind}: inserted / updated"
            rows.append((label, f"{ins:,}" if s.dry_run else f"{ins:,} / {upd:,}"))
    for what, n in rows:
        table.add_row(what, _fmt(n))
    return table


def problems_table(s: IngestSummary, examples: int = EXAMPLES) -> Table:
    table = Table(title="problems, grouped by reason", title_justify="left")
    table.add_column("count", justify="right")
    table.add_column("kind")
    table.add_column("reason (first example)")
    table.add_column("example rows")
    for g in sorted(s.groups, key=lambda g: -g.count):
        rows = ", ".join("-" if r.row is None else str(r.row) for r in g.examples[:examples])
        table.add_row(_fmt(g.count), g.kind, escape(visible(g.examples[0].reason)), rows)
    return table


def _hr_report(out: Console, s: IngestSummary) -> None:
    hr = s.hr
    cols = Table(title="column mapping (field <- column in the file)", title_justify="left")
    cols.add_column("field")
    cols.add_column("column")
    cols.add_column("how")
    for fld, col in hr.columns.items():
        cols.add_row(fld, escape(col), escape(hr.how.get(fld, "")))
    out.print(cols)
    if hr.header_line > 1:
        out.print(f"header on line {hr.header_line} (the {hr.header_line - 1} line(s) above it are a report's "
                  "title, not read)", highlight=False)
    for line, why in hr.skipped:
        out.print(f"line {line} skipped: {escape(why)}, not a person", highlight=False)
    if hr.unused:
        out.print(f"columns not used: {escape(', '.join(hr.unused))}", highlight=False)
    for col in hr.date_columns.values():
        read = col.how if col.how.startswith(col.label) else f"{col.label} - {col.how}"  # no "X - X (...)"
        out.print(f"dates in {escape(repr(col.column))}: {escape(read)}", highlight=False)
    if hr.statuses:
        st = Table(title="status values", title_justify="left")
        st.add_column("value")
        st.add_column("means")
        st.add_column("rows", justify="right")
        for value, (active, n) in sorted(hr.statuses.items(), key=lambda kv: -kv[1][1]):
            st.add_row(escape(value), "employed (active)" if active else "leaver (inactive)", _fmt(n))
        out.print(st)
    names = {r.person.id: r.person.name for r in hr.rows}
    sample = Table(title=f"sample rows as they would be stored ({min(5, len(hr.rows))} of {len(hr.rows):,})",
                   title_justify="left")
    heads = ("row", "id", "name", "email", "title", "department", "location", "hired on", "active", "manager")
    cells = []
    for r in hr.rows[:5]:
        p = r.person
        mgr = f"{names.get(r.manager_id, '')} ({r.manager_id})" if r.manager_id else ""
        cells.append(["" if x is None else escape(str(x)) for x in (
            r.row, p.id, p.name, p.email, p.title, p.department, p.location, p.hired_on, p.active, mgr)])
    keep = [i for i, h in enumerate(heads) if h in ("row", "id", "name") or any(c[i] for c in cells)]
    for i in keep:
        sample.add_column(heads[i])
    for c in cells:
        sample.add_row(*(c[i] for i in keep))
    out.print(sample)
    out.print("a mapping file that pins this (save it, edit it, pass it with --mapping):", highlight=False)
    out.print(escape(hr.suggested_mapping()), highlight=False, markup=True, soft_wrap=True)


def _forum_report(out: Console, s: IngestSummary) -> None:
    out.print(f"{escape(s.kind)} export {escape(visible(s.path))}: ids namespaced {escape(repr(s.source))}; "
              "accounts matched "
              f"to HR people already stored by email ({s.matched_email:,}) or --identities ({s.matched_mapping:,}); "
              f"{s.unmatched:,} unmatched account(s) would become people of the forum's own", highlight=False)
    show: dict[str, tuple[str, ...]] = {
        "communities": ("id", "name", "kind"),
        "people": ("id", "name", "email", "bot"),
        "posts": ("id", "kind", "created_at", "community_id", "parent_id", "tags", "score"),
        "memberships": ("person_id", "community_id", "since"),
        "endorsements": ("from_id", "to_id", "skill"),
    }
    for kind, fields in show.items():
        recs: list[Any] = s.samples.get(kind, [])
        if not recs:
            continue
        t = Table(title=f"sample {kind}", title_justify="left")
        present = [f for f in fields if hasattr(recs[0], f)]
        for f in present:
            t.add_column(f)
        for rec in recs:
            t.add_row(*(escape(_short(getattr(rec, f))) for f in present))
        out.print(t)


def _short(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, tuple | list):
        v = ",".join(str(x) for x in v)
    text = str(v)
    return text if len(text) <= 40 else text[:39] + "…"


def report(out: Console, err: Console, s: IngestSummary) -> None:
    """Print one run's summary (stdout) and its problems (stderr), or a dry run's whole report (stdout)."""
    if s.dry_run:
        if s.kind == "hris" and s.hr is not None:
            _hr_report(out, s)
        else:
            _forum_report(out, s)
    out.print(summary_table(s))
    if s.groups and (s.dry_run or len(s.groups) > 1 or s.problems > 5):
        (out if s.dry_run else err).print(problems_table(s))
    if s.dry_run:
        out.print("dry run: nothing was written" + (" (the real run would exit 1: see the problems above)"
                                                    if s.problems else ""), highlight=False)
        return
    extra = " (resumed from a checkpoint)" if s.resumed else ""
    out.print(f"done in {s.seconds:.1f} s{extra}", highlight=False)
    if s.problems:
        for r in s.first_rejects:
            err.print(f"[yellow]rejected:[/] {escape(visible(r.message()))}", highlight=False)
        err.print(f"[yellow]{s.problems:,} problem(s) reported; reasons in {escape(visible(s.reject_file))}[/]",
                  highlight=False)


__all__ = ["problems_table", "report", "summary_table"]
