import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outpost.core.forms import ExportPurposeForm, Form
from outpost.core.models import Unit
from outpost.observation.choices import (
    FEVER_OUTCOMES,
    KEY_PERSON_STATUSES_AFTER,
    MISSED_OUTCOMES,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    EndReason,
    EpisodeKind,
    EpisodeStatus,
    RoomStatus,
    SiteStaffRole,
    Symptom,
)
from outpost.observation.models import Episode, IsolationSite, ObservationPolicy, Room
from outpost.observation.services.checkins import temperature_parse


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("Floor %(floor)s · room %(number)s") % {"floor": obj.floor, "number": obj.number}


class EpisodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.key_person.display_name} · {obj.start_date:%Y-%m-%d}"


# The list's status filter: "open" (active or due for release) first, as staff mostly work
# with the people still under observation.
STATUS_OPEN = "open"
STATUS_FILTER_CHOICES = [
    ("", _("All")),
    (STATUS_OPEN, pgettext_lazy("episodes", "Open")),
    *EpisodeStatus.choices,
]


class EpisodeFilterForm(Form):
    """The episode list's filters (GET)."""

    q = forms.CharField(label=_("Name"), required=False)
    kind = forms.ChoiceField(
        label=_("Observation kind"), choices=[("", _("All")), *EpisodeKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False, initial=STATUS_OPEN
    )
    site = SiteChoiceField(
        label=_("Isolation site"),
        queryset=IsolationSite.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    due = forms.BooleanField(label=_("Due for release"), required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


def _parse_times(value: str) -> list[str]:
    times = []
    for part in re.split(r"[\s,，、;；]+", value.strip()):
        if not part:
            continue
        part = part.replace("：", ":")
        try:
            parsed = datetime.datetime.strptime(part, "%H:%M").time()
        except ValueError as exc:
            raise ValidationError(
                _("Write times of day as HH:MM, e.g. 08:00, 18:00."), code="invalid"
            ) from exc
        times.append(parsed.strftime("%H:%M"))
    return sorted(set(times))


class EpisodeStartForm(Form):
    """Start observing a key person. The site is checked by the service (centralized
    isolation needs one), so its message lands next to the field."""

    kind = forms.ChoiceField(
        label=_("Observation kind"), choices=EpisodeKind.choices, widget=forms.RadioSelect
    )
    start_date = forms.DateField(
        label=_("Start date"), initial=timezone.localdate, widget=DateInput()
    )
    planned_end_date = forms.DateField(
        label=_("Planned end date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave blank for the plan's length (14 days unless the category says more)."),
    )
    site = SiteChoiceField(
        label=_("Isolation site"),
        queryset=IsolationSite.objects.none(),
        required=False,
        empty_label=_("Choose…"),
        help_text=_("For centralized isolation."),
    )
    check_in_times = forms.CharField(
        label=_("Check-in times"),
        required=False,
        help_text=_("Times of day, e.g. 08:00, 18:00. Blank: the station's default."),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["check_in_times"].widget.attrs["placeholder"] = ", ".join(
            ObservationPolicy.current().check_in_times
        )

    def clean_check_in_times(self):
        return _parse_times(self.cleaned_data["check_in_times"]) or None


class EpisodeExtendForm(Form):
    new_end_date = forms.DateField(label=_("New planned end date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


# Blank: the state the end reason implies (services.episodes.KEY_PERSON_STATUS_AFTER).
KEY_PERSON_STATUS_CHOICES = [
    ("", _("As the reason implies")),
    *((status.value, status.label) for status in KEY_PERSON_STATUSES_AFTER),
]
KEY_PERSON_STATUS_HELP = _(
    "Observation completed: released from control. Transferred to hospital or other: "
    "still under management. Moved: transferred."
)


class EpisodeEndForm(Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the observation ends.")},
    )
    ended_on = forms.DateField(label=_("Ended on"), initial=timezone.localdate, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    key_person_status = forms.ChoiceField(
        label=_("Key person's state afterwards"),
        required=False,
        choices=KEY_PERSON_STATUS_CHOICES,
        help_text=KEY_PERSON_STATUS_HELP,
    )


class EpisodeReleaseForm(Form):
    """The confirmation of a due release: the key person's state is the only choice."""

    key_person_status = forms.ChoiceField(
        label=_("Key person's state afterwards"),
        required=False,
        choices=KEY_PERSON_STATUS_CHOICES,
        help_text=KEY_PERSON_STATUS_HELP,
    )


# Continuing an episode moves the person to observation at home: a chain never leads back
# into centralized isolation (that is a new episode with its own start).
CONTINUE_KINDS = [
    (value, label) for value, label in EpisodeKind.choices if value != EpisodeKind.CENTRALIZED
]


class EpisodeContinueForm(Form):
    kind = forms.ChoiceField(
        label=_("Continue with"),
        choices=CONTINUE_KINDS,
        initial=EpisodeKind.HOME_MONITORING,
        widget=forms.RadioSelect,
    )
    start_date = forms.DateField(
        label=_("Start date"), initial=timezone.localdate, widget=DateInput()
    )


class SiteForm(Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )
    name = forms.CharField(label=pgettext_lazy("site", "Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


# "301-320", "A301-A320", "1201~1205": a run of numbers with an optional common prefix.
_RANGE = re.compile(r"^(?P<prefix>\D*)(?P<start>\d+)\s*[-–~～]\s*(?P=prefix)?(?P<end>\d+)$")
MAX_ROOMS_AT_ONCE = 500


def parse_room_numbers(value: str) -> list[str]:
    """'301-305, 310' -> ['301', '302', '303', '304', '305', '310'] (in order, no repeats)."""
    numbers: list[str] = []
    for part in re.split(r"[\s,，、;；]+", value.strip()):
        if not part:
            continue
        match = _RANGE.match(part)
        if match is None:
            if re.search(r"[-–~～]", part):
                raise ValidationError(
                    _("“%(part)s” is not a range of room numbers like 301-320.") % {"part": part}
                )
            numbers.append(part)
            continue
        start, end = int(match["start"]), int(match["end"])
        if end < start:
            raise ValidationError(
                _("The range “%(part)s” runs backwards.") % {"part": part}, code="invalid"
            )
        if end - start >= MAX_ROOMS_AT_ONCE:
            raise ValidationError(
                _("Add at most %(n)d rooms at once.") % {"n": MAX_ROOMS_AT_ONCE}, code="invalid"
            )
        width = len(match["start"])
        numbers.extend(f"{match['prefix']}{n:0{width}d}" for n in range(start, end + 1))
    unique = list(dict.fromkeys(numbers))
    if not unique:
        raise ValidationError(_("Enter at least one room number."), code="required")
    if len(unique) > MAX_ROOMS_AT_ONCE:
        raise ValidationError(
            _("Add at most %(n)d rooms at once.") % {"n": MAX_ROOMS_AT_ONCE}, code="invalid"
        )
    too_long = [number for number in unique if len(number) > 20]
    if too_long:
        raise ValidationError(
            _("Room numbers are at most 20 characters: %(numbers)s")
            % {"numbers": ", ".join(too_long[:5])}
        )
    return unique


class RoomsAddForm(Form):
    floor = forms.CharField(label=_("Floor"), max_length=10)
    numbers = forms.CharField(
        label=_("Room numbers"),
        help_text=_("Single numbers and ranges, separated by commas: 301-320, 325."),
    )

    def clean_numbers(self):
        return parse_room_numbers(self.cleaned_data["numbers"])


# Occupied is not a state anyone sets: it follows from a check-in.
class RoomStateForm(Form):
    status = forms.ChoiceField(
        label=_("Room state"), choices=RoomStatus.choices, widget=forms.RadioSelect
    )


class StayCheckInForm(Form):
    episode = EpisodeChoiceField(
        label=_("Person"), queryset=Episode.objects.none(), empty_label=_("Choose…")
    )
    room = RoomChoiceField(label=_("Room"), queryset=Room.objects.none(), empty_label=_("Choose…"))

    def __init__(self, *args, episodes, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].queryset = episodes
        self.fields["room"].queryset = rooms


class StayMoveForm(Form):
    room = RoomChoiceField(
        label=_("New room"), queryset=Room.objects.none(), empty_label=_("Choose…")
    )

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        profile = getattr(obj, "staff_profile", None)
        if profile is None:
            return obj.username
        return f"{profile.display_name} · {profile.unit.name if profile.unit_id else ''}"


class SiteStaffForm(Form):
    user = StaffChoiceField(
        label=_("Staff member"), queryset=get_user_model().objects.none(), empty_label=_("Choose…")
    )
    role = forms.ChoiceField(label=_("Duty"), choices=SiteStaffRole.choices)
    on_duty_from = forms.DateField(
        label=_("On duty from"), initial=timezone.localdate, widget=DateInput()
    )
    on_duty_until = forms.DateField(label=_("On duty until"), required=False, widget=DateInput())

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


# ---------------------------------------------------------------------------- check-ins and alerts (staff)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class CheckInForm(Form):
    """A check-in entered by staff. The temperature stays text here: the service's parser
    reads what people type ("37,3", "３７．３") and names the range when it refuses."""

    temperature = forms.CharField(
        label=_("Temperature (°C)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    taken_at = forms.DateTimeField(
        label=_("Taken at"), initial=_now_to_the_minute, widget=DateTimeInput()
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    # One number per form shown: the same form sent twice stores one check-in.
    form_nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_temperature(self):
        try:
            return temperature_parse(self.cleaned_data["temperature"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("temperature", exc.messages)) from exc


ALERT_STATUS_UNRESOLVED = "unresolved"


class AlertFilterForm(Form):
    """The alert list's filters (GET)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("All")),
            (ALERT_STATUS_UNRESOLVED, _("Not resolved")),
            *AlertStatus.choices,
        ],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Alert type"), choices=[("", _("All")), *AlertKind.choices], required=False
    )
    site = SiteChoiceField(
        label=_("Isolation site"),
        queryset=IsolationSite.objects.none(),
        required=False,
        empty_label=_("All"),
    )

    # Set by links (the home page's to-do lines), kept by the form as hidden fields.
    mine = forms.BooleanField(required=False, widget=forms.HiddenInput)
    escalated = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class AlertResolveForm(Form):
    """How an alert ended; the place and time of a transfer to a fever clinic."""

    outcome = forms.ChoiceField(
        label=_("Outcome of the alert"),
        choices=AlertOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    transfer_place = forms.CharField(label=_("Transferred to"), max_length=100, required=False)
    transferred_at = forms.DateTimeField(
        label=_("Transferred at"), required=False, widget=DateTimeInput()
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, alert, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = FEVER_OUTCOMES if alert.kind == AlertKind.FEVER else MISSED_OUTCOMES
        self.fields["outcome"].choices = [(value, value.label) for value in allowed]
        self.fields["transferred_at"].initial = _now_to_the_minute


class ReportDayForm(Form):
    """The day of the site daily report (GET)."""

    day = forms.DateField(label=_("Day"), widget=DateInput(), required=False)


class ReportExportForm(ExportPurposeForm):
    day = forms.DateField(widget=forms.HiddenInput, required=False)
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("xlsx workbook")), ("pdf", _("PDF for printing"))],
        widget=forms.RadioSelect,
        initial="xlsx",
        required=False,
    )
