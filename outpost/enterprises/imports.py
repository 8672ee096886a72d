"""The enterprises import (企业名录导入): one row per enterprise, matched by its unified
social credit code, so importing the same file twice changes nothing.

Declares the columns and the row check; the shared pipeline in `outpost.core.imports`
does the rest (header, mapping, errors by row and column, preview, all-or-nothing
commit). Each row lands in the community or grid its unit column names, inside the
import's unit (the import's unit itself when the file has no such column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from outpost.core.audit import save_audited
from outpost.core.choices import UnitKind
from outpost.core.imports.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    CommitCounts,
    ImportField,
    RowImporter,
    SourceRow,
    register_importer,
)
from outpost.core.models import Unit
from outpost.enterprises.choices import EnterpriseStatus, Sector
from outpost.enterprises.models import Enterprise
from outpost.enterprises.validators import validate_credit_code

SECTOR_WORDS = {
    "制造业": Sector.MANUFACTURING, "制造": Sector.MANUFACTURING, "工业": Sector.MANUFACTURING,
    "食品": Sector.FOOD, "食品生产加工": Sector.FOOD, "食品加工": Sector.FOOD,
    "食品生产": Sector.FOOD,
    "医疗物资": Sector.MEDICAL, "医疗": Sector.MEDICAL, "医药": Sector.MEDICAL,
    "医疗器械": Sector.MEDICAL,
    "商超零售": Sector.RETAIL, "零售": Sector.RETAIL, "商超": Sector.RETAIL,
    "超市": Sector.RETAIL, "批发零售": Sector.RETAIL,
    "物流运输": Sector.LOGISTICS, "物流": Sector.LOGISTICS, "运输": Sector.LOGISTICS,
    "交通运输": Sector.LOGISTICS,
    "建筑施工": Sector.CONSTRUCTION, "建筑": Sector.CONSTRUCTION, "建筑业": Sector.CONSTRUCTION,
    "餐饮住宿": Sector.CATERING, "餐饮": Sector.CATERING, "住宿": Sector.CATERING,
    "酒店": Sector.CATERING, "住宿餐饮": Sector.CATERING,
    "服务业": Sector.SERVICES, "服务": Sector.SERVICES,
    "其他": Sector.OTHER, "其它": Sector.OTHER,
}  # fmt: skip

STATUS_WORDS = {
    "正常经营": EnterpriseStatus.OPEN, "正常": EnterpriseStatus.OPEN,
    "营业": EnterpriseStatus.OPEN, "在营": EnterpriseStatus.OPEN, "开业": EnterpriseStatus.OPEN,
    "已复工": EnterpriseStatus.RESUMED, "复工": EnterpriseStatus.RESUMED,
    "复工复产": EnterpriseStatus.RESUMED, "已复工复产": EnterpriseStatus.RESUMED,
    "停工": EnterpriseStatus.SUSPENDED, "停业": EnterpriseStatus.SUSPENDED,
    "停工停业": EnterpriseStatus.SUSPENDED, "停产": EnterpriseStatus.SUSPENDED,
}  # fmt: skip

YES_WORDS = {"是", "√", "y", "yes", "true", "1", "重点保供", "保供"}
NO_WORDS = {"否", "×", "n", "no", "false", "0", "非"}

for _choices, _words in ((Sector, SECTOR_WORDS), (EnterpriseStatus, STATUS_WORDS)):
    for _value in _choices.values:
        _words.setdefault(_value, _value)
for _words in (SECTOR_WORDS, STATUS_WORDS):
    for _key, _value in list(_words.items()):
        _words[_key] = str(getattr(_value, "value", _value))

# The fields a row sets on an enterprise.
ROW_FIELDS = ("name", "sector", "address", "employees", "is_essential", "status", "unit_id")


@dataclass
class EnterpriseRow:
    row: int
    outcome: str
    credit_code: str
    values: dict
    pk: int | None = None
    changes: list[str] = field(default_factory=list)


@register_importer
class EnterpriseImporter(RowImporter):
    kind = "enterprises.enterprises"
    cli_name = "enterprises"
    label = gettext_lazy("Enterprises")
    permissions = ("enterprises.add_enterprise", "enterprises.change_enterprise")
    fields = (
        ImportField(
            "name",
            gettext_lazy("Name"),
            ("企业名称", "单位名称", "名称", "企业", "公司名称", "name", "enterprise"),
            required=True,
        ),
        ImportField(
            "credit_code",
            gettext_lazy("Unified social credit code"),
            (
                "统一社会信用代码",
                "社会信用代码",
                "信用代码",
                "统一代码",
                "credit code",
                "unified social credit code",
            ),
            required=True,
        ),
        ImportField("sector", gettext_lazy("Sector"), ("行业", "所属行业", "行业类别", "sector")),
        ImportField(
            "address", gettext_lazy("Address"), ("地址", "企业地址", "经营地址", "住所", "address")
        ),
        ImportField(
            "employees",
            gettext_lazy("Employees"),
            ("员工人数", "职工人数", "人数", "员工数", "从业人数", "employees"),
        ),
        ImportField(
            "is_essential",
            gettext_lazy("Essential-goods producer"),
            ("重点保供企业", "是否重点保供", "保供企业", "重点保供", "essential"),
        ),
        ImportField(
            "status",
            gettext_lazy("Status"),
            ("经营状态", "状态", "复工状态", "营业状态", "status"),
        ),
        ImportField(
            "unit",
            gettext_lazy("Community or grid"),
            ("所属社区", "社区", "网格", "所属网格", "辖区", "unit", "community", "grid"),
        ),
    )

    def prepare(self) -> None:
        user = self.acting_user
        if not Unit.objects.visible_to(user).filter(pk=self.unit.pk).exists():
            raise PermissionDenied(_("The import's unit is outside your jurisdiction."))
        units = Unit.objects.visible_to(user).subtree(self.unit).filter(is_active=True)
        self.units_by_word: dict[str, list[int]] = {}
        for pk, code, name in units.values_list("pk", "code", "name"):
            for word in {code.lower(), name}:
                self.units_by_word.setdefault(word, []).append(pk)
        existing = Enterprise.objects.all().values(
            "pk", "credit_code", *[f for f in ROW_FIELDS if f != "unit_id"], "unit_id"
        )
        self.existing = {row["credit_code"]: row for row in existing}
        self.changeable = set(
            Enterprise.objects.visible_to(user, "change")
            .within(self.unit)
            .values_list("pk", flat=True)
        )
        self.seen: dict[str, int] = {}

    def clean(self, row: SourceRow) -> EnterpriseRow | None:
        name = row.text("name")
        if not name:
            row.error("name", _("Name is empty."))
        elif len(name) > 200:
            row.error("name", _("Name is longer than 200 characters."))
        code = self._credit_code(row)
        values = {
            "name": name,
            "sector": self._word(row, "sector", SECTOR_WORDS, Sector.OTHER),
            "address": row.text("address"),
            "employees": self._employees(row),
            "is_essential": self._essential(row),
            "status": self._word(row, "status", STATUS_WORDS, EnterpriseStatus.OPEN),
            "unit_id": self._unit(row),
        }
        if len(values["address"]) > 200:
            row.error("address", _("Address is longer than 200 characters."))
        if row.errors or code is None:
            return None
        cleaned = EnterpriseRow(row=row.number, outcome=CREATED, credit_code=code, values=values)
        existing = self.existing.get(code)
        if existing is not None:
            if existing["pk"] not in self.changeable:
                row.error(
                    "credit_code",
                    _(
                        "An enterprise with this credit code is registered outside the "
                        "import's unit; it is not changed from here."
                    ),
                )
                return None
            cleaned.pk = existing["pk"]
            cleaned.changes = [f for f in ROW_FIELDS if existing[f] != values[f]]
            cleaned.outcome = UPDATED if cleaned.changes else UNCHANGED
        return cleaned

    def _credit_code(self, row: SourceRow) -> str | None:
        raw = row.text("credit_code")
        try:
            code = validate_credit_code(raw)
        except ValidationError as exc:
            row.error("credit_code", exc.messages[0])
            return None
        first = self.seen.setdefault(code, row.number)
        if first != row.number:
            row.error(
                "credit_code",
                _("The same credit code is already on row %(row)d.") % {"row": first},
            )
            return None
        return code

    def _word(self, row: SourceRow, name: str, words: dict, default) -> str:
        text = row.text(name)
        if not text:
            return str(default)
        value = words.get(text) or words.get(text.lower())
        if value is None:
            row.error(
                name,
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text, "choices": "、".join(k for k in words if not k.isascii())},
            )
            return str(default)
        return value

    def _employees(self, row: SourceRow) -> int | None:
        text = row.text("employees").removesuffix("人").strip()
        if not text:
            return None
        if not text.isdigit() or int(text) > 1_000_000:
            row.error("employees", _("Employees must be a whole number such as 300."))
            return None
        return int(text)

    def _essential(self, row: SourceRow) -> bool:
        text = row.text("is_essential").lower()
        if not text or text in NO_WORDS:
            return False
        if text in YES_WORDS:
            return True
        row.error("is_essential", _("Write 是 or 否."))
        return False

    def _unit(self, row: SourceRow) -> int | None:
        text = row.text("unit")
        if not text:
            if self.unit.kind not in (UnitKind.COMMUNITY, UnitKind.GRID):
                row.error(
                    "unit" if row.has_column("unit") else None,
                    _(
                        "Name the community or grid of the enterprise (the import's unit is above them)."
                    ),
                )
                return None
            return self.unit.pk
        found = self.units_by_word.get(text) or self.units_by_word.get(text.lower()) or []
        if len(found) != 1:
            row.error(
                "unit",
                _("No single community or grid of the import's unit is called “%(value)s”.")
                % {"value": text},
            )
            return None
        return found[0]

    def commit(
        self, rows: list[EnterpriseRow], *, progress: Callable[[float], None] | None = None
    ) -> CommitCounts:
        user = self.acting_user
        if not Unit.objects.visible_to(user).filter(pk=self.unit.pk).exists():
            raise PermissionDenied(_("The import's unit is outside your jurisdiction."))
        new = [
            Enterprise(credit_code=r.credit_code, created_by=user, **r.values)
            for r in rows
            if r.outcome == CREATED
        ]
        for enterprise in new:
            enterprise.full_clean(exclude=["credit_code"])
        bulk_create_with_history(
            new, Enterprise, default_user=user, default_change_reason=self.reason[:100] or None
        )
        updated = [r for r in rows if r.outcome == UPDATED]
        if updated:
            enterprises = Enterprise.objects.select_for_update().in_bulk([r.pk for r in updated])
            for planned in updated:
                enterprise = enterprises[planned.pk]
                for name in planned.changes:
                    setattr(enterprise, name, planned.values[name])
                save_audited(
                    enterprise,
                    acting_user=user,
                    update_fields=[*planned.changes, "updated_at"],
                    reason=self.reason or None,
                )
        return CommitCounts(
            created=len(new),
            updated=len(updated),
            unchanged=sum(1 for r in rows if r.outcome == UNCHANGED),
        )
