"""What an opted-out person gave counts nowhere, at once (graph/store/shown.py), on both stores: a skill only they
declared, tagged or were endorsed on is listed by no skill read, and an expert's endorsement count shown leaves them
out, from the moment they opt out (HR's opt-out, or their own choice), not from the next analyze."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph.store.base import AnalyticsSnapshot, Batch, GraphStore
from schema.labels import EvidenceKind
from schema.models import AnalyticsRun, Endorsement, Evidence, ExpertIn, HasSkill, Skill
from tests.factories import T0, community, person, post

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
ANN, BOB, CARA, OLGA, BOT = (person(1), person(2), person(3), person(4, opted_out=True), person(5, bot=True))


def _names(store: GraphStore) -> set[str]:
    return {s.name for s in store.all_skills()}


def _org(store: GraphStore) -> None:
    """Olga (opted out in HR) alone declares basque, alone tagged knitting, alone endorsed Ann on sailing and alone
    holds expertise on haskell; Cara alone declares esperanto; zither is only in a tag catalogue."""
    store.write_batch(Batch(
        people=[ANN, BOB, CARA, OLGA, BOT],
        skills=[Skill(name="basque", aliases=("euskara",)), Skill(name="zither")],
        communities=[community("hobbies")],
        has_skill=[HasSkill(person_id=OLGA.id, skill="basque", level=5), HasSkill(person_id=CARA.id, skill="esperanto"),
                   HasSkill(person_id=ANN.id, skill="python"), HasSkill(person_id=OLGA.id, skill="python")],
        posts=[post(1, OLGA.id, tags=("knitting",), community_id="slack:hobbies"),
               post(2, BOB.id, tags=("chess",), community_id="slack:hobbies"),
               post(3, None, tags=("origami",), community_id="slack:hobbies")],  # an author no one knows
        endorsements=[Endorsement(from_id=OLGA.id, to_id=ANN.id, skill="sailing"),
                      Endorsement(from_id=ANN.id, to_id=BOB.id, skill="rowing")],
    ))
    store.write_analytics(AnalyticsSnapshot(
        run=AnalyticsRun(id="run-1", started_at=T0, finished_at=T0 + timedelta(minutes=1)),
        expertise=[ExpertIn(person_id=OLGA.id, skill="haskell", score=0.9),
                   ExpertIn(person_id=BOB.id, skill="rust", score=0.5)],
    ))


def test_a_skill_only_an_opted_out_person_gives_is_listed_by_no_skill_read(store: GraphStore) -> None:
    _org(store)
    listed = {"chess", "esperanto", "origami", "python", "rowing", "rust"}
    assert _names(store) == listed
    for hidden in ("basque", "knitting", "sailing", "haskell", "zither"):
        assert store.skill(hidden) is None, hidden
    assert store.skills("bas") == []
    assert store.skills("euska") == []  # nor by an alias
    assert [s.name for s in store.skills(None, first=100)] == sorted(listed)
    assert [s.name for s in store.skills(None, first=2)] == ["chess", "esperanto"]  # the page is of listed ones
    assert store.skill("python") is not None  # Ann declares it too: Olga's claim does not hide it

    # Cara hides herself: esperanto goes at once from every read, and comes back with her
    store.choose_visibility(CARA.id, True, AT)
    assert "esperanto" not in _names(store)
    assert store.skill("esperanto") is None
    assert store.skills("esper") == []
    store.choose_visibility(CARA.id, False, AT)
    assert [s.name for s in store.skills("esper")] == ["esperanto"]

    # HR opts Bob out: chess (his post), rust (his expertise) and rowing (endorsed on it) go with him
    store.write_batch(Batch(people=[BOB.model_copy(update={"opted_out": True})]))
    assert _names(store) == {"esperanto", "origami", "python"}


def _endorsed_org(store: GraphStore) -> tuple[datetime, datetime]:
    """Ann's kubernetes expertise counted two endorsers (Bob earlier, Cara later) when it was analysed; a bot and
    Ann herself endorsed her too, which never count."""
    early, late = T0 + timedelta(days=3), T0 + timedelta(days=40)
    store.write_batch(Batch(people=[ANN, BOB, CARA, BOT], endorsements=[
        Endorsement(from_id=BOB.id, to_id=ANN.id, skill="kubernetes", created_at=early),
        Endorsement(from_id=CARA.id, to_id=ANN.id, skill="kubernetes", created_at=late),
        Endorsement(from_id=BOT.id, to_id=ANN.id, skill="kubernetes", created_at=late + timedelta(days=1)),
        Endorsement(from_id=ANN.id, to_id=ANN.id, skill="kubernetes", created_at=late + timedelta(days=2)),
    ]))
    evidence = (Evidence(kind=EvidenceKind.ANSWERS, count=7, last_at=late),
                Evidence(kind=EvidenceKind.ENDORSEMENTS, count=2, last_at=late))
    store.write_analytics(AnalyticsSnapshot(
        run=AnalyticsRun(id="run-1", started_at=late, finished_at=late + timedelta(minutes=1)),
        expertise=[ExpertIn(person_id=ANN.id, skill="kubernetes", score=0.8, evidence=evidence),
                   ExpertIn(person_id=BOB.id, skill="kubernetes", score=0.4,
                            evidence=(Evidence(kind=EvidenceKind.ANSWERS, count=2, last_at=early),))],
    ))
    return early, late


def _endorsements(store: GraphStore) -> tuple[tuple[int, datetime | None] | None, ...]:
    """Ann's endorsement evidence as the directory and her page show it (both must agree)."""
    hit = next(h for h in store.experts("kubernetes", first=10).items if h.person.id == ANN.id)
    [mine] = store.person_expertise([ANN.id])[ANN.id]
    shown = []
    for evidence in (hit.evidence, mine.evidence):
        found = [(e.count, e.last_at) for e in evidence if e.kind == EvidenceKind.ENDORSEMENTS]
        assert [e.kind for e in evidence if e.kind != EvidenceKind.ENDORSEMENTS] == [EvidenceKind.ANSWERS]
        shown.append(found[0] if found else None)
    assert shown[0] == shown[1]
    assert hit.score == 0.8  # the score waits for the next analyze; it names no one
    return tuple(shown)


def test_an_endorsement_count_leaves_out_endorsers_who_opted_out_since_the_analysis(store: GraphStore) -> None:
    early, late = _endorsed_org(store)
    assert _endorsements(store)[0] == (2, late)  # as analysed
    store.choose_visibility(CARA.id, True, AT)  # the later endorser hides herself: one left, dated by Bob's
    assert _endorsements(store)[0] == (1, early)
    store.write_batch(Batch(people=[BOB.model_copy(update={"opted_out": True})]))  # HR opts Bob out: none left
    assert _endorsements(store)[0] is None
    assert [h.person.id for h in store.experts("kubernetes").items] == [ANN.id]
    store.choose_visibility(CARA.id, False, AT)
    assert _endorsements(store)[0] == (1, late)
    # a new endorser since the analysis does not raise the count above what was analysed (it waits, as the score)
    dan = person(6)
    store.write_batch(Batch(people=[dan, BOB], endorsements=[
        Endorsement(from_id=dan.id, to_id=ANN.id, skill="kubernetes", created_at=late + timedelta(days=5))]))
    assert _endorsements(store)[0] == (2, late)
