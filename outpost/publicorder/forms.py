"""Forms of the public-order pages. Choices (units, kinds) come from the user's scope."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import ExportPurposeForm, Form, UnitChoiceField
from outpost.core.models import Unit
from outpost.publicorder import selectors
from outpost.publicorder.choices import ClosureState, EventStatus
from outpost.publicorder.models import VenueKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def _kinds():
    return VenueKind.objects.filter(is_active=True)


class VenueFilterForm(Form):
    q = forms.CharField(label=_("Name or licence number"), required=False, max_length=100)
    kind = KindChoiceField(
        label=_("Kind"), queryset=VenueKind.objects.all(), required=False, empty_label=_("All")
    )


class VenueForm(Form):
    """A new venue of the registry."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = KindChoiceField(label=_("Kind"), queryset=VenueKind.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    licence_number = forms.CharField(label=_("Licence number"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    responsible_person = forms.CharField(
        label=_("Responsible person"), max_length=60, required=False
    )
    responsible_phone = forms.CharField(
        label=_("Responsible person's phone"), max_length=20, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = _kinds()
        self.fields["unit"].queryset = selectors.filter_units(user=user)


class CampaignFilterForm(Form):
    kind = KindChoiceField(
        label=_("Kind"), queryset=VenueKind.objects.all(), required=False, empty_label=_("All")
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *ClosureState.choices], required=False
    )


class CampaignForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    started_on = forms.DateField(label=_("Started"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)


class ClosureAdvanceForm(Form):
    on = forms.DateField(label=_("Day"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ClosureExportForm(ExportPurposeForm):
    """The campaign's venue ledger (its venues you may see), as xlsx."""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in items]


class InspectionForm(Form):
    """One radio pair per check of the venue's checklist (passed / failed) with a note,
    the inspection's notes and its photos (the phone's camera)."""

    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)  # fmt: skip
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = checks
        for item in checks:
            self.fields[f"check_{item.pk}"] = forms.TypedChoiceField(
                label=item.label,
                choices=[("1", _("Passed")), ("0", _("Not passed"))],
                coerce=lambda value: value == "1",
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note on “%(check)s”") % {"check": item.label},
                max_length=200,
                required=False,
            )

    def check_rows(self):
        return [(self[f"check_{item.pk}"], self[f"note_{item.pk}"]) for item in self.checks]


class EventForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    planned_on = forms.DateField(label=_("Planned for"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    expected_attendance = forms.IntegerField(
        label=_("Expected attendance"), min_value=0, required=False
    )
    organiser = forms.CharField(label=_("Organiser"), max_length=200)
    organiser_contact = forms.CharField(
        label=_("Organiser's contact person"), max_length=60, required=False
    )
    organiser_phone = forms.CharField(label=_("Organiser's phone"), max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)


class EventFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *EventStatus.choices], required=False
    )


class EventCancelForm(Form):
    cancelled_on = forms.DateField(
        label=_("Cancelled on"), widget=DateInput(), initial=timezone.localdate
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CheckInForm(Form):
    code = forms.CharField(
        label=_("Checkpoint code"),
        max_length=600,
        help_text=_(
            "Scan the checkpoint's QR code with the phone's camera, or paste what it reads."
        ),
    )


class AcknowledgeForm(Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PatrolLogForm(Form):
    day = forms.DateField(label=_("Day"), widget=DateInput(), required=False)


class IncidentPeriodForm(Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All"))  # fmt: skip
    since = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    until = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end cannot be before the start."))
        return data
