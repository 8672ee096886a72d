"""Reading a feed (比对数据源导入): the columns of the ``screening.feed`` kind and a feed's
own commit.

A feed may be far larger than a registry import (`FEED_MAX_ROWS`, `FEED_MAX_BYTES`): the
upload only keeps the file, and the worker finds its header (`feed_open`) and reads the
rows as a stream (`feed_parse`), reporting its progress.

The shared pipeline's steps are reused as they are — the readers, finding the header,
mapping columns by synonyms (`inspect_file`, `columns_for`) and the cell helpers — but not
its commit: the pipeline writes valid rows only (all-or-nothing or skip-bad-rows), while a
feed is kept whole. Every data row is stored, and a row whose ID, phone or date cannot be
read keeps the problem in ``parse_errors`` (masked, named by row and column). For the same
reason the kind is not registered with the generic import pages and CLI
(`register_importer`): a feed is uploaded from the screening pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.identity import normalize_id_number, validate_id_number, validate_phone
from outpost.core.imports.base import ImportField, RowImporter, SourceRow, cell_date
from outpost.core.imports.pipeline import columns_for, inspect_file
from outpost.core.imports.readers import ImportFileError, open_workbook
from outpost.core.imports.workbook import read_limits
from outpost.screening.regions import RegionIndex

IDENTITY_FIELDS = ("name", "id_number", "phone")

# Feeds only; the registry's imports keep the shared readers' caps (100 MB, 500,000 rows).
FEED_MAX_BYTES = 1024 * 1024 * 1024
FEED_MAX_ROWS = 5_000_000
# How many data rows between two progress reports of a feed being read.
PROGRESS_EVERY = 10_000


@contextmanager
def feed_limits() -> Iterator[None]:
    """The readers accept a feed up to FEED_MAX_BYTES and FEED_MAX_ROWS within this block."""
    with read_limits(max_bytes=FEED_MAX_BYTES, max_rows=FEED_MAX_ROWS):
        yield


class FeedImporter(RowImporter):
    """The columns a feed may have; every one optional, but a feed needs at least one of
    name, ID number and phone to be matched against the registry."""

    kind = "screening.feed"
    cli_name = "feeds"
    label = gettext_lazy("Arrival feed")
    permissions = ("screening.add_feed",)
    fields = (
        ImportField("name", gettext_lazy("Name"), ("姓名", "旅客姓名", "乘客姓名", "名字", "name")),
        ImportField(
            "id_number",
            gettext_lazy("ID number"),
            ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "id number"),
            sensitive="id",
        ),
        ImportField(
            "phone",
            gettext_lazy("Phone"),
            ("手机号", "手机号码", "联系电话", "手机", "电话", "联系方式", "phone", "mobile"),
            sensitive="phone",
        ),
        ImportField(
            "origin",
            gettext_lazy("Origin"),
            ("出发地", "来源地", "始发地", "出发站", "来自", "来源地区", "origin"),
        ),
        ImportField(
            "arrival_date",
            gettext_lazy("Arrival date"),
            (
                "到达日期",
                "抵连日期",
                "抵达日期",
                "来连日期",
                "乘车日期",
                "航班日期",
                "arrival date",
            ),
        ),
        ImportField(
            "train_or_flight",
            gettext_lazy("Train or flight"),
            ("车次", "航班号", "航班", "车次/航班号", "车次航班", "train", "flight"),
        ),
        ImportField("seat", gettext_lazy("Seat"), ("座位号", "座位", "座号", "seat")),
    )

    @classmethod
    def check_mapping(cls, mapped) -> list[str]:
        if set(mapped) & set(IDENTITY_FIELDS):
            return []
        return [
            _(
                "The file has no column for the name, the ID number or the phone (such as "
                "姓名, 身份证号, 手机号); a feed needs at least one of them."
            )
        ]

    def prepare(self) -> None:
        self.regions = RegionIndex.from_database()
        # Asked once, not per row (a tenth of the ID check's time on a large feed).
        self.today = datetime.date.today()

    def clean(self, row: SourceRow) -> ParsedRow:
        parsed = ParsedRow(
            row_number=row.number,
            name=row.text("name")[:100],
            origin=row.text("origin")[:200],
            train_or_flight=row.text("train_or_flight").replace(" ", "")[:30].upper(),
            seat=row.text("seat")[:30],
        )
        id_text = row.text("id_number")
        if id_text:
            try:
                parsed.id_number = validate_id_number(id_text, today=self.today)
            except ValidationError as exc:
                parsed.id_number = normalize_id_number(id_text)[:40]
                row.error("id_number", _message(exc))
        phone_text = row.text("phone")
        if phone_text:
            try:
                parsed.phone = validate_phone(phone_text)
            except ValidationError as exc:
                parsed.phone = phone_text.replace(" ", "")[:40]
                row.error("phone", _message(exc))
        if row.raw("arrival_date") not in (None, ""):
            try:
                parsed.arrival_date = cell_date(row.raw("arrival_date"))
            except ValueError as exc:
                row.error("arrival_date", str(exc))
        if parsed.origin:
            parsed.origin_region_code = self.regions.code_for(parsed.origin)
        if not (parsed.name or parsed.id_number or parsed.phone):
            row.error(None, _("The row has no name, ID number or phone."))
        parsed.parse_errors = [e.as_dict() for e in row.errors]
        return parsed


@dataclass(slots=True)
class ParsedRow:
    row_number: int
    name: str = ""
    id_number: str = ""
    phone: str = ""
    origin: str = ""
    origin_region_code: str = ""
    arrival_date: object = None
    train_or_flight: str = ""
    seat: str = ""
    parse_errors: list = field(default_factory=list)


@dataclass
class FeedReading:
    """A feed file as read: its column mapping and, lazily, every data row."""

    path: Path
    sheet_name: str
    header_row: int
    mapping: dict[str, str]
    importer: FeedImporter


def feed_open(path: Path, *, unit=None, acting_user=None) -> FeedReading:
    """Find the sheet, the header and the columns; `ImportFileError` with the reason when
    the file cannot be read or names none of the columns a feed needs."""
    with feed_limits():
        info = inspect_file(path, importer=FeedImporter)
    problems = FeedImporter.check_mapping(info.mapping.values())
    if problems:
        found = [h for h in info.headings if h][:20]
        if found:
            problems.append(
                _("The columns found in row %(row)d are: %(columns)s.")
                % {"row": info.header_row, "columns": ", ".join(found)}
            )
        raise ImportFileError(" ".join(problems))
    columns = columns_for(FeedImporter, info.headings, info.mapping)
    importer = FeedImporter(unit=unit, acting_user=acting_user, columns=columns)
    return FeedReading(
        path=path,
        sheet_name=info.sheet_name,
        header_row=info.header_row,
        mapping={c.heading or c.letter: c.field for c in columns.values()},
        importer=importer,
    )


def _data_rows(reading: FeedReading, rows: Iterable[list]) -> Iterator[tuple[int, dict]]:
    """(row number, {field: cell}) of every data row below the header; rows with nothing
    but spaces in the mapped columns are skipped."""
    picks = [(c.field, c.index) for c in reading.importer.columns.values()]
    header_row = reading.header_row
    for number, row in enumerate(rows, start=1):
        if number <= header_row:
            continue
        width = len(row)
        values = {name: row[i] for name, i in picks if i < width and row[i] not in ("", None)}
        if not any(v.strip() if v.__class__ is str else True for v in values.values()):
            continue
        yield number, values


def feed_parse(
    reading: FeedReading, *, progress: Callable[[float], None] | None = None
) -> Iterator[ParsedRow]:
    """Every data row below the header, bad ones included; blank lines are skipped.
    `progress` is told the fraction of the sheet read every PROGRESS_EVERY rows."""
    importer = reading.importer
    columns = importer.columns
    importer.prepare()
    clean = importer.clean
    # No `gc_paused()` here: the rows are stored as they come, not piled up, so the
    # collector's passes stay cheap, and over millions of rows it must keep running.
    with feed_limits(), open_workbook(reading.path) as book:
        sheet = book.sheet(reading.sheet_name)
        expected = max(sheet.row_count - reading.header_row, 1)
        every = PROGRESS_EVERY
        for count, (number, values) in enumerate(_data_rows(reading, sheet.rows()), start=1):
            yield clean(SourceRow(number, values, columns))
            if progress is not None and count % every == 0:
                progress(min((number - reading.header_row) / expected, 1.0))


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)
