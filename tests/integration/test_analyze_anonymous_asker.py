"""Issue 10.5: a forum where no answer has an asker other than its author (anonymous or deleted askers) must
analyse, not crash in ExpertiseRank. Through the real path: a JSON-lines feed, ``whoknows ingest`` and
``whoknows analyze`` as subprocesses, then the stored expertise read back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from graph.store.sqlite import SQLiteStore
from schema.labels import EvidenceKind


def _whoknows(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    cmd = [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}", "COLUMNS": "200"}
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
                          check=False)


def test_question_without_author_and_one_answer_analyses(tmp_path: Path) -> None:
    lines = [
        {"type": "person", "handle": "u2", "name": "Bo"},
        {"type": "post", "id": "q1", "created_at": "2024-01-02T10:00:00Z", "tags": ["espresso"],
         "kind": "question"},
        {"type": "reply", "id": "a1", "parent": "q1", "author": "u2", "created_at": "2024-01-02T11:00:00Z",
         "accepted": True, "score": 2, "kind": "answer"},
    ]
    (tmp_path / "feed.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    ingested = _whoknows(tmp_path, "ingest", "forum", "feed.jsonl", "--format", "jsonl")
    assert ingested.returncode == 0, ingested.stderr + ingested.stdout
    analysed = _whoknows(tmp_path, "analyze")
    assert "Traceback" not in analysed.stderr + analysed.stdout, analysed.stderr
    assert analysed.returncode == 0, analysed.stderr + analysed.stdout
    store = SQLiteStore(tmp_path / "w.db")
    try:
        hits = store.experts("espresso").items
    finally:
        store.close()
    assert [h.person.id for h in hits] == ["jsonl/feed:u2"]
    kinds = {e.kind: e.count for e in hits[0].evidence}
    assert kinds[EvidenceKind.ANSWERS] == 1
    assert kinds[EvidenceKind.ACCEPTED_ANSWERS] == 1
    assert EvidenceKind.EXPERTISE_RANK not in kinds  # no asker, so no asker -> answerer graph to rank in
