"""Export definitions (导出定义) and the one service that writes an export.

An app declares each of its exports as an `ExportDefinition` (what it lists, its masking,
the permissions it needs, its access-log purpose, its writer) and registers it in its
``AppConfig.ready()`` with `register_export`; core never imports an app. `export_check`
is the only place that checks an export (records in the user's scope, permissions,
masking, the purpose), `export_write` the only one that writes its access-log row, and
`export_store` runs it into a file of Django's storage, so any app server can serve what
any worker wrote.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from outpost.core.choices import LOGGED_EXPORT_PURPOSES
from outpost.core.exports.xlsx import XLSX_CONTENT_TYPE
from outpost.core.services import clean_purpose, personal_data_export_log

EXPORT_DIR = "exports"  # in the default storage; each export file is named by its task's id
EXPORT_PERMISSION = "core.export_personal_data"
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": "application/pdf"}
_UNSAFE_IN_FILENAMES = str.maketrans({c: None for c in '\\/:*?"<>|\r\n\t'})


class Masking(StrEnum):
    """How an export shows ID numbers, phones and addresses."""

    MASKED = "masked"  # always masked
    OPTIONAL = "optional"  # masked unless asked, by a role that may export personal data
    UNMASKED = "unmasked"  # always in full: only a role that may export personal data


@dataclass(frozen=True)
class ExportRequest:
    """One export as asked: by whom, with what parameters, masked or not."""

    acting_user: object
    params: dict
    unmasked: bool
    today: datetime.date


@dataclass(frozen=True)
class Written:
    """What a writer wrote: the people-rows, the fields of personal data, the file's name."""

    rows: int
    filename: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    label: Promise | str
    value: object


class ExportDefinition:
    """One kind of export. Subclass it, fill the attributes, implement `records` and
    `write`, and register an instance.

    - `model`: the personal data it lists, for the access log; ``None`` for an export of
      counts only, which needs no reason and is not logged.
    - `fields`: the personal fields it writes (the writer may name them per export).
    - `masking`: see `Masking`; an unmasked export always needs the export permission.
    - `permissions`: what a role needs to ask for it and, later, to download it.
    """

    name: str = ""
    label: Promise | str = ""
    model: type[models.Model] | None = None
    fields: tuple[str, ...] = ()
    masking: str = Masking.MASKED
    permissions: tuple[str, ...] = ()
    permission_message: Promise | str = gettext_lazy("Your role may not export these records.")
    form_url_name: str = ""  # where to ask for another; "" for none

    def file_format(self, params: dict) -> str:
        return "xlsx"

    def records(self, *, user, params: dict) -> dict:
        """The records the export lists, looked up within `user`'s scope (`get_visible`:
        a 404 otherwise). Called when the export is written and again at each download."""
        return {}

    def clean(self, *, params: dict, records: dict) -> None:
        """Refuse parameters that make no sense (a ValidationError naming the field)."""

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        """Write the file into the binary file `target`."""
        raise NotImplementedError

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        """The access log's description of this export (its subject)."""
        return str(self.label)

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        """What the status page says the export is of (its unit, its days…)."""
        return []

    def another_url(self, *, params: dict, records: dict) -> str:
        return reverse(self.form_url_name) if self.form_url_name else ""

    # ------------------------------------------------------------------ shared rules

    def personal(self) -> bool:
        return self.model is not None

    def unmasked(self, asked: bool) -> bool:
        if self.masking == Masking.UNMASKED:
            return True
        return bool(asked) and self.masking == Masking.OPTIONAL

    def may_export(self, user, *, unmasked: bool) -> bool:
        needed = [*self.permissions, *([EXPORT_PERMISSION] if unmasked else [])]
        return all(user.has_perm(permission) for permission in needed)


_EXPORTS: dict[str, ExportDefinition] = {}


def register_export(definition: ExportDefinition) -> ExportDefinition:
    """Make an export known to the task, the status and download pages and the prune."""
    if not definition.name:
        raise ValueError("an export needs a name")
    _EXPORTS[definition.name] = definition
    return definition


