"""Pages of people's requests: the list, a new request, the request with the actions its
state allows, "what we hold about this person" (page and workbook), and the answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.choices import AccessPurpose
from outpost.core.exports.tasks import export_enqueue
from outpost.core.forms import ConfirmForm
from outpost.core.models import Unit
from outpost.core.printing import print_context
from outpost.core.scoping import get_visible
from outpost.core.subject_requests import services
from outpost.core.subject_requests.choices import RequestKind, RequestStatus
from outpost.core.subject_requests.exports import (
    PersonHoldingsExport,
    document_facts,
    request_document,
)
from outpost.core.subject_requests.forms import (
    AnswerForm,
    KeepForm,
    SubjectRequestFilterForm,
    SubjectRequestForm,
)
from outpost.core.subject_requests.holdings import person_finder
from outpost.core.subject_requests.models import SubjectRequest
from outpost.core.subject_requests.selectors import changes_under, subject_request_list
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)


class SubjectRequestListView(ScopedListView):
    """People's requests of the user's scope, by due day; filtered by status, kind and
    deadline."""

    model = SubjectRequest
    template_name = "core/subject_requests/list.html"

    def get(self, request, *args, **kwargs):
        self.filter_form = SubjectRequestFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return subject_request_list(user=self.request.user, **self.filter_form.values())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


class SubjectRequestNewView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Record a request: find the person (last four digits, full ID number or phone, or
    name, within the user's scope: the registry's search), or enter them as they gave
    themselves with a unit of the user's scope."""

    model = Unit
    permission_required = "core.add_subjectrequest"
    template_name = "core/subject_requests/new.html"

    def _form(self, data=None):
        user = self.request.user
        query = (self.request.GET.get("q") or self.request.POST.get("q") or "").strip()
        found = person_finder().search(user=user, query=query) if query else []
        chosen = (data or {}).get("subject") or ""
        if chosen and chosen.isdigit() and all(p.pk != int(chosen) for p in found):
            # The person chosen is looked up again in scope (a 404 when not in it).
            found.append(person_finder().describe(person_finder().get(user=user, pk=chosen)))
        units = Unit.objects.visible_to(user).order_by("path")
        return SubjectRequestForm(data, found=found, units=units), query

    def get(self, request):
        form, query = self._form()
        return self._render(form, query)

    def post(self, request):
        if request.POST.get("unit"):
            get_visible(Unit, request.user, request.POST["unit"])
        form, query = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.subject_request_create(
                    acting_user=request.user,
                    kind=data["kind"],
                    channel=data["channel"],
                    identity_check=data["identity_check"],
                    identity_note=data["identity_note"],
                    details=data["details"],
                    received_on=data["received_on"],
                    subject_pk=data["subject"],
                    subject_name=data["subject_name"],
                    subject_id_number=data["subject_id_number"],
                    unit=data["unit"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Request %(reference)s recorded: due on %(day)s.")
                    % {"reference": created.reference, "day": created.due_on.isoformat()},
                )
                return HttpResponseRedirect(created.get_absolute_url())
        return self._render(form, query, status=422)

    def _render(self, form, query, status=200):
        context = {"form": form, "query": query, "searched": bool(query)}
        return render(self.request, self.template_name, context, status=status)


class SubjectRequestDetailView(ScopedDetailView):
    model = SubjectRequest
    template_name = "core/subject_requests/detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "handled_by__staff_profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.object
        user = self.request.user
        may_change = (
            SubjectRequest.objects.visible_to(user, "change").filter(pk=request.pk).exists()
        )
        person_url = ""
        if request.subject_pk is not None:
            try:
                person = person_finder().get(user=user, pk=request.subject_pk)
                person_url = person_finder().describe(person).url
            except Http404:
                person_url = ""
        context.update(
            may_change=may_change and request.is_open,
            may_document=may_change and request.subject_pk is not None,
            may_delete=may_change and request.is_open and request.kind == RequestKind.DELETE,
            may_correct=may_change and request.is_open and request.kind == RequestKind.CORRECT,
            person_url=person_url,
            overdue=request.is_overdue(),
            changes=changes_under(request),
        )
        return context


class SubjectRequestHoldingsView(ScopedViewMixin, View):
    """What we hold about the person (GET: the printable page, logged as an export with the
    request as the reason; POST: the same as a workbook, written in the background)."""

    model = SubjectRequest
    scope_action = "change"
    template_name = "core/subject_requests/holdings.html"

    def _request(self, pk) -> SubjectRequest:
        subject_request = get_visible(SubjectRequest, self.request.user, pk, "change")
        if subject_request.subject_pk is None:
            raise Http404
        return subject_request

    def get(self, request, pk):
        subject_request = self._request(pk)
        sections = request_document(user=request.user, request=subject_request)
        services.holdings_document_log(
            acting_user=request.user,
            request=subject_request,
            rows=document_facts(sections),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        context = {
            "object": subject_request,
            "sections": sections,
            **print_context(acting_user=request.user),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        subject_request = self._request(pk)
        result = export_enqueue(
            export_name=PersonHoldingsExport.name,
            params={"request_id": subject_request.pk},
            request=request,
            unmasked=True,
            purpose=AccessPurpose.SUBJECT_REQUEST,
            reason=f"{subject_request.reference} · {subject_request.get_kind_display()}",
        )
        return redirect("core:export_status", result.id)


class _OpenRequestAction(ScopedActionView):
    """An action on an open request. A closed one offers none: its page is shown again
    with a word (a second tab, a form sent twice)."""

    model = SubjectRequest
    scope_action = "change"
    context_object_name = "subject_request"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        subject_request = get_visible(SubjectRequest, request.user, kwargs["pk"], "change")
        if not subject_request.is_open:
            messages.info(request, _("This request is closed already."))
            return redirect(subject_request)
        return super().dispatch(request, *args, **kwargs)


class SubjectRequestAnswerView(_OpenRequestAction):
    """Close a request: answered, or refused with the reason."""

    form_class = AnswerForm
    template_name = "core/subject_requests/answer.html"

    def perform(self, obj, data: dict) -> str:
        if data["outcome"] == RequestStatus.REFUSED:
            services.subject_request_refuse(
                acting_user=self.request.user, request=obj, reason=data["answer"]
            )
            return _("The request is closed as refused.")
        services.subject_request_answer(
            acting_user=self.request.user, request=obj, answer=data["answer"]
        )
        return _("The request is closed as answered.")


class _DeletionAction(_OpenRequestAction):
    def get_object(self):
        subject_request = super().get_object()
        if subject_request.kind != RequestKind.DELETE:
            raise Http404
        return subject_request


class SubjectRequestAnonymiseView(_DeletionAction):
    """Anonymise the person now, in every module (irreversible), confirmed by a button."""

    form_class = ConfirmForm
    template_name = "core/subject_requests/anonymise.html"

    def get_object(self):
        subject_request = super().get_object()
        if subject_request.subject_pk is None:
            raise Http404
        return subject_request

    def perform(self, obj, data: dict) -> str:
        done = services.subject_request_anonymise(acting_user=self.request.user, request=obj)
        return done.answer


class SubjectRequestKeepView(_DeletionAction):
    """Keep the data because the law requires it, with the legal reason."""

    form_class = KeepForm
    template_name = "core/subject_requests/keep.html"

    def perform(self, obj, data: dict) -> str:
        services.subject_request_keep(
            acting_user=self.request.user, request=obj, basis=data["basis"], reason=data["reason"]
        )
        return _("The data is kept; the request is closed with the legal reason.")
