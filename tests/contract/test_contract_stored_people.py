"""``stored_people``: people as stored, opted-out ones included (the HR ingest keeps what a narrower export lacks)."""

from __future__ import annotations

from datetime import date

from graph.store.base import Batch, GraphStore
from schema.models import Person


def test_stored_people_reads_every_field_opted_out_people_included(store: GraphStore) -> None:
    ann = Person(id="hr:1", name="Ann Lee", email="ann@x.com", title="Engineer", department="R&D",
                 location="Berlin", hired_on=date(2020, 1, 2), active=False, opted_out=True)
    bob = Person(id="hr:2", name="Bob Roe", manager_id=None)
    store.write_batch(Batch(people=[ann, bob]))
    got = store.stored_people(["hr:1", "hr:2", "hr:404"])
    assert got == {"hr:1": ann, "hr:2": bob}
    assert store.people(["hr:1", "hr:2"]).keys() == {"hr:2"}  # the API read still never returns her
    assert store.stored_people([]) == {}
