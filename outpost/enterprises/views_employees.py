"""Pages of the employees' daily tests (员工每日检测).

The station: which essential enterprises have not reported the day (催报) with a reminder
one click away, and each enterprise's page with its trend. The liaison: its enterprise's
page, the day's phone form (the whole list on one page, defaults normal, one submit), the
employee list and the spreadsheet uploads. Every view is scoped; a record out of scope
is a 404."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.imports.base import get_importer
from outpost.core.imports.services import import_job_create
from outpost.core.imports.steps import may_import
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
)
from outpost.core.views import RevealView
from outpost.enterprises import selectors_employees as selectors
from outpost.enterprises.charts_employees import trend_chart_svg
from outpost.enterprises.choices_employees import EmployeeOrigin, ReportSource, TestResult
from outpost.enterprises.forms_employees import (
    DayPickForm,
    EmployeeEditForm,
    EmployeeForm,
    SpreadsheetForm,
)
from outpost.enterprises.models import Enterprise
from outpost.enterprises.models.employees import Employee
from outpost.enterprises.scoping import enterprise_of_liaison, is_liaison
from outpost.enterprises.services_employees import (
    DEFAULT_TEMPERATURE,
    TestEntry,
    day_tests_report,
    employee_add,
    employee_update,
    test_reminder_send,
)
from outpost.keypersons.models import KeyPerson
from outpost.observation.models import Alert, ObservationPolicy

EMPLOYEES_IMPORT = "enterprises.employees"
TESTS_IMPORT = "enterprises.employee_tests"


def _day_of(request) -> datetime.date:
    form = DayPickForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("day"):
        return form.cleaned_data["day"]
    return selectors.today()


class UnreportedView(ScopedListView):
    """The station's day (催报): essential enterprises that have not reported, a reminder
    button each, and below the reports received with their fevers and positives."""

    model = Enterprise
    template_name = "enterprises/tests/unreported.html"
    paginate_by = 100

    def get_permission_required(self):
        return ["enterprises.view_dailytestreport"]

    def get(self, request, *args, **kwargs):
        enterprise = enterprise_of_liaison(request.user) if is_liaison(request.user) else None
        if enterprise is not None:
            # The liaison's day is its own enterprise's page.
            return HttpResponseRedirect(
                reverse("enterprise_tests:enterprise", args=[enterprise.pk])
            )
        self.day = _day_of(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.unreported_enterprises(user=self.request.user, day=self.day)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            day=self.day,
            is_today=self.day == selectors.today(),
            reports=list(selectors.day_reports(user=user, day=self.day)[:200]),
            required=selectors.reporting_enterprises(user=user).count(),
            can_remind=user.has_perm("enterprises.add_testreminder"),
            previous_day=self.day - datetime.timedelta(days=1),
            next_day=self.day + datetime.timedelta(days=1),
        )
        return context


class EnterpriseTestsView(ScopedDetailView):
    """One enterprise's tests: today's state, the trend of 30 days, the last days."""

    model = Enterprise
    template_name = "enterprises/tests/enterprise.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, enterprise = self.request.user, self.object
        today = selectors.today()
        trend = selectors.enterprise_trend(enterprise=enterprise, end=today)
        employees = selectors.enterprise_employees(user=user, enterprise=enterprise)
        context.update(
            today=today,
            trend=trend,
            recent=list(reversed(trend[-14:])),
            chart=trend_chart_svg(trend),
            today_row=trend[-1],
            employee_count=employees.count(),
            returnees=employees.filter(origin=EmployeeOrigin.RETURNED).count(),
            can_report=user.has_perm("enterprises.add_employeetest"),
            can_edit_list=user.has_perm("enterprises.add_employee"),
            can_import_tests=may_import(user, get_importer(TESTS_IMPORT)),
            can_import_employees=may_import(user, get_importer(EMPLOYEES_IMPORT)),
            can_remind=user.has_perm("enterprises.add_testreminder")
            and not trend[-1]["sent"]
            and enterprise.is_essential,
            is_liaison=is_liaison(user),
        )
        return context


def _rows(employees, existing, data=None) -> list[dict]:
    """The form's rows: each employee with the value sent, else the day's stored one,
    else the defaults (36.5 °C, negative)."""
    rows = []
    for employee in employees:
        test = existing.get(employee.pk)
        temperature = test.temperature if test else DEFAULT_TEMPERATURE
        result = test.result if test else TestResult.NEGATIVE
        if data is not None:
            temperature = data.get(f"t-{employee.pk}", temperature)
            result = data.get(f"r-{employee.pk}", result)
        rows.append(
            {"employee": employee, "temperature": temperature, "result": result, "test": test}
        )
    return rows


class DayReportView(ScopedViewMixin, View):
    """The day's tests on one page (当日检测填报): every employee on the list with the
    temperature (36.5 by default) and the result (negative by default); one submit."""

    model = Enterprise
    template_name = "enterprises/tests/report.html"

    def get_object(self):
        return get_visible(Enterprise, self.request.user, self.kwargs["pk"])

    def render(self, enterprise, day, rows, errors=(), status=200):
        return render(
            self.request,
            self.template_name,
            {
                "object": enterprise,
                "enterprise": enterprise,
                "day": day,
                "rows": rows,
                "errors": errors,
                "results": TestResult.choices,
                "threshold": ObservationPolicy.current().fever_threshold,
                "can_report": self.request.user.has_perm("enterprises.add_employeetest"),
                "already": any(row["test"] for row in rows),
            },
            status=status,
        )

    def get(self, request, pk):
        enterprise = self.get_object()
        day = _day_of(request)
        employees = selectors.enterprise_employees(user=request.user, enterprise=enterprise)
        existing = selectors.day_tests_of(enterprise=enterprise, day=day)
        return self.render(enterprise, day, _rows(employees, existing))

    def post(self, request, pk):
        enterprise = self.get_object()
        form = DayPickForm(request.POST)
        day = form.cleaned_data.get("day") if form.is_valid() else None
        employees = list(selectors.enterprise_employees(user=request.user, enterprise=enterprise))
        entries = [
            TestEntry(
                employee_id=employee.pk,
                temperature=request.POST.get(f"t-{employee.pk}", ""),
                result=request.POST.get(f"r-{employee.pk}", TestResult.NEGATIVE),
                label=employee.name,
            )
            for employee in employees
            if f"t-{employee.pk}" in request.POST
        ]
        try:
            report = day_tests_report(
                acting_user=request.user,
                enterprise=enterprise,
                day=day,
                entries=entries,
                source=ReportSource.FORM,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            existing = selectors.day_tests_of(enterprise=enterprise, day=day or selectors.today())
            rows = _rows(employees, existing, request.POST)
            return self.render(
                enterprise, day or selectors.today(), rows, errors=exc.messages, status=422
            )
        message = _(
            "Tests of %(day)s reported: %(n)d employees, %(fevers)d fevers, %(positives)d positive."
        ) % {
            "day": report.day.isoformat(),
            "n": report.reported,
            "fevers": report.fevers,
            "positives": report.positives,
        }
        if report.fevers or report.positives:
            message += " " + _("The station has been alerted.")
        messages.success(request, message)
        return HttpResponseRedirect(reverse("enterprise_tests:enterprise", args=[enterprise.pk]))


class EmployeeListView(ScopedDetailView):
    """The enterprise's employees (员工名单), masked; the archived ones below."""

    model = Enterprise
    template_name = "enterprises/tests/employee_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        employees = selectors.enterprise_employees(user=user, enterprise=self.object, active=None)
        context.update(
            employees=[e for e in employees if e.is_active],
            archived=[e for e in employees if not e.is_active],
            can_add=user.has_perm("enterprises.add_employee"),
            can_import=may_import(user, get_importer(EMPLOYEES_IMPORT)),
        )
        return context


