"""Title words as routing evidence (issue 10.2): the two models of Balog et al. (2006) over the titles of the
questions each person answered, learned beside the other signals, explained by the words they share."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np

from graph.analytics.routing import Router, route, snapshot, train_router
from graph.analytics.routing_explain import evidence_text
from graph.analytics.routing_features import F, candidate_features
from graph.analytics.routing_text import TEXT_FEATURES, TitleIndex, title_terms
from graph.store.base import PostRow

T0 = datetime(2024, 1, 1, tzinfo=UTC)
GRIND = ("Burr grinder too coarse for espresso", "Which grinder setting for a ristretto", "Grinder burrs worn out?",
         "Hand grinder vs electric burr grinder")
MILK = ("Milk will not foam with the steam wand", "Steaming oat milk for a latte", "Why does my milk scald",
        "Steam wand sputters when frothing milk")


def index() -> TitleIndex:
    return TitleIndex.build([(GRIND[0], ["g", "x"]), (GRIND[1], ["g"]), (MILK[0], ["m"]), (MILK[1], ["m", "x"]),
                             (None, ["nobody"])])


def test_title_terms_drop_stop_words_and_fold_plurals() -> None:
    assert title_terms("How do I clean the grinders' burrs?") == ("clean", "grinder", "burr")
    assert title_terms("") == ()


def test_people_who_answered_questions_worded_alike_score_higher() -> None:
    ix = index()
    assert "nobody" not in ix.people  # a question without a title is no evidence
    X = ix.features("New burr grinder for espresso", ["g", "m", "x", "stranger"])
    assert X.shape == (4, len(TEXT_FEATURES))
    assert (X[0] > X[1]).all()  # g answered the grinder questions, m the milk ones
    assert (X[0] > X[2]).all()  # x answered one of each
    assert X[3].tolist() == [0.0, 0.0, 0.0]  # no profile: no evidence either way
    assert X[1, TEXT_FEATURES.index("title_lm")] < 0  # m's profile makes the title less likely than the forum does
    assert ix.features(None, ["g"]).tolist() == [[0.0, 0.0, 0.0]]
    assert ix.features("Unheard-of words entirely", ["g"]).tolist() == [[0.0, 0.0, 0.0]]
    assert ix.overlap("New burr grinder for espresso", "g") == (["burr", "grinder", "espresso"], 2)
    assert ix.overlap("New burr grinder for espresso", "m") == ([], 0)


def test_people_who_may_not_be_shown_are_left_out_of_the_index() -> None:
    ix = TitleIndex.build([(GRIND[0], ["g", "hidden"]), (MILK[0], ["hidden"])], visible={"g"})
    assert ix.people == ["g"]
    assert len(ix.docs) == 1  # the milk question has no visible answerer left
    assert "milk" not in ix.vocab  # and leaves no word behind
    assert ix.features(GRIND[0], ["hidden"]).tolist() == [[0.0, 0.0, 0.0]]


def test_only_the_latest_questions_are_kept() -> None:
    ix = TitleIndex.build([(GRIND[0], ["g"]), (MILK[0], ["m"]), (MILK[1], ["m"])], limit=2)
    assert ix.people == ["m"]
    assert "grinder" not in ix.vocab
    assert TitleIndex.build([(GRIND[0], ["g"])], limit=0).docs == []


def test_the_index_round_trips_with_the_router() -> None:
    ix = index()
    again = TitleIndex.from_json(ix.as_json())
    assert (again.vocab, again.people, again.docs) == (ix.vocab, ix.people, ix.docs)
    assert np.array_equal(again.features(MILK[2], ["g", "m"]), ix.features(MILK[2], ["g", "m"]))


def forum(n: int = 240, seed: int = 3) -> list[PostRow]:
    """Every question tagged coffee: the tag says nothing, the title says whether it is about grinding (g answers,
    accepted) or milk (m answers); a busy generalist answers half of everything."""
    rng = random.Random(seed)
    posts: list[PostRow] = []
    for i in range(n):
        at = T0 + timedelta(hours=12 * i)
        grind = i % 2 == 0
        title = rng.choice(GRIND if grind else MILK) + f" (case {i})"
        qid = f"q{i}"
        posts.append(PostRow(qid, "question", f"asker{rng.randrange(50)}", at, "c", qid, None, ("coffee",), 0,
                             False, title))
        posts.append(PostRow(f"a{i}", "answer", "g" if grind else "m", at + timedelta(hours=2), "c", qid, qid, (), 2,
                             True))
        if rng.random() < 0.5:
            posts.append(PostRow(f"b{i}", "answer", "generalist", at + timedelta(hours=1), "c", qid, qid, (), 0,
                                 False))
    return posts


def test_a_learned_router_routes_by_the_title_when_the_tags_say_nothing() -> None:
    posts = forum()
    as_of = T0 + timedelta(days=121)
    router = train_router(posts, as_of=as_of)
    assert router.kind == "lambdamart"
    assert router.context.titles is not None
    source, _ = snapshot(posts, (), (), as_of=as_of, half_life_days=180)
    again = Router.from_json(router.to_json())
    for r in (router, again):
        grind = route(r, source, ["coffee"], now=as_of, title="My burr grinder clogs with oily beans")
        milk = route(r, source, ["coffee"], now=as_of, title="Froth milk without a steam wand")
        assert grind[0].person_id == "g", [(h.person_id, h.explanation) for h in grind]
        assert milk[0].person_id == "m", [(h.person_id, h.explanation) for h in milk]
    top = grind[0]
    assert top.strongest.startswith("title_"), top.explanation
    assert "strongest evidence: answered 120 questions whose titles mention burr or grinder" in top.explanation
    # without a title the two specialists are told apart by nothing but their records
    plain = candidate_features(["coffee"], source, router.context, now=as_of.timestamp())
    assert (plain.X[:, [F[f] for f in TEXT_FEATURES]] == 0).all()


def test_the_explanation_names_the_shared_words_and_the_questions() -> None:
    said = evidence_text("title_vote", {}, {}, 2, None, 0.0, None, (["burr", "grinder", "espresso", "bean"], 3))
    assert said == "answered 3 questions whose titles mention burr, grinder or espresso"
    assert evidence_text("title_bm25", {}, {}, 2, None, 0.0, None, (["burr"], 1)) == (
        "answered 1 question whose title mentions burr")
    # no shared words: the explanation falls back to what else the person did
    assert "worded" not in evidence_text("title_lm", {}, {}, 2, None, 0.0, None, ([], 0))
