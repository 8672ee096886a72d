"""`outpost import residents FILE`: the spreadsheet import from the command line.

Runs the same pipeline as the web pages, synchronously: finds the sheet and header, maps
the columns by their headings (and remembered choices), checks every row, and imports in
one transaction — or, with ``--dry-run``, writes nothing at all. Prints the counts, the
first errors and the time taken; exits non-zero when rows have errors (unless
``--skip-bad-rows``) or the file cannot be read.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from outpost.core.choices import ImportStatus
from outpost.core.imports.base import importers
from outpost.core.imports.error_report import error_workbook_bytes
from outpost.core.imports.pipeline import (
    FIRST_ERRORS,
    columns_for,
    inspect_file,
    rows_with_errors_message,
    validate,
)
from outpost.core.imports.readers import ImportFileError
from outpost.core.imports.services import import_job_create
from outpost.core.imports.steps import (
    import_job_commit,
    import_job_inspect,
    import_job_validate,
    may_import,
)
from outpost.core.management.base import ScopedCommand


def _by_cli_name() -> dict:
    return {cls.cli_name: cls for cls in importers().values()}


class Command(ScopedCommand):
    # The checks cost a second at every start; `outpost check` and `migrate` run them.
    requires_system_checks = []
    help = _("Import a spreadsheet (xlsx, xls or csv), e.g. `outpost import residents FILE`.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(_by_cli_name()), help=_("What the file holds."))
        parser.add_argument("file", type=Path, help=_("The xlsx, xls or csv file."))
        super().add_arguments(parser)
        parser.add_argument("--sheet", default="", help=_("Sheet to read (default: found)."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check every row but write nothing.")
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help=_("Import the good rows even when other rows have errors."),
        )
        parser.add_argument(
            "--errors", type=Path, default=None, help=_("Write the errors to this xlsx file.")
        )

    def handle(
        self,
        *args,
        kind,
        file: Path,
        username,
        unit_code,
        sheet,
        dry_run,
        skip_bad_rows,
        errors,
        **options,
    ):
        importer_class = _by_cli_name()[kind]
        user = self.acting_user(username)
        unit = self.acting_unit(user, unit_code)
        if not may_import(user, importer_class):
            raise CommandError(
                _("%(user)s may not import these records.") % {"user": user.username}
            )
        if not file.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": file})
        started = time.perf_counter()
        try:
            if dry_run:
                validation = self._dry_run(importer_class, file, unit, user, sheet)
                counts = None
            else:
                validation, counts = self._import(
                    importer_class, file, unit, user, sheet, skip_bad_rows
                )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        self._report(validation, counts, elapsed, dry_run)
        if errors is not None and validation.errors:
            errors.write_bytes(error_workbook_bytes(validation.errors, title=file.name))
            self.stdout.write(_("Errors written to %(path)s") % {"path": errors})
        if validation.errors and not skip_bad_rows:
            raise CommandError(rows_with_errors_message(validation.bad_rows))

    def _dry_run(self, importer_class, file, unit, user, sheet):
        info = inspect_file(file, importer=importer_class, sheet_name=sheet or None)
        self._describe(
            info.sheet_name, info.header_row, info.headings, info.mapping, importer_class
        )
        problems = importer_class.check_mapping(info.mapping.values())
        if problems:
            raise CommandError(" ".join(problems))
        columns = columns_for(importer_class, info.headings, info.mapping)
        importer = importer_class(unit=unit, acting_user=user, columns=columns)
        return validate(
            file, importer=importer, sheet_name=info.sheet_name, header_row=info.header_row
        )

    def _import(self, importer_class, file, unit, user, sheet, skip_bad_rows):
        with file.open("rb") as handle:
            job = import_job_create(
                acting_user=user,
                kind=importer_class.kind,
                unit=unit,
                file=File(handle),
                original_name=file.name,
                queue=False,
            )
        job = import_job_inspect(acting_user=user, job=job, sheet_name=sheet)
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.failure)
        self._describe(job.sheet_name, job.header_row, job.headers, job.mapping, importer_class)
        problems = importer_class.check_mapping(job.mapping.values())
        if problems:
            raise CommandError(" ".join(problems))
        validation = import_job_validate(acting_user=user, job=job)
        if validation is None:
            raise CommandError(job.failure)
        counts = None
        if not validation.errors or skip_bad_rows:
            job.skip_bad_rows = skip_bad_rows
            job.save(update_fields=["skip_bad_rows"])
            counts = import_job_commit(acting_user=user, job=job, validation=validation)
        self.stdout.write(_("Import #%(pk)d recorded.") % {"pk": job.pk})
        return validation, counts

    def _describe(self, sheet_name, header_row, headings, mapping, importer_class):
        self.stdout.write(
            _("Sheet “%(sheet)s”, header in row %(row)d.")
            % {"sheet": sheet_name, "row": header_row}
        )
        for index, name in sorted(mapping.items(), key=lambda item: int(item[0])):
            heading = headings[int(index)] if int(index) < len(headings) else ""
            self.stdout.write(f"  {heading} → {importer_class.get_field(name).label}")

    def _report(self, validation, counts, elapsed, dry_run):
        write = self.stdout.write
        write(
            _("%(rows)d rows: %(valid)d valid, %(bad)d with errors (%(errors)d errors).")
            % {
                "rows": validation.total_rows,
                "valid": validation.valid_rows,
                "bad": validation.bad_rows,
                "errors": len(validation.errors),
            }
        )
        if counts is not None:
            write(
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
            for name, value in counts.extra.items():
                write(f"  {name}: {value}")
        else:
            predicted = validation.predicted
            label = _("Dry run, nothing written") if dry_run else _("Nothing written")
            write(
                _(
                    "%(label)s: would create %(created)d, update %(updated)d, leave %(unchanged)d unchanged."
                )
                % {
                    "label": label,
                    "created": predicted["created"],
                    "updated": predicted["updated"],
                    "unchanged": predicted["unchanged"],
                }
            )
        for error in validation.errors[:FIRST_ERRORS]:
            column = f" {error.column}" if error.column else ""
            value = f" [{error.value}]" if error.value else ""
            write(
                self.style.ERROR(
                    _("Row %(row)d%(column)s%(value)s: %(message)s")
                    % {"row": error.row, "column": column, "value": value, "message": error.message}
                )
            )
        if len(validation.errors) > FIRST_ERRORS:
            write(_("… and %(n)d more errors.") % {"n": len(validation.errors) - FIRST_ERRORS})
        rate = validation.total_rows / elapsed if elapsed else 0
        write(
            _("Took %(seconds).1f s (%(rate)s rows/s).")
            % {"seconds": elapsed, "rate": f"{rate:,.0f}"}
        )
