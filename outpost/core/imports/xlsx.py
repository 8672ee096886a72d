"""Reading an xlsx workbook with bounded work and memory, whatever the file declares.

An xlsx file is a zip of XML parts, and every number in it can lie: the sizes in the zip's
directory, the sheet's declared ``<dimension>``, the cell references. A reader that trusts
them (one allocating the declared range at once) is killed by a 1.6 KB file holding only
A1 and XFD1048576. So, before anything is parsed:

- the zip's directory is checked: how many parts, how large unpacked, how much compressed
  (a zip bomb); the zip module never unpacks more than a part's declared size;
- the workbook's sheets are counted;

and then every part is read as a stream: lxml's pull parser is fed 64 KB at a time
(entities not resolved, no DTD, libxml2's depth limit kept) and each row is freed once
read; more than `MAX_PENDING_BYTES` of markup between two rows (stray elements would each
cost a tree node) stops it. A row is built from the cells actually present: a value beyond
`MAX_COLUMNS`, a row beyond the row limit or more than `MAX_ROW_CELLS` cells in a row stops
the reading with a message naming the sheet, the cell and the limit. Shared strings (at
most `MAX_SHARED_STRINGS_BYTES`) are read only as far as the cells ask, into one UTF-8
buffer and an array of offsets, so that their memory is never more than their part's size.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _
from lxml import etree

from outpost.core.imports import workbook
from outpost.core.imports.workbook import ImportFileError, Sheet, Workbook

_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "strict" Open XML
)
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


def _tags(local: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{local}" for ns in _MAIN)


_C, _ROW, _SHEET_DATA, _SI = _tags("c"), _tags("row"), _tags("sheetData"), _tags("si")
_V, _IS, _T, _R = _tags("v"), _tags("is"), _tags("t"), _tags("r")

# The zip: how many parts and sheets, how much a large part may be compressed, and how
# much all parts may unpack to, per byte of file allowed (`workbook.current_limits()`).
MAX_ZIP_MEMBERS = 1000
MAX_SHEETS = 100
MAX_RATIO = 100
RATIO_CHECKED_FROM = 10 * 1024 * 1024
UNPACKED_PER_FILE_BYTE = 8
# Shared strings are read as far as the cells ask, which may be to the end: a part larger
# than this is refused rather than read for minutes (whatever the file size allowed: a
# feed that large comes as csv).
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
# Small parts read whole: the workbook, its relationships, the styles.
MAX_SMALL_PART = 16 * 1024 * 1024
# Markup read between two rows (or two shared strings) while nothing is complete: a real
# row is a few kilobytes; millions of stray elements would each cost a tree node.
MAX_PENDING_BYTES = 2 * 1024 * 1024
MAX_ROW_CELLS = 16_384  # Excel's own limit
CHUNK = 1 << 16
# Merged ranges are looked for only to find the header (in the first rows).
MAX_MERGED = 10_000

_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]*)([0-9]*)(?::([A-Za-z]*)([0-9]*))?\""
)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)\"")
_DOCTYPE = b"<!DOCTYPE"
# Built-in number formats that show dates or times (the Chinese locale's 27-36, 50-58 too).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_EPOCH_1900 = datetime.datetime(1899, 12, 30)
_EPOCH_1904 = datetime.datetime(1904, 1, 1)


def _column_index(letters: str, cache: dict[str, int] = {}) -> int:  # noqa: B006 (a cache)
    """0 for A, 25 for Z, 26 for AA…; `ImportFileError` for anything but one to three
    letters."""
    index = cache.get(letters)
    if index is None:
        if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha()):
            raise _unreadable(_("a cell reference “%(ref)s”") % {"ref": letters[:20]})
        index = 0
        for ch in letters.upper():
            index = index * 26 + ord(ch) - 64
        index -= 1
        cache[letters] = index
    return index


def _unreadable(detail: str) -> ImportFileError:
    return ImportFileError(
        _(
            "The file could not be read as an Excel workbook (%(detail)s). Save it "
            "again from Excel or WPS as .xlsx and upload it again."
        )
        % {"detail": detail[:120]}
    )


def _too_complex(where: str) -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook holds markup that is not a table near %(where)s; it is damaged or "
            "was not written by a spreadsheet program."
        )
        % {"where": where}
    )


def _events(stream, tags: tuple[str, ...], where: Callable[[], str]) -> Iterator:
    """The elements of ``tags`` as each ends, parsed from a stream in chunks. Entities are
    not resolved, a DTD is refused, libxml2's depth limit is kept, and more than
    MAX_PENDING_BYTES read without one of ``tags`` ending is refused (``where()`` says
    where, for the message)."""
    parser = etree.XMLPullParser(
        events=("end",),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    pending = 0
    first = True
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            if first and _DOCTYPE in chunk[:4096]:
                raise _unreadable("DOCTYPE")
            first = False
            parser.feed(chunk)
            pending += len(chunk)
            for _event, element in parser.read_events():
                pending = 0
                yield element
            if pending > MAX_PENDING_BYTES:
                raise ImportFileError(
                    _(
                        "The workbook holds more than %(limit)d MB of markup that is not cells "
                        "near %(where)s; it is damaged or was not written by a spreadsheet "
                        "program."
                    )
                    % {"limit": MAX_PENDING_BYTES // (1024 * 1024), "where": where()}
                )
        parser.close()
        yield from (element for _event, element in parser.read_events())
    except etree.XMLSyntaxError as exc:
        # libxml2's own words up to its advice ("use XML_PARSE_HUGE option") are enough.
        raise _unreadable(f"{where()}: {str(exc).split(',')[0]}") from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise _unreadable(str(exc)) from None


def _parse_small(book: zipfile.ZipFile, info: zipfile.ZipInfo):
    data = book.read(info)
    if _DOCTYPE in data[:4096]:
        raise _unreadable("DOCTYPE")
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _unreadable(f"{info.filename}: {exc}") from None


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _is_date_format(code: str) -> bool:
    code = _QUOTED.sub("", code).lower()
    if code in ("general", "@", ""):
        return False
    return any(ch in code for ch in "ymdhs")


class XlsxWorkbook(Workbook):
    kind = "excel"

    def __init__(self, path: Path):
        self._path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _unreadable(str(exc)) from None
        try:
            self._check_zip()
            self._sheets = self._read_sheet_list()
            self._date_styles = self._read_date_styles()
        except BaseException:
            self._zip.close()
            raise
        self._shared: _SharedStrings | None = None

    # -- the zip and the small parts

    def _check_zip(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ImportFileError(
                _(
                    "The workbook holds more than %(limit)s parts; it is damaged or not a "
                    "real spreadsheet."
                )
                % {"limit": f"{MAX_ZIP_MEMBERS:,}"}
            )
        limit = workbook.current_limits().max_bytes * UNPACKED_PER_FILE_BYTE
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_CHECKED_FROM and ratio > MAX_RATIO:
                raise ImportFileError(
                    _(
                        "The workbook's part “%(part)s” is compressed more than %(ratio)d "
                        "times (%(size)s MB unpacked); it looks like a zip bomb and is not "
                        "read."
                    )
                    % {
                        "part": info.filename[:100],
                        "ratio": MAX_RATIO,
                        "size": f"{info.file_size // (1024 * 1024):,}",
                    }
                )
        if total > limit:
            raise ImportFileError(
                _("The workbook unpacks to more than %(limit)s MB; split it into smaller files.")
                % {"limit": f"{limit // (1024 * 1024):,}"}
            )
        self._names = {info.filename: info for info in infos}
        if "xl/workbook.xml" not in self._names:
            if "mimetype" in self._names or "content.xml" in self._names:
                raise ImportFileError(
                    _(
                        "OpenDocument spreadsheets (.ods) are not read; save the file as "
                        ".xlsx or .csv and upload it again."
                    )
                )
            raise _unreadable(_("no workbook inside the zip file"))

    def _small(self, name: str):
        info = self._names.get(name)
        if info is None:
            return None
        if info.file_size > MAX_SMALL_PART:
            raise _unreadable(f"{name}: {info.file_size // (1024 * 1024)} MB")
        return _parse_small(self._zip, info)

    def _read_sheet_list(self) -> list[tuple[str, str]]:
        """(name, part) of each worksheet, in the workbook's order (chart sheets left out)."""
        workbook = self._small("xl/workbook.xml")
        rels = self._small("xl/_rels/workbook.xml.rels")
        targets = {}
        for rel in rels.iter() if rels is not None else ():
            if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/worksheet"):
                target = rel.get("Target", "")
                if target.startswith("/"):
                    part = target.lstrip("/")
                else:
                    part = str(PurePosixPath("xl") / target)
                targets[rel.get("Id")] = _normalise_part(part)
        self._date1904 = False
        sheets = []
        for element in workbook.iter():
            local = _local(element.tag)
            if local == "workbookPr":
                self._date1904 = element.get("date1904") in ("1", "true")
            elif local == "sheet":
                rel_id = next(
                    (element.get(f"{{{ns}}}id") for ns in _REL_NS if element.get(f"{{{ns}}}id")),
                    None,
                )
                part = targets.get(rel_id)
                if part is None:
                    continue  # a chart sheet, or a sheet without a part
                if len(sheets) >= MAX_SHEETS:
                    raise ImportFileError(
                        _(
                            "The workbook has more than %(limit)d sheets; keep the sheet to "
                            "import in a file of its own."
                        )
                        % {"limit": MAX_SHEETS}
                    )
                sheets.append((element.get("name", ""), part))
        return sheets

    def _read_date_styles(self) -> frozenset[int]:
        styles = self._small("xl/styles.xml")
        if styles is None:
            return frozenset()
        custom = {}
        dates = set()
        cell_xfs = None
        for element in styles.iter():
            local = _local(element.tag)
            if local == "numFmt":
                try:
                    custom[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
                except ValueError:
                    continue
            elif local == "cellXfs":
                cell_xfs = element
        if cell_xfs is None:
            return frozenset()
        for index, xf in enumerate(x for x in cell_xfs if _local(x.tag) == "xf"):
            try:
                fmt = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            if fmt in custom:
                if _is_date_format(custom[fmt]):
                    dates.add(index)
            elif fmt in _DATE_FORMAT_IDS:
                dates.add(index)
        return frozenset(dates)

    # -- shared strings

    def _shared_strings(self) -> _SharedStrings:
        if self._shared is None:
            info = self._names.get("xl/sharedStrings.xml")
            limit = MAX_SHARED_STRINGS_BYTES
            if info is not None and info.file_size > limit:
                raise ImportFileError(
                    _(
                        "The workbook's shared strings take more than %(limit)s MB; save the "
                        "sheet as CSV UTF-8, or split it into smaller files."
                    )
                    % {"limit": f"{limit // (1024 * 1024):,}"}
                )
            self._shared = _SharedStrings(self._zip, info)
        return self._shared

    # -- sheets

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _part in self._sheets]

    def _part(self, name: str) -> zipfile.ZipInfo:
        for sheet_name, part in self._sheets:
            if sheet_name == name:
                info = self._names.get(part)
                if info is None:
                    raise _unreadable(part)
                return info
        raise ImportFileError(_("The file has no sheet “%(sheet)s”.") % {"sheet": name})

    def sheet(self, name: str) -> Sheet:
        info = self._part(name)
        max_rows = workbook.current_limits().max_rows
        # The declared dimension is a guess of the row count, for progress only.
        declared = self._declared_rows(info)
        return Sheet(
            name=name,
            row_count=min(declared, max_rows),
            rows=lambda: self._rows(name, info, max_rows),
            merged=lambda: self._merged(info),
        )

    def _declared_rows(self, info: zipfile.ZipInfo) -> int:
        with self._zip.open(info) as stream:
            head = stream.read(4096)
        match = _DIMENSION.search(head)
        if not match:
            return 0
        last = match.group(4) or match.group(2)
        return int(last) if last and len(last) <= 8 else 0

    def _merged(self, info: zipfile.ZipInfo) -> list[tuple[int, int, int, int]]:
        """The merged ranges of a sheet, from a scan of its bytes (they follow the cells)."""
        merged = []
        tail = b""
        with self._zip.open(info) as stream:
            while len(merged) < MAX_MERGED:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                data = tail + chunk
                end = 0
                for match in _MERGE.finditer(data):
                    a, r1, b, r2 = match.groups()
                    merged.append(
                        (
                            int(r1) - 1,
                            _column_index(a.decode()),
                            int(r2) - 1,
                            _column_index(b.decode()),
                        )
                    )
                    end = match.end()
                tail = data[max(end, len(data) - 64) :]
        return merged[:MAX_MERGED]

    def _rows(self, name: str, info: zipfile.ZipInfo, max_rows: int) -> Iterator[list]:
        strings = self._shared_strings()
        date_styles = self._date_styles
        epoch = _EPOCH_1904 if self._date1904 else _EPOCH_1900
        number = 0  # the last row yielded
        tags = (*_ROW, *_SHEET_DATA)

        def where() -> str:
            return _("sheet “%(sheet)s”, row %(row)d") % {"sheet": name, "row": number + 1}

        with self._zip.open(info) as stream:
            for element in _events(stream, tags, where):
                if element.tag in _SHEET_DATA:
                    return
                if len(element) > MAX_ROW_CELLS:
                    raise _too_complex(where())
                r = element.get("r")
                at = int(r) if r and r.isdigit() else number + 1
                row = _row_values(element, at, name, strings, date_styles, epoch)
                _free(element)
                if at <= number:
                    raise _too_complex(where())
                if not row:
                    continue  # formatting only (beyond the limit too: nothing to read)
                if at > max_rows:
                    raise ImportFileError(
                        _(
                            "The sheet “%(sheet)s” has more than %(limit)s rows; split "
                            "it into smaller files."
                        )
                        % {"sheet": name, "limit": f"{max_rows:,}"}
                    )
                for _gap in range(at - number - 1):
                    yield []
                yield row
                number = at

    def close(self) -> None:
        if self._shared is not None:
            self._shared.close()
        self._zip.close()


