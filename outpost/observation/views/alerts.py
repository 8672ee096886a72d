"""Fever and missed-check-in alerts (预警) for staff: the list, and one alert with its
check-in, the person (masked) and the acknowledge and resolve actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outpost.core.batch import batch_apply, batch_report, selected_ids
from outpost.core.masking import mask_name
from outpost.core.viewmixins import ScopedDetailView, ScopedListView, form_add_service_errors
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.services import may_call
from outpost.observation import selectors
from outpost.observation.choices import AlertStatus, Symptom
from outpost.observation.forms import AlertFilterForm, AlertResolveForm
from outpost.observation.models import Alert
from outpost.observation.services.alerts import (
    alert_acknowledge,
    alert_resolve,
    alert_sms_states,
)


class AlertListView(ScopedListView):
    """Open alerts first, fever before missed check-ins; filtered by status, type, site."""

    model = Alert
    template_name = "observation/alert_list.html"

    def get(self, request, *args, **kwargs):
        self.filters = AlertFilterForm(
            request.GET or None, sites=selectors.visible_sites(user=request.user)
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return selectors.alert_rows(
            user=self.request.user,
            status=data.get("status", ""),
            kind=data.get("kind", ""),
            site=data.get("site"),
            mine=bool(data.get("mine")),
            escalated=bool(data.get("escalated")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs, filters=self.filters)
        for alert in context["object_list"]:
            alert.masked_name = mask_name(alert.episode.key_person.display_name)
        # The open alerts of the page may be acknowledged together (批量接收).
        context["can_acknowledge"] = self.request.user.has_perm("observation.change_alert")
        return context

    def post(self, request, *args, **kwargs):
        """Acknowledge the ticked alerts, each through `alert_acknowledge` (its right, its
        scope and its audit row), then the list again with what was done and refused."""
        if not request.user.has_perm("observation.change_alert"):
            raise Http404
        ids = selected_ids(request.POST)
        records = {
            alert.pk: alert
            for alert in selectors.alert_detail_queryset(user=request.user).filter(pk__in=ids)
        }
        result = batch_apply(
            ids=ids,
            records=records,
            label=_alert_label,
            action=lambda alert: alert_acknowledge(acting_user=request.user, alert=alert),
        )
        batch_report(
            request,
            result,
            done_message=ngettext(
                "%(n)d alert acknowledged.", "%(n)d alerts acknowledged.", len(result.done)
            )
            % {"n": len(result.done)},
        )
        query = request.GET.urlencode()
        return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))


def _alert_label(alert: Alert) -> str:
    """An alert in a batch summary: masked name, type and time (China time)."""
    return "{} · {} · {}".format(
        mask_name(alert.episode.key_person.display_name),
        alert.get_kind_display(),
        timezone.localtime(alert.raised_at).strftime("%Y-%m-%d %H:%M"),
    )


class AlertDetailView(ScopedDetailView):
    """GET: the alert. POST `action=acknowledge` or `action=resolve` (outcome; place and
    time of a transfer to a fever clinic) for users who may change it, else a 404."""

    model = Alert
    template_name = "observation/alert_detail.html"

    def get_queryset(self):
        return selectors.alert_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        alert = self.object
        context = super().get_context_data(**kwargs)
        context.setdefault("resolve_form", AlertResolveForm(alert=alert))
        person = alert.episode.key_person
        symptoms = dict(Symptom.choices)
        # The key person's own page shows the name in full to whoever may open it; the
        # alert shows it the same way (and links there), masked to anyone else.
        person_visible = (
            KeyPerson.objects.visible_to(self.request.user).filter(pk=person.pk).exists()
        )
        context.update(
            person=person,
            person_visible=person_visible,
            masked_name=person.display_name if person_visible else mask_name(person.display_name),
            # A fever alert's first step is a call: the team member calls from here.
            may_call=may_call(self.request.user, person),
            sms_states=alert_sms_states(alert),
            symptoms=[symptoms.get(code, code) for code in getattr(alert.check_in, "symptoms", [])],
            can_change=alert.status != AlertStatus.RESOLVED
            and Alert.objects.visible_to(self.request.user, "change").filter(pk=alert.pk).exists(),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object(
            selectors.alert_detail_queryset(user=request.user, action="change")
        )
        action = request.POST.get("action")
        if action == "acknowledge":
            try:
                alert_acknowledge(acting_user=request.user, alert=self.object)
            except ValidationError as exc:
                # Someone else was quicker: say who, and show the alert as it is now.
                for message in exc.messages:
                    messages.warning(request, message)
            else:
                messages.success(request, _("Alert acknowledged."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        if action != "resolve":
            raise Http404
        form = AlertResolveForm(request.POST, alert=self.object)
        if form.is_valid():
            data = form.cleaned_data
            try:
                alert_resolve(
                    acting_user=request.user,
                    alert=self.object,
                    outcome=data["outcome"],
                    transfer_place=data["transfer_place"],
                    transferred_at=data["transferred_at"],
                    note=data["note"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Alert resolved."))
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(resolve_form=form), status=422)
