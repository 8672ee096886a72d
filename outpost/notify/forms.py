"""The per-kind delivery choice (通知方式): inbox only, or inbox and SMS."""

from django import forms
from django.utils.translation import gettext_lazy as _

from outpost.core.forms import Form
from outpost.notify.choices import Delivery, MessageKind

# What a kind comes by when the user has not chosen: fever alerts by SMS too, as their
# senders ask; everything else in the inbox only.
DEFAULT_DELIVERY = {MessageKind.ALERT: Delivery.INBOX_SMS}


class DeliveryPreferenceForm(Form):
    """One choice per message kind. Only the kinds the user changed are stored, so an
    untouched kind keeps following its sender's default."""

    def __init__(self, *args, chosen: dict[str, str], sms_possible: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in MessageKind:
            if kind == MessageKind.OTHER:
                continue
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=chosen.get(kind.value, DEFAULT_DELIVERY.get(kind, Delivery.INBOX)),
                disabled=not sms_possible,
                help_text=_("Alerts you receive by SMS by default: fever alerts.")
                if kind == MessageKind.ALERT
                else "",
            )

    def changed_choices(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.changed_data}