class _SharedStrings:
    """The workbook's shared strings, read from their part only as far as a cell asks (the
    header's few strings cost a few), kept as one UTF-8 buffer and an array of offsets."""

    def __init__(self, book: zipfile.ZipFile, info: zipfile.ZipInfo | None):
        self._text = bytearray()
        self._offsets = array("Q", [0])
        self._stream = book.open(info) if info is not None else None
        self._elements = (
            _events(self._stream, tuple(_SI), self._where) if self._stream is not None else None
        )

    def _where(self) -> str:
        return _("shared string %(n)d") % {"n": len(self._offsets)}

    def get(self, index: int) -> str:
        offsets = self._offsets
        if index < 0:
            raise _unreadable(_("a shared string that does not exist"))
        while index >= len(offsets) - 1:
            element = next(self._elements, None) if self._elements is not None else None
            if element is None:
                raise _unreadable(_("a shared string that does not exist"))
            self._text += _string_of(element).encode("utf-8", "surrogatepass")
            offsets.append(len(self._text))
            _free(element)
        return self._text[offsets[index] : offsets[index + 1]].decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if self._stream is not None:
            self._elements = None
            self._stream.close()


def _normalise_part(part: str) -> str:
    parts: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _free(element) -> None:
    """Forget an element once read, and the siblings read before it."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _string_of(element) -> str:
    """The text of a shared or inline string: its ``t``, or its runs' ``t`` (phonetic
    guides ``rPh`` left out)."""
    parts = []
    for child in element:
        tag = child.tag
        if tag in _T:
            parts.append(child.text or "")
        elif tag in _R:
            for sub in child:
                if sub.tag in _T:
                    parts.append(sub.text or "")
    return "".join(parts)


def _row_values(element, at: int, sheet: str, strings, date_styles, epoch) -> list:
    """The values of one <row> element, each at its column ("" in the gaps)."""
    max_columns = workbook.MAX_COLUMNS
    row: list = []
    column = 0
    for cell in element:
        if cell.tag not in _C:
            continue
        ref = cell.get("r")
        if ref:
            column = _column_index(ref.rstrip("0123456789"))
        value = _cell_value(cell, strings, date_styles, epoch)
        if value is not None:
            if column >= max_columns:
                raise ImportFileError(
                    _(
                        "The sheet “%(sheet)s” has a value in cell %(cell)s, beyond "
                        "its first %(limit)d columns; delete what is there, or "
                        "split the sheet."
                    )
                    % {"sheet": sheet, "cell": ref or f"{at}:{column + 1}", "limit": max_columns}
                )
            if column > len(row):
                row.extend([""] * (column - len(row)))
            if column == len(row):
                row.append(value)
            else:
                row[column] = value
        column += 1
    return row


def _cell_value(element, strings: _SharedStrings, date_styles, epoch):
    """A cell's value as the readers give it (str, float, bool, date, datetime), or None
    for a cell without one."""
    kind = element.get("t")
    raw = None
    for child in element:
        tag = child.tag
        if tag in _V:
            raw = child.text
            break
        if tag in _IS:
            return _string_of(child) or None
    if raw is None or raw == "":
        return None
    if kind == "s":
        try:
            index = int(raw)
        except ValueError:
            return None
        return strings.get(index)
    if kind in ("str", "inlineStr", "e"):
        return raw
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "d":
        try:
            return datetime.datetime.fromisoformat(raw.strip())
        except ValueError:
            return raw
    try:
        number = float(raw)
    except ValueError:
        return raw
    style = element.get("s")
    if (
        style
        and date_styles
        and style.isdigit()
        and int(style) in date_styles
        and 0 <= number < 2_958_466
    ):
        moment = epoch + datetime.timedelta(days=number)
        if number.is_integer():
            return moment.date()
        if number < 1:
            return moment.time()
        return moment
    return number
