"""The ingest entry points used by the CLI, ``whoknows demo`` and the benchmarks.

``ingest_hris`` and ``ingest_forum`` run read -> parse -> normalise (identity, skill aliases) -> load for one input
and return an :class:`IngestSummary`; ``ingest_manifest`` runs the steps a ``demo-data`` directory lists in its
manifest.json.
Unreadable input raises :class:`~schema.errors.UnreadableInput` (exit code 2 at the CLI) after writing what was
read before the fault; bad rows are rejected to a JSON-lines file and the rest loads (exit code 1).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from graph.store.base import GraphStore, WriteResult
from graph.store.source_facts import SourceKeep, SourceRetraction
from ingest import hris as hris_mod
from ingest.dryrun import DryRunStore
from ingest.forum import FORMATS
from ingest.forum.common import StreamContext, make_reports_to
from ingest.forum.common import max_member_bytes as member_limit
from ingest.forum_full import is_full, kept, retract_missing, retracted_counts
from ingest.hr.carry import (
    absent_fields,
    hidden_addresses,
    keep_stored,
    one_opt_out_per_address,
    reactivated,
    reactivation_note,
    shared_address_note,
)
from ingest.hr.columns import BLANK_ID
from ingest.hr.ids import reject_renumbered
from ingest.hr.leavers import deactivate_missing
from ingest.hr.lines import with_stored_lines
from ingest.hr_retract import retract
from ingest.identity import IdentityRow, build_resolver, parse_identities, read_identities
from ingest.load import DEFAULT_CHUNK, Loader, checkpoint_key
from ingest.normalise import SkillNames, hr_rows, normalise
from ingest.rejects import ReasonGroup, Reject, RejectSink
from schema.errors import SchemaError, UnreadableInput
from schema.files import special_reason
from schema.models import Community, Endorsement, Engagement, MemberOf, Person, Post, Skill
from schema.skills import AliasTable

_log = logging.getLogger("whoknows.ingest")


class Progress(Protocol):
    """Where long work reports how far it got (a rich progress bar at the CLI)."""

    def start(self, label: str, total: int | None, unit: str) -> None: ...
    def advance(self, n: int) -> None: ...


class NullProgress:
    def start(self, label: str, total: int | None, unit: str) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


@dataclass
class IngestSummary:
    """What one ingest did: records read, what the store did with them, rejects, identity matching."""

    kind: str  # "hris" or the forum format
    path: str
    source: str  # "hr" or the forum namespace
    written: WriteResult = field(default_factory=WriteResult)
    records: int = 0
    rejected: int = 0
    reject_file: str | None = None
    first_rejects: list[Reject] = field(default_factory=list)
    matched_email: int = 0
    matched_mapping: int = 0
    identity_ids_by_number: int = 0  # --identities person_ids matched to a stored HR id by number (zeros differ)
    unmatched: int = 0  # accounts loaded as people of the forum's own
    deactivated: int = 0
    reactivated: int = 0  # HR: people stored as leavers whom the file lists as current
    reports_removed: int = 0  # HR: reporting lines a blank manager cell took back
    reports_struck: int = 0  # HR: stored lines removed because they closed a cycle (ingest/hr/lines.py)
    skills_removed: int = 0  # HR: declared skills the row no longer lists
    retracted: SourceRetraction | None = None  # a full forum export: what its source no longer holds, taken back
    merged: int = 0  # forum people of an earlier run whose account now resolves to another person, merged into it
    resumed: bool = False
    chunks_skipped: int = 0
    seconds: float = 0.0
    problems: int = 0  # everything written to the reject file (rows, reporting lines, column notes)
    groups: list[ReasonGroup] = field(default_factory=list)  # problems grouped by reason
    dry_run: bool = False
    samples: dict[str, list[Any]] = field(default_factory=dict)  # dry run: a few records of each kind
    # HR only: rows and reporting lines counted apart
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    leavers: int = 0
    links: dict[str, int] = field(default_factory=dict)
    column_notes: int = 0
    hr: Any = None  # the HrParse (column mapping, date inference) for the dry run

    @property
    def inserted(self) -> int:
        return self.written.total_inserted

    @property
    def updated(self) -> int:
        return self.written.total_updated

    @property
    def unchanged(self) -> int:
        return sum(self.written.unchanged.values())

    @property
    def posts(self) -> int:
        w = self.written
        return w.inserted.get("posts", 0) + w.updated.get("posts", 0) + w.unchanged.get("posts", 0)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "path": self.path, "source": self.source, "records": self.records,
            "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "reject_file": self.reject_file, "matched_email": self.matched_email,
            "matched_mapping": self.matched_mapping, "identity_ids_by_number": self.identity_ids_by_number,
            "unmatched": self.unmatched, "deactivated": self.deactivated,
            "resumed": self.resumed, "seconds": round(self.seconds, 3), "problems": self.problems,
            "dry_run": self.dry_run, "merged": self.merged, **retracted_counts(self.retracted),
            **({"rows_read": self.rows_read, "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
                "leavers": self.leavers, "reactivated": self.reactivated, "links": self.links,
                "reports_removed": self.reports_removed, "reports_struck": self.reports_struck,
                "skills_removed": self.skills_removed, "encoding": getattr(self.hr, "encoding", None),
                "encoding_guessed": getattr(self.hr, "encoding_guessed", None)} if self.kind == "hris" else {}),
        }


def default_reject_path(path: str | Path, directory: str | Path | None = None) -> Path:
    """``whoknows-rejects-<input name>.jsonl`` in ``directory`` (default: the current directory)."""
    name = Path(path).name or "input"
    return Path(directory or ".") / f"whoknows-rejects-{name}.jsonl"


def reject_target(path: str | Path, rejects: str | Path | None) -> Path:
    """Where a run's rejects go: ``--rejects`` as given, the default name inside it when it is a folder (rather
    than failing to open a folder as a file), else the default name in the current directory."""
    if rejects is None:
        return default_reject_path(path)
    return default_reject_path(path, rejects) if Path(rejects).is_dir() else Path(rejects)


def _aliases(aliases: str | Path | AliasTable | None) -> AliasTable:
    if aliases is None:
        return AliasTable()
    if isinstance(aliases, AliasTable):
        return aliases
    try:
        return AliasTable.from_file(aliases)
    except SchemaError as exc:
        reason = str(exc).removeprefix(str(Path(aliases))).lstrip(":, ")  # the file is named once, below
        raise UnreadableInput(str(aliases), reason) from None


def _finish(summary: IngestSummary, sink: RejectSink, loader: Loader, started: float) -> IngestSummary:
    sink.finish()
    summary.written = loader.result
    summary.records = loader.records
    summary.rejected = sink.count
    summary.problems = sink.count
    summary.groups = list(sink.groups)
    summary.reject_file = str(sink.path) if sink.count and sink.path else None
    summary.first_rejects = list(sink.first)
    summary.resumed = loader.resumed
    summary.chunks_skipped = loader.chunks_skipped
    summary.seconds = time.perf_counter() - started
    return summary


def _refuse_special(path: str | Path) -> None:
    """A FIFO, socket or device given as the input would hang the reader or never end: unreadable input."""
    reason = special_reason(path)
    if reason is not None:
        raise UnreadableInput(str(path), reason)


def _salvage(loader: Loader, sink: RejectSink, exc: UnreadableInput, dry_run: bool = False) -> UnreadableInput:
    """Write what was read before an unreadable part (nothing good is lost) and say so in the error (a dry run
    writes nothing: it says what a real run would have kept)."""
    loader.flush(partial=True)
    sink.close()
    if loader.records:
        done = "would have been loaded (dry run: nothing was written)" if dry_run else "were loaded"
        exc.reason += f" ({loader.records:,} records before it {done})"
        exc.args = (f"{exc.file}" + (f", row {exc.row}" if exc.row is not None else "") + f": {exc.reason}",)
    return exc


# --- HRIS ------------------------------------------------------------------------------------------


def ingest_hris(
    store: GraphStore,
    path: str | Path,
    *,
    mapping: str | Path | hris_mod.ColumnMapping | None = None,
    full: bool = False,
    allow_mass_leave: bool = False,
    aliases: str | Path | AliasTable | None = None,
    rejects: str | Path | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    dry_run: bool = False,
) -> IngestSummary:
    """People, declared skills and reporting lines from an HRIS export; a loaded row's blank manager or skill no
    longer listed removes what an earlier export wrote (:mod:`ingest.hr_retract`); ``full``: people of a previous HR
    load missing from this file become inactive (leavers are never deleted), unless so many would that the export
    looks cut short (:mod:`ingest.hr.leavers`; ``allow_mass_leave`` lets it through). ``dry_run``: everything but
    the writes (``store`` may then be None: no store yet), with what was inferred kept on the summary."""
    started = time.perf_counter()
    prog = progress or NullProgress()
    m = mapping if isinstance(mapping, hris_mod.ColumnMapping) else (
        hris_mod.load_mapping(mapping) if mapping is not None else hris_mod.ColumnMapping()
    )
    table = _aliases(aliases)
    _refuse_special(path)
    hr = hris_mod.read_hris(path, m, prog)
    if hr.encoding_guessed:  # said at once (on stderr), so that a wrong guess shows
        _log.warning("%s: %s, read as %s (a guess: if names look wrong, set [options] encoding in --mapping)",
                     hr.file, hr.encoding_guessed, hr.encoding)
    # a missing required column fails before anything is written
    id_column = hris_mod.resolve_columns(hr.header, m, hr.file, hr.rows)["id"]
    target: Any = DryRunStore(store) if dry_run else store
    known = target.person_ids()
    hr = reject_renumbered(hr, id_column, {k[3:] for k in known if k.startswith("hr:")})  # Excel's lost zeros
    sink = RejectSink(None if dry_run else reject_target(path, rejects))
    loader = Loader(
        target, chunk_size=chunk_size, aliases=table, overlap=not dry_run,
        checkpoint=checkpoint_key("hris", path, full, repr(m), sorted(table.items())),
    )
    summary = IngestSummary("hris", str(path), "hr", dry_run=dry_run)
    prog.start(f"HR {Path(path).name}", len(hr.rows), "rows")
    emails = target.email_index()
    parsed = hris_mod.parse_export(hr, m, known_ids=known, known_emails=emails)
    parsed.rows = hr_rows(parsed.rows, SkillNames(table))  # normalise: skill aliases (HR ids are the identities)
    stored = target.stored_people([r.person.id for r in parsed.rows if r.person.id in known])
    absent = absent_fields(parsed.columns)  # kept from earlier exports: an opt-out, an email this report lacks
    if absent:
        parsed.rows = [replace(r, person=keep_stored(r.person, stored.get(r.person.id), absent))
                       for r in parsed.rows]
    # a rehire's records are one person: an opt-out of one (HR's, or their own choice) hides them all
    elsewhere = hidden_addresses([r.person for r in parsed.rows], emails, target.visibility)
    hidden = one_opt_out_per_address((r.person for r in parsed.rows), elsewhere)
    parsed.rows = [r if r.person is p else replace(r, person=p) for r, p in zip(parsed.rows, hidden, strict=True)]
    summary.reactivated = len(reactivated([r.person for r in parsed.rows], stored))
    if note := reactivation_note(hr.file, parsed.columns, summary.reactivated):
        _log.warning("%s", note)
    if note := shared_address_note(hr.file, ((r.row, r.person) for r in parsed.rows)):
        _log.warning("%s", note)
    if BLANK_ID in parsed.how.get("id", ""):  # said on every run, not only in the dry run: the ids are for good
        _log.warning("%s: %s (pin another with [columns] id in --mapping)", hr.file, parsed.how["id"])
    struck = with_stored_lines(parsed, target.reporting_lines())  # kept lines, and cycles across exports
    for r in parsed.notes:
        sink.add(r)
    for r in parsed.rejects:
        sink.add(r)
    done = 0
    for item in parsed.rows:
        loader.add_person(item.person)
        for hs in item.skills:
            loader.add_has_skill(hs)
        done += 1
        if done % 2000 == 0:
            prog.advance(2000)
    prog.advance(done % 2000)
    loader.flush()  # every person of the file is stored before the first REPORTS_TO
    for pid, mgr in sorted(parsed.links.links.items()):
        loader.add_reports_to(make_reports_to(pid, mgr))
    for r in parsed.link_rejects:
        sink.add(r)
    loader.finish()
    taken_back = retract(target, parsed, struck=struck)  # a blank manager, a skill not listed, a struck line
    summary.reports_removed = len(set(taken_back.reports_to) - set(struck))
    summary.reports_struck = len(struck)
    summary.skills_removed = len(taken_back.skill_claims)
    if full:
        # a rejected row is no leaver, whichever step rejected it
        keep = {r.person.id for r in parsed.rows} | set(parsed.rejected_ids)
        summary.deactivated = len(deactivate_missing(target, keep, len(keep), str(path), allow=allow_mass_leave))
    summary.hr = parsed
    summary.rows_read = parsed.rows_read
    summary.rows_loaded = len(parsed.rows)
    summary.rows_rejected = len(parsed.rejects)
    summary.leavers = sum(1 for r in parsed.rows if not r.person.active)
    lk = parsed.links
    summary.links = {"linked": lk.linked, "unresolved": lk.unresolved, "ambiguous": lk.ambiguous,
                     "cycle": lk.cycle, **{f"by {k}": v for k, v in lk.linked_by.items()},
                     "id matched by number": lk.by_number}  # of "by id": leading zeros or a ".0" differ
    summary.column_notes = len(parsed.notes)
    if isinstance(target, DryRunStore):
        summary.samples = target.samples
    out = _finish(summary, sink, loader, started)
    out.rejected = summary.rows_rejected
    return out


# --- forums ----------------------------------------------------------------------------------------


def _identity_rows(identities: str | Path | None, sink: RejectSink) -> list[IdentityRow]:
    if identities is None:
        return []
    text = read_identities(identities)
    out = []
    for r in parse_identities(text, str(identities)):
        if isinstance(r, Reject):
            sink.add(r)
        else:
            out.append(r)
    return out


def ingest_forum(
    store: GraphStore,
    path: str | Path,
    fmt: str,
    *,
    community: str | None = None,
    identities: str | Path | None = None,
    aliases: str | Path | AliasTable | None = None,
    rejects: str | Path | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    max_member_bytes: int | None = None,
    dry_run: bool = False,
    full: bool | None = None,
    allow_mass_removal: bool = False,
) -> IngestSummary:
    """Posts, communities and memberships from one forum export in format ``fmt``. ``max_member_bytes``: the
    most one archive member or JSON file may hold (default ``WHOKNOWS_MAX_MEMBER_BYTES``, else 256 MiB).
    ``full`` (default: the format's, :mod:`ingest.forum_full`): the export is the whole of its source, so the
    posts, memberships, engagements and endorsements of the source it no longer holds, and the source's people
    left with nothing, are taken back (unless that is most of its posts or endorsements and ``allow_mass_removal``
    is false).
    ``dry_run``: everything but the writes (``store`` may then be None: no store yet), with a few records of each
    kind kept as samples."""
    started = time.perf_counter()
    prog = progress or NullProgress()
    module = FORMATS.get(fmt.strip().casefold() if isinstance(fmt, str) else fmt)
    if module is None:
        raise UnreadableInput(str(path), f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    _refuse_special(path)
    src = module.locate(path, community)
    table = _aliases(aliases)
    if dry_run:
        store = DryRunStore(store)  # type: ignore[assignment]
    sink = RejectSink(None if dry_run else reject_target(path, rejects))
    for refused in src.refused:  # e.g. symbolic links leaving the export folder
        sink.add(refused)
    rows = _identity_rows(identities, sink)
    resolver = build_resolver(
        src.namespace, src.namespace,
        email_index=store.email_index(), identities=rows, source_names=src.names,
        known_people=store.person_ids(), identities_file=str(identities), on_reject=sink.add,
    )
    loader = Loader(
        store, chunk_size=chunk_size, aliases=table, overlap=not dry_run,
        checkpoint=checkpoint_key(
            fmt, path, community, sorted(table.items()), [(r.source, r.handle, r.person_id) for r in rows]
        ),
    )
    summary = IngestSummary(fmt, str(path), src.namespace, dry_run=dry_run)
    keep = SourceKeep() if is_full(fmt.strip().casefold(), full) else None
    prog.start(f"{fmt} {src.name}", src.total_bytes or None, "bytes")

    names = SkillNames(table)

    def set_table(t: AliasTable) -> None:  # a format extended the table (tag synonyms): both stages use it
        names.use(t)
        loader.aliases = t

    ctx = StreamContext(table=table, max_member_bytes=member_limit(max_member_bytes), on_bytes=prog.advance,
                        on_table=set_table)
    try:
        # parse (forum ids, names as written) -> normalise (account -> person, name -> skill) -> load
        _consume(normalise(module.stream(src, ctx), resolver, names), loader, sink.add, keep)
    except UnreadableInput as exc:
        raise _salvage(loader, sink, exc, dry_run) from None
    loader.finish()
    # the source's own people whose account now resolves to someone else: what they held (older posts a partial
    # export no longer has, memberships, reactions) moves to that person, and they go
    summary.merged = len(resolver.moved) if dry_run else len(store.merge_people(resolver.moved))
    if keep is not None:  # only after the whole export was read: a file cut short takes nothing back
        summary.retracted = retract_missing(store, src.namespace, keep, str(path), allow=allow_mass_removal,
                                            dry_run=dry_run)
    summary.matched_email = resolver.matched_email
    summary.matched_mapping = resolver.matched_mapping
    summary.identity_ids_by_number = resolver.ids_by_number
    summary.unmatched = resolver.unmatched
    if isinstance(store, DryRunStore):
        summary.samples = store.samples
    return _finish(summary, sink, loader, started)


def _consume(items: Iterable[Any], loader: Loader, on_reject: Callable[[Reject], None],
             keep: SourceKeep | None = None) -> None:
    """Route each normalised record to the loader (posts first: they are nearly all of the volume); with
    ``keep``, note the key of every post, membership, engagement and endorsement (a resumed run skips writing
    finished chunks but still reads them, so the keys are the whole export's)."""
    add_post, add_member = loader.add_post, loader.add_membership
    for it in items:
        t = type(it)
        if keep is not None:
            kept(keep, it)
        if t is Post:
            add_post(it)
        elif t is MemberOf:
            add_member(it)
        elif t is Person:
            loader.add_person(it)
        elif t is Reject:
            on_reject(it)
        elif t is Community:
            loader.add_community(it)
        elif t is Skill:
            loader.add_skill(it)
        elif t is Endorsement:
            loader.add_endorsement(it)
        elif t is Engagement:
            loader.add_engagement(it)
        else:  # pragma: no cover - a parser bug, not bad input
            raise TypeError(f"unexpected item {t.__name__}")


__all__ = [
    "IngestSummary",
    "NullProgress",
    "Progress",
    "default_reject_path",
    "ingest_forum",
    "ingest_hris",
]
