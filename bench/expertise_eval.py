"""Expertise quality on a Stack Exchange dump: does the combined score find who will answer?

Protocol (issue 4): questions sorted by creation time; the first 80% are the training period, the rest the test.
Everything created before the first test question (questions, answers, their votes and accepted flags) trains;
for every test question that has tags and an accepted answer by a known user, each method ranks people for the
question's tags from the training part only, and we record where the accepted answerer lands.

Methods:
- combined: ``graph.analytics.expertise.compute_expertise`` (the production function, production defaults),
  a person's score for the question = their best score on any of its tags (the person strongest on one of the
  question's topics; summing instead lets thin evidence on a side tag outweigh strength on the main one);
- most answers overall: training answers per person;
- most answers on the tags: training answers per person on the question's tags (summed over tags).
Every method leaves out the asker and breaks ties by user id.

    .venv/bin/python bench/expertise_eval.py [/work/shared/data/stackexchange-bicycles-meta] [--split 0.8]

Reads Posts.xml with its own small streaming reader (defusedxml iterparse); post bodies are never kept.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from defusedxml.ElementTree import iterparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph.analytics.expertise import compute_expertise  # noqa: E402
from schema.errors import SchemaError  # noqa: E402
from schema.skills import canonical_skill  # noqa: E402

DEFAULT_DUMP = Path("/work/shared/data/stackexchange-bicycles-meta")


@dataclass(frozen=True)
class SEPost:
    """The post fields the expertise function reads (same names as graph.store.base.PostRow)."""

    id: str
    kind: str
    author_id: str | None
    created_at: datetime
    thread_id: str | None
    parent_id: str | None
    tags: tuple[str, ...]
    score: int
    accepted: bool


def _tags(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    parts = raw.replace("><", "|").strip("<>|").split("|")
    out = set()
    for p in parts:
        try:
            out.add(canonical_skill(p))
        except SchemaError:
            continue
    return tuple(sorted(out))


def read_posts(dump: Path) -> Iterator[dict[str, str]]:
    """Stream the attributes of each ``<row>`` of Posts.xml (open and decode only)."""
    path = dump / "Posts.xml"
    for _event, elem in iterparse(str(path), events=("end",)):
        if elem.tag == "row":
            yield {k: v for k, v in elem.attrib.items() if k != "Body"}
        elem.clear()


def parse_posts(rows: Iterator[dict[str, str]]) -> list[SEPost]:
    """Questions and answers as post records; answers take their question's tags and accepted flag."""
    questions: dict[str, dict[str, str]] = {}
    answers: list[dict[str, str]] = []
    for a in rows:
        if a.get("PostTypeId") == "1":
            questions[a["Id"]] = a
        elif a.get("PostTypeId") == "2" and a.get("ParentId"):
            answers.append(a)
    out: list[SEPost] = []

    def when(a: dict[str, str]) -> datetime:
        return datetime.fromisoformat(a["CreationDate"]).replace(tzinfo=UTC)

    def who(a: dict[str, str]) -> str | None:
        return f"u:{a['OwnerUserId']}" if a.get("OwnerUserId") else None

    for qid, q in questions.items():
        out.append(SEPost(f"q:{qid}", "question", who(q), when(q), f"q:{qid}", None, _tags(q.get("Tags")),
                          int(q.get("Score", 0)), False))
    for a in answers:
        q = questions.get(a["ParentId"])
        if q is None:
            continue
        accepted = q.get("AcceptedAnswerId") == a["Id"]
        out.append(SEPost(f"a:{a['Id']}", "answer", who(a), when(a), f"q:{a['ParentId']}", f"q:{a['ParentId']}",
                          (), int(a.get("Score", 0)), accepted))
    out.sort(key=lambda p: (p.created_at, p.id))
    return out


def _rank_of(target: str, scores: dict[str, float], exclude: str | None) -> int | None:
    """1-based rank of ``target`` by score descending then id; None when it has no positive score."""
    mine = scores.get(target, 0.0)
    if mine <= 0 or target == exclude:
        return None
    better = sum(1 for p, s in scores.items() if p != exclude and (s > mine or (s == mine and p < target)))
    return better + 1


