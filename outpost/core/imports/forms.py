"""Forms of the import pages: upload, and the column mapping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.core.imports.base import get_importer
from outpost.core.imports.pipeline import column_letter
from outpost.core.imports.steps import import_kinds_for
from outpost.core.imports.workbook import MAX_FILE_BYTES
from outpost.core.models import ImportJob, Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return f"{'　' * unit.depth}{unit.name}"


class ImportUploadForm(Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "Excel (.xlsx, .xls) or CSV; the header row may be anywhere in the first rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.xlsm,.csv,.txt"}),
    )
    unit = UnitChoiceField(
        label=_("Into unit"),
        queryset=Unit.objects.none(),
        empty_label=_("Choose…"),
        help_text=_("Every row must land in this unit or under it."),
    )
    kind = forms.ChoiceField(label=_("The file holds"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)
        self.fields["kind"].choices = import_kinds_for(user)
        if len(self.fields["kind"].choices) == 1:
            self.fields["kind"].initial = self.fields["kind"].choices[0][0]
            self.fields["kind"].widget = forms.HiddenInput()
        profile = getattr(user, "staff_profile", None)
        if profile is not None:
            self.fields["unit"].initial = profile.unit_id

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB; split it into smaller files."),
                params={"limit": MAX_FILE_BYTES // (1024 * 1024)},
            )
        return upload


class ImportMappingForm(Form):
    """One choice per file column: which field it holds, or nothing."""

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        importer = get_importer(job.kind)
        choices = [("", _("— not imported —"))] + [
            (f.name, f"{f.label}{' *' if f.required else ''}") for f in importer.fields
        ]
        self.columns = []
        for index, heading in enumerate(job.headers):
            if not heading:
                continue
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=heading,
                choices=choices,
                required=False,
                initial=job.mapping.get(str(index), ""),
            )
            self.columns.append((column_letter(index), heading, name))

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }

    def rows(self):
        """(column letter, heading, bound field) for the template."""
        return [(letter, heading, self[name]) for letter, heading, name in self.columns]
