"""Forms of the retention pages: a kind's policy, and a legal hold."""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.core.retention import RetentionKind
from outpost.core.retention.selectors import holdable_labels

MAX_DAYS = 36500


class RetentionPolicyForm(Form):
    """How long a kind of record is kept and what happens then."""

    days = forms.IntegerField(label=_("Days kept"), min_value=1, max_value=MAX_DAYS)
    action = forms.ChoiceField(label=_("Then"))

    def __init__(self, *args, kind: RetentionKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(action.value, action.label) for action in kind.actions]


class LegalHoldForm(Form):
    """A legal hold on one record of the user's jurisdiction, for a case."""

    model_label = forms.ChoiceField(label=_("Record type"))
    object_id = forms.IntegerField(
        label=_("Record number"),
        min_value=1,
        help_text=_("The number in the record's address, e.g. 42 in /keypersons/42/."),
    )
    case_reference = forms.CharField(label=_("Case reference"), max_length=100)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_label"].choices = [
            (label, apps.get_model(label)._meta.verbose_name) for label in holdable_labels()
        ]
