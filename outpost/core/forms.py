from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.services import API_TOKEN_DEFAULT_DAYS


class ApiTokenForm(forms.Form):
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
