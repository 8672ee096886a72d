"""Base forms of every app: free text is checked at the edge (DESIGN rule 4).

Every text field of a form built on `Form` or `ModelForm` refuses control characters and
bidirectional overrides (`validators.validate_text`; a textarea may hold line breaks and
tabs) and has a maximum length: its own, or `LINE_MAX_LENGTH` for a line and
`NOTE_MAX_LENGTH` for a textarea when it declares none.
"""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

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


class TextGuardMixin:
    """Guards every text field of the form (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            guard_text_field(field)


class Form(TextGuardMixin, forms.Form):
    """The base of every form of Outpost."""


class ModelForm(TextGuardMixin, forms.ModelForm):
    """The base of every model form of Outpost."""


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
