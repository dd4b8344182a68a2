"""HR export files of 50,000 people as admins send them, each loaded by ``whoknows ingest hris`` in a subprocess.

    python bench/hr_files_bench.py                 # 50,000 rows
    python bench/hr_files_bench.py --rows 5000 --only xlsx-used-range-xfd

Shapes: a plain .xlsx; an .xlsx whose used range claims A1:XFD1048576 (a format once applied far right and below:
openpyxl padded every row to 16,384 cells before ``reset_dimensions``); CSV UTF-8; Excel "Unicode text" (UTF-16,
tab-separated); cp1252 with semicolons. Reports wall time, and the peak RSS of the CLI process, per file.
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["Employee ID", "First Name", "Last Name", "Email", "Department", "Manager ID", "Hire Date", "Job Title"]
FIRST = ["Zoë", "José", "Björn", "Renée", "Søren", "Jürgen", "Ana", "Chloé"]
LAST = ["Lefèvre", "Muñoz", "Ångström", "Weiß", "Kjær", "Núñez", "Müller", "Dubois"]


def rows(n: int) -> list[list[str]]:
    return [[f"{i:06d}", FIRST[i % 8], LAST[i // 8 % 8], f"p{i}@example.org", f"Dept {i % 40}",
             "" if i == 1 else f"{max(1, i // 7):06d}", f"{1 + i % 28:02d}.{1 + i % 12:02d}.{2000 + i % 24}",
             "Engineer"] for i in range(1, n + 1)]


def xlsx(data: list[list[str]], whole_sheet: bool) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Employees")
    for r in [HEADER, *data]:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    if not whole_sheet:
        return out.getvalue()
    wide = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as src, zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = re.sub(rb"<dimension [^>]*/>", b"", part).replace(
                    b"<sheetViews", b'<dimension ref="A1:XFD1048576"/><sheetViews', 1)
            dst.writestr(info, part)
    return wide.getvalue()


def text(data: list[list[str]], sep: str) -> str:
    return "".join(sep.join(r) + "\r\n" for r in [HEADER, *data])


SHAPES = {
    "xlsx": lambda d: ("people.xlsx", xlsx(d, False)),
    "xlsx-used-range-xfd": lambda d: ("people.xlsx", xlsx(d, True)),
    "csv-utf8": lambda d: ("people.csv", text(d, ",").encode()),
    "unicode-text-utf16": lambda d: ("people.txt", codecs.BOM_UTF16_LE + text(d, "\t").encode("utf-16-le")),
    "csv-cp1252-semicolon": lambda d: ("people.csv", text(d, ";").encode("cp1252")),
}


def run(shape: str, n: int, work: Path) -> tuple[float, int, str]:
    name, raw = SHAPES[shape](rows(n))
    folder = work / shape
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(raw)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WHOKNOWS_STORE": f"sqlite:///{folder / 'w.db'}"}
    code = ("import resource, sys; from app.cli import main\ntry:\n    main()\nfinally:\n"
            "    sys.stderr.write(f'maxrss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "ingest", "hris", name], cwd=folder, env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    rss = int(re.findall(r"maxrss=(\d+)", done.stderr)[-1]) // 1024
    loaded = re.search(r"rows loaded\s*│\s*([\d,]+)", done.stdout)
    return wall, rss, loaded.group(1) if loaded else f"exit {done.returncode}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--only", choices=sorted(SHAPES), action="append")
    ap.add_argument("--work", type=Path, default=Path(tempfile.mkdtemp(prefix="hr-files-bench-")))
    args = ap.parse_args()
    print(f"| file ({args.rows:,} rows) | loaded | wall s | peak RSS MiB |\n|---|---|---|---|")
    for shape in args.only or list(SHAPES):
        wall, rss, loaded = run(shape, args.rows, args.work)
        print(f"| {shape} | {loaded} | {wall:.1f} | {rss} |", flush=True)


if __name__ == "__main__":
    main()
