"""Forms of enforcement cases. Units, officers and colleagues come from the user's scope;
every date and deadline shown after a save comes from the date engine (`cases.dates`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outpost.cases.choices import CaseKind, MeasureKind, MoveKind, PartyKind, UnitOfMeasure
from outpost.cases.models import Party
from outpost.core.forms import ExportPurposeForm, Form, StaffChoiceField, UnitChoiceField
from outpost.core.models import Unit
from outpost.core.scoping import in_subtree, user_scope_unit, user_sees_everything

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def scoped_units(user):
    units = Unit.objects.order_by("path")
    if user_sees_everything(user):
        return units
    unit = user_scope_unit(user)
    return units.filter(in_subtree(unit, via="")) if unit else units.none()


class CaseForm(Form):
    number = forms.CharField(label=_("Case number"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Choose…")), *CaseKind.choices])
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    summary = forms.CharField(
        label=_("Summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    linked_text = forms.CharField(
        label=_("Place or business"),
        max_length=200,
        required=False,
        help_text=_("The place or business concerned, in words, where there is no record."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user)
        unit = user_scope_unit(user)
        if unit is not None:
            self.fields["unit"].initial = unit.pk


class PartyForm(Form):
    kind = forms.ChoiceField(label=_("Party"), choices=PartyKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number"), max_length=30, required=False, help_text=_("For a person.")
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("For an organisation."),
    )
    role = forms.CharField(label=_("Role in the case"), max_length=60, required=False)


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Party):
        return f"{obj.name} · {obj.number_shown}"


class MeasureForm(Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=MeasureKind.choices)
    party = PartyChoiceField(
        label=_("Party"), queryset=Party.objects.none(), required=False, empty_label=_("Choose…")
    )
    decided_on = forms.DateField(
        label=_("Decided on"), widget=DateInput(), initial=timezone.localdate
    )
    detention_days = forms.IntegerField(
        label=_("Detention days"), required=False, min_value=1, max_value=20
    )
    detention_start = forms.DateTimeField(
        label=_("Detention starts"),
        required=False,
        widget=DateTimeInput(),
        input_formats=DATETIME_FORMATS,
    )
    deferral_days = forms.IntegerField(
        label=_("Deferred for (days)"),
        required=False,
        help_text=_("Execution deferred (暂缓执行): custody starts the day after."),
    )
    deferral_reason = forms.CharField(
        label=_("Reason for the deferral"), max_length=200, required=False
    )
    fine_amount = forms.DecimalField(
        label=_("Fine (yuan)"), required=False, max_digits=12, decimal_places=2
    )
    fine_paid = forms.BooleanField(label=_("Fine paid"), required=False)
    transferred_to = forms.CharField(label=_("Transferred to"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.all()


class TransitionForm(Form):
    to_state = forms.CharField(max_length=20, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class SeizeForm(Form):
    description = forms.CharField(label=_("Item"), max_length=200)
    specification = forms.CharField(label=_("Specification"), max_length=100, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2)
    measure = forms.ChoiceField(label=_("Unit of measure"), choices=UnitOfMeasure.choices)
    location = forms.CharField(label=_("Kept at"), max_length=200)
    reason = forms.CharField(label=_("Why"), max_length=500)


class MoveForm(Form):
    kind = forms.ChoiceField(
        label=_("Step"),
        choices=[(k.value, k.label) for k in (MoveKind.STORE, MoveKind.TRANSFER)],
        widget=forms.RadioSelect,
    )
    to_user = StaffChoiceField(
        label=_("To a colleague"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Choose…"),
    )
    to_outside = forms.CharField(
        label=_("Or to a department outside the station"), max_length=200, required=False
    )
    location = forms.CharField(label=_("Kept at"), max_length=200, required=False)
    reason = forms.CharField(label=_("Why"), max_length=500)

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = colleagues


class DisposalForm(Form):
    kind = forms.ChoiceField(
        label=_("Disposal"),
        choices=[(k.value, k.label) for k in (MoveKind.RETURN, MoveKind.DESTROY)],
        widget=forms.RadioSelect,
    )
    to_outside = forms.CharField(
        label=_("To"),
        max_length=200,
        help_text=_("The owner (as a role, not a name) or the destruction site."),
    )
    reason = forms.CharField(label=_("Why"), max_length=500)


class DecideForm(Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda value: value == "1",
    )


class PhotoForm(Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )


class LedgerExportForm(ExportPurposeForm):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    since = forms.DateField(label=_("From"), widget=DateInput())
    until = forms.DateField(label=_("To"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end cannot be before the start."))
        return data
