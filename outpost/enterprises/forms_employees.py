"""Forms of the employees' daily tests: an employee, the day's tests, a spreadsheet."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.core.imports.workbook import MAX_FILE_BYTES
from outpost.enterprises.choices_employees import EmployeeOrigin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EmployeeForm(Form):
    """An employee of the enterprise; the service validates the ID number and phone."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(
        label=_("ID number"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "text"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    origin = forms.ChoiceField(
        label=_("Local or returned"),
        choices=EmployeeOrigin.choices,
        initial=EmployeeOrigin.LOCAL,
        widget=forms.RadioSelect,
    )
    returned_from = forms.CharField(label=_("Returned from"), max_length=100, required=False)
    returned_on = forms.DateField(label=_("Returned on"), required=False, widget=DateInput())


class EmployeeEditForm(EmployeeForm):
    left_on = forms.DateField(
        label=_("Left the enterprise on"),
        required=False,
        widget=DateInput(),
        help_text=_("Only when the employee left: the entry is archived, the tests kept."),
    )


class DayPickForm(Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())


class SpreadsheetForm(Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "Excel (.xlsx, .xls) or CSV; the header row may be anywhere in the first rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.xlsm,.csv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB; split it into smaller files."),
                params={"limit": MAX_FILE_BYTES // (1024 * 1024)},
            )
        return upload
