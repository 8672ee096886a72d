from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import UnitKind
from outpost.core.forms import Form, ModelForm
from outpost.core.models import Unit
from outpost.screening.choices import FeedSourceType, FeedStatus
from outpost.screening.models import Feed, Region, RiskDesignation

FEEDS_READ = (FeedStatus.PARSED, FeedStatus.PARSED_WITH_ERRORS)


class RiskDesignationForm(ModelForm):
    region_code = forms.CharField(
        label=_("Region code"),
        required=False,
        max_length=6,
        help_text=_("Six digits of GB/T 2260 (420100 for Wuhan); empty for everywhere else."),
    )

    class Meta:
        model = RiskDesignation
        fields = ("level", "start_date", "end_date", "category", "note")
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    field_order = ("region_code", "level", "start_date", "end_date", "category", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("Choose…")
        self.fields["level"].choices = [
            ("", _("Choose…")),
            *[(value, label) for value, label in self.fields["level"].choices if value],
        ]
        if self.instance.pk and self.instance.region_id:
            self.initial["region_code"] = self.instance.region.code

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(
                _("No region has the code %(code)s."), params={"code": code}
            )
        return region

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        return cleaned

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["region"] = data.pop("region_code")
        return data

    def _post_clean(self):
        # The service validates and saves; the model form only cleans the fields.
        pass


class FeedUploadForm(Form):
    source_type = forms.ChoiceField(label=_("Source type"), choices=FeedSourceType.choices)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx, .xls), a CSV file or a Parquet file."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).exclude(kind=UnitKind.GRID)


class ScreeningRunForm(Form):
    """Start a screening: the feeds to match and the unit whose residents to screen.

    Only feeds read to the end are offered; a feed chosen while it is still being read (or
    that failed) is refused with its name."""

    feeds = forms.ModelMultipleChoiceField(
        label=_("Feeds"), queryset=Feed.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    unit = forms.ModelChoiceField(
        label=_("Residents of"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        feeds = self.fields["feeds"]
        feeds.queryset = Feed.objects.visible_to(user)
        feeds.choices = [
            (feed.pk, feeds.label_from_instance(feed))
            for feed in feeds.queryset.filter(status__in=FEEDS_READ)
        ]
        self.fields["unit"].queryset = Unit.objects.visible_to(user).exclude(kind=UnitKind.GRID)

    def clean_feeds(self):
        feeds = self.cleaned_data["feeds"]
        unread = [f.original_name for f in feeds if f.status not in FEEDS_READ]
        if unread:
            raise forms.ValidationError(
                _(
                    "These feeds are not read to the end yet, or could not be read: "
                    "%(feeds)s. Wait until their page shows the rows, then start the screening."
                ),
                params={"feeds": ", ".join(unread)},
            )
        return feeds
