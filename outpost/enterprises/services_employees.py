"""Writes of the employees' daily tests (员工每日检测): the employee list, the day's tests
of an enterprise (form, spreadsheet or API alike), the alert a fever or a positive result
raises, and the station's reminder to report (催报). One function per use case,
keyword-only ``acting_user``, audited.

A fever (at or above the observation policy's threshold) or a positive result goes into
the observation module's alert flow, never a copy of it: the reading becomes a check-in of
the employee's observation episode and `fever_alert_raise_if_needed` raises the alert and
tells the four-on-one team. An employee already followed (a returnee under observation,
found by the ID number's blind index) reports into that episode; anyone else is put under
home health monitoring first (a key person of the enterprise's unit, the way a fever
found at a door is), and the officer decides at the alert what follows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from outpost.core.audit import save_audited
from outpost.core.identity import validate_id_number, validate_phone
from outpost.core.scoping import assert_in_scope, get_visible
from outpost.enterprises.choices import EnterpriseStatus
from outpost.enterprises.choices_employees import EmployeeOrigin, ReportSource, TestResult
from outpost.enterprises.models import Enterprise
from outpost.enterprises.models.employees import (
    DailyTestReport,
    Employee,
    EmployeeTest,
    TestReminder,
)
from outpost.keypersons.choices import (
    ACTIVE_STATUSES,
    KeyPersonCategory,
    KeyPersonStatus,
    SourceType,
)
from outpost.keypersons.models import KeyPerson, KeyPersonSource
from outpost.keypersons.services import _team_propose
from outpost.notify.choices import Channel, MessageKind
from outpost.notify.services import notification_send
from outpost.observation.choices import OPEN_EPISODE_STATUSES, CheckInSource, EpisodeKind
from outpost.observation.models import CheckIn, Episode, ObservationPolicy
from outpost.observation.services.alerts import fever_alert_raise_if_needed
from outpost.observation.services.checkins import temperature_parse
from outpost.observation.services.episodes import planned_days
from outpost.registry.models import Resident

DEFAULT_TEMPERATURE = Decimal("36.5")


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def _enterprise_for(acting_user, enterprise: Enterprise) -> Enterprise:
    """The enterprise looked up again within the user's scope (a liaison: its own)."""
    return get_visible(Enterprise, acting_user, enterprise.pk)


# ---------------------------------------------------------------------------- employees


def employee_id_number_clean(raw) -> str:
    """The employee's resident ID number, validated (check character, birth date, region)
    and canonical; full-width digits and spaces are folded first."""
    try:
        return validate_id_number(str(raw or ""))
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc


