from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outpost.core.forms import ExportPurposeForm, Form
from outpost.core.identity import mask_id_number, mask_phone, validate_phone
from outpost.core.masking import mask_birth_date
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit
from outpost.registry.choices import (
    DocumentType,
    HealthStatus,
    MemberPresence,
    RelationToHead,
    ResidenceType,
    Transport,
    VisitOutcome,
)
from outpost.registry.exports import LedgerKind
from outpost.registry.services import (
    DUPLICATE,
    KEEP,
    RESIDENT_MERGE_FIELDS,
    MemberReport,
    NewPerson,
)


class ResidentContactForm(Form):
    """The fields a grid worker corrects on a resident's page."""

    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    workplace = forms.CharField(label=_("Workplace"), max_length=200, required=False)

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return validate_phone(raw) if raw else ""


# ---------------------------------------------------------------------------- campaigns


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelMultipleChoiceField):
    """Units indented by their depth below the user's own unit."""

    base_depth = 0

    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - self.base_depth, 0)}{obj.name}"


class CampaignForm(Form):
    """A new screening campaign; the scope is chosen among the user's own units."""

    name = forms.CharField(label=pgettext_lazy("campaign", "Name"), max_length=100)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    scope_units = UnitChoiceField(
        label=_("Units covered"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every household under the chosen units is to be visited."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user).filter(is_active=True)
        self.fields["scope_units"].queryset = units
        own = user_scope_unit(user)
        self.fields["scope_units"].base_depth = own.depth if own else 0

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        return cleaned


# ---------------------------------------------------------------------------- visits

YES_NO = [("no", _("No")), ("yes", _("Yes"))]


class YesNoField(forms.TypedChoiceField):
    """Yes or no, neither chosen at first: None until the user answers (the visit service
    refuses a member whose answer is missing, naming the field)."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            **kwargs,
        )


class VisitForm(Form):
    """How the visit went (the household part of the one-page visit form)."""

    campaign = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=VisitOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the visit went.")},
    )
    phone_confirmed = forms.BooleanField(label=_("Household phone confirmed"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _MemberDeclarationForm(Form):
    """Travel and health of one person, as declared at the visit."""

    travelled = YesNoField(label=_("Travelled in the last 14 days"))
    origin_place = forms.CharField(label=_("Came back from"), max_length=100, required=False)
    returned_on = forms.DateField(label=_("Date back"), required=False, widget=DateInput())
    transport = forms.ChoiceField(
        label=_("Transport"), choices=[("", "—"), *Transport.choices], required=False
    )
    # Nothing chosen at first: a worker must not save "healthy" by not looking. The
    # visit service refuses a missing answer (only for a visit that took place).
    health_status = forms.ChoiceField(
        label=_("Health"), choices=[("", "—"), *HealthStatus.choices], required=False
    )
    phone_confirmed = forms.BooleanField(label=_("Phone confirmed"), required=False)

    member_name = ""

    def report(self, **extra) -> MemberReport:
        data = self.cleaned_data
        return MemberReport(
            travelled=data["travelled"],
            origin_place=data["origin_place"],
            returned_on=data["returned_on"],
            transport=data["transport"],
            health_status=data["health_status"],
            phone_confirmed=data["phone_confirmed"],
            **extra,
        )


class MemberForm(_MemberDeclarationForm):
    """One registered member of the household."""

    resident = forms.IntegerField(widget=forms.HiddenInput)
    presence = forms.ChoiceField(
        label=_("Presence"),
        choices=[
            (value, label) for value, label in MemberPresence.choices if value != MemberPresence.NEW
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    field_order = ["resident", "presence"]

    def __init__(self, *args, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = resident  # not `resident`: templates would find the field of that name
        self.member_name = resident.name if resident else ""

    def to_report(self) -> MemberReport:
        return self.report(
            resident_id=self.cleaned_data["resident"], presence=self.cleaned_data["presence"]
        )


class NewMemberForm(_MemberDeclarationForm):
    """A person living in the household who is not in the registry yet."""

    name = forms.CharField(label=_("Name"), max_length=60)
    document_type = forms.ChoiceField(
        label=_("Document"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    document_number = forms.CharField(
        label=_("ID or document number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    relation_to_head = forms.ChoiceField(
        label=_("Relation to head"), choices=RelationToHead.choices, initial=RelationToHead.OTHER
    )
    field_order = ["name", "document_type", "document_number", "phone", "relation_to_head"]

    @property
    def member_name(self):
        if self.is_bound:
            return (self.data.get(self.add_prefix("name")) or "").strip() or _("New member")
        return _("New member")

    def to_report(self) -> MemberReport:
        data = self.cleaned_data
        person = NewPerson(
            name=data["name"],
            document_type=data["document_type"],
            document_number=data["document_number"],
            phone=data["phone"],
            relation_to_head=data["relation_to_head"],
        )
        return self.report(new_person=person, presence=MemberPresence.NEW)


class BaseMemberFormSet(forms.BaseFormSet):
    """One form per registered member; a posted form names its member by the hidden id."""

    def __init__(self, *args, residents=(), **kwargs):
        self.residents = list(residents)
        self.residents_by_id = {resident.pk: resident for resident in self.residents}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is None:
            return kwargs
        if self.is_bound:
            raw = self.data.get(f"{self.prefix}-{index}-resident", "")
            kwargs["resident"] = self.residents_by_id.get(int(raw)) if raw.isdigit() else None
        elif index < len(self.residents):
            kwargs["resident"] = self.residents[index]
        return kwargs


MemberFormSet = forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=0)
NewMemberFormSet = forms.formset_factory(NewMemberForm, extra=0, can_delete=True, max_num=20)


# ---------------------------------------------------------------------------- merging duplicates


def _merge_value(resident, key: str) -> tuple:
    return tuple(
        getattr(resident, f"{field}_id" if field in ("household", "unit") else field)
        for field in RESIDENT_MERGE_FIELDS[key]
    )


def _merge_value_blank(resident, key: str) -> bool:
    field = {"document": "document_number", "household": "household_id"}.get(key, key)
    return getattr(resident, field) in ("", None)


def merge_value_shown(resident, key: str) -> str:
    """One record's value for a merge choice as the merge screen shows it: masked."""
    if key == "sex":
        return resident.get_sex_display()
    if key == "birth_date":
        # The day and month are part of the masked ID number; the year is enough to tell.
        return mask_birth_date(resident.birth_date)
    if key == "id_number":
        return mask_id_number(resident.id_number)
    if key == "document":
        if not resident.document_number:
            return resident.get_document_type_display()
        return f"{resident.get_document_type_display()} {mask_id_number(resident.document_number)}"
    if key == "phone":
        return mask_phone(resident.phone)
    if key == "residence_type":
        return resident.get_residence_type_display()
    if key == "household":
        household = resident.household
        if household is None:
            return f"— ({resident.unit.name})"
        relation = resident.get_relation_to_head_display()
        return (
            f"{household.household_number} {household.masked_address} · {relation} "
            f"({resident.unit.name})"
        )
    return str(getattr(resident, key) or "")


MERGE_LABELS = {
    "name": _("Name"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "id_number": _("ID number"),
    "document": _("Other document"),
    "phone": _("Phone"),
    "residence_type": _("Residence type"),
    "workplace": _("Workplace"),
    "household": _("Household and grid"),
}


class ResidentMergeForm(Form):
    """Two records side by side: which one to keep and, per differing value, whose value.

    Choices name records by id, so they read the same whichever record is kept.
    """

    keep = forms.TypedChoiceField(label=_("Record to keep"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, first, second, **kwargs):
        super().__init__(*args, **kwargs)
        self.first, self.second = first, second
        records = (first, second)
        self.fields["keep"].choices = [(r.pk, f"{r.name} · {r.pk}") for r in records]
        self.fields["keep"].initial = first.pk
        self.rows = []
        for key in RESIDENT_MERGE_FIELDS:
            shown = (merge_value_shown(first, key), merge_value_shown(second, key))
            name = None
            if _merge_value(first, key) != _merge_value(second, key):
                name = f"take_{key}"
                self.fields[name] = forms.TypedChoiceField(
                    label=MERGE_LABELS[key],
                    coerce=int,
                    choices=[(r.pk, value or "—") for r, value in zip(records, shown, strict=True)],
                    widget=forms.RadioSelect,
                    # By default the opened record's value, unless it is blank.
                    initial=second.pk if _merge_value_blank(first, key) else first.pk,
                )
            self.rows.append({"label": MERGE_LABELS[key], "values": shown, "name": name})

    def bound_rows(self):
        return [{**row, "field": self[row["name"]] if row["name"] else None} for row in self.rows]

    def merge_arguments(self) -> dict:
        """`keep`, `duplicate` and `field_choices` for `services.resident_merge`."""
        keep_pk = self.cleaned_data["keep"]
        keep, duplicate = (
            (self.first, self.second) if keep_pk == self.first.pk else (self.second, self.first)
        )
        choices = {
            row["name"][len("take_") :]: KEEP
            if self.cleaned_data[row["name"]] == keep.pk
            else DUPLICATE
            for row in self.rows
            if row["name"]
        }
        return {"keep": keep, "duplicate": duplicate, "field_choices": choices}


# ---------------------------------------------------------------------------- ledger exports


class LedgerExportForm(ExportPurposeForm):
    """Which ledger of which unit; masked unless the user may and says so; always why
    (the purpose, which the export service requires of a ledger of people).

    The unit and campaign lists hold only the user's; the view answers 404 for any other.
    """

    kind = forms.ChoiceField(label=_("Ledger"))
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), coerce=int, required=False, empty_value=None
    )
    unmasked = forms.BooleanField(
        label=_("Unmasked: full ID numbers, phones and addresses"), required=False
    )

    def __init__(self, *args, user, units, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [
            (LedgerKind.RESIDENTS, "registry.view_resident"),
            (LedgerKind.HOUSEHOLDS, "registry.view_household"),
            (LedgerKind.CAMPAIGN_PROGRESS, "registry.view_campaign"),
        ]
        self.fields["kind"].choices = [
            (kind.value, kind.label) for kind, permission in kinds if user.has_perm(permission)
        ]
        top = units[0].depth if units else 0  # indent each unit under the one above it
        self.fields["unit"].choices = [(u.pk, "　" * (u.depth - top) + u.name) for u in units]
        self.fields["campaign"].choices = [("", "—")] + [(c.pk, c.name) for c in campaigns]
        if not user.has_perm("core.export_personal_data"):
            del self.fields["unmasked"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == LedgerKind.CAMPAIGN_PROGRESS:
            if not data.get("campaign"):
                self.add_error("campaign", _("Choose the campaign whose progress to export."))
            data["unmasked"] = False
        data.setdefault("unmasked", False)
        return data


YES_NO_ANY = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class UnitNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CampaignNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ResidentFilterForm(Form):
    """The residents list's filters (GET). Choices are the user's own grids and campaigns;
    a grid or campaign from outside them is a form error, not a result."""

    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    grid = UnitNameChoiceField(
        label=_("Grid"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    residence_type = forms.ChoiceField(
        label=_("Residence type"), choices=[("", _("All")), *ResidenceType.choices], required=False
    )
    age_band = forms.ChoiceField(label=_("Age"), required=False)
    key_person = forms.ChoiceField(label=_("Key person"), choices=YES_NO_ANY, required=False)
    campaign = CampaignNameChoiceField(
        label=_("Campaign"), queryset=Unit.objects.none(), required=False, empty_label=_("All")
    )
    visited = forms.ChoiceField(
        label=_("Visited in the campaign"), choices=YES_NO_ANY, required=False
    )

    def __init__(self, *args, grids, campaigns, age_bands, with_key_persons: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
        self.fields["campaign"].queryset = campaigns
        self.fields["age_band"].choices = [("", _("All"))] + [(b.code, b.label) for b in age_bands]
        if not with_key_persons:
            del self.fields["key_person"]

    def clean(self):
        data = super().clean()
        if data.get("visited") and not data.get("campaign"):
            self.add_error("campaign", _("Choose the campaign the visit belongs to."))
        return data

    def filter_values(self) -> dict:
        """The cleaned filters as `ResidentFilters` arguments (an invalid form: none)."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return {"query": self.cleaned_data.get("q", "")}
        data = self.cleaned_data

        def yes_no(value):
            return {"yes": True, "no": False}.get(value or "")

        return {
            "query": data["q"],
            "grid": data["grid"],
            "residence_type": data["residence_type"],
            "age_band": data["age_band"],
            "key_person": yes_no(data.get("key_person")),
            "campaign": data["campaign"],
            "visited": yes_no(data["visited"]),
        }
