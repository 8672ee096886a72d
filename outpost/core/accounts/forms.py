from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import Role
from outpost.core.forms import Form, TextGuardMixin
from outpost.core.messaging import email_send
from outpost.core.models import Unit


class AccountForm(Form):
    """A login's name, unit, roles and contact; units from the administrator's subtree."""

    display_name = forms.CharField(label=_("Name"), max_length=50)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("Choose…")
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("For resetting a forgotten password by email, where email is set up."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)


class AccountCreateForm(AccountForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; used to log in."),
    )
    field_order = ["username", "display_name", "unit", "roles", "phone", "email"]


class NotifyPasswordResetForm(TextGuardMixin, PasswordResetForm):
    """Django's reset form, sending through the registered e-mail sender (notify's one
    outbound interface: queued, delivered by the worker, the address masked once sent)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_send(address=to_email, subject=subject, body=body)
