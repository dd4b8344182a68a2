"""``whoknows evaluate experts`` on a mid-size Stack Exchange site: time and peak memory.

The site is the five real dumps under ../shared/data merged and replicated ``--copies`` times (ids, users and
dates shifted per copy, copies 37 minutes apart, so a copy's people are new people active at the same time: a
busier site, not a longer one). 30 copies are 212,310 rows of Posts.xml, the size of a mid-size site.

    python bench/evaluate_scale.py --copies 30 --out /tmp/site30

Writes ``bench/results/evaluate_scale-<copies>.json`` (wall and CPU seconds, peak RSS, the report's figures).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DUMPS = ("bicycles-meta", "beer", "matheducators", "coffee", "datascience-meta")
RESULTS = Path(__file__).resolve().parent / "results"


def write_site(out: Path, copies: int) -> int:
    """Posts.xml of the replicated site (bodies cut to a stub: the ingest never reads them); its row count."""
    base: list[tuple[int, dict[str, str]]] = []
    for i, name in enumerate(DUMPS):
        for row in ET.parse(DATA / f"stackexchange-{name}" / "Posts.xml").getroot():
            base.append((i, {**row.attrib, "Body": "<p>body</p>"}))
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    with (out / "Posts.xml").open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        for k in range(copies):
            for i, row in base:
                post_off, user_off = (k * len(DUMPS) + i) * 100_000, (k * len(DUMPS) + i) * 1_000_000
                r = dict(row)
                for key in ("Id", "ParentId", "AcceptedAnswerId"):
                    if key in r:
                        r[key] = str(int(r[key]) + post_off)
                for key in ("OwnerUserId", "LastEditorUserId"):
                    if key in r and r[key] != "-1":
                        r[key] = str(int(r[key]) + user_off)
                for key in ("CreationDate", "LastActivityDate", "LastEditDate"):
                    if key in r:
                        r[key] = (datetime.fromisoformat(r[key]) + timedelta(minutes=37 * k)).isoformat(
                            timespec="milliseconds")
                fh.write("  <row " + " ".join(f"{a}={quoteattr(v)}" for a, v in r.items()) + " />\n")
                n += 1
        fh.write("</posts>\n")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=30)
    ap.add_argument("--out", type=Path, required=True, help="folder to write the site into (replaced)")
    args = ap.parse_args()
    if not (DATA / "stackexchange-beer" / "Posts.xml").exists():
        sys.exit(f"{DATA} is absent: the shared Stack Exchange samples are needed to build the site")
    shutil.rmtree(args.out, ignore_errors=True)
    rows = write_site(args.out, args.copies)
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable)) or "whoknows"
    t0 = time.perf_counter()
    done = subprocess.run([exe, "evaluate", "experts", str(args.out), "--format", "stackexchange", "--target",
                           "accepted", "--json"], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(done.stderr)
    report = json.loads(done.stdout)["reports"][0]
    result = {"copies": args.copies, "posts_xml_rows": rows, "wall_s": round(wall, 1),
              "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024),
              "train_posts": report["train_posts"], "cases": report["cases"], "cold": report["cold"],
              "whoknows": report["table"]["whoknows"], "router": report["notes"].get("router", {}).get("kind")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"evaluate_scale-{args.copies}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