class EmployeeNewView(ScopedActionView):
    """Add an employee to the enterprise's list."""

    model = Enterprise
    form_class = EmployeeForm
    template_name = "enterprises/tests/employee_form.html"
    context_object_name = "enterprise"

    def get_success_url(self, obj) -> str:
        return reverse("enterprise_tests:employees", args=[obj.pk])

    def get_context(self, obj) -> dict:
        return {"enterprise": obj, "title": _("Add an employee")}

    def perform(self, obj, data) -> str:
        employee = employee_add(acting_user=self.request.user, enterprise=obj, **data)
        return _("%(name)s is on the employee list.") % {"name": employee.name}


class EmployeeDetailView(ScopedDetailView):
    """One employee: masked numbers (reveal with a purpose), origin, the last tests."""

    model = Employee
    template_name = "enterprises/tests/employee_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise", "key_person")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["tests"] = selectors.employee_tests(user=user, employee=self.object)
        context.update(
            enterprise=self.object.enterprise,
            threshold=ObservationPolicy.current().fever_threshold,
            can_change=Employee.objects.visible_to(user, "change")
            .filter(pk=self.object.pk)
            .exists(),
            # Links only to what the user may open: the person and alerts may lie in
            # another community (a returnee followed where they live).
            key_person_visible=self.object.key_person_id is not None
            and KeyPerson.objects.visible_to(user).filter(pk=self.object.key_person_id).exists(),
            visible_alerts=set(
                Alert.objects.visible_to(user)
                .filter(pk__in=[t.alert_id for t in context.get("tests", []) if t.alert_id])
                .values_list("pk", flat=True)
            ),
        )
        return context


