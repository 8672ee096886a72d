from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.core.models import Unit
from outpost.enterprises.notices import selectors
from outpost.enterprises.notices.models import BODY_MAX_LENGTH, Notice
from outpost.enterprises.notices.services import ATTACHMENT_SUFFIXES, MAX_ATTACHMENTS
from outpost.enterprises.scoping import enterprises_for

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        accept = ",".join(sorted(ATTACHMENT_SUFFIXES))
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class NoticeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Notice) -> str:
        return gettext("%(title)s (version %(version)d)") % {
            "title": obj.title,
            "version": obj.version,
        }


class NoticeForm(Form):
    """Write and push a notice: the text, its source and version, what it replaces, the
    deadline to confirm, the recipients (enterprises and/or units) and attachments."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 10})
    )
    source_authority = forms.CharField(
        label=_("Source authority"),
        max_length=100,
        help_text=_("Who issued the text, e.g. the city's epidemic command (发布机关)."),
    )
    supersedes = NoticeChoiceField(
        label=_("Replaces"),
        queryset=Notice.objects.none(),
        required=False,
        empty_label=_("Nothing: a new notice"),
        help_text=_("The earlier notice this one is a new version of; it is marked replaced."),
    )
    version = forms.IntegerField(
        label=_("Version"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("Leave empty: 1 for a new notice, the next number for a replacement."),
    )
    deadline = forms.DateTimeField(
        label=_("Confirm by"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    enterprises = forms.ModelMultipleChoiceField(
        label=_("Enterprises"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Every enterprise of the chosen communities or grids receives it."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supersedes"].queryset = selectors.supersedable(user=user)
        self.fields["enterprises"].queryset = enterprises_for(user).order_by("name", "pk")
        self.fields["units"].queryset = Unit.objects.visible_to(user).order_by("path")
        self.fields["attachments"].help_text = gettext("Up to %(count)d documents or pictures.") % {
            "count": MAX_ATTACHMENTS
        }


class CallForm(Form):
    """What the officer's phone call gave."""

    confirmed = forms.BooleanField(
        label=_("The liaison confirmed on the phone that the enterprise has read the notice"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who answered and what was said."),
    )
