"""Hostile .xlsx HR exports (``whoknows ingest hris`` as a real subprocess): a sheet declaring entities printed an
XML ParseError traceback (a read-only sheet is parsed while its rows are read), and a few MB of workbook holding a
gigabyte of shared strings was read whole into memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.integration.test_ingest_cli import no_traceback, run


def _book() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "name", "email"])
    ws.append(["E1", "Ann", "ann@x.com"])
    ws.append(["E2", "Bob", "bob@x.com"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(raw: bytes, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info.filename, change.get(info.filename) or data)
        for name, data in (add or {}).items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "doctype",
    ["",  # no declaration: an undefined entity, found only when the rows are read
     '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
     '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'],
    ids=["undefined-entity", "entity-expansion", "external-entity"],
)
def test_a_sheet_declaring_entities_is_unreadable_input_not_a_traceback(tmp_path: Path, doctype: str) -> None:
    raw = _book()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    ref = "&b;" if "ENTITY b" in doctype else "&e;"
    if doctype:
        sheet = f'<?xml version="1.0"?>{doctype}'.encode() + sheet
    sheet = sheet.replace(b">Bob<", f">{ref}<".encode())
    (tmp_path / "people.xlsx").write_bytes(_rewrite(raw, {"xl/worksheets/sheet1.xml": sheet}))
    p = run(tmp_path, "hris", "people.xlsx")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    said = " ".join(p.stderr.split())
    if doctype:  # refused as the workbook opens
        assert "error: people.xlsx: unreadable Excel workbook" in said
    else:
        assert "error: people.xlsx, row 3: unreadable Excel sheet 'Sheet' after row 2 (ParseError: undefined entity" \
            in said
    assert "root:" not in p.stdout + p.stderr  # nothing of the entity's target is shown


def test_shared_strings_past_the_member_limit_are_refused_before_reading(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _book()
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
           b'main">' + b"<si><t>" + b"A" * 50_000 + b"</t></si></sst>")
    (tmp_path / "people.xlsx").write_bytes(_rewrite(raw, {}, {"xl/sharedStrings.xml": sst}))
    monkeypatch.setenv("WHOKNOWS_MAX_MEMBER_BYTES", "40000")
    p = run(tmp_path, "hris", "people.xlsx")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    assert (f"people.xlsx: xl/sharedStrings.xml would unpack to {len(sst):,} bytes, over the 40,000-byte limit "
            "(WHOKNOWS_MAX_MEMBER_BYTES)") in " ".join(p.stderr.split())
    monkeypatch.setenv("WHOKNOWS_MAX_MEMBER_BYTES", "60000")
    p = run(tmp_path, "hris", "people.xlsx")
    assert p.returncode == 0, p.stderr  # within the limit the same workbook loads
