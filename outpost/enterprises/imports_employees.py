"""Spreadsheet imports of the employees' daily tests, through the core pipeline: the
employee list (员工名单导入) and a day's tests (每日检测导入).

The enterprise is the liaison's own; staff who import for an enterprise give its unified
social credit code in a column. Every row is checked (the ID number's check character,
full-width digits folded, dates as text or Excel serials, a day in the future refused, a
person twice in the file), each problem named by its row and column; the commit is the
pipeline's one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.identity import validate_id_number, validate_phone
from outpost.core.imports.base import (
    CREATED,
    UPDATED,
    CommitCounts,
    ImportField,
    RowImporter,
    SourceRow,
    cell_date,
    register_importer,
)
from outpost.enterprises.choices_employees import EmployeeOrigin, ReportSource, TestResult
from outpost.enterprises.models.employees import Employee, EmployeeTest
from outpost.enterprises.scoping import enterprise_of_liaison, enterprises_for, is_liaison
from outpost.enterprises.services_employees import employees_bulk_save, tests_store
from outpost.enterprises.validators import normalize_credit_code
from outpost.observation.services.checkins import temperature_parse

CREDIT_CODE = ImportField(
    "credit_code",
    gettext_lazy("Enterprise credit code"),
    ("统一社会信用代码", "信用代码", "企业代码", "credit code"),
)
ID_NUMBER = ImportField(
    "id_number",
    gettext_lazy("ID number"),
    ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "id number"),
    required=True,
    sensitive="id",
)
NAME = ImportField("name", gettext_lazy("Name"), ("姓名", "员工姓名", "名字", "name"))

ORIGIN_WORDS = {
    "本地": EmployeeOrigin.LOCAL, "本市": EmployeeOrigin.LOCAL, "local": EmployeeOrigin.LOCAL,
    "否": EmployeeOrigin.LOCAL, "外地": EmployeeOrigin.RETURNED, "返岗": EmployeeOrigin.RETURNED,
    "外地返岗": EmployeeOrigin.RETURNED, "外地返连": EmployeeOrigin.RETURNED,
    "返连": EmployeeOrigin.RETURNED, "是": EmployeeOrigin.RETURNED,
    "returned": EmployeeOrigin.RETURNED,
}  # fmt: skip
RESULT_WORDS = {
    "阴性": TestResult.NEGATIVE, "阴": TestResult.NEGATIVE, "正常": TestResult.NEGATIVE,
    "-": TestResult.NEGATIVE, "negative": TestResult.NEGATIVE,
    "阳性": TestResult.POSITIVE, "阳": TestResult.POSITIVE, "+": TestResult.POSITIVE,
    "positive": TestResult.POSITIVE,
}  # fmt: skip


class _EnterpriseRows(RowImporter):
    """What both imports share: the enterprise of each row."""

    permissions: tuple[str, ...] = ()

    def prepare(self) -> None:
        user = self.acting_user
        self.liaison = is_liaison(user)
        self.own = enterprise_of_liaison(user) if self.liaison else None
        visible = enterprises_for(user, "change" if not self.liaison else "view")
        self.by_code = {} if self.liaison else {e.credit_code: e for e in visible.within(self.unit)}
        self.today = timezone.localdate()

    def enterprise_of(self, row: SourceRow):
        if self.liaison:
            if self.own is None:
                row.error(None, _("Your login is not bound to an enterprise."))
            return self.own
        code = normalize_credit_code(row.text("credit_code"))
        if not code:
            row.error(
                "credit_code",
                _("Give the enterprise's unified social credit code (a column of the file)."),
            )
            return None
        enterprise = self.by_code.get(code)
        if enterprise is None:
            row.error(
                "credit_code",
                _("No enterprise with this credit code in the import's unit."),
            )
        return enterprise

    def id_number_of(self, row: SourceRow) -> str:
        try:
            return validate_id_number(row.text("id_number"))
        except ValidationError as exc:
            row.error("id_number", exc.messages[0])
            return ""


@dataclass
class EmployeeRow:
    number: int
    enterprise: object
    values: dict
    outcome: str = CREATED


@register_importer
class EmployeeImporter(_EnterpriseRows):
    kind = "enterprises.employees"
    cli_name = "employees"
    label = gettext_lazy("Employees of an enterprise")
    permissions = ("enterprises.add_employee", "enterprises.change_employee")
    fields = (
        ImportField("name", NAME.label, NAME.synonyms, required=True),
        ID_NUMBER,
        ImportField(
            "phone",
            gettext_lazy("Phone"),
            ("手机", "手机号", "手机号码", "联系电话", "电话", "phone", "mobile"),
            sensitive="phone",
        ),
        ImportField(
            "origin",
            gettext_lazy("Local or returned"),
            ("人员类别", "类别", "本地/外地", "是否外地返岗", "来源", "origin"),
        ),
        ImportField(
            "returned_from",
            gettext_lazy("Returned from"),
            ("返岗来源地", "来源地", "从何地返回", "返回地", "returned from"),
        ),
        ImportField(
            "returned_on",
            gettext_lazy("Returned on"),
            ("返岗日期", "返连日期", "返回日期", "returned on"),
        ),
        CREDIT_CODE,
    )

    def prepare(self) -> None:
        super().prepare()
        self.seen: dict[tuple[int, str], int] = {}
        self.listed: dict[int, set[str]] = {}

    def _listed(self, enterprise) -> set[str]:
        """The ID numbers on the enterprise's list (one query per enterprise)."""
        if enterprise.pk not in self.listed:
            self.listed[enterprise.pk] = {
                e.id_number
                for e in Employee.objects.filter(enterprise=enterprise).only("id_number")
            }
        return self.listed[enterprise.pk]

    def clean(self, row: SourceRow):
        enterprise = self.enterprise_of(row)
        name = row.text("name")
        if not name:
            row.error("name", _("Enter the employee's name."))
        id_number = self.id_number_of(row)
        phone = ""
        if row.text("phone"):
            try:
                phone = validate_phone(row.text("phone"))
            except ValidationError as exc:
                row.error("phone", exc.messages[0])
        origin_text = row.text("origin").lower()
        origin = ORIGIN_WORDS.get(origin_text, "") if origin_text else EmployeeOrigin.LOCAL
        if not origin:
            row.error("origin", _("Write 本地 (local) or 外地返岗 (returned from elsewhere)."))
        returned_from = row.text("returned_from")
        if returned_from and origin == EmployeeOrigin.LOCAL and not origin_text:
            origin = EmployeeOrigin.RETURNED
        if origin == EmployeeOrigin.RETURNED and not returned_from:
            row.error("returned_from", _("Say where the employee returned from."))
        returned_on = None
        if row.text("returned_on"):
            try:
                returned_on = cell_date(row.raw("returned_on"))
            except ValueError as exc:
                row.error("returned_on", str(exc))
            else:
                if returned_on > self.today:
                    row.error("returned_on", _("The date cannot be in the future."))
        if enterprise is not None and id_number:
            key = (enterprise.pk, id_number)
            if key in self.seen:
                row.error(
                    "id_number",
                    _("The same person is on row %(row)d already.") % {"row": self.seen[key]},
                )
            else:
                self.seen[key] = row.number
        if row.errors:
            return None
        return EmployeeRow(
            number=row.number,
            enterprise=enterprise,
            outcome=UPDATED if id_number in self._listed(enterprise) else CREATED,
            values={
                "name": name,
                "id_number": id_number,
                "phone": phone,
                "origin": origin,
                "returned_from": returned_from if origin == EmployeeOrigin.RETURNED else "",
                "returned_on": returned_on if origin == EmployeeOrigin.RETURNED else None,
            },
        )

    def commit(self, rows: list, *, progress=None) -> CommitCounts:
        counts = CommitCounts()
        groups: dict[int, tuple[object, list]] = {}
        for row in rows:
            groups.setdefault(row.enterprise.pk, (row.enterprise, []))[1].append(row.values)
        for enterprise, values in groups.values():
            created, updated, unchanged = employees_bulk_save(
                acting_user=self.acting_user, enterprise=enterprise, rows=values
            )
            counts.created += created
            counts.updated += updated
            counts.unchanged += unchanged
        return counts


