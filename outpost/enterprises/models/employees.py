"""Employees' daily tests (员工每日检测): the employee list of an (essential) enterprise,
each day's report of the enterprise with its counts, each employee's temperature and test
result of the day, and the station's reminders to report (催报).

Scoped like every record of the module (`EnterpriseScopedModel`): staff see the
enterprises of their unit subtree, a liaison its own enterprise. Imported by `models`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField, EncryptedDecimalField
from outpost.core.identity import mask_id_number, mask_phone
from outpost.enterprises.choices_employees import EmployeeOrigin, ReportSource, TestResult
from outpost.enterprises.models.registry import Enterprise, EnterpriseScopedModel

# The plausible range of a body temperature (°C), as the observation module takes it.
TEMPERATURE_MIN = 34.0
TEMPERATURE_MAX = 43.0


class Employee(EnterpriseScopedModel):
    """An employee of an enterprise (企业员工): name, resident ID number (validated,
    encrypted, found by its blind index), phone (encrypted), local or returned from
    elsewhere (and from where). Kept by the enterprise's liaison; one who leaves is
    archived (``is_active``), never deleted. A returnee is linked to the key person the
    station follows under the same ID number, where there is one."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="staff"
    )
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedCharField(_("ID number"), max_length=18)
    id_number_index = BlindIndexField(source="id_number", normaliser="id_number")
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    origin = models.CharField(
        _("local or returned"),
        max_length=20,
        choices=EmployeeOrigin.choices,
        default=EmployeeOrigin.LOCAL,
    )
    returned_from = models.CharField(
        _("returned from"),
        max_length=100,
        blank=True,
        help_text=_("City or province the employee came back from."),
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    key_person = models.ForeignKey(
        "keypersons.KeyPerson",
        verbose_name=_("key person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("employed"), default=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["enterprise", "-is_active", "name", "pk"]
        constraints = [
            # An anonymised entry (blank number) is no one's.
            models.UniqueConstraint(
                fields=["enterprise", "id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="enterprises_employee_once_per_enterprise",
                violation_error_message=_("This ID number is already on the employee list."),
            )
        ]
        indexes = [models.Index(fields=["enterprise", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprise_tests:employee_detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class DailyTestReport(EnterpriseScopedModel):
    """An enterprise's report of one day (每日检测上报): who sent it, how, and its counts
    (employees reported, fevers, positives). No personal data: the counts the station's
    trend and the "not reported yet" list read. One per enterprise and day; sending the
    day again updates it."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="test_reports",
    )
    day = models.DateField(_("day"))
    reported = models.PositiveIntegerField(_("employees reported"), default=0)
    fevers = models.PositiveIntegerField(_("fevers"), default=0)
    positives = models.PositiveIntegerField(_("positive results"), default=0)
    source = models.CharField(_("sent by"), max_length=20, choices=ReportSource.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("daily test report")
        verbose_name_plural = _("daily test reports")
        ordering = ["-day", "enterprise"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "day"], name="enterprises_one_test_report_a_day"
            )
        ]
        indexes = [models.Index(fields=["day", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.day}"


class EmployeeTest(EnterpriseScopedModel):
    """One employee's test of one day (员工检测记录): temperature (°C, one decimal) and test
    result, both health data, encrypted at rest. A fever (at or above the observation
    policy's threshold) or a positive result raised an alert in the observation alert
    flow (`alert`)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey(
        DailyTestReport,
        verbose_name=_("daily report"),
        on_delete=models.PROTECT,
        related_name="tests",
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="tests"
    )
    day = models.DateField(_("day"))
    temperature = EncryptedDecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(TEMPERATURE_MIN), MaxValueValidator(TEMPERATURE_MAX)],
    )
    result = EncryptedCharField(_("test result"), max_length=20, choices=TestResult.choices)
    alert = models.ForeignKey(
        "observation.Alert",
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employee test")
        verbose_name_plural = _("employee tests")
        ordering = ["-day", "employee"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "day"],
                name="enterprises_one_test_per_employee_a_day",
                violation_error_message=_("This employee already has a test on this day."),
            )
        ]
        indexes = [models.Index(fields=["enterprise", "day"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day}"


class TestReminder(EnterpriseScopedModel):
    """A reminder to report the day's tests (催报), sent by the station to an enterprise's
    liaisons (inbox, and SMS where they chose it). Logged; no personal data."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="test_reminders",
    )
    day = models.DateField(_("day"))
    recipients = models.PositiveSmallIntegerField(_("liaisons reached"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("test reminder")
        verbose_name_plural = _("test reminders")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["day", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.day}"
