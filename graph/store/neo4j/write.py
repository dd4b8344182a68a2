"""Neo4j store writes: ingest batches, activity flags, meta values, analytics generations."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from neo4j import exceptions as neo_errors

from graph.store import cypher as q
from graph.store.base import (
    AnalyticsSnapshot,
    Batch,
    WriteResult,
    check_ranges,
)
from graph.store.common import chunks
from graph.store.neo4j.conn import (
    GC_BATCH,
    PENDING_GRACE,
    Neo4jBase,
    log,
)
from graph.store.neo4j.errors import (
    _CLEANUP_ERRORS,
    _translated,
)
from graph.store.neo4j.tx import (
    _ANALYTICS_WRITES,
    _ensure_skills,
    _require,
    _set_meta,
    _write_batch,
    analytics_rows,
    batch_rows,
    run,
)
from graph.store.neo4j.values import (
    Tx,
    person_from,
    run_row,
    visibility_from,
)
from graph.store.visibility import Visibility, as_the_source_says
from schema.models import Person

# attempts of a batch whose CREATE of a new key lost a race to another writer (each attempt re-reads the keys)
CREATE_RACE_ATTEMPTS = 3


def _differs(found: Visibility | None, hidden: bool) -> bool:
    return found is not None and found.by_choice != hidden


class Neo4jWrites(Neo4jBase):
    """Every write of the Neo4j store (and the id and e-mail reads ingest matches against)."""

    # --- ingest writes -----------------------------------------------------------------------------------------

    @_translated
    def write_batch(self, batch: Batch) -> WriteResult:
        check_ranges(batch)
        rows = batch_rows(batch)
        for attempt in range(1, CREATE_RACE_ATTEMPTS + 1):
            try:
                return self._write(lambda tx: _write_batch(tx, rows))
            except neo_errors.ConstraintError as exc:
                # a key this batch read as absent was written by another transaction before this one CREATEd it
                # (the uniqueness constraint refused the duplicate and the transaction rolled back): run the batch
                # again, where that key is an update
                if attempt == CREATE_RACE_ATTEMPTS:
                    raise
                log.info("batch met a key written meanwhile by another writer; writing it again (%s)", exc.message)
        raise AssertionError("unreachable")

    @_translated
    def deactivate_missing(self, source: str, keep_ids: Iterable[str]) -> list[str]:
        keep = set(keep_ids)

        def work(tx: Tx) -> list[str]:
            active = set(run(tx, q.ACTIVE_IDS_OF_SOURCE, source=source)[0]["ids"])
            gone = sorted(active - keep)
            if gone:
                run(tx, q.SET_ACTIVE, ids=gone, active=False)
            return gone

        return self._write(work)

    @_translated
    def remove_reports_to(self, person_ids: Iterable[str], *, dry_run: bool = False) -> list[str]:
        """Delete these people's reporting lines (their export now names no manager); a dry run only reads."""
        ids = sorted(set(person_ids))

        def work(tx: Tx) -> list[str]:
            found = sorted({r["person_id"] for r in run(tx, q.REPORTS_TO_FETCH, ids=ids)})
            if found and not dry_run:
                run(tx, q.REPORTS_TO_DELETE, ids=found)
            return found

        return self._read(work) if dry_run else self._write(work)

    @_translated
    def remove_skill_claims(
        self, source: str, keep: Mapping[str, Iterable[str]], *, dry_run: bool = False
    ) -> list[tuple[str, str]]:
        """Delete the claims of ``source`` these people's export no longer lists; other sources are not ours to drop."""
        wanted = {pid: set(skills) for pid, skills in keep.items()}

        def work(tx: Tx) -> list[tuple[str, str]]:
            rows = run(tx, q.HAS_SKILL_OF_SOURCE, ids=sorted(wanted), source=source)
            gone = sorted({(r["person_id"], r["skill"]) for r in rows if r["skill"] not in wanted[r["person_id"]]})
            if gone and not dry_run:
                run(tx, q.HAS_SKILL_DELETE, rows=[{"person_id": p, "skill": s} for p, s in gone], source=source)
            return gone

        return self._read(work) if dry_run else self._write(work)

    @_translated
    def person_ids(self, source: str | None = None) -> set[str]:
        if source is None:
            rows = self._read(lambda tx: run(tx, q.PERSON_IDS))
        else:
            rows = self._read(lambda tx: run(tx, q.PERSON_IDS_OF_SOURCE, source=source))
        return set(rows[0]["ids"])

    @_translated
    def stored_people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        ids = sorted(set(person_ids))
        rows = self._read(lambda tx: run(tx, q.PEOPLE_AS_STORED, ids=ids)) if ids else []
        people = (as_the_source_says(person_from(r["props"]), r["source_opted_out"]) for r in rows)
        return {p.id: p for p in people}

    @_translated
    def email_index(self) -> dict[str, str]:
        row = self._read(lambda tx: run(tx, q.EMAIL_INDEX))[0]
        out: dict[str, str] = {}
        for email, person_id in zip(row["emails"], row["ids"], strict=True):
            out.setdefault(email, person_id)  # ordered: an active record first, then the lowest id
        return out

    @_translated
    def reporting_lines(self) -> dict[str, str]:
        row = self._read(lambda tx: run(tx, q.REPORTING_LINES))[0]
        return dict(zip(row["ids"], row["managers"], strict=True))

    @_translated
    def get_meta(self, key: str) -> str | None:
        rows = self._read(lambda tx: run(tx, q.META_GET, key=key))
        return None if not rows or rows[0]["value"] is None else str(rows[0]["value"])

    @_translated
    def set_meta(self, key: str, value: str | None) -> None:
        self._write(lambda tx: _set_meta(tx, {key: value}))

    # --- a person's own choice to be hidden (graph/store/visibility.py) -------------------------------------------

    @_translated
    def visibility(self, person_id: str) -> Visibility | None:
        return visibility_from(person_id, self._read(lambda tx: run(tx, q.VISIBILITY, id=person_id)))

    @_translated
    def former_records(self, person_id: str) -> list[str]:
        return [str(r["id"]) for r in self._read(lambda tx: run(tx, q.FORMER_RECORDS, id=person_id))]

    @_translated
    def choose_visibility(self, person_id: str, hidden: bool, at: datetime, former: Sequence[str] = ()
                          ) -> Visibility | None:
        ids = [*dict.fromkeys(former), person_id]
        now = self.visibility(person_id)  # nothing to change: no write, so the data version (and every cache) stays
        if now is None or not any(_differs(self.visibility(one), hidden) for one in ids):
            return now

        def work(tx: Tx) -> Visibility | None:  # every record of the person in one transaction: all, or none
            if visibility_from(person_id, run(tx, q.VISIBILITY, id=person_id)) is None:
                return None
            for one in ids:
                found = visibility_from(one, run(tx, q.VISIBILITY, id=one))
                if found is None or found.by_choice == hidden:
                    continue
                if hidden:
                    made = {"person_id": one, "source_opted_out": found.by_source, "chosen_at": at.isoformat()}
                    run(tx, q.CHOICE_MAKE, rows=[made])
                else:
                    run(tx, q.CHOICE_WITHDRAW, rows=[{"person_id": one}])
            return visibility_from(person_id, run(tx, q.VISIBILITY, id=person_id))

        return self._write(work)

    # --- analytics -----------------------------------------------------------------------------------------------

    def write_analytics(self, snapshot: AnalyticsSnapshot) -> None:
        """Write the run as a new generation, switch it in with one statement, then drop old generations."""
        gen = uuid.uuid4().hex
        now = datetime.now(UTC)
        rows = analytics_rows(snapshot, gen)
        people = {
            *(r["person_id"] for key in ("scores", "influence", "expertise") for r in rows[key]),
            *(i for r in rows["interactions"] for i in (r["source_id"], r["target_id"])),
        }

        def start(tx: Tx) -> None:
            _require(tx, q.PEOPLE_MISSING, "person in analytics results", people)
            _ensure_skills(tx, (r["skill"] for r in rows["expertise"]))
            run(tx, q.RUN_CREATE, rows=[run_row(snapshot.run, gen, now)])

        self._write(start)
        for key, statement in _ANALYTICS_WRITES:
            for chunk in chunks(rows[key], self._analytics_chunk):
                self._write(functools.partial(run, statement=statement, rows=list(chunk)))

        def switch(tx: Tx) -> None:
            run(tx, q.META_SET, rows=[{"key": q.SWITCH_LOCK_KEY, "value": gen}])  # serialises concurrent switches
            run(tx, q.RUN_SWITCH, gen=gen)

        self._write(switch)
        try:
            self._drop_old_generations(gen, now - PENDING_GRACE)
        except _CLEANUP_ERRORS as exc:  # the new run is in; the next run retries the clean-up
            log.warning("could not drop old analytics generations yet: %s", exc)

    def _drop_old_generations(self, keep_gen: str, cutoff: datetime) -> None:
        stale = [r["gen"] for r in self._read(lambda tx: run(tx, q.RUN_GARBAGE, gen=keep_gen, cutoff=cutoff))]
        for gen in stale:
            for statement in q.GC_BATCHES:
                while True:
                    done = self._write(functools.partial(run, statement=statement, gen=gen, limit=GC_BATCH))
                    if not done or int(done[0]["deleted"]) < GC_BATCH:
                        break
            self._write(functools.partial(run, statement=q.GC_RUN, gen=gen))
