from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.core.models import Unit
from outpost.enterprises import selectors
from outpost.enterprises.choices import EnterpriseStatus, Sector
from outpost.enterprises.validators import validate_credit_code


class UnitChoiceField(forms.ModelChoiceField):
    """Communities and grids, grids indented under their community."""

    def label_from_instance(self, obj):
        return f"{'　' if obj.kind == 'grid' else ''}{obj.name}"


ESSENTIAL_CHOICES = [
    ("", _("All")),
    (selectors.ESSENTIAL_YES, _("Essential-goods producers")),
    (selectors.ESSENTIAL_NO, _("Other enterprises")),
]


class EnterpriseFilterForm(Form):
    """The list's filters (GET): name or credit code, unit, sector, essential, status."""

    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)
    unit = UnitChoiceField(
        label=_("Community or grid"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("All")), *Sector.choices], required=False
    )
    essential = forms.ChoiceField(
        label=_("Essential goods"), choices=ESSENTIAL_CHOICES, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *EnterpriseStatus.choices], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)


class EnterpriseForm(Form):
    """An enterprise's registered facts (new and edit)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as on the business licence; the last one is checked."),
    )
    unit = UnitChoiceField(
        label=_("Community or grid"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    employees = forms.IntegerField(
        label=_("Employees"), min_value=0, max_value=1_000_000, required=False
    )
    is_essential = forms.BooleanField(
        label=_("Essential-goods producer (重点保供企业)"), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=EnterpriseStatus.choices, initial=EnterpriseStatus.OPEN
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.filter_units(user=user)

    def clean_credit_code(self):
        try:
            return validate_credit_code(self.cleaned_data["credit_code"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class ContactForm(Form):
    """A new contact person of an enterprise."""

    name = forms.CharField(label=_("Name"), max_length=60)
    title = forms.CharField(label=_("Role or title"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)


class LiaisonForm(Form):
    """Which liaison login to bind to the enterprise."""

    user = forms.ModelChoiceField(label=_("Liaison login"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, user, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = selectors.liaison_candidates(user=user, enterprise=enterprise)
        field.label_from_instance = lambda u: f"{u.staff_profile.display_name} ({u.username})"
