"""The employees' daily tests in "what we hold about this person": the employee entries
with the resident's ID number (by its blind index), each with its enterprise and its last
tests; and their anonymisation."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.subject_requests.holdings import (
    ANONYMISED_NAME,
    Erased,
    HoldingsEntry,
    HoldingsSection,
    PersonHoldings,
    anonymise_records,
    day_text,
    fact_pairs,
)
from outpost.enterprises.models.employees import Employee, EmployeeTest


def _employees_of(person):
    id_number = getattr(person, "id_number", "")
    if not id_number:
        return Employee.objects.none()
    return Employee.objects.filter(id_number=id_number)


def person_holdings(*, user, person) -> list[HoldingsSection]:
    employees = list(
        _employees_of(person)
        .filter(pk__in=Employee.objects.visible_to(user).values("pk"))
        .select_related("enterprise")
    )
    entries = []
    for employee in employees:
        tests = list(
            EmployeeTest.objects.visible_to(user).filter(employee=employee).order_by("-day")[:14]
        )
        entries.append(
            HoldingsEntry(
                title=_("Employee of %(enterprise)s") % {"enterprise": employee.enterprise},
                facts=fact_pairs(
                    [
                        (_("Phone"), employee.masked_phone),
                        (_("Local or returned"), employee.get_origin_display()),
                        (_("Returned from"), employee.returned_from),
                        (_("Employed"), _("yes") if employee.is_active else _("no")),
                    ]
                ),
            )
        )
        entries += [
            HoldingsEntry(
                title=_("Employee test"),
                at=day_text(test.day),
                facts=fact_pairs(
                    [
                        (_("Temperature"), f"{test.temperature} °C"),
                        (_("Test result"), test.get_result_display()),
                    ]
                ),
            )
            for test in tests
        ]
    if not entries:
        return []
    return [HoldingsSection(_("Employees' daily tests"), tuple(entries))]


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the employee entries' name, numbers and origin; the tests stay as the
    enterprise's figures, no longer naming anyone."""
    blanks = {"name": ANONYMISED_NAME, "id_number": "", "phone": "", "returned_from": ""}
    return anonymise_records(
        Employee.objects.select_for_update().filter(pk__in=_employees_of(person).values("pk")),
        blanks,
        acting_user=acting_user,
        reason=reason,
    )


HOLDINGS = PersonHoldings(
    name="enterprises.employees",
    label=gettext_lazy("Employees' daily tests"),
    holdings=person_holdings,
    erase=person_erase,
    order=61,
)