def _phone_clean(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        return validate_phone(raw)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc


def _origin_errors(origin: str, returned_from: str) -> dict[str, list[str]]:
    if origin not in EmployeeOrigin.values:
        return {"origin": [_("Choose local or returned from elsewhere.")]}
    if origin == EmployeeOrigin.RETURNED and not returned_from:
        return {"returned_from": [_("Say where the employee returned from.")]}
    return {}


def key_person_matching(id_number: str) -> KeyPerson | None:
    """The active key person the station follows under this ID number (their own number or
    their resident's), by the blind index; the one with an open observation first."""
    if not id_number:
        return None
    residents = Resident.objects.filter(id_number=id_number).values("pk")
    candidates = KeyPerson.objects.filter(status__in=ACTIVE_STATUSES).filter(
        id_number=id_number
    ) | KeyPerson.objects.filter(status__in=ACTIVE_STATUSES, resident__in=residents)
    candidates = list(candidates.order_by("-identified_on", "-pk")[:5])
    if not candidates:
        return None
    observed = set(
        Episode.objects.filter(
            key_person__in=candidates, status__in=OPEN_EPISODE_STATUSES
        ).values_list("key_person_id", flat=True)
    )
    return next((kp for kp in candidates if kp.pk in observed), candidates[0])


@transaction.atomic
def employee_add(
    *,
    acting_user,
    enterprise: Enterprise,
    name: str,
    id_number: str,
    phone: str = "",
    origin: str = EmployeeOrigin.LOCAL,
    returned_from: str = "",
    returned_on: datetime.date | None = None,
) -> Employee:
    """Put an employee on the enterprise's list (登记员工). The ID number is validated and
    must not be on the list yet; a returnee is linked to the key person of the same ID
    number, where the station follows one."""
    _require(acting_user, "enterprises.add_employee", _("Your role may not add employees."))
    enterprise = _enterprise_for(acting_user, enterprise)
    employee = Employee(enterprise=enterprise, created_by=acting_user)
    _employee_fill(
        employee,
        name=name,
        id_number=id_number,
        phone=phone,
        origin=origin,
        returned_from=returned_from,
        returned_on=returned_on,
    )
    save_audited(employee, acting_user=acting_user)
    assert_in_scope(employee, acting_user, "change")
    return employee


@transaction.atomic
def employee_update(
    *,
    acting_user,
    employee: Employee,
    name: str,
    id_number: str,
    phone: str = "",
    origin: str = EmployeeOrigin.LOCAL,
    returned_from: str = "",
    returned_on: datetime.date | None = None,
    left_on: datetime.date | None = None,
) -> Employee:
    """Correct an employee's entry; with `left_on`, the employee left the enterprise and
    is archived (the tests stay)."""
    _require(acting_user, "enterprises.change_employee", _("Your role may not change employees."))
    employee = get_visible(Employee, acting_user, employee.pk, "change")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    _employee_fill(
        employee,
        name=name,
        id_number=id_number,
        phone=phone,
        origin=origin,
        returned_from=returned_from,
        returned_on=returned_on,
    )
    if left_on is not None and left_on > timezone.localdate():
        raise ValidationError({"left_on": _("The date cannot be in the future.")})
    employee.left_on = left_on
    employee.is_active = left_on is None
    save_audited(employee, acting_user=acting_user)
    assert_in_scope(employee, acting_user, "change")
    return employee


def _employee_fill(
    employee: Employee, *, name, id_number, phone, origin, returned_from, returned_on
) -> None:
    """Validate and set the fields of an employee (new or edited); every problem at once."""
    errors: dict[str, list[str]] = {}
    name, returned_from = (name or "").strip(), (returned_from or "").strip()
    if not name:
        errors["name"] = [_("Enter the employee's name.")]
    for clean, field, raw in (
        (employee_id_number_clean, "id_number", id_number),
        (_phone_clean, "phone", phone),
    ):
        try:
            value = clean(raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            setattr(employee, field, value)
    errors.update(_origin_errors(origin, returned_from))
    if returned_on is not None and returned_on > timezone.localdate():
        errors["returned_on"] = [_("The date cannot be in the future.")]
    if "id_number" not in errors:
        duplicate = Employee.objects.filter(
            enterprise_id=employee.enterprise_id, id_number=employee.id_number
        ).exclude(pk=employee.pk)
        if duplicate.exists():
            errors["id_number"] = [_("This ID number is already on the employee list.")]
    if errors:
        raise ValidationError(errors)
    employee.name = name
    employee.origin = origin
    employee.returned_from = returned_from if origin == EmployeeOrigin.RETURNED else ""
    employee.returned_on = returned_on if origin == EmployeeOrigin.RETURNED else None
    employee.key_person = (
        key_person_matching(employee.id_number) if origin == EmployeeOrigin.RETURNED else None
    )
    employee.full_clean(exclude=["enterprise", "key_person", "created_by"], validate_unique=False)


def employees_bulk_save(
    *, acting_user, enterprise: Enterprise, rows: list[dict]
) -> tuple[int, int, int]:
    """Create or update employees from cleaned rows (the spreadsheet import), matched by ID
    number within the enterprise; returns (created, updated, unchanged). The rows were
    validated by the importer; runs inside the import's transaction."""
    existing = {e.id_number: e for e in Employee.objects.filter(enterprise=enterprise)}
    fields = ("name", "phone", "origin", "returned_from", "returned_on")
    created, changed, unchanged = [], [], 0
    for row in rows:
        employee = existing.get(row["id_number"])
        key_person = (
            key_person_matching(row["id_number"])
            if row["origin"] == EmployeeOrigin.RETURNED
            else None
        )
        if employee is None:
            created.append(
                Employee(
                    enterprise=enterprise,
                    id_number=row["id_number"],
                    key_person=key_person,
                    created_by=acting_user,
                    **{f: row[f] for f in fields},
                )
            )
            continue
        if all(getattr(employee, f) == row[f] for f in fields) and employee.is_active:
            unchanged += 1
            continue
        for f in fields:
            setattr(employee, f, row[f])
        employee.key_person = key_person
        employee.is_active, employee.left_on = True, None
        changed.append(employee)
    if created:
        bulk_create_with_history(created, Employee, batch_size=500, default_user=acting_user)
    if changed:
        bulk_update_with_history(
            changed,
            Employee,
            [*fields, "phone_index", "key_person", "is_active", "left_on"],
            batch_size=500,
            default_user=acting_user,
        )
    return len(created), len(changed), unchanged


# ---------------------------------------------------------------------------- the day's tests


@dataclass
class TestEntry:
    """One employee's reading of the day, as a form, a file row or the API gives it."""

    employee_id: int
    temperature: object
    result: str = TestResult.NEGATIVE
    # Where the entry came from, for the message of an error ("row 7", an employee's name).
    label: str = ""


def _day_errors(day: datetime.date | None) -> None:
    if day is None:
        raise ValidationError({"day": _("Enter the day of the tests.")})
    if day > timezone.localdate():
        raise ValidationError(
            {
                "day": _(
                    "%(day)s is in the future: tests are reported for today or an earlier day."
                )
                % {"day": day.isoformat()}
            }
        )


def tests_check(
    *, enterprise: Enterprise, day: datetime.date, entries: Iterable[TestEntry]
) -> list[tuple[Employee, Decimal, str]]:
    """The entries validated against the enterprise's employee list: each employee on the
    list and employed, once; a plausible temperature; a known result. Every problem is
    named by the entry's label; nothing is written."""
    _day_errors(day)
    entries = list(entries)
    employees = Employee.objects.filter(
        enterprise=enterprise, pk__in=[e.employee_id for e in entries]
    ).in_bulk()
    problems: list[str] = []
    checked, seen = [], set()
    for entry in entries:
        label = entry.label or str(entry.employee_id)
        employee = employees.get(entry.employee_id)
        if employee is None or not employee.is_active:
            problems.append(_("%(who)s: not on the enterprise's employee list.") % {"who": label})
            continue
        if employee.pk in seen:
            problems.append(_("%(who)s: reported twice for the same day.") % {"who": label})
            continue
        seen.add(employee.pk)
        try:
            reading = temperature_parse(entry.temperature)
        except ValidationError as exc:
            problems.append(f"{label}: {' '.join(exc.messages)}")
            continue
        result = entry.result or TestResult.NEGATIVE
        if result not in TestResult.values:
            problems.append(_("%(who)s: the test result is negative or positive.") % {"who": label})
            continue
        checked.append((employee, reading, result))
    if problems:
        raise ValidationError({"tests": problems})
    if not checked:
        raise ValidationError({"tests": [_("No employee's test to report.")]})
    return checked


def _threshold(policy: ObservationPolicy) -> Decimal:
    return Decimal(str(policy.fever_threshold))


def _taken_at(day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """When the reading counts as taken: now for today, noon (China time) for an earlier day."""
    if day == timezone.localdate(now):
        return now
    noon = datetime.datetime.combine(day, datetime.time(12, 0))
    return timezone.make_aware(noon, timezone.get_current_timezone())


@transaction.atomic
def day_tests_report(
    *,
    acting_user,
    enterprise: Enterprise,
    day: datetime.date,
    entries: Iterable[TestEntry],
    source: str = ReportSource.FORM,
    now: datetime.datetime | None = None,
) -> DailyTestReport:
    """Report an enterprise's tests of a day (报送当日检测), all or nothing: the day's
    report with its counts, one test per employee (sending the day again corrects it), and
    for each new fever or positive result an alert in the observation flow."""
    _require(
        acting_user, "enterprises.add_employeetest", _("Your role may not report employee tests.")
    )
    enterprise = _enterprise_for(acting_user, enterprise)
    checked = tests_check(enterprise=enterprise, day=day, entries=entries)
    return tests_store(
        acting_user=acting_user,
        enterprise=enterprise,
        day=day,
        checked=checked,
        source=source,
        now=now,
    )


def tests_store(
    *,
    acting_user,
    enterprise: Enterprise,
    day: datetime.date,
    checked: list[tuple[Employee, Decimal, str]],
    source: str,
    now: datetime.datetime | None = None,
) -> DailyTestReport:
    """Store checked readings (`tests_check`, or an import's cleaned rows) inside the
    caller's transaction: the tests in bulk, the report's counts, the alerts."""
    now = now or timezone.now()
    policy = ObservationPolicy.current()
    threshold = _threshold(policy)
    report, _created = DailyTestReport.objects.select_for_update().get_or_create(
        enterprise=enterprise,
        day=day,
        defaults={"source": source, "submitted_by": acting_user, "submitted_at": now},
    )
    existing = {
        test.employee_id: test
        for test in EmployeeTest.objects.filter(
            report=report, employee__in=[e for e, *_ in checked]
        )
    }
    new, changed, flagged = [], [], []
    for employee, reading, result in checked:
        test = existing.get(employee.pk)
        was_flagged = test is not None and test.alert_id is not None
        if test is None:
            test = EmployeeTest(
                enterprise=enterprise,
                report=report,
                employee=employee,
                day=day,
                temperature=reading,
                result=result,
                recorded_by=acting_user,
                recorded_at=now,
            )
            new.append(test)
        else:
            if test.temperature == reading and test.result == result:
                continue
            test.temperature, test.result = reading, result
            test.recorded_by, test.recorded_at = acting_user, now
            changed.append(test)
        if (reading >= threshold or result == TestResult.POSITIVE) and not was_flagged:
            flagged.append(test)
    if new:
        bulk_create_with_history(new, EmployeeTest, batch_size=500, default_user=acting_user)
    if changed:
        bulk_update_with_history(
            changed,
            EmployeeTest,
            ["temperature", "result", "recorded_by", "recorded_at"],
            batch_size=500,
            default_user=acting_user,
        )
    for test in flagged:
        test.alert = _alert_raise(
            acting_user=acting_user, test=test, policy=policy, threshold=threshold, now=now
        )
        test.save(update_fields=["alert"])
    _report_count(report, threshold)
    report.source, report.submitted_by, report.submitted_at = source, acting_user, now
    save_audited(report, acting_user=acting_user)
    assert_in_scope(report, acting_user, "view")
    return report


def _report_count(report: DailyTestReport, threshold: Decimal) -> None:
    """The day's counts, from every test of the day (a day of one enterprise: a few
    hundred rows, decrypted here; the counts are what the pages and the trend read)."""
    readings = list(EmployeeTest.objects.filter(report=report).values_list("temperature", "result"))
    report.reported = len(readings)
    report.fevers = sum(1 for temperature, _result in readings if temperature >= threshold)
    report.positives = sum(1 for _t, result in readings if result == TestResult.POSITIVE)


# ---------------------------------------------------------------------------- alerts


def _observation_of(*, acting_user, employee: Employee, day: datetime.date, policy) -> Episode:
    """The open observation episode the employee's reading goes into: the linked or
    matching key person's, else a new home health monitoring of a key person (found, or
    put on the station's list) in the enterprise's unit."""
    key_person = employee.key_person
    if key_person is None or key_person.status not in ACTIVE_STATUSES:
        key_person = key_person_matching(employee.id_number)
    if key_person is not None:
        episode = Episode.objects.filter(
            key_person=key_person, status__in=OPEN_EPISODE_STATUSES
        ).first()
        if episode is not None:
            return episode
    enterprise = employee.enterprise
    if key_person is None:
        resident = Resident.objects.filter(id_number=employee.id_number).first()
        key_person = KeyPerson(
            unit_id=enterprise.unit_id,
            resident=resident,
            name="" if resident else employee.name,
            id_number="" if resident else employee.id_number,
            phone="" if resident else employee.phone,
            category=KeyPersonCategory.OTHER,
            source_type=SourceType.MANUAL,
            source_note=_("Employee daily test at %(enterprise)s") % {"enterprise": enterprise},
            status=KeyPersonStatus.UNDER_MANAGEMENT,
            identified_on=day,
            managed_from=day,
            created_by=acting_user,
        )
        save_audited(key_person, acting_user=acting_user)
        KeyPersonSource.objects.create(
            key_person=key_person,
            source_type=SourceType.MANUAL,
            note=key_person.source_note,
            noted_by=acting_user,
        )
        # The four-on-one team of the person's area hears of the alert (the proposal is
        # the key persons' own; the caller, not the liaison, holds the right to confirm).
        _team_propose(acting_user=acting_user, key_persons=[key_person])
    days = planned_days(category=key_person.category, kind=EpisodeKind.HOME_MONITORING)
    episode = Episode(
        unit_id=key_person.unit_id,
        key_person=key_person,
        kind=EpisodeKind.HOME_MONITORING,
        start_date=day,
        planned_end_date=day + datetime.timedelta(days=days - 1),
        check_in_times=list(policy.check_in_times),
        created_by=acting_user,
    )
    save_audited(episode, acting_user=acting_user)
    if employee.origin == EmployeeOrigin.RETURNED and employee.key_person_id != key_person.pk:
        employee.key_person = key_person
        employee.save(update_fields=["key_person"])
    return episode


def _alert_raise(*, acting_user, test: EmployeeTest, policy, threshold, now):
    """The reading as a check-in of the employee's observation, and its alert raised by the
    observation module's own service (inbox and SMS of the team)."""
    employee = test.employee
    episode = _observation_of(
        acting_user=acting_user, employee=employee, day=test.day, policy=policy
    )
    result = TestResult(test.result).label
    check_in = CheckIn(
        unit_id=episode.unit_id,
        episode=episode,
        taken_at=max(
            _taken_at(test.day, now),
            timezone.make_aware(
                datetime.datetime.combine(episode.start_date, datetime.time(0, 0)),
                timezone.get_current_timezone(),
            ),
        ),
        temperature=test.temperature,
        symptoms=[],
        note=_("Employee daily test at %(enterprise)s: %(result)s")
        % {"enterprise": employee.enterprise, "result": result},
        source=CheckInSource.STAFF,
        recorded_by=acting_user,
    )
    save_audited(check_in, acting_user=acting_user)
    if test.result == TestResult.POSITIVE and test.temperature < threshold:
        # A positive result is a red flag whatever the reading: the same service raises it,
        # with a threshold no reading is below.
        policy = ObservationPolicy(
            fever_threshold=Decimal("0"),
            red_flag_symptoms=policy.red_flag_symptoms,
            check_in_times=policy.check_in_times,
        )
    return fever_alert_raise_if_needed(check_in=check_in, now=now, policy=policy)


# ---------------------------------------------------------------------------- reminders (催报)


def liaison_users(enterprise: Enterprise) -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, enterprise_liaison__enterprise=enterprise)
        .select_related("staff_profile")
    )


@transaction.atomic
def test_reminder_send(
    *,
    acting_user,
    enterprise: Enterprise,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> TestReminder:
    """Remind an essential enterprise that has not reported the day's tests (催报): each of
    its liaisons in the inbox, and by SMS unless they chose the inbox only. Logged."""
    _require(acting_user, "enterprises.add_testreminder", _("Your role may not send reminders."))
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    enterprise = _enterprise_for(acting_user, enterprise)
    if not enterprise.is_essential or enterprise.status == EnterpriseStatus.SUSPENDED:
        raise ValidationError(
            {"enterprise": _("Only essential enterprises at work report their tests daily.")}
        )
    if DailyTestReport.objects.filter(enterprise=enterprise, day=day).exists():
        raise ValidationError(
            {
                "enterprise": _("%(enterprise)s has already reported the tests of %(day)s.")
                % {"enterprise": enterprise, "day": day.isoformat()}
            }
        )
    recipients = liaison_users(enterprise)
    if not recipients:
        raise ValidationError(
            {
                "enterprise": _("%(enterprise)s has no liaison to remind: bind one first.")
                % {"enterprise": enterprise}
            }
        )

    def compose() -> tuple[str, str]:
        subject = _("Please report today's employee tests")
        body = _(
            "%(enterprise)s has not reported the employees' temperatures and tests of "
            "%(day)s yet. Please report them now."
        ) % {"enterprise": enterprise, "day": day.isoformat()}
        return subject, body

    notification_send(
        recipients=recipients,
        kind=MessageKind.REMINDER,
        compose=compose,
        url=reverse("enterprise_tests:report", args=[enterprise.pk]),
        channels=(Channel.SMS,),
    )
    reminder = TestReminder.objects.create(
        enterprise=enterprise, day=day, recipients=len(recipients), sent_by=acting_user, sent_at=now
    )
    assert_in_scope(reminder, acting_user, "view")
    return reminder
