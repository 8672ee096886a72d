"""Forms of requests and the donations ledger. Choices (enterprises, stores, donors,
requests, officers) come from the user's scope; items are one quantity field each."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import ExportPurposeForm, Form
from outpost.core.models import Unit
from outpost.enterprises.models import Enterprise
from outpost.enterprises.supplies import selectors
from outpost.enterprises.supplies.choices import DonorKind, RequestKind, RequestOutcome
from outpost.enterprises.supplies.models import Donor, EnterpriseRequest, SupplyItem
from outpost.enterprises.supplies.services import MAX_QUANTITY, request_officers


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth under the user's own."""

    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 2, 0)}{obj.name}"


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} · {obj.enterprise.name} · {obj.summary}"


class ItemQuantitiesMixin:
    """One whole-number field per active item of the catalogue (``qty_<code>``): how many,
    in the item's unit of measure; empty or 0 for none."""

    def add_item_fields(self, initial: dict[int, int] | None = None) -> None:
        self.items = list(selectors.items())
        for item in self.items:
            self.fields[f"qty_{item.code}"] = forms.IntegerField(
                label=_("%(item)s (%(measure)s)") % {"item": item.label, "measure": item.measure},
                min_value=0,
                max_value=MAX_QUANTITY,
                required=False,
                initial=(initial or {}).get(item.pk),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )

    def item_fields(self):
        return [self[f"qty_{item.code}"] for item in self.items]

    def lines(self) -> list[tuple[SupplyItem, int]]:
        data = self.cleaned_data
        return [
            (item, data[f"qty_{item.code}"]) for item in self.items if data.get(f"qty_{item.code}")
        ]


class EnterpriseChoiceField(forms.ModelChoiceField):
    """An enterprise with the community or grid it lies in."""

    def label_from_instance(self, obj):
        return _("%(name)s (%(unit)s)") % {"name": obj.name, "unit": obj.unit.name}


class RequestForm(ItemQuantitiesMixin, Form):
    """A new request (提交诉求): for whom (staff choose the enterprise; a liaison files for
    its own), the kind, what is needed, and the items where it is goods."""

    enterprise = EnterpriseChoiceField(
        label=_("Enterprise"), queryset=Enterprise.objects.none(), empty_label=_("Choose…")
    )
    kind = forms.ChoiceField(
        label=_("Kind of request"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("What is needed"),
        max_length=120,
        help_text=_("In a few words, e.g. 口罩2000只，复工第一周用."),
    )
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, enterprise: Enterprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_enterprise = enterprise
        if enterprise is not None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = selectors.request_enterprises(user=user)
        self.add_item_fields()

    def clean(self):
        data = super().clean()
        if data.get("kind") == RequestKind.SUPPLIES and not self.lines():
            self.add_error(None, _("A request for supplies names at least one item and how many."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "enterprise": self.fixed_enterprise or data["enterprise"],
            "kind": data["kind"],
            "summary": data["summary"],
            "details": data.get("details", ""),
            "lines": self.lines(),
        }


class AssignForm(Form):
    officer = forms.ModelChoiceField(
        label=_("Officer"), queryset=None, empty_label=None, required=False
    )

    def __init__(self, *args, request: EnterpriseRequest, user, **kwargs):
        super().__init__(*args, **kwargs)
        officers = request_officers(request)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda user: str(
            getattr(user, "staff_profile", None) or user.username
        )
        if officers.filter(pk=user.pk).exists():
            self.fields["officer"].initial = user.pk


class StepForm(Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=RequestOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Answer to the enterprise"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(Form):
    note = forms.CharField(
        label=_("Note (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReopenForm(Form):
    note = forms.CharField(
        label=_("What is still missing"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DonationForm(ItemQuantitiesMixin, Form):
    """A donation received (捐赠入库): the store, the donor (one already known, or a new
    enterprise or person), the items and how many."""

    unit = UnitChoiceField(label=_("Store"), queryset=Unit.objects.none(), empty_label=None)
    donor = forms.ModelChoiceField(
        label=_("Known donor"),
        queryset=Donor.objects.none(),
        required=False,
        empty_label=_("A new donor (below)"),
    )
    donor_kind = forms.ChoiceField(
        label=_("New donor"),
        choices=DonorKind.choices,
        widget=forms.RadioSelect,
        required=False,
        initial=DonorKind.ENTERPRISE,
    )
    enterprise = forms.ModelChoiceField(
        label=_("Donating enterprise"),
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label=_("Choose…"),
    )
    donor_name = forms.CharField(label=_("Donor's name"), max_length=100, required=False)
    donor_phone = forms.CharField(label=_("Donor's phone"), max_length=20, required=False)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.store_units(user=user)
        self.fields["donor"].queryset = selectors.donor_list(user=user)
        self.fields["enterprise"].queryset = selectors.request_enterprises(user=user)
        self.add_item_fields()

    def clean(self):
        data = super().clean()
        if not data.get("donor") and not data.get("donor_kind"):
            self.add_error("donor_kind", _("Choose a known donor or say who gave."))
        if not self.lines():
            self.add_error(None, _("Enter at least one item and how many were received."))
        return data


class DistributionForm(ItemQuantitiesMixin, Form):
    """Supplies given out (物资发放): the store, the request they answer (or the
    enterprise or unit they go to), who signed for them, the items and how many."""

    unit = UnitChoiceField(label=_("Store"), queryset=Unit.objects.none(), empty_label=None)
    request = RequestChoiceField(
        label=_("Against the request"),
        queryset=EnterpriseRequest.objects.none(),
        required=False,
        empty_label=_("No request"),
    )
    recipient = forms.ModelChoiceField(
        label=_("Receiving enterprise"),
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label=_("Choose…"),
        help_text=_("Not needed with a request: its enterprise receives."),
    )
    recipient_unit = UnitChoiceField(
        label=_("Or receiving unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Choose…"),
    )
    signed_for_by = forms.CharField(label=_("Signed for by"), max_length=60)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, request: EnterpriseRequest | None = None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        quantities = None
        if request is not None:
            initial["request"] = request.pk
            quantities = {
                line.item_id: max(line.unmet, 0) for line in selectors.request_lines(request)
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["unit"].queryset = selectors.store_units(user=user)
        self.fields["request"].queryset = selectors.open_supply_requests(user=user)
        self.fields["recipient"].queryset = selectors.request_enterprises(user=user)
        self.fields["recipient_unit"].queryset = selectors.recipient_units(user=user)
        self.add_item_fields(initial=quantities)

    def clean(self):
        data = super().clean()
        if not self.lines():
            self.add_error(None, _("Enter at least one item and how many are given out."))
        return data


class LedgerFilterForm(Form):
    """The ledger's filters (GET): store, item, days."""

    unit = UnitChoiceField(
        label=_("Store"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    item = forms.ModelChoiceField(
        label=_("Item"), queryset=SupplyItem.objects.none(), required=False, empty_label=_("All")
    )
    since = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    until = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.store_units(user=user)
        self.fields["item"].queryset = selectors.items()


class LedgerExportForm(ExportPurposeForm):
    """The ledger of a store (and the stores below it) over days, as xlsx."""

    unit = UnitChoiceField(label=_("Store"), queryset=Unit.objects.none(), empty_label=_("Choose…"))
    since = forms.DateField(label=_("From"), widget=DateInput())
    until = forms.DateField(label=_("To"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.store_units(user=user)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if since > until:
                self.add_error("until", _("The end cannot be before the start."))
            elif (until - since).days > 366:
                self.add_error("until", _("Export at most one year at a time."))
        return data
