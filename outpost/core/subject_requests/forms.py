from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.core.subject_requests.choices import (
    IdentityCheck,
    KeepBasis,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from outpost.core.subject_requests.selectors import DUE_OVERDUE, DUE_SOON


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SubjectRequestForm(Form):
    """A new request: the person (found in the registry, or as they gave themselves), what
    they ask, how it came and how their identity was checked."""

    subject = forms.TypedChoiceField(
        label=_("Person found in the registry"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    subject_name = forms.CharField(label=_("Name as given"), max_length=60, required=False)
    subject_id_number = forms.CharField(
        label=_("ID number as given"),
        max_length=40,
        required=False,
        help_text=_("Kept masked."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit the person lives in"),
        queryset=None,
        required=False,
        empty_label=_("Choose…"),
    )
    kind = forms.ChoiceField(
        label=_("Request"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=RequestChannel.choices)
    identity_check = forms.ChoiceField(
        label=_("Identity checked by"), choices=IdentityCheck.choices
    )
    identity_note = forms.CharField(
        label=_("Identity check, in words"), max_length=300, required=False
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    details = forms.CharField(
        label=_("What the person asks"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, found=(), units=None, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.found = list(found)
        self.fields["subject"].choices = [
            (person.pk, f"{person.name} · {person.masked_id} · {person.unit}")
            for person in self.found
        ]
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if data.get("subject") is None:
            if not (data.get("subject_name") or "").strip():
                self.add_error(
                    "subject_name",
                    _("Choose the person found in the registry, or enter their name."),
                )
            if data.get("unit") is None and "unit" not in self.errors:
                self.add_error("unit", _("Choose the unit the person lives in."))
        return data


class SubjectRequestFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *RequestStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Request"), choices=[("", _("All")), *RequestKind.choices], required=False
    )
    due = forms.ChoiceField(
        label=_("Deadline"),
        choices=[
            ("", _("All")),
            (DUE_OVERDUE, _("Past the deadline")),
            (DUE_SOON, _("Due within 3 days")),
        ],
        required=False,
    )

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class AnswerForm(Form):
    """Close a request: answered (with what the person was told or given) or refused (with
    the reason)."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (RequestStatus.ANSWERED, _("Answered")),
            (RequestStatus.REFUSED, _("Refused with reason")),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer or reason given to the person"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class KeepForm(Form):
    """Keep data the person asked to delete, because the law requires it."""

    basis = forms.ChoiceField(
        label=_("Legal reason to keep"), choices=KeepBasis.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason given to the person"), widget=forms.Textarea(attrs={"rows": 4})
    )
