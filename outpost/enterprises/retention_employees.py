"""The employees' daily tests under retention (保存期限): a test is deleted half a year
after its day (the day's counts stay in the enterprise's report); an employee who left is
anonymised a year later (name, numbers and origin blanked, the row kept)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RetentionKind

RETENTION_KINDS = [
    RetentionKind(
        key="enterprises.employee_test",
        label=_("Employees' daily tests"),
        model="enterprises.EmployeeTest",
        reference="day",
        reference_label=_("the day of the test"),
        default_days=180,
        actions=(RetentionAction.DELETE,),
    ),
    RetentionKind(
        key="enterprises.employee",
        label=_("Employees of enterprises"),
        model="enterprises.Employee",
        reference="left_on",
        reference_label=_("the employee's leaving"),
        default_days=365,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={
            "name": ANONYMISED_TEXT,
            "id_number": "",
            "phone": "",
            "returned_from": "",
            "key_person": None,
        },
        eligible=Q(is_active=False),
    ),
]
