"""docker/ingest.sh, the one-shot ingest + analyze of the compose file, run for real on an embedded store.

No Docker engine runs here; the script is the container's entry point and is plain POSIX sh over the `whoknows`
command, so it is run as is with the virtual environment's `whoknows` first on PATH and a SQLite store.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docker" / "ingest.sh"
SAMPLE = ROOT.parent / "shared" / "data" / "stackexchange-bicycles-meta"

PEOPLE_CSV = """id,name,email,title,department,location,manager_id,skills
E1,Ada Admin,ada@example.com,Head of Engineering,Engineering,Berlin,,python:5;kubernetes:4
E2,Bo Builder,bo@example.com,Engineer,Engineering,Berlin,E1,go:3
E3,Cy Closer,cy@example.com,Account Executive,Sales,London,E1,negotiation
E4,,nobody@example.com,Ghost,Sales,London,E1,
"""


def run_script(exports: Path, rejects: Path, db: Path) -> subprocess.CompletedProcess[str]:
    sh = shutil.which("sh")
    assert sh is not None
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "WHOKNOWS_STORE": f"sqlite:///{db}",
        "WHOKNOWS_EXPORTS": str(exports),
        "WHOKNOWS_REJECTS": str(rejects),
        "WHOKNOWS_ENV": "development",
    }
    return subprocess.run(
        [sh, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600, check=False, stdin=subprocess.DEVNULL
    )


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_layout_without_manifest_loads_hris_then_analyzes(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    (exports / "hris").mkdir(parents=True)
    (exports / "hris" / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    db = tmp_path / "w.db"

    proc = run_script(exports, tmp_path / "rejects", db)

    assert proc.returncode == 1, proc.stderr  # the nameless row was rejected, the rest loaded and analysed
    assert "whoknows ingest hris" in proc.stderr
    assert "whoknows analyze" in proc.stderr
    assert count(db, "person") == 3
    assert count(db, "analytics_run") == 1
    reject_lines = (tmp_path / "rejects" / "hris-people.csv.rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(reject_lines) == 1
    reject = json.loads(reject_lines[0])
    assert reject["file"].endswith("people.csv")
    assert reject["row"] == 5  # the header is row 1


def test_a_people_file_at_the_top_is_an_hris_export(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "people.csv").write_text(PEOPLE_CSV.replace("E4,,", "E4,Di Dealer,"), encoding="utf-8")
    db = tmp_path / "w.db"

    proc = run_script(exports, tmp_path / "rejects", db)

    assert proc.returncode == 0, proc.stderr
    assert count(db, "person") == 4


def test_an_excel_workbook_at_the_top_is_an_hris_export(tmp_path: Path) -> None:
    """HR's "export to Excel" dropped into ./exports as is."""
    import openpyxl

    exports = tmp_path / "exports"
    exports.mkdir()
    book = openpyxl.Workbook()
    for line in PEOPLE_CSV.replace("E4,,", "E4,Di Dealer,").splitlines():
        book.active.append(line.split(","))
    book.save(exports / "people.xlsx")
    db = tmp_path / "w.db"

    proc = run_script(exports, tmp_path / "rejects", db)

    assert proc.returncode == 0, proc.stderr
    assert count(db, "person") == 4
    assert count(db, "reports_to") == 3


