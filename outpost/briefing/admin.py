"""Django admin: the dashboard's thresholds (预警阈值), for administrators only."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outpost.briefing.figures import figure_list
from outpost.briefing.models import FigureThreshold


class FigureThresholdForm(forms.ModelForm):
    class Meta:
        model = FigureThreshold
        fields = ["key", "amber_at", "red_at", "higher_is_worse"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The figures are partly data (one per origin category): listed when the form opens.
        self.fields["key"] = forms.ChoiceField(
            label=FigureThreshold._meta.get_field("key").verbose_name,
            choices=[(figure.key, figure.label) for figure in figure_list()],
        )


@admin.register(FigureThreshold)
class FigureThresholdAdmin(SimpleHistoryAdmin):
    form = FigureThresholdForm
    list_display = ["key", "amber_at", "red_at", "higher_is_worse"]
    list_editable = ["amber_at", "red_at", "higher_is_worse"]