class EmployeeEditView(ScopedActionView):
    """Correct an employee's entry, or archive one who left."""

    model = Employee
    scope_action = "change"
    form_class = EmployeeEditForm
    template_name = "enterprises/tests/employee_form.html"

    def get_form(self, obj, data=None):
        # The form shows the numbers masked; left untouched, the stored ones are kept.
        if data is not None:
            data = data.copy()
            for field, masked in (
                ("id_number", obj.masked_id_number),
                ("phone", obj.masked_phone),
            ):
                if masked and data.get(field, "") == masked:
                    data[field] = getattr(obj, field)
        initial = {
            "name": obj.name,
            "id_number": obj.masked_id_number,
            "phone": obj.masked_phone,
            "origin": obj.origin,
            "returned_from": obj.returned_from,
            "returned_on": obj.returned_on,
            "left_on": obj.left_on,
        }
        return self.form_class(data, initial=initial)

    def get_context(self, obj) -> dict:
        return {"enterprise": obj.enterprise, "title": _("Change the employee's entry")}

    def perform(self, obj, data) -> str:
        employee_update(acting_user=self.request.user, employee=obj, **data)
        return _("The employee's entry is saved.")


class EmployeeRevealView(RevealView):
    model = Employee
    reveal_fields = ("id_number", "phone")


class SpreadsheetUploadView(ScopedViewMixin, View):
    """Upload the employee list or a day's tests (xlsx): the core import pipeline reads,
    checks and imports it in the background; its page follows the job."""

    model = Enterprise
    template_name = "enterprises/tests/upload.html"
    kind = ""

    def get_object(self):
        enterprise = get_visible(Enterprise, self.request.user, self.kwargs["pk"])
        if not may_import(self.request.user, get_importer(self.kind)):
            raise Http404
        return enterprise

    def render(self, enterprise, form, status=200):
        importer = get_importer(self.kind)
        return render(
            self.request,
            self.template_name,
            {
                "object": enterprise,
                "enterprise": enterprise,
                "form": form,
                "importer": importer,
                "columns": importer.fields,
                "needs_code": not is_liaison(self.request.user),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render(self.get_object(), SpreadsheetForm())

    def post(self, request, pk):
        enterprise = self.get_object()
        form = SpreadsheetForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    acting_user=request.user,
                    kind=self.kind,
                    unit=enterprise.unit,
                    file=upload,
                    original_name=Path(upload.name).name,
                    language=get_language(),
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                return HttpResponseRedirect(reverse("core:import_detail", args=[job.pk]))
        return self.render(enterprise, form, status=422)


class RemindView(ScopedViewMixin, PermissionRequiredMixin, View):
    """POST: remind the enterprise to report the day (催报), then back to the day's list."""

    model = Enterprise
    permission_required = "enterprises.add_testreminder"
    http_method_names = ["post"]

    def post(self, request, pk):
        enterprise = get_visible(Enterprise, request.user, pk)
        try:
            reminder = test_reminder_send(acting_user=request.user, enterprise=enterprise)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.warning(request, message)
        else:
            messages.success(
                request,
                _("%(enterprise)s reminded (%(n)d liaisons).")
                % {"enterprise": enterprise.name, "n": reminder.recipients},
            )
        back = request.POST.get("next", "")
        if back.startswith("/") and not back.startswith("//"):
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("enterprise_tests:unreported"))