def get_export(name: str) -> ExportDefinition:
    try:
        return _EXPORTS[name]
    except KeyError:
        raise LookupError(name) from None


def registered_exports() -> dict[str, ExportDefinition]:
    return dict(_EXPORTS)


def filename_part(text) -> str:
    """`text` without the characters Windows refuses in a file name."""
    return str(text).translate(_UNSAFE_IN_FILENAMES).strip()


def safe_filename(*parts: str, suffix: str) -> str:
    """A download name from `parts` joined by "-", without the characters Windows refuses."""
    return "-".join(filter(None, map(filename_part, parts))) + f".{suffix}"


@dataclass(frozen=True)
class CheckedExport:
    records: dict
    unmasked: bool
    purpose: str
    reason: str


def export_check(
    *,
    definition: ExportDefinition,
    acting_user,
    params: dict,
    unmasked: bool,
    reason: str,
    purpose: str = "",
) -> CheckedExport:
    """Everything that may refuse an export, before a row is written: its records are
    looked up in the user's scope (404 otherwise), the role must hold the export's
    permissions (and the export permission for unmasked numbers), an export of personal
    data needs a purpose (`EXPORT_PURPOSES`; "other" stated in words, the `reason`), and
    the parameters must make sense. Run when the export is asked
    for (so the page can say what is wrong) and again when the worker writes it."""
    records = definition.records(user=acting_user, params=params)
    unmasked = definition.unmasked(unmasked)
    if not definition.may_export(acting_user, unmasked=unmasked):
        raise PermissionDenied(definition.permission_message)
    if definition.personal():
        purpose, reason = clean_purpose(purpose, reason, allowed=LOGGED_EXPORT_PURPOSES)
    definition.clean(params=params, records=records)
    return CheckedExport(records=records, unmasked=unmasked, purpose=purpose, reason=reason)


def export_write(
    *,
    definition: ExportDefinition,
    acting_user,
    params: dict,
    target,
    unmasked: bool = False,
    purpose: str = "",
    reason: str = "",
    ip_address: str | None = None,
    today: datetime.date | None = None,
) -> Written:
    """Check and write one export into the binary file `target`, and log it: an export of
    personal data is written to the access log with its fields, rows, purpose and reason. Not one
    transaction: the rows stream for many seconds and must not hold a write lock."""
    checked = export_check(
        definition=definition,
        acting_user=acting_user,
        params=params,
        unmasked=unmasked,
        purpose=purpose,
        reason=reason,
    )
    request = ExportRequest(
        acting_user=acting_user,
        params=params,
        unmasked=checked.unmasked,
        today=today or timezone.localdate(),
    )
    written = definition.write(request=request, records=checked.records, target=target)
    if definition.personal():
        personal_data_export_log(
            acting_user=acting_user,
            model=definition.model,
            description=definition.purpose(
                params=params, records=checked.records, unmasked=checked.unmasked
            ),
            fields=written.fields or definition.fields,
            row_count=written.rows,
            purpose=checked.purpose,
            reason=checked.reason,
            unmasked=checked.unmasked,
            ip_address=ip_address,
        )
    return written


@dataclass(frozen=True)
class StoredExport:
    name: str  # in the default storage
    filename: str
    rows: int


def export_storage_name(export_id, file_format: str) -> str:
    return f"{EXPORT_DIR}/{export_id}.{file_format}"


def export_store(
    *, definition: ExportDefinition, export_id, params: dict, **kwargs
) -> StoredExport:
    """`export_write` into an anonymous temporary file, then into the default storage under
    the export's id. The file appears only once the access log is written and a failure at
    any step leaves no file behind. A worker killed while writing leaves only the anonymous
    file, which the system removes with the process; one killed while copying into the
    storage may leave part of a file there, which `exports_prune` removes."""
    name = export_storage_name(export_id, definition.file_format(params))
    with tempfile.TemporaryFile() as spool:
        written = export_write(definition=definition, params=params, target=spool, **kwargs)
        spool.seek(0)
        try:
            stored = default_storage.save(name, File(spool, name=name))
        except BaseException:
            default_storage.delete(name)
            raise
    return StoredExport(name=stored, filename=written.filename, rows=written.rows)
