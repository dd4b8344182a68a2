"""A person's own choice to be hidden (graph/store/visibility.py): one ``OwnChoice`` node per person who chose it,
keyed by ``person_id`` and holding what their source said at the last write. Not a property of the person, since
every write of a person replaces all of its properties (``SET n = row``).

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import CHOICE, PERSON, _read, _write

# which of a batch's people chose to be hidden (read in the batch's own transaction, before its people are written)
OWN_CHOICES_OF = _read(
    "OWN_CHOICES_OF",
    f"UNWIND $ids AS id MATCH (c:{CHOICE} {{person_id: id}}) RETURN c.person_id AS person_id",
    ids="LIST<STRING>",
)
# what their source says now: restored if they show themselves again
OWN_CHOICES_SOURCE = _write(
    "OWN_CHOICES_SOURCE",
    f"UNWIND $rows AS row MERGE (c:{CHOICE} {{person_id: row.person_id}}) SET c.source_opted_out = row.opted_out",
    rows="LIST<MAP>",
)
VISIBILITY = _read(
    "VISIBILITY",
    f"""
    MATCH (p:{PERSON} {{id: $id}})
    OPTIONAL MATCH (c:{CHOICE} {{person_id: p.id}})
    RETURN p.opted_out AS opted_out, c.source_opted_out AS source_opted_out, c.chosen_at AS chosen_at
    """,
    id="STRING",
)
# a rehire's earlier records: leavers holding the same address (a choice made on the current record hides them too)
FORMER_RECORDS = _read(
    "FORMER_RECORDS",
    f"""
    MATCH (p:{PERSON} {{id: $id}}) WHERE p.email IS NOT NULL
    MATCH (r:{PERSON} {{email: p.email}}) WHERE r.id <> p.id AND r.active = false
    RETURN r.id AS id ORDER BY id
    """,
    id="STRING",
)
CHOICE_MAKE = _write(
    "CHOICE_MAKE",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MERGE (c:{CHOICE} {{person_id: row.person_id}})
    SET c.source_opted_out = row.source_opted_out, c.chosen_at = datetime(row.chosen_at), p.opted_out = true
    """,
    rows="LIST<MAP>",
)
CHOICE_WITHDRAW = _write(
    "CHOICE_WITHDRAW",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (c:{CHOICE} {{person_id: p.id}})
    SET p.opted_out = c.source_opted_out
    DELETE c
    """,
    rows="LIST<MAP>",
)
