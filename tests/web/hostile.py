"""A small organisation whose exports are hostile: every name, title, department, location, community name, tag and
question title holds markup, script, a ``javascript:`` URL, template syntax, a bidirectional override left open,
zero-width characters or one word of hundreds of characters. Written as real export files (HR JSON, forum jsonl)
and loaded through the real ingest and analysis, as an attacker with a display name would get them in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

SCRIPT = '<script>alert("s")</script>'
IMG = '"><img src=x onerror=alert(2)>'
JS_URL = "javascript:alert(3)"
TEMPLATE = "{{ 7*7 }}{% raw %}"
RLO_OPEN = "T\u202e"  # an override never closed: it reversed the rest of its line
RLO = "\u202eevil\u202c"
ZERO_WIDTH = "z\u200bw\u200d"
HOSTILE = [SCRIPT, IMG, JS_URL, TEMPLATE, RLO, ZERO_WIDTH, "L" * 280]
LONG_DEPARTMENT = "Dept" + "D" * 1100
LONG_LOCATION = "Loc" + "M" * 1100
LONG_COMMUNITY = "Guild" + "G" * 1100
COMMUNITIES = [("c1", f"Guild {SCRIPT}"), ("c/2", f"Guild {IMG} {JS_URL}"), ("c%3", LONG_COMMUNITY),
               ("c4", f"Guild {TEMPLATE} {RLO} {ZERO_WIDTH}")]
PEOPLE = 24


def person_id(i: int) -> str:
    """HR ids with a slash, a percent sign, ``?`` and ``#``, and one of 300 characters, then plain ones."""
    special = ["E1/../2", "E%00x", "E?a#b", "E" + "9" * 300]
    return special[i] if i < len(special) else f"E{i:03d}"


def write_exports(folder: Path, now: datetime | None = None) -> tuple[Path, Path]:
    """(HR JSON, forum jsonl) in ``folder``: 24 people in 4 communities, 12 weeks of questions and answers."""
    now = now or datetime.now(UTC)
    departments = [f"Dept {SCRIPT}", f"Dept {IMG}", LONG_DEPARTMENT, "Plain"]
    locations = [f"Loc {JS_URL}", f"Loc {RLO}", LONG_LOCATION]
    people = [{"id": person_id(i), "name": f"P{i} {HOSTILE[i % len(HOSTILE)]}", "email": f"p{i}@example.com",
               "title": RLO_OPEN if i % 5 == 0 else f"T {HOSTILE[(i + 1) % len(HOSTILE)]}",
               "department": departments[i % len(departments)], "location": locations[i % len(locations)],
               "skills": [{"name": f"sk {SCRIPT}", "level": 3}, {"name": "python", "level": 2},
                          {"name": "K" * 100, "level": 4}]}
              for i in range(PEOPLE)]
    hris = folder / "hris.json"
    hris.write_text(json.dumps(people), encoding="utf-8")
    lines: list[dict[str, object]] = [{"type": "person", "handle": f"u{i}", "name": f"P{i}",
                                       "email": f"p{i}@example.com"} for i in range(PEOPLE)]
    lines += [{"type": "community", "id": cid, "name": name, "kind": "forum"} for cid, name in COMMUNITIES]
    tags = [f"tag {SCRIPT}", f"tag {IMG}", "python", "T" * 100, f"tpl {TEMPLATE}", f"rtl {RLO}"]
    n = 0
    for week in range(12):
        for q in range(6):
            n += 1
            at = now - timedelta(days=7 * week + q)
            lines.append({"type": "post", "id": f"p{n}", "author": f"u{(n * 7) % PEOPLE}", "created_at": at.isoformat(),
                          "community": COMMUNITIES[n % len(COMMUNITIES)][0], "tags": [tags[n % len(tags)], "python"],
                          "kind": "question", "title": f"Q {HOSTILE[n % len(HOSTILE)]}"})
            for r in range(3):
                lines.append({"type": "reply", "id": f"p{n}r{r}", "parent": f"p{n}",
                              "author": f"u{(n * 5 + r * 3 + 1) % PEOPLE}", "score": 2, "accepted": r == 0,
                              "created_at": (at + timedelta(hours=r + 1)).isoformat()})
    for i in range(PEOPLE):
        lines.append({"type": "membership", "person": f"u{i}", "community": COMMUNITIES[i % len(COMMUNITIES)][0],
                      "since": "2024-01-01T00:00:00Z"})
        lines.append({"type": "endorsement", "from": f"u{i}", "to": f"u{(i + 1) % PEOPLE}", "skill": tags[0],
                      "created_at": now.isoformat()})
    forum = folder / "hostile.jsonl"
    forum.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return hris, forum


__all__ = ["COMMUNITIES", "HOSTILE", "LONG_COMMUNITY", "person_id", "write_exports"]
