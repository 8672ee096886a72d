"""What a module declares for one kind of import: its columns, a row validator and an upsert.

A module subclasses `RowImporter` in its own ``imports.py``, lists its `ImportField`s and
registers the class with `register_importer`. The pipeline (`outpost.core.imports.pipeline`)
does everything else: reading, finding the header, mapping columns, collecting errors by row
and column, the preview counts, the error workbook and the all-or-nothing transaction.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from outpost.core.identity import mask_address, mask_id_number, mask_phone
from outpost.core.validators import validate_text, visible_text

# What the preview predicts for a valid row and the commit then does.
CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ImportField:
    """One column a kind of import understands.

    ``synonyms`` are the column headings that map to it without asking (compared after
    `outpost.core.imports.mapping.normalise_heading`); ``sensitive`` says how its values are
    masked in previews and error workbooks: ``"id"``, ``"phone"`` or ``"address"``.
    """

    name: str
    label: Any
    synonyms: tuple[str, ...] = ()
    required: bool = False
    sensitive: str = ""


def mask_value(value: str, sensitive: str) -> str:
    """A cell value as previews and error workbooks show it (DESIGN rule 2)."""
    value = str(value or "")
    if not value or not sensitive:
        return value
    if sensitive == "id":
        return mask_id_number(value.replace(" ", ""))
    if sensitive == "phone":
        return mask_phone(value.replace(" ", ""))
    return mask_address(value)


@dataclass(frozen=True)
class Column:
    """A column of the file as the user sees it: its heading and its letter."""

    index: int
    heading: str
    letter: str
    field: str
    sensitive: str = ""

    @property
    def label(self) -> str:
        heading = self.heading or _("(no heading)")
        return f"{heading} ({self.letter})"


@dataclass(slots=True)
class RowError:
    """One problem, named by the row number Excel shows and the column heading."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


