from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.validators import validate_phone
from outpost.registry.choices import ResidenceType


class ResidentContactForm(forms.Form):
    """The fields a grid worker corrects on a resident's page."""

    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    workplace = forms.CharField(label=_("Workplace"), max_length=200, required=False)

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return validate_phone(raw) if raw else ""
