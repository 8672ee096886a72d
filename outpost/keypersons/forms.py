from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outpost.core.forms import ExportPurposeForm, Form
from outpost.core.models import Unit
from outpost.keypersons import selectors
from outpost.keypersons.choices import (
    ContactChannel,
    ContactOutcome,
    KeyPersonCategory,
    KeyPersonStatus,
    SourceType,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    """Communities and grids, grids indented under their community."""

    def label_from_instance(self, obj):
        return f"{'　' if obj.kind == 'grid' else ''}{obj.name}"


STATUS_FILTER_CHOICES = [
    ("", _("All")),
    (selectors.STATUS_ACTIVE, _("Active (identified or under management)")),
    (selectors.STATUS_CLOSED, _("Closed")),
    *KeyPersonStatus.choices,
]


class KeyPersonFilterForm(Form):
    """The list's filters (GET): status, category, community or grid, name."""

    q = forms.CharField(label=_("Name"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *KeyPersonCategory.choices], required=False
    )
    unit = UnitChoiceField(
        label=_("Community or grid"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)


# Where a key person entered by hand came from; a screening run's come from its page.
MANUAL_SOURCE_CHOICES = [
    (value, label) for value, label in SourceType.choices if value != SourceType.SCREENING
]


class _KeyPersonForm(Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Choose…")), *KeyPersonCategory.choices]
    )
    source_type = forms.ChoiceField(
        label=_("Source"), choices=MANUAL_SOURCE_CHOICES, initial=SourceType.MANUAL
    )
    source_note = forms.CharField(
        label=_("Source note"),
        max_length=300,
        required=False,
        help_text=_("E.g. the dispatch order's number or who reported the person."),
    )
    arrival_date = forms.DateField(label=_("Arrival date"), required=False, widget=DateInput())
    identified_on = forms.DateField(
        label=_("Identified on"), initial=timezone.localdate, widget=DateInput()
    )


class KeyPersonResidentForm(_KeyPersonForm):
    """A resident of the registry becomes a key person."""


class KeyPersonNewPersonForm(_KeyPersonForm):
    """A person not in the registry yet becomes a key person, with what is known."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address_note = forms.CharField(
        label=_("Where to find the person"),
        max_length=200,
        required=False,
        help_text=_("Street, building or place."),
    )
    unit = UnitChoiceField(
        label=_("Community or grid"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )

    field_order = ["name", "id_number", "phone", "address_note", "unit"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)


class KeyPersonStatusForm(Form):
    """The next step of a key person's lifecycle; closing needs a reason."""

    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when closing (released, transferred, moved away)."),
    )
    on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())

    def __init__(self, *args, key_person, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = selectors.key_person_next_statuses(user, key_person)
        self.fields["status"].choices = [
            (value, label) for value, label in KeyPersonStatus.choices if value in allowed
        ]


class WorkerChoiceField(forms.ModelChoiceField):
    """A worker, with their unit and current number of team places."""

    def label_from_instance(self, obj):
        profile = obj.staff_profile
        load = getattr(obj, "load", None)
        places = _("%(n)d places") % {"n": load} if load is not None else ""
        return " · ".join(
            part for part in (profile.display_name, profile.unit.name, places) if part
        )


class TeamForm(Form):
    """One field per active team role: the worker for that place, among the candidates."""

    def __init__(self, *args, key_person, roles, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles
        for role in roles:
            member = current.get(role.pk)
            self.fields[role.code] = WorkerChoiceField(
                label=role.label,
                queryset=selectors.team_candidates(key_person=key_person, role=role),
                required=False,
                empty_label=_("— nobody yet —"),
                initial=member.worker_id if member else None,
            )

    def workers(self) -> dict:
        return {
            role.code: self.cleaned_data[role.code]
            for role in self.roles
            if self.cleaned_data.get(role.code) is not None
        }


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ContactForm(Form):
    """One contact with a key person: channel, outcome, when, note."""

    channel = forms.ChoiceField(
        label=_("How"),
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        initial=ContactChannel.PHONE,
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy("contact", "Outcome"),
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        initial=ContactOutcome.REACHED,
    )
    contacted_at = forms.DateTimeField(
        label=_("When"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. temperature, how the person is, what they need."),
    )


class ContactLedgerForm(ExportPurposeForm):
    """The contact ledger (工作台账) to export: a community or grid and a date range."""

    unit = UnitChoiceField(
        label=_("Community or grid"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )
    since = forms.DateField(label=_("From"), widget=DateInput())
    until = forms.DateField(label=_("To"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if since > until:
                self.add_error("until", _("The end cannot be before the start."))
            elif (until - since).days > 366:
                self.add_error("until", _("Export at most one year at a time."))
        return data
