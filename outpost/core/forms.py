"""Base forms of every app: free text is checked at the edge (DESIGN rule 4).

Every text field of a form built on `Form` or `ModelForm` refuses control characters and
bidirectional overrides (`validators.validate_text`; a textarea may hold line breaks and
tabs) and has a maximum length: its own, or `LINE_MAX_LENGTH` for a line and
`NOTE_MAX_LENGTH` for a textarea when it declares none.
"""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import EXPORT_PURPOSES
from outpost.core.services import API_TOKEN_DEFAULT_DAYS
from outpost.core.validators import (
    LINE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    validate_note,
    validate_text,
)


def guard_text_field(field: forms.Field) -> None:
    """Give one form field the edge checks of free text (idempotent)."""
    if not isinstance(field, forms.CharField) or getattr(field, "_text_guarded", False):
        return
    multiline = isinstance(field.widget, forms.Textarea)
    field.validators.append(validate_note if multiline else validate_text)
    if field.max_length is None:
        field.max_length = NOTE_MAX_LENGTH if multiline else LINE_MAX_LENGTH
        field.validators.append(MaxLengthValidator(field.max_length))
        field.widget.attrs.update(field.widget_attrs(field.widget))
    field._text_guarded = True


# Every select's empty choice says what to do, in the user's language: never Django's dashes.
CHOOSE_LABEL = _("Choose…")
DJANGO_EMPTY_LABEL = "---------"


def guard_empty_label(field: forms.Field) -> None:
    """Give a select of records the empty choice 请选择 where Django would show dashes (a
    field that names its own empty choice, e.g. 全部, keeps it)."""
    if isinstance(field, forms.ModelChoiceField) and field.empty_label == DJANGO_EMPTY_LABEL:
        field.empty_label = CHOOSE_LABEL


class TextGuardMixin:
    """Guards every text field of the form (see the module docstring) and gives every
    select of records a translated empty choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            guard_text_field(field)
            guard_empty_label(field)


class UnitChoiceField(forms.ModelChoiceField):
    """A unit (单位) of the user's subtree, each indented under its parent."""

    def label_from_instance(self, obj):
        return "　" * obj.depth + obj.name


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member (工作人员) by the name on their profile."""

    def label_from_instance(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.display_name if profile else obj.get_username()


class Form(TextGuardMixin, forms.Form):
    """The base of every form of Outpost."""


class ModelForm(TextGuardMixin, forms.ModelForm):
    """The base of every model form of Outpost."""


class ExportPurposeForm(Form):
    """The purpose of an export of personal data (导出目的): a preset, or "other" and the
    purpose in words. Every export form inherits it and shows it with
    ``core/partials/export_purpose.html``; the export service (`export_check`) decides
    whether the export needs it and refuses it, naming the field, when missing."""

    purpose = forms.ChoiceField(
        label=_("Purpose of the export"),
        choices=[(value.value, value.label) for value in EXPORT_PURPOSES],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("The purpose in your words (needed for Other)"),
        max_length=300,
        required=False,
        help_text=_("Written to the access log with the export."),
    )

    # Rendered by the partial, after the export's own fields.
    purpose_fields = ("purpose", "reason")

    def export_fields(self):
        """The form's own fields, without the purpose (for templates that loop)."""
        return [field for field in self if field.name not in self.purpose_fields]


class ConfirmForm(Form):
    """A confirmation: the button is the whole form."""


class ApiTokenForm(Form):
    """A new personal API token: what it is for and how long it works."""

    EXPIRY_CHOICES = [
        (7, _("7 days")),
        (30, _("30 days")),
        (90, _("90 days")),
        (180, _("180 days")),
        (365, _("1 year")),
    ]

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The program or person that will use it, e.g. 区卫健委数据对接."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"),
        choices=EXPIRY_CHOICES,
        coerce=int,
        initial=API_TOKEN_DEFAULT_DAYS,
    )
