"""``whoknows evaluate experts`` as a user runs it (issue 10.1 and 10.4): a real subprocess on a real Stack Exchange
dump from ../shared/data (skipped, saying so, where that folder is absent), the ranking beating every counting
baseline; and the table output and the usage errors on a small synthetic dump."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.evaluation import BASELINES, METRICS, per_case, places
from ingest.synthetic import write_stackexchange_dump

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
# beer.stackexchange (663 questions, 410 accepted): the dump with the most test questions (72), so the least noisy
# of the five (bench/results/expertise_eval.md has every figure)
DUMP = DATA / "stackexchange-beer"


def _whoknows(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    cmd = [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]
    env = {**os.environ, "COLUMNS": "200", "WHOKNOWS_STORE": f"sqlite:///{cwd / 'untouched.db'}"}
    return subprocess.run([*cmd, "evaluate", "experts", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=600, check=False)


def test_ranking_beats_every_baseline_on_every_real_dump(tmp_path: Path) -> None:
    """Issue 10.4 at the default split, as far as it holds: on each real dump ahead of the best counting baseline on
    MRR and never behind on hit@10; pooled, ahead on both and at least 10 % ahead on MRR; on beer, the dump with the
    most test questions (72), ahead on both by more than the noise. Not yet: coffee's hit@10 ties the best baseline
    (the same nine of 14 answerers in the first ten; bench/results/expertise_eval.md)."""
    dumps = sorted(DATA.glob("stackexchange-*"))
    if not (DUMP / "Posts.xml").exists():
        pytest.skip(f"{DUMP} is absent: the shared Stack Exchange samples are not on this machine")
    p = _whoknows(tmp_path, *map(str, dumps), "--format", "stackexchange", "--target", "accepted", "--json")
    assert p.returncode == 0, p.stderr
    reports = {r["name"]: r for r in json.loads(p.stdout)["reports"]}
    assert set(reports) == {d.name for d in dumps} | {"pooled"}
    for name, report in reports.items():
        assert report["cases"] >= 10
        assert 0 <= report["cold"] < report["cases"]
        table = report["table"]
        assert set(table) == {"whoknows", *BASELINES}
        ours = table["whoknows"]
        assert set(ours) == set(METRICS)
        for metric in ("hit@10", "MRR"):
            best = max(table[b][metric] for b in BASELINES)
            if metric == "MRR" or name in ("pooled", DUMP.name):
                assert ours[metric] > best, (name, metric, table)
            else:
                assert ours[metric] >= best, (name, metric, table)
            margin = report["versus_best_baseline"]["whoknows"][metric]
            assert margin["difference"] == pytest.approx(ours[metric] - best)
            if name == DUMP.name:  # the whole paired bootstrap interval lies above zero
                assert 0 < margin["low"] <= margin["difference"] <= margin["high"], margin
        if name != "pooled":
            assert report["notes"]["router"]["training_questions"] > 0
    pooled = reports["pooled"]["table"]
    assert pooled["whoknows"]["MRR"] >= 1.1 * max(pooled[b]["MRR"] for b in BASELINES), pooled
    assert not (tmp_path / "untouched.db").exists(), "the evaluation uses a scratch store, not the configured one"


def test_the_hand_set_fallback_beats_counting_on_real_forums_too(tmp_path: Path) -> None:
    """A forum too small to learn from is ranked by the hand-set answer model: on all five real dumps pooled, at the
    split where the counting baselines do best (0.6) and at 0.8, it must still beat the best of them on both
    metrics (the weights it had before 2026-12-03 lost on hit@10 at 0.6, 0.274 against 0.277)."""
    dumps = sorted(DATA.glob("stackexchange-*"))
    if len(dumps) < 2:
        pytest.skip(f"{DATA} has fewer than two Stack Exchange dumps: the shared samples are not on this machine")
    p = _whoknows(tmp_path, *map(str, dumps), "--format", "stackexchange", "--target", "accepted",
                  "--ranking", "handset", "--split", "0.6", "--split", "0.8", "--json")
    assert p.returncode == 0, p.stderr
    for run in json.loads(p.stdout)["runs"]:
        reports = {r["name"]: r for r in run["reports"]}
        assert {r["notes"]["router"]["kind"] for n, r in reports.items() if n != "pooled"} == {"handset"}
        table = reports["pooled"]["table"]
        for metric in ("hit@10", "MRR"):
            best = max(table[b][metric] for b in BASELINES)
            assert table["whoknows"][metric] > best, (run["split"], metric, table)


def test_table_output_and_pooled_row_on_synthetic_dumps(tmp_path: Path) -> None:
    a = write_stackexchange_dump(tmp_path / "a", questions=60, users=30, seed=1)
    b = write_stackexchange_dump(tmp_path / "b", questions=60, users=30, seed=2)
    p = _whoknows(tmp_path, str(a), str(b), "--split", "0.7")
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    for word in ("whoknows", "most answers overall", "most answers on the tags", "most recent on the tags",
                 "pooled", "hit@10", "NDCG@10", "MRR", "95% CI"):
        assert word in p.stdout, word
    # every export's lead over the best baseline is judged against its bootstrap interval, in words
    assert len(re.findall(r"the\s+noise\s+over\s+\d+\s+cases|every\s+case\s+over\s+\d+\s+cases", p.stdout)) == 3


def test_cases_say_where_and_why_the_ranking_misses(tmp_path: Path) -> None:
    a = write_stackexchange_dump(tmp_path / "a", questions=60, users=30, seed=5)
    j = _whoknows(tmp_path, str(a), "--split", "0.6", "--cases", "--json")
    assert j.returncode == 0, j.stderr
    report = json.loads(j.stdout)["reports"][0]
    rows = report["cases_detail"]
    assert len(rows) == report["cases"] > 0
    assert sum(row["cold"] for row in rows) == report["cold"]
    for row in rows:
        assert set(row["ranks"]) == {"whoknows", *BASELINES}
        assert row["question"].startswith("stackexchange/a:post/")
        assert "target" not in row, "the rows say where the ranking fails, not whom it should have found"
        if row["cold"]:  # nobody can rank a person who never posted before the cut-off
            assert all(r is None for r in row["ranks"].values())
    # a rank is a place, or [first, last] places of a tie the answerer shares
    ours = [tuple(r) if isinstance(r, list) else r for r in (row["ranks"]["whoknows"] for row in rows)]
    assert report["misses"]["whoknows"] == {
        "cold": report["cold"],
        "not_ranked": sum(1 for row, r in zip(rows, ours, strict=True) if r is None and not row["cold"]),
        "below_10": sum(1 for r in ours if (ab := places(r)) is not None and ab[0] > 10),
    }
    assert abs(per_case(ours, "MRR").mean() - report["table"]["whoknows"]["MRR"]) < 1e-9
    t = _whoknows(tmp_path, str(a), "--split", "0.6", "--cases")
    assert t.returncode == 0, t.stderr
    assert "every test question" in t.stdout
    assert "answerer seen before" in t.stdout
    assert f"{report['misses']['whoknows']['not_ranked']} by someone seen before but not among" in t.stdout


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    missing = _whoknows(tmp_path, str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert "nope" in missing.stderr
    assert "Traceback" not in missing.stderr
    tiny = write_stackexchange_dump(tmp_path / "tiny", questions=4, users=5)
    few = _whoknows(tmp_path, str(tiny))
    assert few.returncode == 2
    assert "too few questions" in few.stderr
    assert "Traceback" not in few.stderr
    bad = _whoknows(tmp_path, str(tiny), "--target", "best")
    assert bad.returncode == 2
    ranking = _whoknows(tmp_path, str(tiny), "--ranking", "magic")
    assert ranking.returncode == 2
    assert "--ranking must be auto or handset" in ranking.stderr


def test_an_export_without_answered_later_questions_says_so(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps({"type": "post", "id": f"q{i}", "author": f"u{i % 3}", "tags": ["x"],
                         "created_at": f"2024-01-{i + 1:02d}T10:00:00Z"}) for i in range(12)]
    feed.write_text("\n".join(lines) + "\n")
    p = _whoknows(tmp_path, str(feed), "--format", "jsonl")
    assert p.returncode == 0, p.stderr
    assert "nothing to score" in p.stdout
    assert "nan" not in p.stdout  # dashes in the table, not undefined figures
    j = _whoknows(tmp_path, str(feed), "--format", "jsonl", "--json")
    assert json.loads(j.stdout)["reports"][0]["table"]["whoknows"]["MRR"] is None


def test_several_splits_give_one_row_per_export_and_split(tmp_path: Path) -> None:
    a = write_stackexchange_dump(tmp_path / "a", questions=60, users=30, seed=3)
    b = write_stackexchange_dump(tmp_path / "b", questions=60, users=30, seed=4)
    args = (str(a), str(b), "--split", "0.6", "--split", "0.8")
    j = _whoknows(tmp_path, *args, "--json")
    assert j.returncode == 0, j.stderr
    doc = json.loads(j.stdout)
    assert doc["splits"] == [0.6, 0.8]
    assert [run["split"] for run in doc["runs"]] == [0.6, 0.8]
    for run in doc["runs"]:
        assert [r["name"] for r in run["reports"]] == ["a", "b", "pooled"]
    # a later split trains on more and tests on fewer questions
    first, second = ({r["name"]: r for r in run["reports"]} for run in doc["runs"])
    assert second["a"]["train_posts"] > first["a"]["train_posts"]
    assert second["a"]["cases"] < first["a"]["cases"]
    summary = doc["summary"]
    assert summary["runs_scored"] == 4
    assert 0 <= summary["runs_won"] <= 4
    assert summary["all_runs"]["cases"] == sum(r["cases"] for run in doc["runs"] for r in run["reports"][:2])
    t = _whoknows(tmp_path, *args)
    assert t.returncode == 0, t.stderr
    for word in ("beats both", "beyond the noise", "0.60", "0.80"):
        assert word in t.stdout, word
    assert f"in {summary['runs_won']} of 4 (export, split) runs" in t.stdout
    bad = _whoknows(tmp_path, str(a), "--split", "0.8", "--split", "1.5")
    assert bad.returncode == 2
    assert "--split" in bad.stderr
    assert "Traceback" not in bad.stderr
