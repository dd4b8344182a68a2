"""Small deterministic export writers for ingest tests and the benchmark's fallback input.

Not the demo organisation (that is ``ingest.demo``): these only produce well-formed files of a chosen size in the
exact formats the readers take, so a test can ask for "a Stack Exchange dump of 50,000 posts" in a few lines.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

TAGS = ("python", "k8s", "sql", "go", "react", "aws", "terraform", "machine-learning", "js", "postgres")


def write_hris_csv(path: str | Path, people: int, *, seed: int = 1) -> Path:
    """``people`` rows with the default columns; E1 is the CEO, everyone else reports to an earlier person."""
    rng = random.Random(seed)
    p = Path(path)
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "email", "title", "department", "location", "manager_id", "hire_date", "skills",
                    "opted_out", "active"])
        for i in range(1, people + 1):
            skills = ";".join(f"{t}:{rng.randint(1, 5)}" for t in rng.sample(TAGS, 2))
            w.writerow([f"E{i}", f"Person {i}", f"person{i}@example.com", "Engineer", f"Dept {i % 7}",
                        ("Berlin", "Paris", "Austin")[i % 3], f"E{rng.randint(1, i - 1)}" if i > 1 else "",
                        f"20{10 + i % 14:02d}-0{1 + i % 9}-1{i % 10}", skills, "no", "yes"])
    return p


def write_stackexchange_dump(
    directory: str | Path, *, questions: int, answers_per_question: int = 2, users: int = 500, seed: int = 1,
    comments_per_post: float = 0.5,
) -> Path:
    """A dump directory (Posts, Users, Tags, Votes, Comments) with ``questions * (1 + answers_per_question)`` posts."""
    rng = random.Random(seed)
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    t0 = datetime(2022, 1, 1, tzinfo=UTC)

    def ts(k: int) -> str:
        return (t0 + timedelta(minutes=k)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]

    with (d / "Users.xml").open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<users>\n')
        for u in range(1, users + 1):
            fh.write(f'  <row Id="{u}" DisplayName="User {u}" CreationDate="{ts(0)}" Reputation="1" />\n')
        fh.write("</users>\n")
    with (d / "Tags.xml").open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<tags>\n')
        for i, t in enumerate(TAGS, start=1):
            fh.write(f'  <row Id="{i}" TagName="{t}" Count="0" />\n')
        fh.write("</tags>\n")
    post_id = 0
    comment_id = 0
    with (d / "Posts.xml").open("w", encoding="utf-8") as posts, \
            (d / "Comments.xml").open("w", encoding="utf-8") as comments, \
            (d / "Votes.xml").open("w", encoding="utf-8") as votes:
        posts.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        comments.write('<?xml version="1.0" encoding="utf-8"?>\n<comments>\n')
        votes.write('<?xml version="1.0" encoding="utf-8"?>\n<votes>\n')
        vote_id = 0
        for _ in range(questions):
            post_id += 1
            q = post_id
            ans = list(range(q + 1, q + 1 + answers_per_question))
            accepted = f' AcceptedAnswerId="{ans[0]}"' if ans and rng.random() < 0.5 else ""
            tags = rng.sample(TAGS, 2)
            tag_attr = quoteattr("".join(f"<{t}>" for t in tags)) if rng.random() < 0.5 else quoteattr(
                "|" + "|".join(tags) + "|")
            score = rng.randint(-1, 9)
            posts.write(f'  <row Id="{q}" PostTypeId="1" CreationDate="{ts(q)}" Score="{score}"{accepted} '
                        f'OwnerUserId="{rng.randint(1, users)}" Title="Q {q}" Tags={tag_attr} '
                        f'Body="&lt;p&gt;question body&lt;/p&gt;" />\n')
            for a in ans:
                post_id = a
                posts.write(f'  <row Id="{a}" PostTypeId="2" ParentId="{q}" CreationDate="{ts(a)}" '
                            f'Score="{rng.randint(0, 5)}" OwnerUserId="{rng.randint(1, users)}" '
                            f'Body="&lt;p&gt;answer body&lt;/p&gt;" />\n')
            for p in (q, *ans):
                vote_id += 1
                votes.write(f'  <row Id="{vote_id}" PostId="{p}" VoteTypeId="2" CreationDate="{ts(p)}" />\n')
                if rng.random() < comments_per_post:
                    comment_id += 1
                    comments.write(f'  <row Id="{comment_id}" PostId="{p}" Score="0" Text="c" '
                                   f'CreationDate="{ts(p + 1)}" UserId="{rng.randint(1, users)}" />\n')
        posts.write("</posts>\n")
        comments.write("</comments>\n")
        votes.write("</votes>\n")
    return d


def write_identities(path: str | Path, source: str, pairs: list[tuple[str, str]]) -> Path:
    p = Path(path)
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "handle", "person_id"])
        for handle, pid in pairs:
            w.writerow([source, handle, pid])
    return p


__all__ = ["TAGS", "write_hris_csv", "write_identities", "write_stackexchange_dump"]
