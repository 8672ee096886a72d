"""The employees' daily tests in the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import EPIDEMIC_RESPONSE, DataCategory, ProcessingDeclaration

C = DataCategory

EMPLOYEE_TESTS_PURPOSE = _(
    "The daily temperature and test of the employees of essential-goods producers, so "
    "that a fever or a positive result reaches the station's observation at once."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="enterprises.Employee",
        personal={
            "name": C.NAME,
            "id_number": C.IDENTITY_NUMBER,
            "phone": C.PHONE,
            "origin": C.WHEREABOUTS,
            "returned_from": C.WHEREABOUTS,
            "returned_on": C.WHEREABOUTS,
        },
        other=(
            "id",
            "enterprise",
            "key_person",
            "is_active",
            "left_on",
            "created_by",
            "created_at",
        ),
        purpose=EMPLOYEE_TESTS_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.employee",
    ),
    ProcessingDeclaration(
        model="enterprises.EmployeeTest",
        personal={"temperature": C.HEALTH, "result": C.HEALTH},
        other=(
            "id",
            "enterprise",
            "report",
            "employee",
            "day",
            "alert",
            "recorded_by",
            "recorded_at",
        ),
        purpose=EMPLOYEE_TESTS_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.employee_test",
    ),
    # A day's counts and the reminders name no person.
    ProcessingDeclaration(
        model="enterprises.DailyTestReport",
        other=(
            "id",
            "enterprise",
            "day",
            "reported",
            "fevers",
            "positives",
            "source",
            "submitted_by",
            "submitted_at",
        ),
    ),
    ProcessingDeclaration(
        model="enterprises.TestReminder",
        other=("id", "enterprise", "day", "recipients", "sent_by", "sent_at"),
    ),
]
