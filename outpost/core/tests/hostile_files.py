"""Hostile uploads, written into a folder: small files that declare or unpack to far more
than they are. Used by the reader tests and by ``bench/hostile_uploads.py``.

Each maker writes one file and returns its path; `HOSTILE` lists them all.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def _workbook_parts(sheets: int) -> dict[str, str]:
    entries = "".join(
        f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    return {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{entries}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>"
        ),
    }


def _sheet(body: str, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{_MAIN}">{dim}<sheetData>{body}</sheetData></worksheet>'


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def write_xlsx_parts(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


def sparse_huge_sheet(folder: Path) -> Path:
    """A1 and XFD1048576: a 1.6 KB file whose range is 17 billion cells."""
    body = (
        f'<row r="1">{_cell("A1", "姓名")}</row><row r="1048576">{_cell("XFD1048576", "x")}</row>'
    )
    parts = _workbook_parts(1) | {"xl/worksheets/sheet1.xml": _sheet(body, "A1:XFD1048576")}
    return write_xlsx_parts(folder / "sparse-huge.xlsx", parts)


def declared_huge_dimension(folder: Path) -> Path:
    """One cell, and a dimension that declares the whole grid."""
    body = f'<row r="1">{_cell("A1", "姓名")}{_cell("B1", "身份证号")}</row>'
    parts = _workbook_parts(1) | {"xl/worksheets/sheet1.xml": _sheet(body, "A1:XFD1048576")}
    return write_xlsx_parts(folder / "declared-huge.xlsx", parts)


def sparse_wide_tall_sheet(folder: Path) -> Path:
    """A1 and GR400000: within the row and column limits, but 80 million cells of range."""
    body = (
        f'<row r="1">{_cell("A1", "姓名")}{_cell("B1", "身份证号")}</row>'
        f'<row r="400000">{_cell("GR400000", "x")}</row>'
    )
    parts = _workbook_parts(1) | {"xl/worksheets/sheet1.xml": _sheet(body, "A1:GR400000")}
    return write_xlsx_parts(folder / "sparse-wide-tall.xlsx", parts)


def zip_bomb(folder: Path, *, unpacked_mb: int = 1024) -> Path:
    """A sheet part that unpacks more than a hundredfold (spaces between two cells)."""
    path = folder / "zip-bomb.xlsx"
    write_xlsx_parts(path, _workbook_parts(1))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as book:
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return path


def many_sheets(folder: Path, *, sheets: int = 10_000) -> Path:
    """Ten thousand empty sheets."""
    parts = _workbook_parts(sheets)
    empty = _sheet("")
    for i in range(1, sheets + 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = empty
    return write_xlsx_parts(folder / "many-sheets.xlsx", parts)


def deeply_nested(folder: Path, *, depth: int = 100_000) -> Path:
    """A cell nested a hundred thousand elements deep."""
    body = '<row r="1"><c r="A1" t="inlineStr"><is>' + "<r>" * depth + "</r>" * depth
    body += "</is></c></row>"
    parts = _workbook_parts(1) | {"xl/worksheets/sheet1.xml": _sheet(body)}
    return write_xlsx_parts(folder / "deeply-nested.xlsx", parts)


def stray_markup(folder: Path, *, elements: int = 2_000_000) -> Path:
    """Millions of empty elements that are not cells, between the header and the data."""
    body = f'<row r="1">{_cell("A1", "姓名")}</row>' + "<x/>" * elements
    body += f'<row r="2">{_cell("A2", "张三")}</row>'
    parts = _workbook_parts(1) | {"xl/worksheets/sheet1.xml": _sheet(body)}
    return write_xlsx_parts(folder / "stray-markup.xlsx", parts)


def giant_shared_strings(folder: Path, *, megabytes: int = 80) -> Path:
    """Eighty megabytes of shared strings (stored, not compressed) behind a two-cell
    sheet."""
    path = folder / "giant-shared-strings.xlsx"
    body = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    write_xlsx_parts(path, _workbook_parts(1) | {"xl/worksheets/sheet1.xml": _sheet(body)})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as book:
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{_MAIN}">'.encode())
            block = "".join(f"<si><t>{i:05x}</t></si>" for i in range(50_000)).encode()
            for _ in range(megabytes * 1024 * 1024 // len(block) + 1):
                part.write(block)
            part.write(b"</sst>")
    return path


def csv_one_long_line(folder: Path, *, megabytes: int = 200) -> Path:
    """A csv of one line of 200 MB (no line break anywhere)."""
    path = folder / "one-line.csv"
    with path.open("wb") as handle:
        handle.write("姓名,身份证号,".encode())
        block = b"x," * (512 * 1024)
        for _ in range(megabytes):
            handle.write(block)
    return path


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "sparse A1 + XFD1048576": sparse_huge_sheet,
    "declared A1:XFD1048576": declared_huge_dimension,
    "sparse A1 + GR400000": sparse_wide_tall_sheet,
    "zip bomb (1 GB of spaces)": zip_bomb,
    "10,000 empty sheets": many_sheets,
    "nested 100,000 deep": deeply_nested,
    "2,000,000 stray elements": stray_markup,
    "60 MB of shared strings": lambda folder: giant_shared_strings(folder, megabytes=60),
    "80 MB of shared strings": giant_shared_strings,
    "csv, one 200 MB line": csv_one_long_line,
}