def evaluate(posts: list[SEPost], split: float = 0.8, half_life_days: float = 180.0) -> dict[str, object]:
    questions = [p for p in posts if p.kind == "question"]
    if len(questions) < 10:
        raise ValueError("too few questions to split")
    cut_q = questions[int(len(questions) * split)]
    cutoff = cut_q.created_at
    train = [p for p in posts if p.created_at < cutoff]
    test_q = [q for q in questions if q.created_at >= cutoff]
    accepted_by = {p.thread_id: p.author_id for p in posts if p.kind == "answer" and p.accepted}
    cases = [(q, accepted_by[q.id]) for q in test_q if q.tags and accepted_by.get(q.id)]

    t0 = time.perf_counter()
    rows = compute_expertise(train, as_of=cutoff, half_life_days=half_life_days)
    t_score = time.perf_counter() - t0
    by_skill: dict[str, dict[str, float]] = defaultdict(dict)
    for e in rows:
        by_skill[e.skill][e.person_id] = e.score
    answers_all: Counter[str] = Counter()
    answers_tag: dict[str, Counter[str]] = defaultdict(Counter)
    q_tags = {p.id: p.tags for p in train if p.kind == "question"}
    for p in train:
        if p.kind == "answer" and p.author_id:
            answers_all[p.author_id] += 1
            for t in q_tags.get(p.thread_id or "", ()):
                answers_tag[t][p.author_id] += 1

    methods = ("combined score", "most answers overall", "most answers on the tags")
    ranks: dict[str, list[int | None]] = {m: [] for m in methods}
    for q, answerer in cases:
        combined: dict[str, float] = defaultdict(float)
        on_tags: dict[str, float] = defaultdict(float)
        for t in q.tags:
            for person, s in by_skill.get(t, {}).items():
                combined[person] = max(combined[person], s)
            for person, c in answers_tag.get(t, {}).items():
                on_tags[person] += c
        ranks["combined score"].append(_rank_of(answerer, combined, q.author_id))
        ranks["most answers overall"].append(_rank_of(answerer, dict(answers_all), q.author_id))
        ranks["most answers on the tags"].append(_rank_of(answerer, on_tags, q.author_id))
    seen_train = {p.author_id for p in train if p.author_id}
    table = {
        m: {
            "hit@10": sum(1 for r in rs if r is not None and r <= 10) / len(rs),
            "MRR": sum(1 / r for r in rs if r is not None) / len(rs),
        }
        for m, rs in ranks.items()
    }
    return {
        "cutoff": cutoff.isoformat(),
        "train_posts": len(train),
        "test_questions": len(test_q),
        "cases": len(cases),
        "cold_start": sum(1 for _, a in cases if a not in seen_train),
        "expertise_rows": len(rows),
        "scoring_seconds": round(t_score, 3),
        "table": table,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dump", nargs="?", type=Path, default=DEFAULT_DUMP)
    ap.add_argument("--split", type=float, default=0.8)
    ap.add_argument("--robustness", type=float, nargs="*", default=[0.6, 0.7],
                    help="other split points to report as a robustness check")
    ap.add_argument("--half-life-days", type=float, default=180.0)
    args = ap.parse_args(argv)
    if not (args.dump / "Posts.xml").exists():
        print(f"no Posts.xml in {args.dump}", file=sys.stderr)
        return 2
    posts = parse_posts(read_posts(args.dump))
    res = evaluate(posts, args.split, args.half_life_days)
    print(f"dump: {args.dump}")
    print(f"train: posts before {res['cutoff']} ({res['train_posts']} posts); test questions: {res['test_questions']}; "
          f"evaluated (tagged, accepted answer by a known user): {res['cases']}, of which the accepted answerer "
          f"never posted in training (no method can find them): {res['cold_start']}")
    print(f"compute_expertise on the training part: {res['expertise_rows']} (person, skill) rows in "
          f"{res['scoring_seconds']} s")
    print()
    print(f"{'method':<28}{'hit@10':>8}{'MRR':>8}")
    table = res["table"]
    assert isinstance(table, dict)
    for m, v in table.items():
        print(f"{m:<28}{v['hit@10']:>8.3f}{v['MRR']:>8.3f}")
    best_base = max(
        (v for m, v in table.items() if m != "combined score"), key=lambda v: (v["hit@10"], v["MRR"])
    )
    ours = table["combined score"]
    wins = ours["hit@10"] > max(v["hit@10"] for m, v in table.items() if m != "combined score") and ours[
        "MRR"
    ] > max(v["MRR"] for m, v in table.items() if m != "combined score")
    for other in args.robustness:
        r = evaluate(posts, other, args.half_life_days)
        t = r["table"]
        assert isinstance(t, dict)
        cells = "  ".join(f"{m}: hit@10 {v['hit@10']:.3f} MRR {v['MRR']:.3f}" for m, v in t.items())
        print(f"robustness, split {other:.1f} ({r['cases']} cases): {cells}")
    print()
    print("combined score beats both baselines on hit@10 and MRR" if wins else
          f"combined score does NOT beat both baselines (best baseline {best_base})")
    return 0 if wins and not math.isnan(ours["MRR"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
