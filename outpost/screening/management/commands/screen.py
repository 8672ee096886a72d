"""``outpost screen --feed FILE [--feed FILE …] [--unit CODE] [--report out.xlsx]``: the
screening engine headless (no run is stored), over the residents of a unit of the acting
user's jurisdiction; prints the counts per origin category and the timings."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from outpost.core.exports.xlsx import XlsxBook
from outpost.core.imports.readers import ImportFileError
from outpost.core.management.base import ScopedCommand
from outpost.core.models import Unit
from outpost.registry.models import Resident
from outpost.screening.choices import LinkStatus
from outpost.screening.imports import feed_open, feed_parse
from outpost.screening.models import OriginCategory
from outpost.screening.services import (
    Screening,
    SourceRow,
    match_decisions,
    screening_compute,
)


class Command(ScopedCommand):
    help = _("Match feed files against the registry and print the counts per origin category.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--feed",
            dest="feeds",
            action="append",
            required=True,
            metavar="FILE",
            help=_("A feed file (xlsx or csv); repeat for several."),
        )
        parser.add_argument(
            "--report", default="", metavar="FILE", help=_("Write the people found to this xlsx.")
        )

    def handle(self, *args, **options):
        user = self.acting_user(options["username"])
        unit = self.acting_unit(user, options["unit_code"])
        started = time.perf_counter()
        rows = self._read(options["feeds"], unit=unit, user=user)
        read_seconds = time.perf_counter() - started
        residents = list(
            Resident.objects.visible_to(user)
            .within(unit)
            .only("pk", "name", "id_number", "document_number", "phone", "birth_date", "unit_id")
        )
        screening = screening_compute(
            residents=residents, rows=rows, decisions=match_decisions(unit=unit)
        )
        self._print(screening, unit=unit, residents=len(residents), read_seconds=read_seconds)
        if options["report"]:
            self._report(Path(options["report"]), screening, residents)
            self.stdout.write(_("Report written to %(path)s.") % {"path": options["report"]})
        self.stdout.write(_("Total: %(seconds).2f s.") % {"seconds": time.perf_counter() - started})

    def _read(self, paths: list[str], *, unit: Unit, user) -> list[SourceRow]:
        rows: list[SourceRow] = []
        for name in paths:
            path = Path(name)
            if not path.is_file():
                raise CommandError(_("No file %(path)s.") % {"path": name})
            try:
                reading = feed_open(path, unit=unit, acting_user=user)
                for parsed in feed_parse(reading):
                    rows.append(
                        SourceRow(
                            row_id=len(rows),
                            feed=path.name,
                            row_number=parsed.row_number,
                            name=parsed.name,
                            id_number=parsed.id_number,
                            phone=parsed.phone,
                            origin_region_code=parsed.origin_region_code,
                            arrival_date=parsed.arrival_date,
                        )
                    )
            except ImportFileError as exc:
                raise CommandError(f"{path.name}: {exc}") from None
        return rows

    def _print(self, screening: Screening, *, unit: Unit, residents: int, read_seconds: float):
        counts = screening.counts()
        self.stdout.write(
            _("%(rows)d feed rows against %(residents)d residents of %(unit)s.")
            % {"rows": screening.rows, "residents": residents, "unit": unit.name}
        )
        for category in OriginCategory.objects.all():
            self.stdout.write(f"  {category.name}: {counts['categories'].get(category.code, 0)}")
        self.stdout.write(
            _("Residents to review: %(review)d; feed rows matching nobody: %(unmatched)d.")
            % {"review": counts["review"], "unmatched": counts["unmatched_rows"]}
        )
        timings = {"read": read_seconds, **screening.timings}
        self.stdout.write(
            _("Timings: %(timings)s.")
            % {"timings": ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())}
        )

    def _report(self, path: Path, screening: Screening, residents: list[Resident]) -> None:
        by_id = {r.pk: r for r in residents}
        units = dict(
            Unit.objects.filter(pk__in={r.unit_id for r in residents}).values_list("pk", "name")
        )
        book = XlsxBook()
        sheet = book.sheet(_("Screening"))
        sheet.append(
            [
                _("Name"),
                _("ID number"),
                _("Phone"),
                _("Unit"),
                _("Origin category"),
                _("Arrival date"),
                _("Match"),
                _("Score"),
                _("Sources"),
            ]
        )
        statuses = dict(LinkStatus.choices)
        for outcome in screening.outcomes:
            resident = by_id[outcome.resident_id]
            sheet.append(
                [
                    resident.name,
                    resident.masked_id_number,
                    resident.masked_phone,
                    units.get(resident.unit_id, ""),
                    outcome.category.name if outcome.category else "",
                    outcome.arrival_date,
                    str(statuses.get(outcome.status, outcome.status)),
                    outcome.score,
                    ", ".join(f"{s['feed']}:{s['row']}" for s in outcome.sources),
                ]
            )
        book.save(path)
