from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import AccessPurpose, Role
from outpost.core.forms import ExportPurposeForm, Form
from outpost.core.models import Unit
from outpost.dispatch.choices import ItemResult

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class OrderUploadForm(Form):
    """Import an order: what the higher level's cover says, and the workbook."""

    unit = forms.ModelChoiceField(
        label=_("Receiving unit"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )
    order_number = forms.CharField(label=_("Order number"), max_length=60)
    issuing_body = forms.CharField(label=_("Issued by"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateTimeField(
        label=_("Deadline"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    file = forms.FileField(
        label=_("Order workbook"),
        help_text=_("The list as received: an Excel workbook (.xlsx, .xls) or a CSV file."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).order_by("path")


class ResultForm(Form):
    """What the officer found; `version` is the item's version the form was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    result = forms.ChoiceField(
        label=_("What did you find?"), choices=ItemResult.choices, widget=forms.RadioSelect
    )
    moved_to = forms.CharField(
        label=_("Moved to"),
        max_length=200,
        required=False,
        help_text=_("Where the person went: city, district or address."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    result_at = forms.DateTimeField(
        label=_("Checked at"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Leave empty for now."),
    )


class AssigneeChoiceField(forms.ModelChoiceField):
    """A person to assign an item to, labelled by name, role and unit: users annotated with
    `as_officer` (`services.item_assignees`) are named as officer or grid worker; a list of
    officers only (the duty desk) as officers."""

    def label_from_instance(self, obj):
        profile = obj.staff_profile
        role = Role.POLICE_OFFICER if getattr(obj, "as_officer", True) else Role.GRID_WORKER
        return f"{profile} · {role.label} · {profile.unit.name}"


class AssignForm(Form):
    officer = AssigneeChoiceField(label=_("Assign to"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = assignees


class FeedbackExportForm(ExportPurposeForm):
    """The feedback workbook's purpose (usually dispatch from above: 上级调度)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"purpose": AccessPurpose.DISPATCH})
        super().__init__(*args, **kwargs)
