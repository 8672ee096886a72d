"""Forms of the duty pages; every choice list comes from the user's scope."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import CHOOSE_LABEL, Form, StaffChoiceField, UnitChoiceField
from outpost.core.models import Unit
from outpost.duty import selectors
from outpost.duty.models import Post

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _people(queryset):
    # Added after the form's own fields were guarded: it names its empty choice itself.
    return StaffChoiceField(label=_("Staff member"), queryset=queryset, empty_label=CHOOSE_LABEL)


class RosterBuildForm(Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), widget=DATE)
    posts = forms.ModelMultipleChoiceField(
        label=_("Posts"), queryset=Post.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    min_rest_hours = forms.IntegerField(
        label=_("Minimum rest between shifts (hours)"), min_value=0, max_value=72, initial=12
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).order_by("path")
        self.fields["posts"].queryset = (
            Post.objects.visible_to(user).filter(is_active=True).select_related("template")
        )
        monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
        self.fields["starts_on"].initial = monday
        self.fields["ends_on"].initial = monday + datetime.timedelta(days=6)
        profile = getattr(user, "staff_profile", None)
        if profile is not None:
            self.fields["unit"].initial = profile.unit_id


class PublishForm(Form):
    reason = forms.CharField(
        label=_("Reason for publishing despite the rules"),
        max_length=300,
        required=False,
        help_text=_("Only needed when the roster breaks a rule; it is kept with the roster."),
    )


class ShiftAssignForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)

    def __init__(self, *args, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"user": _people(selectors.qualified_users(shift.post)), **self.fields}
        self.fields["user"].initial = shift.user_id


class TakerForm(Form):
    def __init__(self, *args, shift, **kwargs):
        super().__init__(*args, **kwargs)
        people = selectors.qualified_users(shift.post).exclude(pk=shift.user_id)
        field = _people(people)
        field.label = _("Colleague to take it")
        self.fields["taker"] = field


class AnswerForm(Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("1", _("Accept")), ("0", _("Decline"))],
        coerce=lambda value: value == "1",
    )


class DecideForm(Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda value: value == "1",
    )


class FreezeForm(Form):
    units = forms.ModelMultipleChoiceField(label=_("Units frozen"), queryset=Unit.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.visible_to(user).order_by("path")


class LeaveForm(Form):
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ExceptionForm(Form):
    reason = forms.CharField(label=_("Reason for the exception"), max_length=300)


class NowForm(Form):
    """Who is on duty: at a moment (China time; now when empty), for a unit and a post."""

    at = forms.DateTimeField(
        label=_("At"), required=False, widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    unit = UnitChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    post = forms.ModelChoiceField(
        label=_("Post"), queryset=Post.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).order_by("path")
        self.fields["post"].queryset = selectors.posts_seen(user=user).order_by("name")


class PeriodForm(Form):
    first = forms.DateField(label=_("From"), widget=DATE, required=False)
    last = forms.DateField(label=_("To"), widget=DATE, required=False)
