"""Ask: route a whole question (its words and skills) to the people most likely to answer it (issue 10.2).

The search page answers "who knows X" for one skill; a colleague with a question has several skills in it, and
often only the words. This page sends both to ``expertsFor`` and shows, for each person, which of the question's
skills they cover and the evidence that weighed most, with who could introduce the asker.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.graphql.schema import MAX_QUESTION_SKILLS, MAX_TITLE, NO_KNOWN_SKILL
from app.web.core import PageError, current_user, gql, render
from app.web.pages_search import introductions, match_filters
from app.web.session import WebUser

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
    department: str = "", location: str = "",
) -> Response:
    question = " ".join(question.split())[:MAX_TITLE]
    department, location = department.strip()[:100], location.strip()[:100]
    given = split_skills(skills)
    values: dict[str, Any] = {"question": question, "skills": ", ".join(given), "department": department,
                              "location": location, "result": None, "notes": [], "intros": {},
                              "max_question": MAX_TITLE}
    if not question and not given:
        return render(request, "ask.html", user, **values)
    filters = await match_filters(request, department, location, values["notes"])
    if filters is None:
        return render(request, "ask.html", user, **values)
    values["scope"] = ", ".join(v for v in filters.values() if v)  # as the directory spells them
    variables = {"question": {"skills": given, "title": question or None}, "first": PAGE, **filters}
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


def _unrouted(message: str, skills_given: bool) -> str:
    """Why the question could not be routed, with what to do about it."""
    if message == NO_KNOWN_SKILL:
        return ("No skill we know of appears in the question. Add its topics as skills (e.g. kubernetes, python), "
                "or use words that name them.")
    return message + ("" if skills_given else " Try adding the question's topics as skills.")


__all__ = ["router", "split_skills"]
