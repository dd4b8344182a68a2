"""Ask: route a whole question (its words and skills) to the people most likely to answer it (issue 10.2).

The search page answers "who knows X" for one skill; a colleague with a question has several skills in it, and
often only the words. This page sends both to ``expertsFor`` and shows, for each person, which of the question's
skills they cover and the evidence that weighed most, with who could introduce the asker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.graphql.schema import MAX_QUESTION_SKILLS, MAX_TITLE, NO_KNOWN_SKILL
from app.web.charts import ratio_bar
from app.web.core import PageError, current_user, gql, render, store
from app.web.pages_search import introductions, match_filters
from app.web.session import WebUser
from app.web.understood import department_note, href, place_note, read_query, role_words
from schema.facets import fold_facet
from schema.understand import Understood

router = APIRouter(include_in_schema=False)
PAGE = 10

ROUTE = """
query Ask($question: QuestionInput!, $first: Int!, $department: String, $location: String) {
  expertsFor(question: $question, first: $first, department: $department, location: $location) {
    skills unknownSkills
    experts { rank strongestEvidence explanation
      covers { skill evidence { kind count lastAt } }
      related { skill }
      person { id name title department location } }
  }
}"""


def split_skills(typed: str) -> list[str]:
    """Skills typed into one box, separated by commas (or semicolons), blanks and repeats dropped.

    >>> split_skills(" k8s, python;; Python ,")
    ['k8s', 'python']
    """
    seen: dict[str, str] = {}
    for part in typed.replace(";", ",").split(","):
        s = part.strip()[:100]
        if s and s.casefold() not in seen:
            seen[s.casefold()] = s
    return list(seen.values())[:MAX_QUESTION_SKILLS]


@router.get("/ask")
async def ask(
    request: Request, user: WebUser = Depends(current_user), question: str = "", skills: str = "",
    department: str = "", location: str = "", anywhere: bool = False,
) -> Response:
    question = " ".join(question.split())[:MAX_TITLE]
    department, location = department.strip()[:100], location.strip()[:100]
    given = split_skills(skills)
    run = await store(request, lambda s: s.last_run())
    values: dict[str, Any] = {"question": question, "skills": ", ".join(given), "department": department,
                              "location": location, "result": None, "notes": [], "intros": {},
                              "max_question": MAX_TITLE,
                              "evidence": ranking_evidence(run.stats.get("router") if run is not None else None)}
    if not question and not given:
        return render(request, "ask.html", user, **values)
    u = await read_query(request, question)
    text_location = read_question(u, values, given, anywhere)
    filters = await match_filters(request, department, location or text_location, values["notes"])
    if filters is None:
        return render(request, "ask.html", user, **values)
    values["scope"] = ", ".join(v for v in filters.values() if v)  # as the directory spells them
    named = [sk for sk in u.skills if sk not in given]  # phrases the title's own reading misses ("kube rnetes")
    variables = {"question": {"skills": (given + named)[:MAX_QUESTION_SKILLS], "title": question or None},
                 "first": PAGE, **filters}
    try:
        data = await gql(request, user, ROUTE, variables)
    except PageError as exc:
        if exc.status not in (400, 404):
            raise
        values["notes"].append({"text": _unrouted(exc.message, bool(given)), "kind": "warn"})
        return render(request, "ask.html", user, **values)
    result = data["expertsFor"]
    if result["unknownSkills"]:
        values["notes"].append({"text": "No one has answered on " + ", ".join(result["unknownSkills"])
                                + " yet; ranked on the question's other skills.", "kind": "info"})
    for hit in result["experts"]:
        times = [e["lastAt"] for c in hit["covers"] for e in c["evidence"] if e.get("lastAt")]
        hit["lastActive"] = max(times) if times else None
    values["result"] = result
    values["intros"] = await introductions(request, user, [h["person"]["id"] for h in result["experts"]])
    return render(request, "ask.html", user, **values)


# the counting rules as an employee reads them (the analysis names them as `whoknows evaluate experts` prints them)
COUNTING_LABELS = {"most answers on the tags": "most answers on the question's skills",
                   "most answers overall": "most answers on anything",
                   "most recent on the tags": "latest answer on the question's skills"}


def ranking_evidence(router: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """How the stored ranking was checked, as the ask page shows it: on the latest quarter of the organisation's
    own answered questions, mean reciprocal rank of the person who answered, for the learned ranking, the hand-set
    formula and each counting rule (graph/analytics/routing_holdout.py); or why no ranking was learned.

    >>> e = ranking_evidence({"kind": "lambdamart", "holdout_questions": 25, "holdout_mrr_lambdamart": 0.15,
    ...     "holdout_mrr_handset": 0.24, "holdout_mrr_baselines": {"most recent on the tags": 0.3}})
    >>> [(r["label"], r["value"]) for r in e["rows"]]
    [('this ranking', 0.15), ('hand-set formula', 0.24), ("latest answer on the question's skills", 0.3)]
    >>> e["ahead"], e["best"]
    (False, "latest answer on the question's skills")
    >>> ranking_evidence({"kind": "handset", "why": "fewer than 40 past answered questions", "training_questions": 9})
    {'learned': False, 'why': 'fewer than 40 past answered questions', 'questions': 9}
    >>> ranking_evidence(None) is None
    True
    """
    if not router or not router.get("kind"):
        return None
    if router["kind"] != "lambdamart" or "holdout_mrr_lambdamart" not in router:
        return {"learned": False, "why": str(router.get("why", "no model stored")),
                "questions": int(router.get("training_questions", 0))}
    counted = {COUNTING_LABELS.get(str(k), str(k)): float(v)
               for k, v in (router.get("holdout_mrr_baselines") or {}).items()}
    ours = float(router["holdout_mrr_lambdamart"])
    handset = float(router.get("holdout_mrr_handset", 0.0))
    shown = [("this ranking", ours, "ours"), ("hand-set formula", handset, "handset"),
             *((name, v, "counting") for name, v in counted.items())]
    best = max(counted, key=lambda k: counted[k]) if counted else None
    return {"learned": True, "questions": int(router.get("holdout_questions", 0)), "best": best,
            "ahead": best is None or ours > counted[best],
            "rows": [{"label": label, "value": v, "kind": kind, "bar": ratio_bar(v, 160, f"{label}: {v:.2f}")}
                     for label, v, kind in shown]}


def read_question(u: Understood, values: dict[str, Any], given: list[str], anywhere: bool) -> str:
    """Notes on what the question's words name besides skills (a place filters, with a link to ask everywhere;
    a department is offered; close spellings get a "did you mean" that adds the skill); the place to filter on
    ("" when none applies)."""
    question, dept, loc, notes = values["question"], values["department"], values["location"], values["notes"]
    skills = ", ".join(given)

    def link(place: str | None) -> str:
        return href("/ask", question=question, skills=skills, department=dept, location=place,
                    anywhere=None if place else "1")

    if u.locations:
        notes.append(place_note(u, loc, anywhere, link, said_in="question"))
    dnote = department_note(u, lambda d: href("/ask", question=question, skills=skills, department=d, location=loc,
                                              anywhere="1" if anywhere else None))
    if dnote is not None and not dept:
        notes.append(dnote)
    if u.roles:  # ranked by the question's skills; who holds the title is the search page's listing
        notes.append({"text": f"Your question names the job title {', '.join(u.roles)}{role_words(u)}; people "
                              "are ranked by the question's skills, not by their title.", "kind": "info",
                      "links": [(f"Who holds the title {t}", href("/search", skill=t, department=dept, location=loc))
                                for t in u.roles]})
    for c in u.typos:
        if c.meant not in given:
            notes.append({"text": f"“{c.typed}” is not a skill here; did you mean {c.meant}?", "kind": "info",
                          "links": [(f"Add {c.meant}", href("/ask", question=question, skills=", ".join(
                              [*given, c.meant]), department=dept, location=loc, anywhere="1" if anywhere else None))]})
    for c in u.place_typos:
        if fold_facet(c.typed) == fold_facet(loc):
            continue  # typed in the location box too: the filter's own note says "did you mean" once
        notes.append({"text": f"“{c.typed}” is not a location here; did you mean {c.meant}?", "kind": "info",
                      "links": [(f"Only people in {c.meant}", link(c.meant))]})
    return "" if loc or anywhere else (u.location or "")


def _unrouted(message: str, skills_given: bool) -> str:
    """Why the question could not be routed, with what to do about it."""
    if message == NO_KNOWN_SKILL:
        return ("No skill we know of appears in the question. Add its topics as skills (e.g. kubernetes, python), "
                "or use words that name them.")
    return message + ("" if skills_given else " Try adding the question's topics as skills.")


__all__ = ["COUNTING_LABELS", "ranking_evidence", "router", "split_skills"]
