"""The bulk importer's stand-in store answers ``stored_people`` as the server does (opted-out people included)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graph.store.base import Batch
from graph.store.neo4j.bulk import BulkLoad
from schema.models import Person


def test_bulk_load_reads_people_back_as_written(tmp_path: Path) -> None:
    ann = Person(id="hr:1", name="Ann", email="a@x.com", hired_on=date(2020, 1, 2), opted_out=True, active=False)
    bulk = BulkLoad(tmp_path)
    try:
        bulk.write_batch(Batch(people=[ann]))
        assert bulk.stored_people(["hr:1", "hr:2"]) == {"hr:1": ann}
    finally:
        bulk.close()