def cell_text(value: Any) -> str:
    """A cell as text: full-width forms folded (NFKC), line breaks and runs of spaces made one
    space, trimmed; whole numbers without ``.0``; big numbers as Excel shows them (``3.6E+17``)."""
    if value.__class__ is str:
        if value.isalnum() and (value.isascii() or unicodedata.is_normalized("NFKC", value)):
            return value  # the common case: nothing to fold, no space to trim
        if not value.isascii():
            value = unicodedata.normalize("NFKC", value)
        return " ".join(value.split())
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return cell_text(str(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_YMD = re.compile(
    r"([0-9]{4})\s*[年./\-]\s*([0-9]{1,2})\s*[月./\-]\s*([0-9]{1,2})\s*日?"
    r"(?:\s*[T ]?\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def cell_date(value: Any) -> datetime.date:
    """A date from a cell: a real date, ``2020-02-03``, ``2020年2月3日``, ``2020.2.3``,
    ``2020/2/3``, ``20200203`` or an Excel serial number (43864). `ValueError` with a
    translated message otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    parts = None
    if match := _DATE_YMD.fullmatch(text):
        parts = match.groups()
    elif match := _DATE_COMPACT.fullmatch(text):
        parts = match.groups()
    elif text.isdigit() and len(text) <= 5 and int(text) > 0:
        # An Excel date serial: days since 1899-12-30 (Excel's 1900 date system).
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    if parts is None:
        raise ValueError(
            _("“%(value)s” is not a date; write it as 2020-02-03 or 2020年2月3日.")
            % {"value": text}
        )
    try:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real date.") % {"value": text}) from None


class SourceRow:
    """One data row of the file, handed to `RowImporter.clean`.

    ``raw(field)`` is the cell as the reader gave it (str, int, float, date, …);
    ``text(field)`` the cleaned text. ``error(field, message)`` records a problem that
    names this row and the column mapped to ``field``.
    """

    __slots__ = ("_columns", "_texts", "_values", "errors", "number")

    def __init__(self, number: int, values: dict[str, Any], columns: dict[str, Column]):
        self.number = number
        self._values = values
        self._columns = columns
        self._texts = {name: cell_text(value) for name, value in values.items()}
        self.errors: list[RowError] = []
        for name, text in self._texts.items():
            if not text.isalnum():  # the common case (names, numbers) has nothing to check
                self._check_text(name, text)

    def _check_text(self, name: str, text: str) -> None:
        """Free text as the forms take it: a control character or a direction override is
        an error of this cell (and would break every export of what it was stored into)."""
        try:
            validate_text(text)
        except ValidationError as exc:
            self.error(name, exc.messages[0], value=visible_text(text))

    def has_column(self, name: str) -> bool:
        return name in self._columns

    def raw(self, name: str) -> Any:
        return self._values.get(name)

    def text(self, name: str) -> str:
        return self._texts.get(name, "")

    def error(self, name: str | None, message: str, *, value: Any = None) -> None:
        column = self._columns.get(name) if name else None
        if value is None and name:
            value = self.text(name)
        self.errors.append(
            RowError(
                row=self.number,
                column=column.label if column else "",
                value=mask_value(cell_text(value), column.sensitive if column else ""),
                message=message,
            )
        )

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class CommitCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class RowImporter:
    """The base of every kind of import. Subclasses declare; the pipeline drives.

    Life cycle, on one instance: ``prepare()`` once (preload what rows are checked
    against, in a few queries); ``clean(row)`` for every data row in file order, returning
    a cleaned object with an ``outcome`` attribute (`CREATED`, `UPDATED`, `UNCHANGED`) or
    recording errors on the row; ``finish()`` once for checks that need all rows (it may
    return errors for rows already cleaned); then, inside the pipeline's transaction,
    ``commit(rows)`` with the valid cleaned rows.
    """

    kind: ClassVar[str]
    cli_name: ClassVar[str]
    label: ClassVar[Any]
    fields: ClassVar[tuple[ImportField, ...]]
    # Besides core.add_importjob: what the acting user needs for the rows to be written.
    permissions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, unit, acting_user, columns: dict[str, Column], reason: str = ""):
        self.unit = unit
        self.acting_user = acting_user
        self.columns = columns
        self.reason = reason

    # -- declarations

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in cls.fields]

    @classmethod
    def get_field(cls, name: str) -> ImportField:
        return next(f for f in cls.fields if f.name == name)

    @classmethod
    def check_mapping(cls, mapped: Iterable[str]) -> list[str]:
        """Problems with a column mapping as a whole (messages for the mapping screen)."""
        mapped = set(mapped)
        return [
            _("Choose the column that holds “%(field)s”: it is required.") % {"field": f.label}
            for f in cls.fields
            if f.required and f.name not in mapped
        ]

    # -- the work

    def prepare(self) -> None:
        """Preload what rows are checked against."""

    def clean(self, row: SourceRow) -> Any:
        raise NotImplementedError

    def finish(self) -> list[tuple[Any, RowError]]:
        """Checks that need every row; returns (cleaned row, error) pairs to drop."""
        return []

    def commit(
        self, rows: list, *, progress: Callable[[float], None] | None = None
    ) -> CommitCounts:
        raise NotImplementedError

    # -- helpers for subclasses

    def row_error(self, number: int, name: str | None, value: Any, message: str) -> RowError:
        column = self.columns.get(name) if name else None
        return RowError(
            row=number,
            column=column.label if column else "",
            value=mask_value(cell_text(value), column.sensitive if column else ""),
            message=message,
        )


_IMPORTERS: dict[str, type[RowImporter]] = {}
_discovered = False


def register_importer(cls: type[RowImporter]) -> type[RowImporter]:
    """Class decorator: make a kind of import known to the pipeline, the pages and the CLI."""
    _IMPORTERS[cls.kind] = cls
    return cls


def importers() -> dict[str, type[RowImporter]]:
    """Every registered kind of import, found in each app's ``imports`` module."""
    global _discovered
    if not _discovered:
        autodiscover_modules("imports")
        _discovered = True
    return dict(_IMPORTERS)


def get_importer(kind: str) -> type[RowImporter]:
    try:
        return importers()[kind]
    except KeyError:
        raise LookupError(kind) from None
