"""The retention pages for administrators (保存期限): the policies, the purge certificates
with the state of their chain, and legal holds."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from outpost.core.forms import ConfirmForm
from outpost.core.models import LegalHold, PurgeCertificate
from outpost.core.retention import get_kind
from outpost.core.retention.chain import chain_verify
from outpost.core.retention.forms import LegalHoldForm, RetentionPolicyForm
from outpost.core.retention.selectors import (
    effective_policies,
    effective_policy,
    hold_record,
    kind_label,
)
from outpost.core.retention.services import (
    legal_hold_open,
    legal_hold_release,
    retention_policy_set,
)
from outpost.core.viewmixins import ScopedActionView, ScopedListView, form_add_service_errors


class RetentionPolicyListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Every kind of record with how long it is kept, then what, and the policy's version;
    the state of the certificate chain and the last purge."""

    permission_required = "core.view_retentionpolicy"
    template_name = "core/retention/policies.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            policies=effective_policies(),
            chain=chain_verify(),
            last_certificate=PurgeCertificate.objects.order_by("-sequence").first(),
            open_holds=LegalHold.objects.visible_to(self.request.user).open().count(),
        )
        return context


class RetentionPolicyEditView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Change one kind's policy: a period below the legal minimum, or an action the kind
    does not allow, is refused next to its field (422)."""

    permission_required = "core.change_retentionpolicy"
    template_name = "core/retention/policy_form.html"

    def _kind(self):
        try:
            return get_kind(self.kwargs["kind"])
        except LookupError as exc:
            raise Http404 from exc

    def get(self, request, kind):
        kind = self._kind()
        policy = effective_policy(kind)
        form = RetentionPolicyForm(
            kind=kind, initial={"days": policy.days, "action": policy.action}
        )
        return self._render(kind, policy, form)

    def post(self, request, kind):
        kind = self._kind()
        form = RetentionPolicyForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                retention_policy_set(
                    acting_user=request.user,
                    kind_key=kind.key,
                    days=form.cleaned_data["days"],
                    action=form.cleaned_data["action"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("The retention policy was saved."))
                return redirect("core:retention_policies")
        return self._render(kind, effective_policy(kind), form, status=422)

    def _render(self, kind, policy, form, status=200):
        context = {"kind": kind, "policy": policy, "form": form}
        return render(self.request, self.template_name, context, status=status)


class PurgeCertificateListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """The purge certificates, newest first, with whether their chain verifies."""

    permission_required = "core.view_purgecertificate"
    template_name = "core/retention/certificates.html"
    context_object_name = "certificates"
    paginate_by = 50

    def get_queryset(self):
        return PurgeCertificate.objects.order_by("-sequence")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chain"] = chain_verify()
        for certificate in context["certificates"]:
            certificate.total = sum(entry.get("count", 0) for entry in certificate.counts.values())
            certificate.held_total = sum(
                entry.get("count", 0) for entry in certificate.held.values()
            )
        return context


class PurgeCertificateDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    """One certificate: the policies applied, the counts per kind with the range of their
    reference dates, and the holds that kept records (links to the holds)."""

    permission_required = "core.view_purgecertificate"
    template_name = "core/retention/certificate_detail.html"
    context_object_name = "certificate"
    model = PurgeCertificate

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.object
        keys = sorted({*certificate.counts, *certificate.held, *certificate.policies})
        context["rows"] = [
            {
                "kind": kind_label(key),
                "key": key,
                "policy": certificate.policies.get(key, {}),
                "count": certificate.counts.get(key, {}),
                "held": certificate.held.get(key, {}),
            }
            for key in keys
        ]
        held_ids = {pk for entry in certificate.held.values() for pk in entry.get("holds", ())}
        context["holds"] = LegalHold.objects.visible_to(self.request.user).filter(pk__in=held_ids)
        context["hidden_holds"] = len(held_ids) - len(context["holds"])
        return context


class LegalHoldListView(ScopedListView):
    """The legal holds of the user's jurisdiction, open ones first, each with a link to the
    record it keeps."""

    model = LegalHold
    template_name = "core/retention/holds.html"
    context_object_name = "holds"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("opened_by__staff_profile", "released_by__staff_profile", "unit")
            .order_by(F("released_at").desc(nulls_first=True), "-opened_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for hold in context["holds"]:
            record = hold_record(hold)
            hold.record = record
            hold.record_url = (
                record.get_absolute_url()
                if record is not None and hasattr(record, "get_absolute_url")
                else ""
            )
            hold.record_type = _record_type(hold.model_label)
        return context


def _record_type(label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class LegalHoldCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Place a legal hold on a record of the user's jurisdiction."""

    permission_required = "core.add_legalhold"
    template_name = "core/retention/hold_form.html"

    def get(self, request):
        initial = {
            key: request.GET[key] for key in ("model_label", "object_id") if key in request.GET
        }
        return render(request, self.template_name, {"form": LegalHoldForm(initial=initial)})

    def post(self, request):
        form = LegalHoldForm(request.POST)
        if form.is_valid():
            try:
                legal_hold_open(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("The legal hold was placed."))
                return redirect("core:legal_holds")
        return render(request, self.template_name, {"form": form}, status=422)


class LegalHoldReleaseView(ScopedActionView):
    """Release a hold: what it kept is purged at the next run if it is due."""

    model = LegalHold
    scope_action = "change"
    form_class = ConfirmForm
    template_name = "core/retention/hold_release.html"
    context_object_name = "hold"

    def get_context(self, obj) -> dict:
        return {"record_type": _record_type(obj.model_label)}

    def get_success_url(self, obj) -> str:
        return reverse("core:legal_holds")

    def perform(self, obj, data: dict) -> str:
        legal_hold_release(acting_user=self.request.user, hold=obj)
        return _("The legal hold was released.")
