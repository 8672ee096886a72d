"""The 110 system's daily incident counts (110警情日报) through the core import pipeline:
one row per day and unit, one column per category (criminal, public order, traffic,
other). A file without a column for one of the categories is refused as a whole with a
message naming it (nothing is written); every other problem is named by its row and
column. Rows are matched to the units of the import's subtree by name or code; a count
for a unit, day and category already imported is replaced."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from outpost.core.imports.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    CommitCounts,
    ImportField,
    RowImporter,
    SourceRow,
    cell_date,
    register_importer,
)
from outpost.core.imports.workbook import ImportFileError
from outpost.core.models import Unit
from outpost.publicorder.choices import IncidentCategory
from outpost.publicorder.models import IncidentCount

CATEGORY_FIELDS = {
    IncidentCategory.CRIMINAL: ("刑事", "刑事警情", "刑事案件", "criminal"),
    IncidentCategory.PUBLIC_ORDER: ("治安", "治安警情", "治安案件", "public order"),
    IncidentCategory.TRAFFIC: ("交通", "交通警情", "交通事故", "traffic"),
    IncidentCategory.OTHER: ("其他", "其他警情", "other"),
}
MAX_DAILY_COUNT = 10_000


@dataclass
class IncidentRow:
    number: int
    unit: Unit
    day: object
    counts: dict
    outcome: str = CREATED


@register_importer
class IncidentCountImporter(RowImporter):
    kind = "publicorder.incidents"
    cli_name = "incidents"
    label = gettext_lazy("Daily incident counts (110)")
    permissions = ("publicorder.add_incidentcount", "publicorder.change_incidentcount")
    fields = (
        ImportField("day", gettext_lazy("Day"), ("日期", "报警日期", "统计日期", "day", "date"), required=True),
        ImportField(
            "unit",
            gettext_lazy("Unit"),
            ("单位", "辖区", "所属单位", "派出所", "警务室", "社区", "unit"),
            required=True,
        ),
        *(
            ImportField(str(category), category.label, synonyms, required=True)
            for category, synonyms in CATEGORY_FIELDS.items()
        ),
    )  # fmt: skip

    def prepare(self) -> None:
        missing = [c.label for c in CATEGORY_FIELDS if str(c) not in self.columns]
        if missing:
            raise ImportFileError(
                _(
                    "The file has no column for the category %(categories)s: the 110 export "
                    "has one column per category (刑事, 治安, 交通, 其他). Nothing was imported."
                )
                % {"categories": "、".join(str(label) for label in missing)}
            )
        units = Unit.objects.visible_to(self.acting_user).filter(path__startswith=self.unit.path)
        self.units: dict[str, Unit] = {}
        for unit in units:
            self.units.setdefault(unit.name, unit)
            self.units.setdefault(unit.code, unit)
        self.existing: dict[tuple[int, object, str], IncidentCount] = {}
        self.seen: dict[tuple[int, object], int] = {}
        self.today = timezone.localdate()

    def _load_existing(self, unit: Unit, day) -> None:
        key = (unit.pk, day)
        if key in self.seen:
            return
        for row in IncidentCount.objects.filter(unit=unit, day=day):
            self.existing[(unit.pk, day, row.category)] = row

    def clean(self, row: SourceRow):
        unit = self.units.get(row.text("unit"))
        if unit is None:
            row.error("unit", _("No unit of this name or code in the import's unit."))
        day = None
        try:
            day = cell_date(row.raw("day"))
        except ValueError as exc:
            row.error("day", str(exc))
        else:
            if day > self.today:
                row.error("day", _("The date cannot be in the future."))
        counts = {}
        for category in CATEGORY_FIELDS:
            text = row.text(str(category)) or "0"
            if not text.isdigit() or int(text) > MAX_DAILY_COUNT:
                row.error(str(category), _("Write the number of incidents (0 or more)."))
                continue
            counts[str(category)] = int(text)
        if not row.is_valid:
            return None
        key = (unit.pk, day)
        if key in self.seen:
            row.error(
                "day",
                _("This unit and day are on row %(row)d already.") % {"row": self.seen[key]},
            )
            return None
        self._load_existing(unit, day)
        self.seen[key] = row.number
        old = {c: self.existing.get((unit.pk, day, c)) for c in counts}
        if all(o is None for o in old.values()):
            outcome = CREATED
        elif all(o is not None and o.count == counts[c] for c, o in old.items()):
            outcome = UNCHANGED
        else:
            outcome = UPDATED
        return IncidentRow(row.number, unit, day, counts, outcome)

    def commit(self, rows: list[IncidentRow], *, progress=None) -> CommitCounts:
        result = CommitCounts()
        new, changed = [], []
        for row in rows:
            for category, count in row.counts.items():
                old = self.existing.get((row.unit.pk, row.day, category))
                if old is None:
                    new.append(
                        IncidentCount(unit=row.unit, day=row.day, category=category, count=count)
                    )
                elif old.count != count:
                    old.count = count
                    changed.append(old)
            setattr(result, row.outcome, getattr(result, row.outcome) + 1)
        if new:
            bulk_create_with_history(
                new, IncidentCount, batch_size=1000, default_user=self.acting_user
            )
        if changed:
            bulk_update_with_history(
                changed, IncidentCount, ["count"], batch_size=1000, default_user=self.acting_user
            )
        return result
