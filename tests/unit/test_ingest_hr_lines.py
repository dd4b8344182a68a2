"""Reporting lines of one HR export settled against the stored ones (``ingest/hr/lines.py``): kept lines reach the
person record, and no loaded line closes a cycle through lines of earlier exports."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.hr.lines import settle_lines


def _up(settled_links: dict[str, str], kept: dict[str, str], rows: dict[str, int],
        stored: dict[str, str]) -> dict[str, str]:
    """Every line after the import: the file's people as settled, everyone else as stored."""
    out = {p: m for p, m in stored.items() if p not in rows}
    out.update(kept)
    out.update(settled_links)
    return out


def _on_a_cycle(up: dict[str, str], start: str) -> bool:
    seen: set[str] = set()
    node: str | None = start
    while node is not None and node not in seen:
        seen.add(node)
        node = up.get(node)
    return node == start


def test_a_row_naming_a_manager_it_cannot_link_keeps_the_stored_line() -> None:
    rows = {"a": 2, "b": 3, "c": 4}
    out = settle_lines({"c": "a"}, rows, blank={"b"}, stored={"a": "x", "b": "x", "c": "x"})
    assert out.kept == {"a": "x"}  # b names no manager: its line is the blank step's to remove, not kept
    assert [out.manager_of(p) for p in "abc"] == ["x", None, "a"]
    assert not out.problems


def test_a_cycle_through_other_peoples_stored_lines_refuses_the_files_line() -> None:
    out = settle_lines({"a": "c"}, {"a": 2}, blank=(), stored={"c": "b", "b": "a", "a": "z"})
    assert out.links == {}
    assert out.refused == ["a"]
    assert out.kept == {"a": "z"}  # refused, a falls back to its stored line, which closes nothing
    assert [p.kind for p in out.problems] == ["cycle"]
    assert out.problems[0].reason.startswith("reporting cycle a -> c -> b -> a through lines already stored")


def test_a_stored_cycle_among_people_outside_the_file_is_not_this_files() -> None:
    out = settle_lines({"a": "b"}, {"a": 2}, blank=(), stored={"b": "c", "c": "b"})
    assert out.links == {"a": "b"}
    assert not out.problems


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh"), max_size=8),
    st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh"), max_size=8),
    st.sets(st.sampled_from("abcdefgh")),
    st.sets(st.sampled_from("abcdefgh")),
)
def test_no_line_of_the_file_ends_on_a_cycle(stored: dict[str, str], links: dict[str, str], file: set[str],
                                              blank: set[str]) -> None:
    """Whatever the stored lines (even cyclic ones) and the file says: no person of the file is on a cycle after the
    import, only the file's people's lines change, and what is loaded or kept was said by the file or the store."""
    rows = {p: i + 2 for i, p in enumerate(sorted(file))}
    links = {p: m for p, m in links.items() if p in rows and p not in blank and p != m}  # as the parser leaves them
    blank = blank & file - set(links)
    out = settle_lines(links, rows, blank, stored)
    up = _up(out.links, out.kept, rows, stored)
    assert not any(_on_a_cycle(up, p) for p in rows)
    assert out.links.items() <= links.items()
    assert out.kept.items() <= stored.items()
    assert not set(out.kept) & (blank | set(out.links))
    assert set(out.struck) <= set(stored) & set(rows)
    assert set(out.refused) == set(links) - set(out.links)
    assert bool(out.problems) == bool(out.struck or out.refused)
