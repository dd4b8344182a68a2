"""Expertise quality on real Stack Exchange dumps: a thin caller of ``whoknows evaluate experts``.

The protocol and the baselines live in :mod:`graph.evaluation` and ``app/cli/evaluate_cmd.py`` (issue 10.1): each
dump is ingested into a scratch store, analysed up to the 80% point of its questions, and every later question with
an accepted answer is routed; the report says where the accepted answerer lands, beside counting baselines.

    .venv/bin/python bench/expertise_eval.py [DUMP ...] [--split 0.8] [--json]

Without DUMP it runs the five dumps under ../shared/data, with a pooled row (the issue's yardstick).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data"
DUMPS = ("bicycles-meta", "beer", "matheducators", "coffee", "datascience-meta")


def main(argv: list[str] | None = None) -> int:
    from app.cli import register_commands
    from app.cli.main import app

    args = list(sys.argv[1:] if argv is None else argv)
    if not any(not a.startswith("-") for a in args):
        args = [str(DATA / f"stackexchange-{d}") for d in DUMPS] + args
    register_commands()
    try:
        app(["evaluate", "experts", *args], standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