def test_manifest_names_what_to_load(tmp_path: Path) -> None:
    if not SAMPLE.is_dir():
        pytest.skip(f"{SAMPLE} is absent: the shared sample data is not on this machine")
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "people.csv").write_text(PEOPLE_CSV.replace("E4,,", "E4,Di Dealer,"), encoding="utf-8")
    (exports / "bicycles").symlink_to(SAMPLE, target_is_directory=True)
    manifest = [
        {"kind": "hris", "path": "people.csv", "full": True},
        {"kind": "forum", "path": "bicycles", "format": "stackexchange", "community": "bicycles.meta"},
    ]
    (exports / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    db = tmp_path / "w.db"

    proc = run_script(exports, tmp_path / "rejects", db)

    assert proc.returncode in (0, 1), proc.stderr
    assert count(db, "person") > 4  # HR people plus forum accounts
    assert count(db, "post") > 1000
    assert count(db, "analytics_run") == 1


def test_a_demo_data_directory_loads_through_its_own_manifest(tmp_path: Path) -> None:
    """`whoknows demo-data` writes the manifest format the entry script reads: one format in the project."""
    exports = tmp_path / "exports"
    made = subprocess.run(
        [str(Path(sys.executable).parent / "whoknows"), "demo-data", str(exports), "--people", "300", "--seed", "3"],
        capture_output=True, text=True, timeout=600, check=False, stdin=subprocess.DEVNULL,
    )
    assert made.returncode == 0, made.stderr
    steps = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    db = tmp_path / "w.db"

    proc = run_script(exports, tmp_path / "rejects", db)

    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stderr.count("whoknows-ingest: whoknows ingest") == len(steps)
    assert count(db, "person") >= 300
    assert count(db, "post") > 0
    assert count(db, "analytics_run") == 1


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ([{"kind": "forum", "path": "../outside", "format": "slack"}], "points outside"),
        ([{"kind": "forum", "path": "people.csv", "format": "myspace"}], "format must be one of"),
        ([{"kind": "hris", "path": "missing.csv"}], "does not exist"),
        ([{"kind": "wiki", "path": "people.csv"}], "kind must be"),
        ([1, 2], "must be an object"),
        ({"hris": []}, "expected a JSON list of steps"),
    ],
)
def test_a_bad_manifest_stops_before_loading_anything(tmp_path: Path, manifest: object, message: str) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    (exports / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    db = tmp_path / "w.db"

    proc = run_script(exports, tmp_path / "rejects", db)

    assert proc.returncode == 2
    assert message in proc.stderr
    assert "manifest.json" in proc.stderr
    assert not db.exists()


def test_nothing_to_load_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    proc = run_script(tmp_path / "exports", tmp_path / "rejects", tmp_path / "w.db")
    assert proc.returncode == 2
    assert "nothing to load" in proc.stderr
    proc = run_script(tmp_path / "absent", tmp_path / "rejects", tmp_path / "w.db")
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr


HTML_XLS = """<html><head><meta charset="utf-8"></head><body><table border="1">
<tr><th>Employee ID</th><th>Name</th><th>Department</th><th>Manager ID</th></tr>
<tr><td>H1</td><td>Hana Haas</td><td>Finance</td><td></td></tr>
<tr><td>H2</td><td>Ivo Ilic</td><td>Finance</td><td>H1</td></tr>
</table></body></html>
"""

XML_2003 = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Employees"><Table>
  <Row><Cell><Data ss:Type="String">Employee ID</Data></Cell><Cell><Data ss:Type="String">Name</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">X1</Data></Cell><Cell><Data ss:Type="String">Xia Xu</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>
"""


def test_every_hr_file_the_reader_reads_is_taken_by_layout_and_the_rest_is_said(tmp_path: Path) -> None:
    """The layout kept its own list of endings (CSV, TSV, JSON, .xlsx): an HR system's "Export to Excel" (an HTML
    table named .xls) and an XML Spreadsheet 2003 (.xml), which `whoknows ingest hris` reads, were skipped without a
    word, as was anything else. The layout now takes every ending the reader reads (one list, ingest/hr/suffixes.py)
    and names each file or folder it skips. Endings any other file may have (.txt, .xml, .html) are taken under
    hris/ only: at the top a README.txt would have failed the whole run as an unreadable HR export."""
    exports = tmp_path / "exports"
    (exports / "misc").mkdir(parents=True)
    (exports / "people.xls").write_text(HTML_XLS, encoding="utf-8")
    (exports / "hris").mkdir()
    (exports / "hris" / "sap.XML").write_text(XML_2003, encoding="utf-8")
    (exports / "README.txt").write_text("Exports downloaded on Monday; ask Dana before re-running.\n")
    (exports / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    (exports / ".DS_Store").write_bytes(b"\0")
    (exports / "hris" / "old").mkdir()
    db = tmp_path / "w.db"

    proc = run_script(exports, tmp_path / "rejects", db)

    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        assert dict(conn.execute("SELECT id, name FROM person").fetchall()) == {
            "hr:H1": "Hana Haas", "hr:H2": "Ivo Ilic", "hr:X1": "Xia Xu"}
        assert conn.execute("SELECT manager_id FROM person WHERE id = 'hr:H2'").fetchone() == ("hr:H1",)
    said = [line for line in proc.stderr.splitlines() if "skipped" in line]
    assert len(said) == 4, proc.stderr
    assert any(f"skipped {exports / 'README.txt'}: .txt may be any file: an HR export with this ending goes under "
               "hris/" in s for s in said)
    assert any(f"skipped {exports / 'notes.pdf'}: not a file whose name says an HR export" in s for s in said)
    assert any(f"skipped {exports / 'misc'}:" in s for s in said)
    assert any(f"skipped {exports / 'hris' / 'old'}: not a file" in s for s in said)
    assert ".DS_Store" not in proc.stderr
