"""Forms of the dormitory coordination. They parse; the services validate the rules that
span records (dates within the offer, a bed free) and name the field they concern."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.enterprises.choices_dormitories import DormitoryRequestStatus
from outpost.enterprises.models.dormitories import MAX_BEDS_PER_ROOM, MAX_NIGHTS
from outpost.enterprises.scoping import enterprises_for


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


_ROOM_LINE = re.compile(r"^(?P<label>.+?)[\s,，:：]+(?P<beds>\d+)\s*(?:床|张|beds?)?$")


class _EnterpriseFormMixin:
    """An `enterprise` choice of the enterprises the user may act for (a liaison: its own,
    chosen already)."""

    def _set_enterprises(self, user, permission_action: str = "view") -> None:
        field = self.fields["enterprise"]
        field.queryset = enterprises_for(user, permission_action).order_by("name", "pk")
        if field.queryset.count() == 1:
            field.initial = field.queryset.first().pk
            field.widget = forms.HiddenInput()


class OfferForm(_EnterpriseFormMixin, Form):
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"), queryset=None, empty_label=_("Choose…")
    )
    address = forms.CharField(label=_("Dormitory address"), max_length=200)
    available_from = forms.DateField(
        label=_("First night"), widget=DateInput(), initial=timezone.localdate
    )
    available_until = forms.DateField(label=_("Last night"), widget=DateInput())
    rooms = forms.CharField(
        label=_("Rooms"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("One room a line: its label and its beds, e.g. “101 4”."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_enterprises(user)

    def clean_rooms(self):
        rooms, errors = [], []
        lines = [line.strip() for line in self.cleaned_data["rooms"].splitlines()]
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            match = _ROOM_LINE.match(line)
            if match is None:
                errors.append(
                    _("Line %(n)d (“%(line)s”): write the room's label, then its beds.")
                    % {"n": number, "line": line}
                )
                continue
            rooms.append((match["label"].strip(), int(match["beds"])))
        if errors:
            raise forms.ValidationError(errors)
        return rooms


class RoomForm(Form):
    label = forms.CharField(label=_("Room"), max_length=40)
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=MAX_BEDS_PER_ROOM)


class DormitoryRequestForm(_EnterpriseFormMixin, Form):
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise asking"), queryset=None, empty_label=_("Choose…")
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    arriving_on = forms.DateField(
        label=_("Arriving on"), widget=DateInput(), initial=timezone.localdate
    )
    nights = forms.IntegerField(label=_("Nights"), min_value=1, max_value=MAX_NIGHTS, initial=14)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_enterprises(user)


class BookForm(Form):
    room = forms.IntegerField(widget=forms.HiddenInput())
    bed = forms.IntegerField(
        label=_("Bed"), min_value=1, max_value=MAX_BEDS_PER_ROOM, required=False
    )


class StayEndForm(Form):
    on = forms.DateField(
        label=_("Leaving on"),
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_(
            "The nights from this day on are freed. On or before the first night, the booking is cancelled and the request waits for a room again."
        ),
    )


class ConfirmForm(Form):
    """A button that needs no input (withdraw)."""


REQUEST_STATUS_FILTER = [("", _("All")), *DormitoryRequestStatus.choices]