@dataclass
class TestRow:
    number: int
    enterprise: object
    employee: Employee
    day: datetime.date
    temperature: object
    result: str
    outcome: str = CREATED


@register_importer
class EmployeeTestImporter(_EnterpriseRows):
    kind = "enterprises.employee_tests"
    cli_name = "employee-tests"
    label = gettext_lazy("Employees' tests of a day")
    permissions = ("enterprises.add_employeetest", "enterprises.change_employeetest")
    fields = (
        ID_NUMBER,
        NAME,
        ImportField(
            "temperature",
            gettext_lazy("Temperature (°C)"),
            ("体温", "体温(℃)", "体温（℃）", "温度", "体温℃", "temperature"),
            required=True,
        ),
        ImportField(
            "result",
            gettext_lazy("Test result"),
            ("检测结果", "核酸结果", "结果", "核酸检测结果", "test result", "result"),
        ),
        ImportField("day", gettext_lazy("Day"), ("日期", "检测日期", "上报日期", "day", "date")),
        CREDIT_CODE,
    )

    def prepare(self) -> None:
        super().prepare()
        self.employees: dict[int, dict[str, Employee]] = {}
        self.seen: dict[tuple[int, int, datetime.date], int] = {}
        self.reported: dict[int, set] = {}

    def _employee_list(self, enterprise) -> dict[str, Employee]:
        """The enterprise's employees by canonical ID number (one query per enterprise; the
        numbers decrypted once)."""
        if enterprise.pk not in self.employees:
            self.employees[enterprise.pk] = {
                e.id_number: e
                for e in Employee.objects.filter(enterprise=enterprise, is_active=True)
            }
            self.reported[enterprise.pk] = set(
                EmployeeTest.objects.filter(enterprise=enterprise).values_list("employee_id", "day")
            )
        return self.employees[enterprise.pk]

    def clean(self, row: SourceRow):
        enterprise = self.enterprise_of(row)
        id_number = self.id_number_of(row)
        employee = None
        if enterprise is not None and id_number:
            employee = self._employee_list(enterprise).get(id_number)
            if employee is None:
                row.error(
                    "id_number",
                    _("Nobody with this ID number is on the enterprise's employee list."),
                )
            elif row.text("name") and row.text("name") != employee.name:
                row.error(
                    "name",
                    _("The employee list names this ID number %(name)s.")
                    % {"name": employee.name[:1] + "*" * (len(employee.name) - 1)},
                )
        day = self.today
        if row.text("day"):
            try:
                day = cell_date(row.raw("day"))
            except ValueError as exc:
                row.error("day", str(exc))
            else:
                if day > self.today:
                    row.error(
                        "day",
                        _(
                            "%(day)s is in the future: tests are reported for today or an earlier day."
                        )
                        % {"day": day.isoformat()},
                    )
        temperature = None
        try:
            temperature = temperature_parse(row.text("temperature"))
        except ValidationError as exc:
            row.error("temperature", " ".join(exc.messages))
        result_text = row.text("result").lower()
        result = RESULT_WORDS.get(result_text, "") if result_text else TestResult.NEGATIVE
        if not result:
            row.error("result", _("Write 阴性 (negative) or 阳性 (positive)."))
        if employee is not None and not row.errors:
            key = (enterprise.pk, employee.pk, day)
            if key in self.seen:
                row.error(
                    "id_number",
                    _("The same person is on row %(row)d already for this day.")
                    % {"row": self.seen[key]},
                )
            else:
                self.seen[key] = row.number
        if row.errors:
            return None
        outcome = UPDATED if (employee.pk, day) in self.reported[enterprise.pk] else CREATED
        return TestRow(row.number, enterprise, employee, day, temperature, result, outcome)

    def commit(self, rows: list, *, progress=None) -> CommitCounts:
        counts = CommitCounts()
        groups: dict[tuple[int, datetime.date], list[TestRow]] = {}
        for row in rows:
            groups.setdefault((row.enterprise.pk, row.day), []).append(row)
        for group in groups.values():
            first = group[0]
            tests_store(
                acting_user=self.acting_user,
                enterprise=first.enterprise,
                day=first.day,
                checked=[(row.employee, row.temperature, row.result) for row in group],
                source=ReportSource.IMPORT,
            )
            for row in group:
                if row.outcome == CREATED:
                    counts.created += 1
                else:
                    counts.updated += 1
        return counts
