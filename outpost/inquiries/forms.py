from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form, UnitChoiceField
from outpost.core.models import Unit
from outpost.enterprises.notices.models import Notice
from outpost.inquiries.choices import STAFF_CHANNELS, FaqCategory, Urgency
from outpost.inquiries.models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH

# The service checks lengths and emptiness with its own messages; the forms let the text
# through (a bound on what is read stays, well above the service's).
SLACK = 10


class QuickLogForm(Form):
    """One question received elsewhere, logged in a few seconds."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    text = forms.CharField(
        label=_("Question"),
        required=False,
        max_length=QUESTION_MAX_LENGTH * SLACK,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
    )
    phone = forms.CharField(
        label=_("Phone for the answer (optional)"), required=False, max_length=40
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


def notice_choices(user):
    return Notice.objects.visible_to(user).filter(superseded_by__isnull=True).order_by("-pushed_at")


class AnswerForm(Form):
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=ANSWER_MAX_LENGTH * SLACK,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    faq_used = forms.IntegerField(required=False, widget=forms.HiddenInput)
    notice = forms.ModelChoiceField(
        label=_("Notice the answer relies on"),
        queryset=Notice.objects.none(),
        required=False,
    )
    send_sms = forms.BooleanField(label=_("Send the answer by SMS"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = notice_choices(user)


class HandOffForm(Form):
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class FaqProposeForm(Form):
    category = forms.ChoiceField(label=_("Category"), choices=FaqCategory.choices)
    question = forms.CharField(
        label=_("Question as the public reads it"), max_length=3000, required=False
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=ANSWER_MAX_LENGTH * SLACK,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    notice = forms.ModelChoiceField(
        label=_("Notice it relies on"),
        queryset=Notice.objects.none(),
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = notice_choices(user)


class FaqReviewForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class FaqReviseForm(Form):
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=ANSWER_MAX_LENGTH * SLACK,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    notice = forms.ModelChoiceField(
        label=_("Notice it relies on"),
        queryset=Notice.objects.none(),
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = notice_choices(user)


class CorrectionForm(Form):
    text = forms.CharField(
        label=_("Correction"),
        required=False,
        max_length=ANSWER_MAX_LENGTH * SLACK,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
